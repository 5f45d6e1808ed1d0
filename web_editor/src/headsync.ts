// Bringing head's changes into the working copy, object by object
// (rebase.ts): objects only head changed take head's version, objects only
// the analyst changed keep theirs, and objects both changed take the text
// `resolved` gives (conflict.ts decides it with the analyst) or head's.
import { type RevisionDetail } from "./api";
import { scanObjects } from "./objects";
import { rebase } from "./rebase";
import { emit } from "./events";
import { saveDraft } from "./drafts";
import { active, api, files, headFiles, saveActive, setActive, setBase, setFiles, view, workingFiles } from "./state";
import { filesOf, makeState, renderChangeCount, renderFiles, renderRevision } from "./workcopy";

/** Rebases the working copy onto `head` (fetched when not given); the objects both sides changed. */
export async function rebaseOntoHead(resolved: ReadonlyMap<string, string> = new Map(), head?: RevisionDetail): Promise<{ kind: string; id: string }[]> {
  const r = head ?? await api.revision("head");
  const newHead = filesOf(r);
  saveActive();
  const { files: merged, replaced } = rebase(headFiles(), workingFiles(), newHead, resolved);
  const oldStates = new Map(files.map((f) => [f.name, f]));
  setFiles(merged.map((m) => {
    const old = oldStates.get(m.name);
    const h = newHead.find((f) => f.name === m.name)?.text ?? "";
    if (old && old.state.doc.toString() === m.text) return { ...old, head: h };
    if (old) {
      // an undoable change of the file's own editor state (Ctrl-Z takes it back)
      const st = old.state.update({ changes: { from: 0, to: old.state.doc.length, insert: m.text } }).state;
      return { ...old, head: h, state: st };
    }
    return { name: m.name, head: h, state: makeState(m.text), diagnostics: [] };
  }));
  setBase(r.revision);
  setActive(Math.min(active, files.length - 1));
  view.setState(files[active].state);
  renderRevision();
  renderFiles();
  renderChangeCount();
  saveDraft();
  emit("files-replaced");
  return replaced;
}

/** Puts `text` in place of object `key` ("kind id") in the working copy (appended to `file` when absent; "" removes it). */
export function putObject(key: string, text: string, file: string): void {
  saveActive();
  let i = files.findIndex((_, k) => objectIn(k, key) !== null);
  if (i < 0) i = Math.max(0, files.findIndex((f) => f.name === file));
  const f = files[i];
  const doc = f.state.doc.toString();
  const span = objectIn(i, key);
  const change = span ? { from: span.from, to: span.to, insert: text }
    : { from: doc.length, insert: (doc && !doc.endsWith("\n") ? "\n\n" : doc ? "\n" : "") + text + "\n" };
  f.state = f.state.update({ changes: change }).state;
  if (i === active) view.setState(f.state);
  renderFiles();
  renderChangeCount();
  saveDraft();
  emit("files-replaced");
}

function objectIn(i: number, key: string): { from: number; to: number } | null {
  const o = scanObjects(files[i].state.doc.toString()).find((x) => `${x.kind} ${x.id}` === key);
  return o ? { from: o.from, to: o.to } : null;
}
