// Drafts: the working copy's edits are kept in this browser (draft-store.ts)
// within 100 ms of every change and at once when the page is hidden or
// closed, so a reload, a crash or a closed tab loses nothing. On sign-in this
// tab's own draft is restored; the same user's drafts of other tabs are
// offered (open here / discard), never adopted; another user's never shown.
import { type RevisionDetail, unlessAnswerError } from "./api";
import { claimTabId, type Draft, newTabId, otherDrafts, readDraft, removeDraft, userKey, writeDraft } from "./draft-store";
import { rebase } from "./rebase";
import { emit } from "./events";
import { $, el, notice } from "./dom";
import { active, api, base, editable, files, headFiles, isDirty, setAside, setSetAside, view, workingFiles } from "./state";
import { filesOf, loadHead, makeState, renderChangeCount, renderFiles } from "./workcopy";

const SAVE_WITHIN_MS = 100;
let user = "";
let tab = "";
let saveTimer: number | undefined;
let leaving = false; // the page reloads on purpose (sign-out, sign in again): no warning

/** Before restoreDraft: whose drafts these are, this tab's id, and the page-close hooks. */
export async function initDrafts(userName: string, token: string): Promise<void> {
  user = userKey(userName, token);
  tab = await claimTabId();
  window.addEventListener("pagehide", () => saveDraft());
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") saveDraft(); });
  // The draft is written above; the warning is for uncommitted edits that a
  // closed browser profile or another device would not see.
  window.addEventListener("beforeunload", (ev) => {
    if (leaving || !user || !editable() || !files.length || !isDirty()) return;
    saveDraft();
    ev.preventDefault();
    ev.returnValue = "";
  });
}

/** Writes this tab's draft now (removes it when the working copy equals head). */
export function saveDraft(): void {
  clearTimeout(saveTimer);
  saveTimer = undefined;
  if (!user || !editable() || !files.length) return;
  const box = $("#draft-failed");
  try {
    if (isDirty() || setAside.length) writeDraft(user, tab, { base, files: workingFiles(), savedAt: Date.now(), setAside });
    else removeDraft(user, tab);
    box.hidden = true;
  } catch (e) {
    box.hidden = false;
    box.textContent = `Your edits cannot be kept in this browser (${(e as Error).message}): commit them, or copy them out, before leaving the page.`;
  }
}

/** After an edit: the draft is written within SAVE_WITHIN_MS, however fast the typing. */
export function scheduleDraftSave(): void {
  if (saveTimer === undefined) saveTimer = window.setTimeout(saveDraft, SAVE_WITHIN_MS);
}

/** Sign-out: this tab's draft goes (the user confirmed); other tabs' stay theirs. */
export function discardDraft(): void {
  clearTimeout(saveTimer);
  if (user) removeDraft(user, tab);
  user = "";
  leaving = true;
}

/** Before a reload the page asks for itself: the draft is written, no leave-page warning. */
export function leaveKeepingDraft(): void {
  saveDraft();
  leaving = true;
}

export async function restoreDraft(): Promise<void> {
  const d = editable() ? readDraft(user, tab) : null;
  if (d && (await applyDraft(d)) && isDirty()) {
    notice(`Restored your unsaved edits from ${new Date(d.savedAt).toLocaleString()}${d.base !== base ? `, brought onto r${base}` : ""}.`);
  }
  offerOtherDrafts();
}

/** Puts a draft's texts into the working copy, brought onto head when head moved since. */
async function applyDraft(d: Draft): Promise<boolean> {
  let texts = d.files;
  if (d.base !== base) {
    let old: RevisionDetail | null;
    try { old = await api.revision(d.base).catch(unlessAnswerError(null)); } catch (e) {
      notice(`Your unsaved edits are kept in this browser but not restored: ${(e as Error).message}`, "error");
      return false;
    }
    if (!old) return false;
    texts = rebase(filesOf(old), d.files, headFiles()).files;
  }
  if (Array.isArray(d.setAside) && d.setAside.length) setSetAside(d.setAside);
  for (const t of texts) {
    const f = files.find((x) => x.name === t.name);
    if (f) f.state = makeState(t.text);
    else files.push({ name: t.name, head: "", state: makeState(t.text), diagnostics: [] });
  }
  view.setState(files[active].state);
  renderFiles();
  renderChangeCount();
  emit("files-replaced");
  return true;
}

/** The user's drafts of other tabs (or of closed ones), each with "Open here" and "Discard". */
export function offerOtherDrafts(): void {
  const box = $("#other-drafts");
  const others = editable() ? otherDrafts(user, tab) : [];
  box.hidden = !others.length;
  if (!others.length) { box.replaceChildren(); return; }
  box.replaceChildren(el("b", {}, `You have unsaved edits in ${others.length === 1 ? "another tab" : `${others.length} other tabs`} (or a closed one):`),
    el("ul", {}, ...others.map((d) => {
      const open = el("button", { class: "open-draft" }, "Open here");
      const drop = el("button", { class: "discard-draft danger" }, "Discard");
      open.addEventListener("click", () => void openOther(d.tab));
      drop.addEventListener("click", () => {
        if (!confirm("Throw away the edits of that tab? This cannot be undone.")) return;
        removeDraft(user, d.tab);
        offerOtherDrafts();
      });
      return el("li", { "data-tab": d.tab },
        `${d.files.length} file(s) on r${d.base}, saved ${new Date(d.savedAt).toLocaleString()} `, open, " ", drop);
    })));
}

/** Opens another tab's draft in this one; this tab's own edits are set aside as a draft of their own (offered back). */
async function openOther(other: string): Promise<void> {
  const d = readDraft(user, other);
  if (!d) return offerOtherDrafts();
  if (isDirty()) writeDraft(user, newTabId(), { base, files: workingFiles(), savedAt: Date.now() });
  await loadHead();
  if (!(await applyDraft(d))) return;
  removeDraft(user, other);
  saveDraft();
  offerOtherDrafts();
  notice(`Opened the edits saved ${new Date(d.savedAt).toLocaleString()} in this tab.`);
}
