// Find references (Shift-F12) and rename (F2) of an object id across files.
// The uses come from the server (POST /v1/references): the declaration and
// every reference the checker resolves to that object, so a word in a comment
// or a string, or another kind's object of the same name, is never touched.
// A rename is checked (POST /v1/check of the renamed working copy) before it
// applies: it is refused when it would add errors. It applies as one edit
// per file and "Undo rename" takes it back in every file at once.
import { keymap } from "@codemirror/view";
import { ChangeSet, type Extension, type Text } from "@codemirror/state";
import { ApiError, type IdUse, type References } from "./api";
import { $, el, notice } from "./dom";
import { emit } from "./events";
import { active, api, editable, files, saveActive, textOf, view, workingFiles } from "./state";

const ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The uses of the id under the cursor of the open file; a notice and null when there is none. */
async function usesAtCursor(): Promise<References | null> {
  const head = view.state.selection.main.head;
  const line = view.state.doc.lineAt(head);
  try {
    return await api.references(workingFiles(), files[active].name, line.number, head - line.from + 1);
  } catch (e) {
    notice(e instanceof ApiError && e.code === "no-id" ? "Put the cursor on an object's id (its declaration or a reference to it)." : `Cannot find the references: ${(e as Error).message}`, "error");
    return null;
  }
}

/** Offsets of `uses` in `doc` (one file's), each checked to still read `id`; null when the text moved on. */
function offsets(doc: Text, uses: IdUse[], id: string): number[] | null {
  const out: number[] = [];
  for (const u of uses) {
    if (u.line < 1 || u.line > doc.lines) return null;
    const from = doc.line(u.line).from + u.column - 1;
    if (doc.sliceString(from, from + id.length) !== id) return null;
    out.push(from);
  }
  return out;
}

// ---- find references -----------------------------------------------------

export async function findReferences(): Promise<void> {
  const r = await usesAtCursor();
  if (!r) return;
  showReferences(r);
}

function showReferences(r: References): void {
  const box = $("#references");
  const lineText = (file: string, line: number) => {
    const i = files.findIndex((f) => f.name === file);
    if (i < 0) return "";
    const doc = i === active ? view.state.doc : files[i].state.doc;
    return line <= doc.lines ? doc.line(line).text.trim() : "";
  };
  const close = el("button", { class: "link", title: "close (Escape)" }, "×");
  close.addEventListener("click", () => { box.hidden = true; view.focus(); });
  const items = r.uses.map((u) => {
    const b = el("button", { class: "hit", "data-file": u.file, "data-line": String(u.line), "data-declaration": String(u.declaration) },
      el("span", { class: "where" }, `${u.file}:${u.line}`), u.declaration ? el("span", { class: "hint" }, " declaration") : null, " ",
      el("span", { class: "text" }, lineText(u.file, u.line)));
    b.addEventListener("click", () => emit("open-at", u.file, u.line, u.column, u.length));
    return el("li", {}, b);
  });
  box.replaceChildren(el("div", { class: "refs-head" }, `${r.uses.length} use${r.uses.length === 1 ? "" : "s"} of ${r.kind} ${r.id} `, close), el("ul", {}, ...items));
  box.hidden = false;
  box.onkeydown = (ev) => { if (ev.key === "Escape") { box.hidden = true; view.focus(); } };
  (box.querySelector("button.hit") as HTMLElement | null)?.focus();
}

// ---- rename ----------------------------------------------------------------

/** The last rename's inverse per file name (undone only while those files are as the rename left them). */
let lastRename: { kind: string; from: string; to: string; undo: { file: string; changes: ChangeSet; after: string }[] } | null = null;

export async function renameAtCursor(): Promise<void> {
  if (!editable()) return;
  const r = await usesAtCursor();
  if (!r) return;
  const to = await askName(r);
  if (to === null || to === r.id) return;
  await rename(r, to);
}

/** Asks for the new id in the rename dialog; null when cancelled. */
function askName(r: References): Promise<string | null> {
  const dlg = $("#rename") as HTMLDialogElement;
  const input = $("#rename-to") as HTMLInputElement;
  $("#rename-what").textContent = `Rename ${r.kind} ${r.id} (${r.uses.length} use${r.uses.length === 1 ? "" : "s"}) to`;
  $("#rename-error").textContent = "";
  input.value = r.id;
  ($("#rename-cancel") as HTMLButtonElement).onclick = () => dlg.close();
  dlg.showModal();
  input.select();
  return new Promise((resolve) => {
    const form = $("#rename-form") as HTMLFormElement;
    form.onsubmit = (ev) => {
      ev.preventDefault();
      const v = input.value.trim();
      if (!ID.test(v)) { $("#rename-error").textContent = "An id is letters, digits and _, not starting with a digit."; return; }
      dlg.close();
      resolve(v);
    };
    dlg.onclose = () => resolve(null); // Escape or Cancel (a resolved promise ignores a second call)
  });
}

export async function rename(r: References, to: string): Promise<boolean> {
  saveActive();
  const before = workingFiles();
  const byFile = new Map<string, IdUse[]>();
  for (const u of r.uses) { if (!byFile.has(u.file)) byFile.set(u.file, []); byFile.get(u.file)!.push(u); }
  const plan: { index: number; changes: ChangeSet }[] = [];
  for (const [name, uses] of byFile) {
    const index = files.findIndex((f) => f.name === name);
    if (index < 0) return refuse(`the file ${name} is not in the working copy`);
    const doc = files[index].state.doc;
    const at = offsets(doc, uses, r.id);
    if (!at) return refuse("the text changed meanwhile; try again");
    plan.push({ index, changes: ChangeSet.of(at.map((from) => ({ from, to: from + r.id.length, insert: to })), doc.length) });
  }
  const after = before.map((f, i) => {
    const p = plan.find((x) => x.index === i);
    return p ? { name: f.name, text: p.changes.apply(files[i].state.doc).toString() } : f;
  });
  // Checked before it applies: refused when the renamed working copy has more errors.
  let errorsAfter: number;
  let first = "";
  try {
    const report = await api.check(after);
    const errs = report.diagnostics.filter((d) => d.severity === "error");
    errorsAfter = errs.length;
    first = errs[0] ? `${errs[0].file}:${errs[0].line}: ${errs[0].message}` : "";
  } catch (e) {
    return refuse(`the renamed working copy could not be checked (${(e as Error).message})`);
  }
  const errorsBefore = files.reduce((n, f) => n + f.diagnostics.filter((d) => d.severity === "error").length, 0);
  if (errorsAfter > errorsBefore) return refuse(`it would add ${errorsAfter - errorsBefore} error(s): ${first}`);
  saveActive();
  if (workingFiles().some((f, i) => f.text !== before[i].text)) return refuse("the text changed while it was checked; try again");
  const undo: { file: string; changes: ChangeSet; after: string }[] = [];
  for (const p of plan) {
    const f = files[p.index];
    const doc = f.state.doc;
    const spec = { changes: p.changes, userEvent: "rename" };
    if (p.index === active) view.dispatch(spec);
    else f.state = f.state.update(spec).state;
    saveActive();
    undo.push({ file: f.name, changes: p.changes.invert(doc), after: textOf(f, p.index) });
  }
  lastRename = { kind: r.kind, from: r.id, to, undo };
  emit("edited");
  renameNotice();
  return true;
}

function refuse(why: string): false {
  notice(`Not renamed: ${why}.`, "error");
  return false;
}

function renameNotice(): void {
  if (!lastRename) return;
  const n = lastRename.undo.length;
  notice(`Renamed ${lastRename.kind} ${lastRename.from} to ${lastRename.to} in ${n} file${n === 1 ? "" : "s"}.`);
  addUndoButton();
}

function addUndoButton(): void {
  const b = el("button", { id: "undo-rename" }, "Undo rename");
  b.addEventListener("click", undoRename);
  $("#notice").append(" ", b);
}

/** Takes the last rename back in every file it changed, if none was edited since. */
export function undoRename(): void {
  const r = lastRename;
  if (!r) return;
  saveActive();
  const idx = r.undo.map((u) => files.findIndex((f) => f.name === u.file));
  if (idx.some((i, k) => i < 0 || textOf(files[i], i) !== r.undo[k].after)) {
    notice("Not undone: a renamed file was edited since (Ctrl-Z in each file undoes it).", "error");
    addUndoButton(); // once the files are as the rename left them (Ctrl-Shift-Z), it works again
    return;
  }
  r.undo.forEach((u, k) => {
    const i = idx[k];
    const spec = { changes: u.changes, userEvent: "rename.undo" };
    if (i === active) view.dispatch(spec);
    else files[i].state = files[i].state.update(spec).state;
  });
  saveActive();
  lastRename = null;
  emit("edited");
  notice(`Rename undone: ${r.kind} ${r.from} is back.`);
}

export function refactorKeys(): Extension {
  return keymap.of([
    { key: "F2", run: () => { void renameAtCursor(); return true; } },
    { key: "Shift-F12", run: () => { void findReferences(); return true; } },
  ]);
}
