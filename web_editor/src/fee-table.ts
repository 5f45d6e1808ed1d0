// A tariff's fee decisions as rows of a decision table (decision-table.ts):
// one row per top-level `when`/`otherwise` of its `fees`, the condition's
// conjuncts in columns (one per attribute), the arm's body (postings, or
// nested decisions) at the end. `otherwise` stays last and keeps no condition.
import { matchBrace } from "./lang-util";
import { conditionCells, conditionColumns, conditionFromCells, splitTop } from "./table-cells";
import type { Change, Column, Row, TableModel } from "./decision-table";

export interface Arm {
  otherwise: boolean;
  from: number; // the arm's `when`/`otherwise`, offsets in the file
  to: number; // one past its closing brace
  condFrom: number; // the condition's text (empty for otherwise)
  condTo: number;
  bodyFrom: number; // inside the braces
  bodyTo: number;
  conjuncts: string[];
  body: string;
}

/** The top-level arms of the `fees` block of the tariff at `tariffFrom..tariffTo` of `text`. */
export function feeArms(text: string, tariffFrom: number, tariffTo: number): Arm[] {
  const fees = /\n[ \t]*fees[ \t]*\{/g;
  fees.lastIndex = tariffFrom;
  const m = fees.exec(text);
  if (!m || m.index > tariffTo) return [];
  const open = m.index + m[0].length - 1;
  const close = matchBrace(text, open);
  if (close < 0) return [];
  const arms: Arm[] = [];
  let i = open + 1;
  while (i < close) {
    const rest = text.slice(i, close);
    const ws = /^(?:\s+|#[^\n]*)+/.exec(rest);
    if (ws) { i += ws[0].length; continue; }
    const kw = /^(when|otherwise)\b/.exec(rest);
    if (!kw) { const nl = text.indexOf("\n", i); i = nl < 0 || nl > close ? close : nl + 1; continue; } // a posting that always applies
    const brace = braceAfter(text, i + kw[0].length, close);
    if (brace < 0) break;
    const end = matchBrace(text, brace);
    if (end < 0 || end > close) break;
    const condFrom = i + kw[0].length;
    const cond = text.slice(condFrom, brace);
    const lead = cond.length - cond.trimStart().length;
    const trail = cond.length - cond.trimEnd().length;
    arms.push({
      otherwise: kw[1] === "otherwise", from: i, to: end + 1,
      condFrom: condFrom + lead, condTo: brace - trail, bodyFrom: brace + 1, bodyTo: end,
      conjuncts: kw[1] === "when" ? splitTop(cond.trim().replace(/\s*\n\s*/g, " "), "and") : [], body: text.slice(brace + 1, end),
    });
    i = end + 1;
  }
  return arms;
}

/** The offset of the first `{` after `from` outside strings, before `limit`; -1 if none. */
function braceAfter(text: string, from: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    if (text[i] === '"') { i++; while (i < limit && text[i] !== '"') { if (text[i] === "\\") i++; i++; } }
    else if (text[i] === "{") return i;
  }
  return -1;
}

function dedent(body: string): string {
  const lines = body.split("\n").filter((l) => l.trim());
  const min = Math.min(...lines.map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(min)).join("\n");
}

export const feeTable: TableModel<Arm> = {
  kind: "tariff",
  heading: (id) => `tariff ${id} — fee decisions, first match wins`,
  empty: "This tariff has no fee decisions.",
  read(text, from, to) {
    const arms = feeArms(text, from, to);
    const conds = conditionColumns(arms.map((a) => a.conjuncts));
    const columns: Column[] = [...conds.map((c): Column => ({ key: c, label: c, kind: "condition" })),
      { key: "fees", label: "fees (postings)", kind: "multiline" }];
    const rows = arms.map((a): Row<Arm> => {
      const cells = conditionCells(a.conjuncts, conds);
      cells.set("fees", dedent(a.body));
      return { from: a.from, to: a.to, cells, locked: new Set(a.otherwise ? conds : []), movable: !a.otherwise,
        cls: a.otherwise ? "otherwise" : "", placeholder: a.otherwise ? "otherwise" : "", item: a };
    });
    return { columns, rows };
  },
  rewrite(text, row, key, value, conds): Change | null {
    const a = row.item;
    if (key === "fees") {
      // Indented as the formatter would, so the raw edit reads well should formatting be refused.
      const indent = /\n([ \t]*)[^\n]*$/.exec(text.slice(0, a.from))?.[1] ?? "    ";
      const lines = value.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim());
      return { from: a.bodyFrom, to: a.bodyTo, insert: lines.length ? `\n${lines.map((l) => `${indent}  ${l}`).join("\n")}\n${indent}` : "" };
    }
    if (a.otherwise || !conds.includes(key)) return null;
    const cells = new Map(row.cells);
    cells.set(key, value);
    const cond = conditionFromCells(cells, conds);
    if (!cond) return null; // a `when` needs a condition; the text keeps the old one
    return { from: a.condFrom, to: a.condTo, insert: cond };
  },
};
