// The start page: the domain at a glance. Its tariffs and routing rulesets
// (each opens at its declaration), the recent changes (each opens in
// History), and the domain's tests as of the newest live check.
import { type Revision, unlessAnswerError } from "./api";
import { $, el } from "./dom";
import { emit } from "./events";
import { outlineOf, type OutlineObject } from "./outline-model";
import { api, files, tests, textOf } from "./state";

let asked = 0;

export async function renderOverview(): Promise<void> {
  const n = ++asked;
  const objs = outlineOf(files.map((f, i) => ({ name: f.name, text: textOf(f, i) })));
  const section = (title: string, id: string, ...kids: (Node | string)[]) => el("section", { id }, el("h2", {}, title), ...kids);
  const recent = el("ul", { class: "recent" }, el("li", { class: "hint" }, "Loading…"));
  const box = $("#view-overview");
  box.replaceChildren(el("div", { class: "overview" },
    section("Tariffs", "overview-tariffs", objectList(objs.filter((o) => o.kind === "tariff"), "fee decision")),
    section("Routing", "overview-routing", objectList(objs.filter((o) => o.kind === "routing"), "statement")),
    section("Tests", "overview-tests", testSummary()),
    section("Recent changes", "overview-recent", recent)));
  let revs: Revision[] | null;
  try { revs = await api.revisions(8).catch(unlessAnswerError(null)); } catch (e) {
    if (n === asked) recent.replaceChildren(el("li", { class: "error" }, (e as Error).message));
    return;
  }
  if (n !== asked) return;
  recent.replaceChildren(...(revs ? revs.map((r) => {
    const b = el("button", { class: "jump", "data-revision": String(r.revision) },
      el("b", {}, `r${r.revision}`), ` ${r.author || "—"} · ${new Date(r.time).toLocaleString()} — ${r.message || ""}`);
    b.addEventListener("click", () => emit("open-revision", r.revision));
    return el("li", {}, b);
  }) : [el("li", { class: "error" }, "History cannot be loaded now.")]));
}

function objectList(objs: OutlineObject[], itemName: string): HTMLElement {
  if (!objs.length) return el("p", { class: "hint" }, "None yet.");
  return el("ul", {}, ...objs.map((o) => {
    const b = el("button", { class: "jump", "data-object": `${o.kind} ${o.id}` }, el("b", {}, o.id),
      o.name ? ` — ${o.name}` : "", el("span", { class: "hint" }, ` · ${o.items.length} ${itemName}${o.items.length === 1 ? "" : "s"} · ${o.file}`));
    b.addEventListener("click", () => emit("open-at", o.file, o.line));
    return el("li", {}, b);
  }));
}

function testSummary(): HTMLElement {
  if (!tests) return el("p", { class: "hint" }, "Not run yet (they run with the live check).");
  const failing = tests.tests.filter((t) => !t.passed);
  if (!failing.length) return el("p", { class: "pass" }, `All ${tests.passed} test(s) pass.`);
  return el("div", {}, el("p", { class: "error" }, `${failing.length} of ${tests.tests.length} test(s) fail:`),
    el("ul", { class: "failing" }, ...failing.map((t) => {
      const b = el("button", { class: "jump failing-test", "data-test": t.name }, el("b", {}, t.name),
        el("span", { class: "hint" }, ` — ${t.failures[0] ?? ""}`));
      b.addEventListener("click", () => (t.file ? emit("open-at", t.file, t.line ?? 1) : emit("open-object", "test", t.name)));
      return el("li", {}, b);
    })));
}
