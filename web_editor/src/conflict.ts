// Conflicts without loss (Review). For each object both this working copy
// and head changed since its base: base | theirs (who, when) | yours side by
// side, and the result that goes into the working copy -- "Keep mine", "Take
// theirs", or edited by hand (it starts as yours). Nothing changes until
// "Apply"; every version of yours a resolution replaced stays listed with
// "Put mine back" until the next commit.
import { EditorView, lineNumbers } from "@codemirror/view";
import { type Revision, type RevisionDetail, unlessAnswerError } from "./api";
import { paydomain } from "./lang";
import { objectsByKey, rebase } from "./rebase";
import { emit } from "./events";
import { $, el } from "./dom";
import { putObject, rebaseOntoHead } from "./headsync";
import { api, base, headFiles, isDirty, saveActive, setAside, setSetAside, workingFiles } from "./state";
import { saveDraft } from "./drafts";
import { filesOf, loadHead } from "./workcopy";

export interface ConflictObject { kind: string; id: string; revisions: number[] }

interface Pending { key: string; yours: string; theirs: string; file: string; result: EditorView; choice: string }

/** Shows the conflicting objects against head as it is now, for the analyst to resolve. */
export async function showConflicts(conflicts: ConflictObject[]): Promise<void> {
  const box = $("#conflict");
  box.hidden = false;
  box.className = "";
  box.replaceChildren(el("p", { class: "hint" }, "Loading the other versions…"));
  let head: RevisionDetail, revs: Revision[];
  try {
    [head, revs] = await Promise.all([api.revision("head"), api.revisions(200).catch(unlessAnswerError([] as Revision[]))]);
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, `Cannot load head to show the conflict: ${(e as Error).message}. Your edits are unchanged.`));
    return;
  }
  saveActive();
  const baseObjs = objectsByKey(headFiles());
  const theirsObjs = objectsByKey(filesOf(head));
  const yoursObjs = objectsByKey(workingFiles());
  const pending: Pending[] = [];
  const cards = conflicts.map((c) => {
    const key = `${c.kind} ${c.id}`;
    const b = baseObjs.get(key)?.text ?? "";
    const t = theirsObjs.get(key)?.text ?? "";
    const y = yoursObjs.get(key)?.text ?? "";
    const file = yoursObjs.get(key)?.file ?? theirsObjs.get(key)?.file ?? baseObjs.get(key)?.file ?? "";
    const card = el("div", { class: "conflict-object", "data-object": key, "data-choice": "mine" });
    const choice = el("span", { class: "choice" }, "keeping yours");
    const result = new EditorView({
      doc: y,
      extensions: [lineNumbers(), paydomain(), EditorView.lineWrapping, EditorView.updateListener.of((u) => {
        if (!u.docChanged) return;
        const now = u.state.doc.toString();
        p.choice = now === y ? "mine" : now === t ? "theirs" : "edited";
        choice.textContent = p.choice === "mine" ? "keeping yours" : p.choice === "theirs" ? "taking theirs" : "edited by you";
        card.dataset.choice = p.choice;
      })],
    });
    const p: Pending = { key, yours: y, theirs: t, file, choice: "mine", result };
    const set = (text: string) => p.result.dispatch({ changes: { from: 0, to: p.result.state.doc.length, insert: text } });
    const mine = el("button", { class: "keep-mine" }, "Keep mine");
    const theirs = el("button", { class: "take-theirs" }, "Take theirs");
    mine.addEventListener("click", () => set(y));
    theirs.addEventListener("click", () => set(t));
    const resultBox = el("div", { class: "conflict-result" });
    resultBox.append(p.result.dom);
    card.append(
      el("h4", {}, key, " ", el("span", { class: "hint" }, `— ${whoChanged(c.revisions, revs)}`)),
      el("div", { class: "conflict-cols" },
        column(`Base (r${base})`, b, "base"), column(`Theirs (r${head.revision})`, t, "theirs"), column("Yours", y, "yours")),
      el("div", { class: "toolbar" }, mine, theirs, el("span", { class: "hint" }, "or edit the result: "), choice),
      resultBox);
    pending.push(p);
    return card;
  });
  const apply = el("button", { class: "primary", id: "apply-resolutions" }, "Apply to my working copy");
  apply.addEventListener("click", () => void applyResolutions(pending, head));
  box.replaceChildren(
    el("b", {}, `Someone else changed ${conflicts.length === 1 ? "an object" : `${conflicts.length} objects`} you changed too. Nothing is lost: choose what each becomes.`),
    ...cards,
    el("div", { class: "toolbar" }, apply, el("span", { class: "hint" }, "Your other edits are kept; you commit afterwards.")));
}

function column(title: string, text: string, cls: string): HTMLElement {
  return el("div", { class: `conflict-col ${cls}` }, el("h5", {}, title), el("pre", {}, text || "(not there)"));
}

/** "changed by carol in r5 (time)" for each later revision the server named (or all since our base). */
function whoChanged(revisions: number[], revs: Revision[]): string {
  const named = revisions.length ? revisions : revs.filter((r) => r.revision > base).map((r) => r.revision);
  const parts = named.sort((a, b) => a - b).map((n) => {
    const r = revs.find((x) => x.revision === n);
    return r ? `by ${r.author || "—"} in r${n} (${new Date(r.time).toLocaleString()})` : `in r${n}`;
  });
  return parts.length ? `changed ${parts.join(", ")}` : "changed at head";
}

async function applyResolutions(pending: Pending[], head: RevisionDetail): Promise<void> {
  const resolved = new Map(pending.map((p) => [p.key, trimmed(p.result.state.doc.toString())]));
  const replaced = pending.filter((p) => trimmed(p.result.state.doc.toString()) !== trimmed(p.yours) && p.yours);
  setSetAside([...setAside.filter((s) => !pending.some((p) => p.key === s.key)),
    ...replaced.map((p) => ({ key: p.key, text: p.yours, file: p.file }))]);
  await rebaseOntoHead(resolved, head);
  const box = $("#conflict");
  box.className = "resolved";
  box.replaceChildren(
    el("b", {}, `Brought onto r${head.revision}: ` + pending.map((p) => `${p.key} (${p.choice === "mine" ? "yours" : p.choice === "theirs" ? "theirs" : "edited"})`).join(", ") +
      ". Review and commit again."));
  renderSetAside();
  for (const p of pending) p.result.destroy();
  emit("show-view", "review");
}

/** On "set-aside-changed": the analyst's replaced versions under the conflict box, each with "Put mine back". */
export function renderSetAside(): void {
  const box = $("#set-aside");
  box.hidden = !setAside.length;
  box.replaceChildren(...setAside.map((s) => {
    const back = el("button", { class: "put-back" }, "Put mine back");
    back.addEventListener("click", () => {
      putObject(s.key, s.text, s.file);
      setSetAside(setAside.filter((x) => x !== s));
      saveDraft();
    });
    return el("details", { class: "set-aside", "data-object": s.key, open: "" },
      el("summary", {}, `Your version of ${s.key}, replaced by your choice (kept until you commit)`), el("pre", {}, s.text), back);
  }));
}

const trimmed = (s: string) => s.replace(/\s+$/, "");

/**
 * Head moved (someone committed, a revert): bring it in. Without edits the
 * working copy becomes head; with edits, objects only one side changed merge
 * at once, and objects both changed go to the analyst (showConflicts).
 */
export async function bringInHead(): Promise<void> {
  if (!isDirty()) { await loadHead(); return; }
  const head = await api.revision("head");
  saveActive();
  const { replaced } = rebase(headFiles(), workingFiles(), filesOf(head));
  if (!replaced.length) { await rebaseOntoHead(new Map(), head); return; }
  emit("show-view", "review");
  await showConflicts(replaced.map((o) => ({ ...o, revisions: [] })));
}
