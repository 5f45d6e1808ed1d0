// A routing ruleset's statements as rows of a decision table (decision-table.ts):
// one row per `candidate`, `when C: decline/use`, `use` and `exclude when`,
// the condition's conjuncts in columns (one per attribute), the route (the
// terminal, or what a `when` does), then priority and weight. Reading is a
// light tokenizer over the ruleset's text (the checker judges it; this only
// finds where each part is), so an edit replaces exactly the part it shows.
import { matchBrace } from "./lang-util";
import { conditionCells, conditionColumns, conditionFromCells, splitTop } from "./table-cells";
import type { Change, Column, Row, TableModel } from "./decision-table";

interface Span { from: number; to: number }
interface Token extends Span { text: string }

export interface Statement extends Span {
  kind: "candidate" | "when" | "use" | "exclude";
  target: Span | null; // the terminal (candidate), the ruleset (use), what a `when` does (`decline "x"`, `use r`)
  priority: { kw: number; value: Span } | null;
  weight: { kw: number; value: Span } | null;
  when: number; // offset of a candidate's `when` keyword; -1 without one
  cond: Span | null;
  conjuncts: string[];
}

const STARTS = new Set(["when", "candidate", "exclude", "use", "name", "description"]);

/** The tokens of text[from, to): words, strings, operators, punctuation; comments skipped. */
function tokens(text: string, from: number, to: number): Token[] {
  const out: Token[] = [];
  const re = /\s+|#[^\n]*|"(?:[^"\\\n]|\\.)*"?|[A-Za-z0-9_.%]+|[=!<>]=?|->|./gy;
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while (re.lastIndex < to && (m = re.exec(text))) {
    const s = m[0];
    if (!/^\s/.test(s) && !s.startsWith("#")) out.push({ text: s, from: m.index, to: Math.min(m.index + s.length, to) });
  }
  return out;
}

/** The statements of the routing ruleset at `from..to` of `text` (`name` and `description` left out). */
export function routingStatements(text: string, from: number, to: number): Statement[] {
  const open = text.indexOf("{", from);
  if (open < 0 || open > to) return [];
  const close = matchBrace(text, open);
  if (close < 0) return [];
  const ts = tokens(text, open + 1, close);
  const out: Statement[] = [];
  let i = 0;
  // The condition from token i up to the next statement (or `:` when `colon`), at bracket depth 0.
  const condition = (colon: boolean): Span | null => {
    let depth = 0;
    const start = i;
    while (i < ts.length) {
      const w = ts[i].text;
      if (w === "(" || w === "[") depth++;
      else if (w === ")" || w === "]") depth--;
      else if (depth <= 0 && (colon ? w === ":" : STARTS.has(w))) break;
      i++;
    }
    return i > start ? { from: ts[start].from, to: ts[i - 1].to } : null;
  };
  const conjuncts = (c: Span | null) => (c ? splitTop(text.slice(c.from, c.to).replace(/\s*\n\s*/g, " "), "and") : []);
  while (i < ts.length) {
    const t = ts[i];
    const st: Statement = { kind: "use", from: t.from, to: t.to, target: null, priority: null, weight: null, when: -1, cond: null, conjuncts: [] };
    if (t.text === "candidate") {
      st.kind = "candidate";
      i++;
      if (i < ts.length && !STARTS.has(ts[i].text)) st.target = ts[i++];
      for (;;) {
        const k = ts[i]?.text;
        if ((k === "priority" || k === "weight") && i + 1 < ts.length) {
          st[k] = { kw: ts[i].from, value: ts[i + 1] };
          i += 2;
        } else break;
      }
      if (ts[i]?.text === "when") { st.when = ts[i].from; i++; st.cond = condition(false); }
    } else if (t.text === "when") {
      st.kind = "when";
      i++;
      st.cond = condition(true);
      if (ts[i]?.text === ":") i++;
      const a = i;
      if (ts[i]?.text === "decline") { i++; if (ts[i]?.text.startsWith('"')) i++; }
      else if (ts[i]?.text === "use") i += 2;
      i = Math.min(i, ts.length);
      if (i > a) st.target = { from: ts[a].from, to: ts[i - 1].to };
    } else if (t.text === "exclude") {
      st.kind = "exclude";
      i++;
      if (ts[i]?.text === "when") { i++; st.cond = condition(false); }
    } else if (t.text === "use") {
      i++;
      if (i < ts.length && !STARTS.has(ts[i].text)) st.target = ts[i++];
    } else {
      i++; // name, description and anything the checker will complain about
      while (i < ts.length && !STARTS.has(ts[i].text)) i++;
      continue;
    }
    st.to = ts[i - 1].to;
    st.conjuncts = conjuncts(st.cond);
    out.push(st);
  }
  return out;
}

const ROUTE_LABEL: Record<Statement["kind"], string> = { candidate: "candidate", when: "when …:", use: "use", exclude: "exclude when" };

export const routingTable: TableModel<Statement> = {
  kind: "routing",
  heading: (id) => `routing ${id} — statements in order: a matching when decides; otherwise the eligible candidate of highest priority, by weight`,
  empty: "This ruleset has no statements.",
  read(text, from, to) {
    const sts = routingStatements(text, from, to);
    const conds = conditionColumns(sts.map((s) => s.conjuncts));
    const columns: Column[] = [
      { key: "statement", label: "statement", kind: "label" },
      { key: "route", label: "route (terminal, or what it does)", kind: "text" },
      ...conds.map((c): Column => ({ key: c, label: c, kind: "condition" })),
      { key: "priority", label: "priority", kind: "text", placeholder: "1000" },
      { key: "weight", label: "weight", kind: "text", placeholder: "1" },
    ];
    const rows = sts.map((s): Row<Statement> => {
      const cells = conditionCells(s.conjuncts, conds);
      const slice = (sp: Span | null | undefined) => (sp ? text.slice(sp.from, sp.to) : "");
      cells.set("statement", ROUTE_LABEL[s.kind]);
      cells.set("route", slice(s.target));
      cells.set("priority", slice(s.priority?.value));
      cells.set("weight", slice(s.weight?.value));
      const locked = new Set<string>();
      if (s.kind !== "candidate") { locked.add("priority"); locked.add("weight"); }
      if (s.kind === "exclude") locked.add("route");
      if (s.kind === "use") for (const c of conds) locked.add(c);
      return { from: s.from, to: s.to, cells, locked, movable: true, cls: s.kind, item: s };
    });
    return { columns, rows };
  },
  rewrite(text, row, key, value, conds): Change | null {
    const s = row.item;
    const v = value.trim().replace(/\s*\n\s*/g, " ");
    if (conds.includes(key)) {
      const cells = new Map(row.cells);
      cells.set(key, v);
      const cond = conditionFromCells(cells, conds);
      if (s.cond) {
        if (cond) return { from: s.cond.from, to: s.cond.to, insert: cond };
        if (s.kind !== "candidate") return null; // a `when`/`exclude` needs a condition; the text keeps the old one
        return { from: s.when, to: s.cond.to, insert: "" };
      }
      if (!cond || s.kind !== "candidate") return null;
      return { from: s.to, to: s.to, insert: ` when ${cond}` };
    }
    if (key === "route") {
      if (!v || !s.target) return null;
      return { from: s.target.from, to: s.target.to, insert: v };
    }
    if ((key === "priority" || key === "weight") && s.kind === "candidate" && s.target) {
      if (v && !/^\d+$/.test(v)) return null;
      const part = s[key];
      if (part) return v ? { from: part.value.from, to: part.value.to, insert: v } : { from: part.kw, to: part.value.to, insert: "" };
      if (!v) return null;
      // priority comes before weight
      const after = key === "weight" && s.priority ? s.priority.value.to : s.target.to;
      return { from: after, to: after, insert: ` ${key} ${v}` };
    }
    return null;
  },
};
