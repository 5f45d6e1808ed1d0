// Drafts: unsaved edits survive a reload of the page.
import { type RevisionDetail, type SourceFile, unlessAnswerError } from "./api";
import { rebase } from "./rebase";
import { emit } from "./events";
import { notice } from "./dom";
import { active, api, base, editable, files, headFiles, isDirty, view, workingFiles } from "./state";
import { filesOf, makeState, renderChangeCount, renderFiles } from "./workcopy";

const DRAFT_KEY = "paydomain.draft";

export function saveDraft(): void {
  if (!editable()) return;
  try {
    if (isDirty()) localStorage.setItem(DRAFT_KEY, JSON.stringify({ base, files: workingFiles(), savedAt: Date.now() }));
    else localStorage.removeItem(DRAFT_KEY);
  } catch { /* storage full or disabled: drafts are a convenience */ }
}

export async function restoreDraft(): Promise<void> {
  let d: { base: number; files: SourceFile[]; savedAt: number } | null = null;
  try { d = JSON.parse(localStorage.getItem(DRAFT_KEY) || "null"); } catch { d = null; }
  if (!d || !Array.isArray(d.files) || !editable()) return;
  let texts = d.files;
  if (d.base !== base) {
    // head moved since: bring the draft onto head the way a conflict reload does
    let old: RevisionDetail | null;
    try { old = await api.revision(d.base).catch(unlessAnswerError(null)); } catch (e) {
      notice(`Your unsaved edits are kept in this browser but not restored: ${(e as Error).message}`, "error");
      return;
    }
    if (!old) return;
    texts = rebase(filesOf(old), d.files, headFiles()).files;
  }
  for (const t of texts) {
    const f = files.find((x) => x.name === t.name);
    if (f) f.state = makeState(t.text);
    else files.push({ name: t.name, head: "", state: makeState(t.text), diagnostics: [] });
  }
  view.setState(files[active].state);
  renderFiles();
  renderChangeCount();
  emit("files-replaced");
  if (isDirty()) notice(`Restored your unsaved edits from ${new Date(d.savedAt).toLocaleString()}${d.base !== base ? `, brought onto r${base}` : ""}.`);
}
