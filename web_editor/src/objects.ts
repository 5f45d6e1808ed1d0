// A light scanner of top-level object definitions (`kind id { ... }` and
// `test "title" { ... }`). It does not validate anything (the server's check
// does); it finds where objects are, for autocompletion of ids, the
// object-level review summary, and reloading single objects after a conflict.
import { matchBrace } from "./lang-util";
import { vocabulary } from "./vocabulary.generated";

export interface ObjectSpan {
  kind: string;
  id: string;
  from: number; // offset of the kind keyword
  to: number; // offset one past the closing brace
  line: number; // 1-based line of the kind keyword
  text: string;
}

export type ObjectIndex = Map<string, Set<string>>;

// Every kind of the language (from `paydomain schema --json`), and tests.
const KINDS = new Set([...vocabulary.objectKinds, "test"]);

export function scanObjects(text: string): ObjectSpan[] {
  const out: ObjectSpan[] = [];
  // `tariff premium extends standard {`: the parent is not part of the id.
  const re = /(^|\n)[ \t]*([a-z_]+)[ \t]+([A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\\n]|\\.)*")(?:\s+extends\s+[A-Za-z_][A-Za-z0-9_]*)?\s*\{/g;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(text))) {
    const start = m.index + m[1].length + (m[0].slice(m[1].length).length - m[0].slice(m[1].length).trimStart().length);
    if (start < pos) continue; // inside a previous object
    const kind = m[2];
    if (!KINDS.has(kind)) continue;
    let id = m[3];
    if (id.startsWith('"')) {
      if (kind !== "test") continue;
      id = JSON.parse(id);
    }
    const open = m.index + m[0].length - 1;
    const close = matchBrace(text, open);
    const to = close < 0 ? text.length : close + 1;
    let line = 1;
    for (let i = text.indexOf("\n"); i >= 0 && i < start; i = text.indexOf("\n", i + 1)) line++;
    out.push({ kind, id, from: start, to, line, text: text.slice(start, to) });
    pos = to;
    re.lastIndex = to;
  }
  return out;
}

export function indexObjects(texts: Iterable<string>): ObjectIndex {
  const ix: ObjectIndex = new Map();
  for (const text of texts) {
    for (const o of scanObjects(text)) {
      if (o.kind === "test") continue;
      if (!ix.has(o.kind)) ix.set(o.kind, new Set());
      ix.get(o.kind)!.add(o.id);
    }
  }
  return ix;
}

/** Whitespace- and comment-insensitive form of an object's text, to tell real changes from reflowing. */
export function normalizeObject(text: string): string {
  return text
    .replace(/"(?:[^"\\\n]|\\.)*"|#[^\n]*/g, (s) => (s.startsWith("#") ? "" : s))
    .replace(/\s+/g, " ")
    .trim();
}

export interface ObjectChange {
  op: "added" | "removed" | "changed";
  kind: string;
  id: string;
  file: string;
  line: number; // in the working copy (or head for removals)
  detail?: string; // for changes: the lines that differ, "old -> new"
}

/** A short account of what changed inside an object: the differing lines. */
export function describeChange(before: string, after: string): string {
  const clean = (t: string) => t.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter((l) => l);
  const a = clean(before);
  const b = clean(after);
  const removed = a.filter((l) => !b.includes(l));
  const added = b.filter((l) => !a.includes(l));
  const short = (l: string) => (l.length > 90 ? l.slice(0, 87) + "..." : l);
  if (removed.length === added.length && removed.length > 0 && removed.length <= 3) {
    return removed.map((r, i) => `${short(r)}  →  ${short(added[i])}`).join("; ");
  }
  const parts: string[] = [];
  if (removed.length) parts.push(`${removed.length} line(s) removed`);
  if (added.length) parts.push(`${added.length} line(s) added`);
  if (added.length === 1 && !removed.length) return `added: ${short(added[0])}`;
  if (removed.length === 1 && !added.length) return `removed: ${short(removed[0])}`;
  return parts.join(", ") || "reformatted";
}

/** Object-level difference between two sets of files (name -> text). */
export function diffObjects(before: Map<string, string>, after: Map<string, string>): ObjectChange[] {
  const key = (o: ObjectSpan) => `${o.kind}\u0000${o.id}`;
  const a = new Map<string, { o: ObjectSpan; file: string }>();
  const b = new Map<string, { o: ObjectSpan; file: string }>();
  for (const [f, t] of before) for (const o of scanObjects(t)) a.set(key(o), { o, file: f });
  for (const [f, t] of after) for (const o of scanObjects(t)) b.set(key(o), { o, file: f });
  const out: ObjectChange[] = [];
  for (const [k, { o, file }] of b) {
    const old = a.get(k);
    if (!old) out.push({ op: "added", kind: o.kind, id: o.id, file, line: o.line });
    else if (normalizeObject(old.o.text) !== normalizeObject(o.text)) {
      out.push({ op: "changed", kind: o.kind, id: o.id, file, line: o.line, detail: describeChange(old.o.text, o.text) });
    }
  }
  for (const [k, { o, file }] of a) if (!b.has(k)) out.push({ op: "removed", kind: o.kind, id: o.id, file, line: o.line });
  return out;
}
