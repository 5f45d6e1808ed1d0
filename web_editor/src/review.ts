// Review and commit: the object-level summary against head, the merge view,
// commit, and its refusals (conflicts go to conflict.ts).
import { EditorView, lineNumbers } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { MergeView } from "@codemirror/merge";
import { ApiError, conflictsOf, type Diagnostic, type FailingTest } from "./api";
import { paydomain } from "./lang";
import { diffObjects, type ObjectChange } from "./objects";
import { renderImpact } from "./impact";
import { applyDiagnostics, goTo, goToObject, scheduleCheck } from "./check";
import { showConflicts } from "./conflict";
import { $, el } from "./dom";
import { saveDraft } from "./drafts";
import { active, api, base, editable, files, headFiles, isDirty, role, saveActive, setActive, setBase, setFiles, setSetAside, tests, textOf, toMap, view, workingFiles } from "./state";
import { filesOf, loadHead, makeState, renderChangeCount, renderFiles, renderRevision } from "./workcopy";

let mergeView: MergeView | null = null;

export function renderReview(keepResult = false): void {
  saveActive();
  if (!keepResult) { $("#commit-result").textContent = ""; $("#commit-result").className = ""; }
  const changes = diffObjects(toMap(headFiles()), toMap(workingFiles()));
  const ul = $("#summary");
  ul.replaceChildren(...(changes.length ? changes.map((c) => summaryItem(c, true)) : [el("li", { class: "hint" }, "No changes against head.")]));
  const sel = $("#review-file") as HTMLSelectElement;
  const changed = files.filter((f, i) => textOf(f, i) !== f.head).map((f) => f.name);
  const names = changed.length ? changed : files.map((f) => f.name);
  const prev = sel.value;
  sel.replaceChildren(...names.map((n) => el("option", { value: n }, n + (changed.includes(n) ? " (edited)" : ""))));
  sel.value = names.includes(prev) ? prev : names[0] ?? "";
  renderMerge();
  renderReviewTests();
  if (editable()) void renderImpact();
  ($("#commit") as HTMLButtonElement).disabled = !editable();
}

/**
 * The domain's tests before the commit button, as of the newest live check:
 * failing ones (each with its differences, clickable to the test) mean the
 * commit will be refused, unless an admin gives a reason to override.
 */
export function renderReviewTests(): void {
  const box = $("#review-tests");
  const failing = (tests?.tests ?? []).filter((t) => !t.passed);
  box.hidden = !tests;
  box.className = failing.length ? "error" : "hint";
  ($("#allow-failing-tests") as HTMLInputElement).hidden = !failing.length || role !== "admin";
  if (!tests) return;
  if (!failing.length) { box.replaceChildren(`All ${tests.passed} test(s) pass.`); return; }
  box.replaceChildren(
    el("b", {}, `${failing.length} test${failing.length === 1 ? "" : "s"} fail${failing.length === 1 ? "s" : ""}: the commit will be refused` +
      (role === "admin" ? " unless you give a reason to commit anyway." : ". Fix them, or ask an admin.")),
    failingList(failing.map((t) => ({ name: t.name, failures: t.failures, file: t.file, line: t.line }))));
}

function failingList(ts: (FailingTest & { file?: string; line?: number })[]): HTMLElement {
  return el("ul", { class: "summary", id: "failing-tests" }, ...ts.map((t) => {
    const li = el("li", { class: "failing-test", "data-test": t.name }, el("b", {}, `test "${t.name}"`),
      ...t.failures.map((f) => el("div", { class: "hint" }, f)));
    if (t.file) li.addEventListener("click", () => goTo(t.file!, t.line ?? 1));
    else li.addEventListener("click", () => goToObject("test", t.name));
    return li;
  }));
}

export function summaryItem(c: ObjectChange | { op: string; kind: string; id: string; detail?: string }, clickable: boolean): HTMLElement {
  const li = el("li", { class: "change", "data-object": `${c.kind} ${c.id}` }, el("span", { class: `op ${c.op}` }, c.op), `${c.kind} `, el("b", {}, c.id),
    "detail" in c && c.detail ? el("span", { class: "hint" }, ` — ${c.detail}`) : null);
  if (clickable && c.op !== "removed") li.addEventListener("click", () => goToObject(c.kind, c.id));
  return li;
}

function renderMerge(): void {
  const name = ($("#review-file") as HTMLSelectElement).value;
  const i = files.findIndex((f) => f.name === name);
  mergeView?.destroy();
  mergeView = null;
  if (i < 0) return;
  const ro = [EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.lineWrapping, lineNumbers(), paydomain()];
  mergeView = new MergeView({
    a: { doc: files[i].head, extensions: ro },
    b: { doc: textOf(files[i], i), extensions: ro },
    parent: $("#merge"),
    collapseUnchanged: { margin: 3, minSize: 6 },
    highlightChanges: true,
    gutter: true,
  });
}
async function commit(): Promise<void> {
  const msgInput = $("#commit-message") as HTMLInputElement;
  const message = msgInput.value.trim();
  const res = $("#commit-result");
  res.className = "";
  if (!message) { res.className = "error"; res.textContent = "Write a commit message first."; msgInput.focus(); return; }
  if (!isDirty()) { res.className = "error"; res.textContent = "Nothing to commit."; return; }
  $("#conflict").hidden = true;
  ($("#commit") as HTMLButtonElement).disabled = true;
  try {
    const allowInput = $("#allow-failing-tests") as HTMLInputElement;
    const allow = !allowInput.hidden && allowInput.value.trim() ? allowInput.value.trim() : undefined;
    const rev = (await api.commit(workingFiles(), base, message, allow)).revision;
    allowInput.value = "";
    // The working copy is now head: what we sent is what the server stored
    // (reload to pick up the canonical text when the server reformats).
    msgInput.value = "";
    await reloadAfter(rev);
    res.textContent = `Committed revision ${rev}.`;
    res.dataset.revision = String(rev);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && conflictsOf(e.body).length) {
      res.className = "error";
      res.textContent = "Not committed: someone else changed the same objects (below). Your edits are unchanged.";
      await showConflicts(conflictsOf(e.body));
    }
    else if (e instanceof ApiError && e.status === 422 && e.code === "tests-failed") {
      const ts = e.body?.failing_tests ?? [];
      res.className = "error";
      res.replaceChildren(`Not committed: ${ts.length} test${ts.length === 1 ? "" : "s"} fail${ts.length === 1 ? "s" : ""}` +
        (role === "admin" ? " (give a reason above to commit anyway)." : "."), failingList(ts));
    } else if (e instanceof ApiError && e.status === 422) {
      const ds: Diagnostic[] = e.body?.diagnostics ?? [];
      if (ds.length) applyDiagnostics(ds);
      res.className = "error";
      res.textContent = `Not committed: the domain has ${ds.filter((d) => d.severity === "error").length || "some"} error(s). See Problems.`;
    } else {
      res.className = "error";
      res.textContent = `Not committed: ${(e as Error).message}`;
    }
  } finally {
    ($("#commit") as HTMLButtonElement).disabled = !editable();
  }
}

/** After our own commit: the new head equals our working copy, so only base and head texts move. */
async function reloadAfter(rev: number): Promise<void> {
  const r = await api.revision(rev);
  const src = filesOf(r);
  const same = src.length === files.length && src.every((f, i) => f.name === files[i].name && f.text === textOf(files[i], i));
  setBase(r.revision);
  setSetAside([]); // committed: what was set aside is history's now
  if (same) {
    files.forEach((f, i) => { f.head = textOf(f, i); });
  } else {
    // The server stores a canonical form: take it as the new working copy.
    saveActive();
    setFiles(src.map((f) => ({ name: f.name, head: f.text, state: makeState(f.text), diagnostics: [] })));
    setActive(Math.min(active, files.length - 1));
    view.setState(files[active].state);
  }
  renderRevision();
  renderFiles();
  renderChangeCount();
  renderReview(true);
  saveDraft();
  scheduleCheck(0);
}

/** The Review tab's controls. */
export function installReview(): void {
  $("#review-file").addEventListener("change", renderMerge);
  $("#commit").addEventListener("click", () => void commit());
  $("#discard").addEventListener("click", async () => {
    if (!confirm("Throw away all your edits and reload head?")) return;
    await loadHead();
    saveDraft();
    renderReview();
  });
}
