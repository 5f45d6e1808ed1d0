// Conditions as grid cells, shared by the decision tables (decision-table.ts):
// a condition's top-level conjuncts each go to the column of the attribute
// they test, and a row's cells join back into one condition. Pure text
// helpers (unit-tested); the canonical layout is the formatter's job.

/** `cond` split at its top-level `word`s (outside brackets, parentheses and strings). */
export function splitTop(cond: string, word: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const re = new RegExp(`^\\s${word}\\s`);
  for (let i = 0; i < cond.length; i++) {
    const c = cond[i];
    if (c === '"') { i++; while (i < cond.length && cond[i] !== '"') { if (cond[i] === "\\") i++; i++; } }
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (depth === 0 && re.test(cond.slice(i, i + word.length + 2))) {
      out.push(cond.slice(start, i).trim());
      start = i + word.length + 2;
      i = start - 1;
    }
  }
  out.push(cond.slice(start).trim());
  return out.filter((x) => x);
}

/** The column a conjunct belongs to: its attribute (`payment_system`, `amount`...), else "other". */
export function columnOf(conjunct: string): string {
  const m = /^(?:not\s+)?([a-z_][\w.]*)\s*(?:==|!=|<=|>=|<|>|\bin\b|\bis\b|\bnot\b|\bstarts_with\b|\bbetween\b)/.exec(conjunct);
  return m ? m[1] : "other";
}

/** A cell shows its conjuncts without the column's attribute when they start with it (`in [visa]` under payment_system). */
export function cellText(conjuncts: string, column: string): string {
  return column !== "other" && conjuncts.startsWith(`${column} `) ? conjuncts.slice(column.length + 1) : conjuncts;
}

/** The conjuncts a cell stands for: the column's attribute put back in front unless the cell names one. */
export function cellConjuncts(cell: string, column: string): string {
  const c = cell.trim();
  if (!c || column === "other" || columnOf(c) !== "other" || /^[(]/.test(c)) return c;
  return `${column} ${c}`;
}

/** A row's condition from its cells (empty cells left out; an `or` inside gets parentheses). */
export function conditionOf(cells: string[]): string {
  const parts = cells.map((c) => c.trim()).filter((c) => c);
  return parts.map((p) => (parts.length > 1 && splitTop(p, "or").length > 1 && !/^\(.*\)$/.test(p) ? `(${p})` : p)).join(" and ");
}

/** The condition columns of rows whose conditions are `conjuncts` (first seen first). */
export function conditionColumns(conjuncts: string[][]): string[] {
  const columns: string[] = [];
  for (const cs of conjuncts) for (const c of cs) if (!columns.includes(columnOf(c))) columns.push(columnOf(c));
  return columns;
}

/** The cells of one row under `columns` (its conjuncts of each column, shown without the attribute). */
export function conditionCells(conjuncts: string[], columns: string[]): Map<string, string> {
  return new Map(columns.map((col) => [col, cellText(conjuncts.filter((c) => columnOf(c) === col).join(" and "), col)]));
}

/** The condition of a row from its cells (`cells` by column; other keys are ignored). */
export function conditionFromCells(cells: Map<string, string>, columns: string[]): string {
  return conditionOf(columns.map((col) => cellConjuncts(cells.get(col) ?? "", col)));
}
