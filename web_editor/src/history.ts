// History: the revisions, one revision's changes, and revert and restore
// (admin): where later revisions block a revert, restoring the revision
// before it is offered (a new commit making head equal to it).
import { EditorView, lineNumbers } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { MergeView } from "@codemirror/merge";
import { ApiError, conflictsOf, type Diff, type Revision, type RevisionDetail, unlessAnswerError } from "./api";
import { paydomain } from "./lang";
import { diffObjects } from "./objects";
import { $, activatable, el, notice } from "./dom";
import { bringInHead } from "./conflict";
import { saveDraft } from "./drafts";
import { summaryItem } from "./review";
import { api, role, toMap } from "./state";
import { filesOf } from "./workcopy";

let historyMerge: MergeView | null = null;
let selectedRev = 0;
export async function renderHistory(): Promise<void> {
  const ul = $("#revisions");
  let revs: Revision[];
  try { revs = await api.revisions(); } catch (e) { ul.replaceChildren(el("li", { class: "error" }, (e as Error).message)); return; }
  ul.replaceChildren(...revs.map((r) => {
    const li = el("li", { class: r.revision === selectedRev ? "active" : "", "data-revision": String(r.revision) },
      el("span", { class: "rev" }, `r${r.revision}`), " ", el("span", { class: "author" }, r.author || "—"), el("br"),
      el("span", { class: "message" }, r.message || ""), el("br"), el("span", { class: "meta" }, fmtTime(r.time)),
      r.failing_tests_allowed ? el("span", { class: "failing-allowed error" }, ` · failing tests allowed: ${r.failing_tests_allowed}`) : null);
    return activatable(li, () => void showRevision(r.revision));
  }));
  if (!selectedRev && revs.length) void showRevision(revs[0].revision);
}

/** Shows revision `rev` (the History tab is shown by the caller). */
export function openRevision(rev: number): void {
  selectedRev = rev;
  void showRevision(rev);
}

function fmtTime(t: string): string {
  const d = new Date(t);
  return isNaN(d.getTime()) ? t : d.toLocaleString();
}

async function showRevision(rev: number): Promise<void> {
  selectedRev = rev;
  for (const li of document.querySelectorAll<HTMLElement>("#revisions li")) li.classList.toggle("active", li.dataset.revision === String(rev));
  const box = $("#revision-detail");
  box.replaceChildren(el("p", { class: "hint" }, "Loading…"));
  let r: RevisionDetail, parent: RevisionDetail | null, serverDiff: Diff | null = null, head: number;
  try {
    [r, parent] = await Promise.all([api.revision(rev), rev > 0 ? api.revision(rev - 1).catch(unlessAnswerError(null)) : Promise.resolve(null)]);
    if (rev > 0) serverDiff = await api.diff(rev - 1, rev).catch(unlessAnswerError(null));
    head = await api.head().catch(unlessAnswerError(0));
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, (e as Error).message));
    return;
  }
  const after = toMap(filesOf(r));
  const before = parent ? toMap(filesOf(parent)) : new Map<string, string>();
  const changes = serverDiff ? serverDiffItems(serverDiff) : diffObjects(before, after);
  const header = el("div", { class: "toolbar" },
    el("h2", {}, `Revision ${rev}`),
    el("span", {}, `${r.author || "—"} · ${fmtTime(r.time)}`));
  if (role === "admin" && rev > 0) {
    const b = el("button", { class: "danger", id: "revert" }, `Revert r${rev}`);
    b.addEventListener("click", () => void revert(rev));
    header.append(b);
  }
  if (role === "admin" && head && rev < head) header.append(restoreButton(rev, head));
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const fileSel = el("select", { id: "history-file" }, ...names.map((n) => el("option", { value: n }, n))) as HTMLSelectElement;
  const changedNames = names.filter((n) => before.get(n) !== after.get(n));
  if (changedNames.length) fileSel.value = changedNames[0];
  const mergeBox = el("div", { class: "merge" });
  box.replaceChildren(header, el("p", { class: "message" }, r.message || ""),
    r.failing_tests_allowed ? el("p", { class: "error", id: "failing-tests-allowed" }, `Committed with failing tests: ${r.failing_tests_allowed}`) : "",
    el("p", { class: "hint" }, head === rev ? "This is head." : ""),
    el("div", { id: "revert-blocked", class: "error", hidden: "" }),
    el("h3", {}, rev > 0 ? `Changes against r${rev - 1}` : "The empty domain every store starts from"),
    el("ul", { class: "summary" }, ...(changes.length ? changes.map((c) => summaryItem(c, false)) : [el("li", { class: "hint" }, "No object changes.")])),
    el("div", { class: "toolbar" }, el("label", {}, "File ", fileSel)), mergeBox);
  const showFile = () => {
    historyMerge?.destroy();
    const ro = [EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.lineWrapping, lineNumbers(), paydomain()];
    historyMerge = new MergeView({
      a: { doc: before.get(fileSel.value) ?? "", extensions: ro },
      b: { doc: after.get(fileSel.value) ?? "", extensions: ro },
      parent: mergeBox, collapseUnchanged: { margin: 3, minSize: 6 }, gutter: true,
    });
  };
  fileSel.addEventListener("change", showFile);
  showFile();
}

/** The server's object-level diff, as summary items with the parts that changed inside each object. */
function serverDiffItems(d: Diff): { op: string; kind: string; id: string; detail?: string }[] {
  return d.objects.map((c) => ({
    op: c.change, kind: c.kind, id: c.id,
    detail: (c.parts ?? []).map((p) => (p.path ? `${p.path}: ` : "") + p.brief).join("; "),
  }));
}

export async function revert(rev: number): Promise<void> {
  if (!confirm(`Revert revision ${rev}? This makes a new revision with the inverse changes.`)) return;
  try {
    const nrev = (await api.revert(rev)).revision;
    await afterHistoryCommit(`Reverted r${rev} as r${nrev}.`);
  } catch (e) {
    const cs = e instanceof ApiError && e.status === 409 ? conflictsOf(e.body) : [];
    if (!cs.length) { notice(`Revert failed: ${(e as Error).message}`, "error"); return; }
    const later = [...new Set(cs.flatMap((c) => c.revisions))].sort((a, b) => a - b);
    const head = await api.head().catch(unlessAnswerError(0));
    const box = $("#revert-blocked");
    box.hidden = false;
    box.replaceChildren(`Cannot revert r${rev}: later revisions (${later.map((r) => `r${r}`).join(", ")}) changed ` +
      `${cs.map((c) => `${c.kind} ${c.id}`).join(", ")} too. Restoring r${rev - 1} makes head equal to it again, ` +
      `undoing r${rev}${head > rev ? `–r${head}` : ""} as one new revision. `, restoreButton(rev - 1, head));
  }
}

function restoreButton(rev: number, head: number): HTMLElement {
  const b = el("button", { class: "danger restore", "data-restore": String(rev) }, `Restore to r${rev}`);
  b.addEventListener("click", () => void restore(rev, head));
  return b;
}

async function restore(rev: number, head: number): Promise<void> {
  if (!confirm(`Make head equal to revision ${rev} again? This undoes r${rev + 1}${head > rev + 1 ? `–r${head}` : ""} as one new revision.`)) return;
  try {
    const nrev = (await api.restore(rev, `Restore revision ${rev}`)).revision;
    await afterHistoryCommit(`Restored r${rev} as r${nrev}.`);
  } catch (e) {
    notice(`Restore failed: ${(e as Error).message}`, "error");
  }
}

/** After a revert or restore: the working copy follows head (edits kept or resolved), the list shows the new revision. */
async function afterHistoryCommit(message: string): Promise<void> {
  notice(message);
  await bringInHead();
  saveDraft();
  selectedRev = 0;
  await renderHistory();
}
