// Object-level rebase of a working copy onto a new head: every object that
// changed between the old base and the new head (in any way: edited, added,
// removed) takes head's version in the working copy; objects only the analyst
// changed keep the analyst's version. Objects both changed come back as
// `replaced` (the conflicts the server reported) and take head's version,
// unless `resolved` gives their text (the analyst's choice in conflict.ts;
// "" removes the object); the rest of the text is untouched.
import { scanObjects, normalizeObject } from "./objects";
import type { SourceFile } from "./api";

export interface RebaseResult {
  files: SourceFile[];
  replaced: { kind: string; id: string }[];
}

export type Loc = { file: string; text: string };

/** "kind id": how objects are named across the working copy, heads and resolutions. */
export function objectsByKey(fs: SourceFile[]): Map<string, Loc> {
  const m = new Map<string, Loc>();
  for (const f of fs) for (const o of scanObjects(f.text)) m.set(`${o.kind} ${o.id}`, { file: f.name, text: o.text });
  return m;
}

export function rebase(oldHead: SourceFile[], working: SourceFile[], newHead: SourceFile[],
  resolved: ReadonlyMap<string, string> = new Map()): RebaseResult {
  const before = objectsByKey(oldHead);
  const after = objectsByKey(newHead);
  const mine = objectsByKey(working);
  const out = new Map(working.map((f) => [f.name, f.text]));
  for (const f of newHead) if (!out.has(f.name) && !oldHead.some((o) => o.name === f.name)) out.set(f.name, "");
  const replaced: { kind: string; id: string }[] = [];
  const keys = new Set([...before.keys(), ...after.keys()]);
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    if (b && a && normalizeObject(b.text) === normalizeObject(a.text)) continue; // head did not touch it
    if (!b && !a) continue;
    const w = mine.get(key);
    const [kind, ...idParts] = key.split(" ");
    const id = idParts.join(" ");
    const wChanged = w ? !b || normalizeObject(w.text) !== normalizeObject(b.text) : !!b;
    if (wChanged) replaced.push({ kind, id });
    const chosen = wChanged && resolved.has(key) ? resolved.get(key)! : a ? a.text : "";
    if (w) {
      const text = out.get(w.file)!;
      const span = scanObjects(text).find((o) => `${o.kind} ${o.id}` === key)!;
      let to = span.to;
      if (!chosen) while (to < text.length && text[to] === "\n") { to++; if (text[to] !== "\n") break; }
      out.set(w.file, text.slice(0, span.from) + chosen + text.slice(to));
    } else if (chosen) {
      const file = a && out.has(a.file) ? a.file : working[0]?.name ?? a?.file ?? "domain.pd";
      const text = out.get(file) ?? "";
      out.set(file, text + (text.endsWith("\n") || !text ? "" : "\n") + (text ? "\n" : "") + chosen + "\n");
    }
  }
  return { files: [...out].map(([name, text]) => ({ name, text })), replaced };
}
