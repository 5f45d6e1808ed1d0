// The left panel's Outline (objects by kind -> id -> fee decisions / routing
// statements, from outline-model.ts) and search across all files. Every
// entry is a button (keyboard reachable); choosing one opens that line.
import { $, el } from "./dom";
import { emit } from "./events";
import { showTable, tableKinds } from "./decision-table";
import { outlineOf, searchFiles, type OutlineObject } from "./outline-model";
import { files, textOf } from "./state";

const open = new Set<string>(["kind tariff", "kind routing"]); // <details> the analyst left open
const current = () => files.map((f, i) => ({ name: f.name, text: textOf(f, i) }));

function details(key: string, summary: (Node | string)[], body: HTMLElement): HTMLElement {
  const d = el("details", { "data-key": key }, el("summary", {}, ...summary), body) as HTMLDetailsElement;
  d.open = open.has(key);
  d.addEventListener("toggle", () => { if (d.open) open.add(key); else open.delete(key); });
  return d;
}

function jump(label: string, file: string, line: number, attrs: Record<string, string> = {}): HTMLElement {
  const b = el("button", { class: "jump", "data-file": file, "data-line": String(line), ...attrs }, label);
  b.addEventListener("click", () => emit("open-at", file, line));
  return b;
}

function objectEntry(o: OutlineObject): HTMLElement {
  const key = `${o.kind} ${o.id}`;
  const idBtn = jump(o.id, o.file, o.line, { "data-object": key, title: o.name || key });
  if (!o.items.length) return el("li", {}, idBtn);
  const items = el("ul", {}, ...o.items.map((it) =>
    el("li", { style: `padding-left: ${it.depth * 10}px` }, jump(it.label, o.file, it.line, { class: "jump rule" }))));
  if (!tableKinds.includes(o.kind)) return el("li", {}, details(key, [idBtn], items));
  const what = o.kind === "tariff" ? "fee decisions" : "statements";
  const table = el("button", { class: "jump table", "data-table": o.id, "data-kind": o.kind, title: `${o.kind} ${o.id}'s ${what} as a table` }, "⊞ table");
  table.addEventListener("click", (ev) => { ev.preventDefault(); showTable(o.kind, o.id); });
  return el("li", {}, details(key, [idBtn, " ", table], items));
}

export function renderOutline(): void {
  const box = $("#outline");
  const objs = outlineOf(current());
  const kinds = [...new Set(objs.map((o) => o.kind))].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  box.replaceChildren(...kinds.map((k) => {
    const of = objs.filter((o) => o.kind === k);
    return details(`kind ${k}`, [`${k} `, el("span", { class: "hint" }, String(of.length))], el("ul", {}, ...of.map(objectEntry)));
  }));
}

const rank = (k: string) => { const i = ["tariff", "routing", "limit", "test"].indexOf(k); return i < 0 ? 10 : i; };

let searchTimer: number | undefined;

function renderSearch(): void {
  const q = ($("#search") as HTMLInputElement).value;
  const ul = $("#search-results");
  $("#outline").hidden = !!q;
  ul.hidden = !q;
  if (!q) return;
  const hits = searchFiles(current(), q);
  ul.replaceChildren(...(hits.length ? hits.map((h) => {
    const text = h.text.trim();
    const at = text.toLowerCase().indexOf(q.toLowerCase());
    const b = el("button", { class: "hit", "data-file": h.file, "data-line": String(h.line) },
      el("span", { class: "where" }, `${h.file}:${h.line}`), " ",
      at < 0 ? text : text.slice(0, at), at < 0 ? "" : el("mark", {}, text.slice(at, at + q.length)), at < 0 ? "" : text.slice(at + q.length));
    b.addEventListener("click", () => emit("open-at", h.file, h.line, h.column, h.length));
    return el("li", {}, b);
  }) : [el("li", { class: "hint" }, "No match in any file.")]));
}

export function installOutline(): void {
  const input = $("#search") as HTMLInputElement;
  input.addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = window.setTimeout(renderSearch, 120); });
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); renderSearch(); ($("#search-results button.hit") as HTMLButtonElement | null)?.click(); }
    if (ev.key === "Escape") { input.value = ""; renderSearch(); }
  });
  document.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.shiftKey && ev.key.toLowerCase() === "f") { ev.preventDefault(); input.focus(); input.select(); }
  });
}
