// A tariff's fee decisions as a grid: one row per top-level `when`/`otherwise`
// of its `fees`, the condition's conjuncts in columns (one per attribute),
// the arm's body (postings, or nested decisions) at the end, and ↑/↓ to
// reorder. The text stays the source of truth: the grid is read from it on
// every edit, and a change in the grid is an ordinary edit of exactly the
// text it shows (so it is undoable, live-checked, and keeps the comments).
import { $, el } from "./dom";
import { matchBrace } from "./lang-util";
import { scanObjects } from "./objects";
import { emit } from "./events";
import { active, files, textOf, view } from "./state";

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
      conjuncts: kw[1] === "when" ? splitTop(cond.trim(), "and") : [], body: text.slice(brace + 1, end),
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

// ---- the grid ------------------------------------------------------------------

let shown: { tariff: string } | null = null;

function tariffSpan(id: string): { file: number; from: number; to: number } | null {
  for (let i = 0; i < files.length; i++) {
    const o = scanObjects(textOf(files[i], i)).find((x) => x.kind === "tariff" && x.id === id);
    if (o) return { file: i, from: o.from, to: o.to };
  }
  return null;
}

/** Opens the table of `tariff`'s fee decisions above the editor (its file opened). */
export function showFeeTable(tariff: string): void {
  const t = tariffSpan(tariff);
  if (!t) return;
  emit("open-at", files[t.file].name, textOf(files[t.file], t.file).slice(0, t.from).split("\n").length);
  shown = { tariff };
  renderFeeTable();
  ($("#decision-table").querySelector("input, textarea") as HTMLElement | null)?.focus();
}

export function closeFeeTable(): void {
  shown = null;
  $("#decision-table").hidden = true;
}

/** Re-reads the grid from the text (after every edit while it is open). */
export function renderFeeTable(): void {
  const box = $("#decision-table");
  if (!shown) { box.hidden = true; return; }
  const t = tariffSpan(shown.tariff);
  if (!t || t.file !== active) { box.hidden = true; return; }
  const text = view.state.doc.toString();
  const arms = feeArms(text, t.from, t.to);
  const columns: string[] = [];
  for (const a of arms) for (const c of a.conjuncts) if (!columns.includes(columnOf(c))) columns.push(columnOf(c));
  const cellsOf = (a: Arm) => columns.map((col) => a.conjuncts.filter((c) => columnOf(c) === col).join(" and "));
  const close = el("button", { class: "link", title: "close the table" }, "×");
  close.addEventListener("click", closeFeeTable);
  const head = el("tr", {}, el("th", {}, "#"), ...columns.map((c) => el("th", {}, c)), el("th", {}, "fees (postings)"), el("th", {}, "order"));
  const rows = arms.map((a, r) => {
    const cells = cellsOf(a);
    const inputs = columns.map((col, k) => {
      const input = el("input", { "data-column": col, "aria-label": `rule ${r + 1}: ${col}`, value: cellText(cells[k], col), spellcheck: "false" }) as HTMLInputElement;
      if (a.otherwise) { input.disabled = true; input.placeholder = "otherwise"; }
      input.addEventListener("change", () => {
        const next = inputs.map((x, j) => cellConjuncts(x.value, columns[j]));
        const cond = conditionOf(next);
        if (!cond) return; // a `when` needs a condition; the text keeps the old one
        edit(a.condFrom, a.condTo, cond);
      });
      return input;
    });
    const indent = /\n([ \t]*)[^\n]*$/.exec(text.slice(0, a.from))?.[1] ?? "    ";
    const body = el("textarea", { "aria-label": `rule ${r + 1}: fees`, rows: String(Math.min(8, dedent(a.body).split("\n").reduce((n, l) => n + Math.max(1, Math.ceil(l.length / 40)), 0))), spellcheck: "false" }) as HTMLTextAreaElement;
    body.value = dedent(a.body);
    body.addEventListener("change", () => {
      const lines = body.value.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim());
      edit(a.bodyFrom, a.bodyTo, lines.length ? `\n${lines.map((l) => `${indent}  ${l}`).join("\n")}\n${indent}` : "");
    });
    const up = el("button", { class: "move", title: "move this rule up (it is tried earlier)", "aria-label": `move rule ${r + 1} up` }, "↑") as HTMLButtonElement;
    const down = el("button", { class: "move", title: "move this rule down", "aria-label": `move rule ${r + 1} down` }, "↓") as HTMLButtonElement;
    up.disabled = r === 0 || a.otherwise;
    down.disabled = r === arms.length - 1 || a.otherwise || arms[r + 1].otherwise;
    up.addEventListener("click", () => move(r, "up"));
    down.addEventListener("click", () => move(r, "down"));
    return el("tr", { "data-row": String(r + 1), class: a.otherwise ? "otherwise" : "" },
      el("td", {}, String(r + 1)), ...inputs.map((x) => el("td", {}, x)), el("td", {}, body), el("td", { class: "order" }, up, down));
  });
  box.replaceChildren(el("div", { class: "dt-head" }, `tariff ${shown.tariff} — fee decisions, first match wins `, close),
    arms.length ? el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)) : el("p", { class: "hint" }, "This tariff has no fee decisions."));
  box.hidden = false;
}

function dedent(body: string): string {
  const lines = body.split("\n").filter((l) => l.trim());
  const min = Math.min(...lines.map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(min)).join("\n");
}

function edit(from: number, to: number, insert: string): void {
  view.dispatch({ changes: { from, to, insert }, userEvent: "input.table" });
}

/** Moves rule `r` (0-based) one place, read from the text as it is now: the
 *  grid may be a render behind the text (it is redrawn 80 ms after an edit),
 *  and offsets from that render would cut the text in the wrong places. */
function move(r: number, dir: "up" | "down"): void {
  const t = shown && tariffSpan(shown.tariff);
  if (!t || t.file !== active) return;
  const text = view.state.doc.toString();
  const arms = feeArms(text, t.from, t.to);
  const [a, b] = dir === "up" ? [arms[r - 1], arms[r]] : [arms[r], arms[r + 1]];
  if (!a || !b || a.otherwise || b.otherwise) return;
  swap(text, a, b, dir, r);
}

/** Exchanges two neighbouring arms' texts (the comments between them stay where they are). */
function swap(text: string, a: Arm, b: Arm, dir: "up" | "down", row: number): void {
  const ta = text.slice(a.from, a.to);
  const tb = text.slice(b.from, b.to);
  view.dispatch({ changes: [{ from: a.from, to: a.to, insert: tb }, { from: b.from, to: b.to, insert: ta }], userEvent: "input.table" });
  const target = dir === "up" ? row : row + 2; // the moved row's new number
  ($(`#decision-table tr[data-row="${target}"] button.move`) as HTMLElement | null)?.focus();
}
