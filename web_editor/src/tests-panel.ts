// The Tests panel: every `test` of the working copy with pass or fail as of
// the newest live check (the server runs them with each check), the
// differences of a failing one, and a click to open it. When the working
// copy has errors the tests cannot run: the panel keeps the last results
// and says they are out of date.
import { $, el } from "./dom";
import { emit } from "./events";
import { tests } from "./state";

let stale = false;

/** The check found errors: the results shown describe older text. */
export function testsStale(isStale: boolean): void {
  stale = isStale;
  $("#tests-stale").hidden = !stale || !tests;
}

export function renderTestsPanel(): void {
  const ul = $("#tests");
  const count = $("#test-count");
  $("#tests-stale").hidden = !stale || !tests;
  if (!tests) {
    count.textContent = "";
    ul.replaceChildren(el("li", { class: "none" }, "No tests run yet (they run with the live check once the working copy has no errors)."));
    return;
  }
  count.textContent = `(${tests.passed}/${tests.tests.length})`;
  const sorted = [...tests.tests].sort((a, b) => Number(a.passed) - Number(b.passed));
  ul.replaceChildren(...sorted.map((t) => {
    const b = el("button", { class: `test ${t.passed ? "pass" : "fail"}`, "data-test": t.name, title: `${t.file}:${t.line}` },
      el("span", { class: "mark" }, t.passed ? "✓" : "✗"), " ", t.name);
    b.addEventListener("click", () => emit("open-at", t.file, t.line));
    const diffs = t.failures.length ? el("ul", { class: "failures" }, ...t.failures.map((f) => el("li", {}, f))) : null;
    return el("li", { class: t.passed ? "pass" : "fail" }, b, diffs);
  }));
}
