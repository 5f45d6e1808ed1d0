// Loading the working copy (the files of head) into editor states, and the
// file list.
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, dropCursor, rectangularSelection, highlightSpecialChars } from "@codemirror/view";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput } from "@codemirror/language";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { lintGutter, lintKeymap } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { type RevisionDetail, type SourceFile } from "./api";
import { paydomain } from "./lang";
import { navigation } from "./navigate";
import { refactorKeys } from "./refactor";
import { diffObjects } from "./objects";
import { emit } from "./events";
import { $, activatable, el } from "./dom";
import { active, api, base, editable, files, headFiles, isDirty, saveActive, setActive, setBase, setFiles, setView, textOf, toMap, view, workingFiles } from "./state";

// Revision 0 (the empty domain) has no files: start the analyst off with one.
export function filesOf(r: RevisionDetail): SourceFile[] {
  return r.files.length ? r.files : [{ name: "domain.pd", text: "" }];
}

export async function loadHead(): Promise<void> {
  const r = await api.revision("head");
  setBase(r.revision);
  const src = filesOf(r);
  setFiles(src.map((f) => ({ name: f.name, head: f.text, state: makeState(f.text), diagnostics: [] })));
  setActive(Math.min(active, Math.max(0, files.length - 1)));
  if (!view) {
    setView(new EditorView({ state: files[active]?.state ?? makeState(""), parent: $("#editor") }));
  } else {
    view.setState(files[active].state);
  }
  renderRevision();
  renderFiles();
  renderChangeCount();
  emit("files-replaced");
}

export function renderRevision(): void {
  $("#revision").textContent = `working copy of r${base}`;
}

// Line wrapping: an option of the analyst's, kept in this browser, in every file.
const WRAP_KEY = "paydomain.wrap";
const wrapping = new Compartment();
const wrapExt = (on: boolean): Extension => (on ? EditorView.lineWrapping : []);
let wrapOn = localStorage.getItem(WRAP_KEY) === "1";

export function setLineWrapping(on: boolean): void {
  wrapOn = on;
  localStorage.setItem(WRAP_KEY, on ? "1" : "0");
  saveActive();
  files.forEach((f) => { f.state = f.state.update({ effects: wrapping.reconfigure(wrapExt(on)) }).state; });
  if (view && files[active]) view.setState(files[active].state);
}

export function installWrapOption(): void {
  const box = $("#wrap") as HTMLInputElement;
  box.checked = wrapOn;
  box.addEventListener("change", () => setLineWrapping(box.checked));
}

export function makeState(text: string): EditorState {
  const ext: Extension[] = [
    lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(), drawSelection(),
    dropCursor(), EditorState.allowMultipleSelections.of(true), indentOnInput(), bracketMatching(), closeBrackets(),
    autocompletion({ activateOnTyping: true, maxRenderedOptions: 60 }), rectangularSelection(), highlightActiveLine(),
    highlightSelectionMatches(), lintGutter(), paydomain(), navigation(), refactorKeys(), EditorState.tabSize.of(2),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...completionKeymap, ...lintKeymap, indentWithTab]),
    EditorView.updateListener.of((u) => { if (u.docChanged) emit("edited"); }),
    EditorState.readOnly.of(!editable()),
    wrapping.of(wrapExt(wrapOn)),
  ];
  return EditorState.create({ doc: text, extensions: ext });
}

export function switchTo(i: number): void {
  if (i === active && view.state === files[i].state) return;
  saveActive();
  setActive(i);
  view.setState(files[i].state);
  renderFiles();
}

export function renderFiles(): void {
  const ul = $("#files");
  ul.replaceChildren(...files.map((f, i) => {
    const errs = f.diagnostics.filter((d) => d.severity === "error").length;
    const li = el("li", { class: i === active ? "active" : "", "data-file": f.name },
      el("span", {}, f.name), textOf(f, i) !== f.head ? el("span", { class: "dirty", title: "edited" }, "●") : null,
      errs ? el("span", { class: "errs" }, String(errs)) : null);
    return activatable(li, () => { emit("show-view", "edit"); switchTo(i); view.focus(); });
  }));
}

/** The number of changed objects on the Review tab (scans every file: call it off the typing path). */
export function renderChangeCount(): void {
  const changes = isDirty() ? diffObjects(toMap(headFiles()), toMap(workingFiles())).length : 0;
  $("#change-count").textContent = changes ? String(changes) : "";
}
