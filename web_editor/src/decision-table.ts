// Decision tables: an object's rules as a grid above the editor — a tariff's
// fee decisions (fee-table.ts), a routing ruleset's statements
// (routing-table.ts) — one row per rule, its condition's conjuncts in
// columns, what it decides at the end, ↑/↓ to reorder. The text stays the
// source of truth: the grid is read from it after every edit, and a change
// in the grid is an edit of exactly the part it shows, laid out by the
// server's formatter (POST /v1/format, `paydomain fmt`'s own function), so
// the file is left canonical; it is undoable and live-checked like typing.
//
// Every handler reads the rows from the text as it is at event time, never
// from the last render: the grid is redrawn 80 ms after an edit, and offsets
// from an older render would cut the text in the wrong places (an undo, or
// a change from elsewhere, right before the grid's edit).
import { $, el } from "./dom";
import { scanObjects } from "./objects";
import { emit } from "./events";
import { active, api, editable, files, probe, textOf, view } from "./state";
import { feeTable } from "./fee-table";
import { routingTable } from "./routing-table";

/** A change of the file's text: text[from, to) becomes `insert`. */
export interface Change { from: number; to: number; insert: string }
/** condition: an attribute's conjuncts; text: one line; multiline: a block; label: shown only. */
export interface Column { key: string; label: string; kind: "condition" | "text" | "multiline" | "label"; placeholder?: string }
export interface Row<T> {
  from: number; // the rule's text in the file
  to: number;
  cells: Map<string, string>; // by column key, as shown
  locked: Set<string>; // columns this row does not edit
  movable: boolean;
  cls?: string;
  placeholder?: string; // shown in locked cells
  item: T;
}
export interface TableModel<T> {
  kind: string;
  heading: (id: string) => string;
  empty: string;
  /** The columns and rows of the object at text[from, to). */
  read(text: string, from: number, to: number): { columns: Column[]; rows: Row<T>[] };
  /** The raw edit setting column `key` of `row` to `value`; null when refused (the text keeps what it has). */
  rewrite(text: string, row: Row<T>, key: string, value: string, conditionColumns: string[]): Change | null;
}

const models: Record<string, TableModel<never>> = {
  tariff: feeTable as TableModel<never>,
  routing: routingTable as TableModel<never>,
};

/** Object kinds that open as a table. */
export const tableKinds = Object.keys(models);

let shown: { kind: string; id: string } | null = null;

function span(kind: string, id: string): { file: number; from: number; to: number } | null {
  for (let i = 0; i < files.length; i++) {
    const o = scanObjects(textOf(files[i], i)).find((x) => x.kind === kind && x.id === id);
    if (o) return { file: i, from: o.from, to: o.to };
  }
  return null;
}

/** The shown object's table as the open file's text is now; null when it is not in the open file. */
function readNow(): { text: string; columns: Column[]; rows: Row<never>[]; model: TableModel<never> } | null {
  if (!shown) return null;
  const s = span(shown.kind, shown.id);
  if (!s || s.file !== active) return null;
  const model = models[shown.kind];
  const text = view.state.doc.toString();
  return { text, model, ...model.read(text, s.from, s.to) };
}

/** Opens the table of `kind id` above the editor (its file opened). */
export function showTable(kind: string, id: string): void {
  const s = models[kind] && span(kind, id);
  if (!s) return;
  emit("open-at", files[s.file].name, textOf(files[s.file], s.file).slice(0, s.from).split("\n").length);
  shown = { kind, id };
  renderTable();
  ($("#decision-table").querySelector("input:not([disabled]), textarea") as HTMLElement | null)?.focus();
}

export function closeTable(): void {
  shown = null;
  $("#decision-table").hidden = true;
}

/** Re-reads the grid from the text (after every edit while it is open). */
export function renderTable(): void {
  const box = $("#decision-table");
  const now = readNow();
  if (!shown || !now) { box.hidden = true; return; }
  const { columns, rows } = now;
  const close = el("button", { class: "link", title: "close the table" }, "×");
  close.addEventListener("click", closeTable);
  const head = el("tr", {}, el("th", {}, "#"), ...columns.map((c) => el("th", {}, c.label)), el("th", {}, "order"));
  const body = rows.map((row, r) => {
    const cells = columns.map((col) => {
      const value = row.cells.get(col.key) ?? "";
      if (col.kind === "label") return el("td", { class: "label" }, value);
      const label = `rule ${r + 1}: ${col.label}`;
      let input: HTMLInputElement | HTMLTextAreaElement;
      if (col.kind === "multiline") {
        input = el("textarea", { "data-column": col.key, "aria-label": label, spellcheck: "false",
          rows: String(Math.min(8, value.split("\n").reduce((n, l) => n + Math.max(1, Math.ceil(l.length / 40)), 0))) }) as HTMLTextAreaElement;
      } else {
        input = el("input", { "data-column": col.key, "aria-label": label, spellcheck: "false" }) as HTMLInputElement;
      }
      input.value = value;
      if (row.locked.has(col.key)) { input.disabled = true; input.placeholder = row.placeholder ?? ""; }
      else if (!editable()) input.readOnly = true; // a reader sees the table, as the text, read-only
      else if (col.placeholder) input.placeholder = col.placeholder;
      // Committed when the cell is left (blur) or confirmed (change), once per value: a value
      // carried over a redraw (below) was set by code, for which the browser fires no change.
      committed.set(input, value);
      const commit = () => {
        if (input.value === committed.get(input)) return;
        committed.set(input, input.value);
        void setCell(r, col.key, input.value);
      };
      input.addEventListener("change", commit);
      input.addEventListener("blur", commit);
      return el("td", {}, input);
    });
    const up = el("button", { class: "move", title: "move this rule up (it is tried earlier)", "aria-label": `move rule ${r + 1} up` }, "↑") as HTMLButtonElement;
    const down = el("button", { class: "move", title: "move this rule down", "aria-label": `move rule ${r + 1} down` }, "↓") as HTMLButtonElement;
    up.disabled = r === 0 || !row.movable || !editable();
    down.disabled = r === rows.length - 1 || !row.movable || !rows[r + 1].movable || !editable();
    up.addEventListener("click", () => void move(r, "up"));
    down.addEventListener("click", () => void move(r, "down"));
    return el("tr", { "data-row": String(r + 1), class: row.cls ?? "" }, el("td", {}, String(r + 1)), ...cells, el("td", { class: "order" }, up, down));
  });
  const typing = typed(box);
  box.setAttribute("aria-label", `${shown.kind} ${shown.id} as a table`);
  box.dataset.kind = shown.kind;
  box.replaceChildren(el("div", { class: "dt-head" }, `${now.model.heading(shown.id)} `, close),
    rows.length ? el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)) : el("p", { class: "hint" }, now.model.empty));
  box.hidden = false;
  if (typing) resume(box, typing);
}

/** The value each cell was drawn with or last committed: a cell whose value differs has been typed in. */
const committed = new WeakMap<HTMLElement, string>();

type Typing = { row: string; column: string; value: string; dirty: boolean; start: number | null; end: number | null };

/**
 * The cell being typed in, if any. The grid is redrawn from the text after
 * every edit (an undo, a change elsewhere, the live check's reformat); an
 * input removed from the page fires no change, so what was typed would be lost.
 */
function typed(box: HTMLElement): Typing | null {
  const a = document.activeElement;
  if (!(a instanceof HTMLInputElement || a instanceof HTMLTextAreaElement) || !box.contains(a)) return null;
  const row = a.closest("tr")?.dataset.row;
  const column = a.dataset.column;
  if (!row || !column) return null;
  return { row, column, value: a.value, dirty: a.value !== committed.get(a), start: a.selectionStart, end: a.selectionEnd };
}

/** The redrawn grid's same cell keeps what was typed there, its focus and its caret. */
function resume(box: HTMLElement, t: Typing): void {
  const input = box.querySelector(`tr[data-row="${t.row}"] [data-column="${t.column}"]`);
  if (!(input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement) || input.disabled) return;
  if (t.dirty) input.value = t.value;
  input.focus();
  if (t.start !== null && t.end !== null) input.setSelectionRange(Math.min(t.start, input.value.length), Math.min(t.end, input.value.length));
}

/** Sets column `key` of rule `r` (0-based) to `value`, the rule read from the text as it is now. */
function setCell(r: number, key: string, value: string): Promise<void> {
  return write(() => {
    const now = readNow();
    const row = now?.rows[r];
    if (!now || !row || row.locked.has(key)) return null;
    // The column may be gone from the text as it is now (an undo took its only conjunct): it is still a condition.
    const conds = now.columns.filter((c) => c.kind === "condition").map((c) => c.key);
    if (isCondition(key) && !conds.includes(key)) conds.push(key);
    const change = now.model.rewrite(now.text, row, key, value, conds);
    return change ? { text: now.text, changes: [change] } : null;
  });
}

/** Whether a column key names a condition's attribute (not one of the tables' own columns). */
const isCondition = (key: string) => !["fees", "route", "priority", "weight", "statement"].includes(key);

/** Moves rule `r` (0-based) one place, the rules read from the text as it is now. */
function move(r: number, dir: "up" | "down"): Promise<void> {
  const target = dir === "up" ? r : r + 2; // the moved row's new number
  return write(() => {
    const now = readNow();
    const [a, b] = dir === "up" ? [now?.rows[r - 1], now?.rows[r]] : [now?.rows[r], now?.rows[r + 1]];
    if (!now || !a || !b || !a.movable || !b.movable) return null;
    // The two rules' texts change places; the comments between them stay where they are.
    return { text: now.text, changes: [{ from: a.from, to: a.to, insert: now.text.slice(b.from, b.to) },
      { from: b.from, to: b.to, insert: now.text.slice(a.from, a.to) }] };
  }, () => ($(`#decision-table tr[data-row="${target}"] button.move`) as HTMLElement | null)?.focus());
}

/** `changes` applied to `text` (sorted, not overlapping). */
function applied(text: string, changes: Change[]): string {
  let out = "";
  let at = 0;
  for (const c of [...changes].sort((x, y) => x.from - y.from)) { out += text.slice(at, c.from) + c.insert; at = c.to; }
  return out + text.slice(at);
}

/**
 * Writes an edit of the grid: `plan` reads the text now and says what to
 * change; the result goes through the formatter and replaces the file's text
 * as one undoable change (only the part that differs). Should the text change
 * while the formatter answers, the edit is planned again on the new text. A
 * text the formatter refuses (a cell that does not parse), or no answer,
 * leaves the raw edit, for the live check to show what is wrong.
 */
async function write(plan: () => { text: string; changes: Change[] } | null, after?: () => void): Promise<void> {
  probe.tableWrites++;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const p = plan();
      if (!p) return;
      const file = files[active].name;
      const raw = applied(p.text, p.changes);
      let out = raw;
      try { out = (await api.format(file, raw)).text; } catch { /* refused or unreachable: the raw edit */ }
      if (files[active]?.name !== file || view.state.doc.toString() !== p.text) continue; // changed meanwhile
      replaceText(p.text, out);
      after?.();
      return;
    }
  } finally {
    probe.tableWrites--;
    probe.tableWritesDone++;
  }
}

/** Replaces the open file's text `from` by `to` as one change of the part that differs. */
function replaceText(from: string, to: string): void {
  let a = 0;
  while (a < from.length && a < to.length && from[a] === to[a]) a++;
  let b = 0;
  while (b < from.length - a && b < to.length - a && from[from.length - 1 - b] === to[to.length - 1 - b]) b++;
  if (a === from.length && a === to.length) return;
  view.dispatch({ changes: { from: a, to: from.length - b, insert: to.slice(a, to.length - b) }, userEvent: "input.table" });
}
