// Browser tests: find references and rename (exact: the checker's uses, never
// a comment; checked before it applies; undoable), the Tests panel, try-it's
// "save as a test" and "out of date", and usability (keyboard access to the
// lists, a way out of the editor's Tab, no completion in comments, the
// one-click "did you mean" fix, dark mode, line wrapping).
// Real Chromium, real `paydomain serve` (harness.mjs); run by tests/run.sh.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureArtifacts, signedInPage, signedInSession } from "./harness.mjs";

let server;
let page;
let ed;

const fileText = (name) => ed.fileText(name);
const where = () => ed.where();
const errors = () => ed.errors();
const lineIn = (file, needle) => ed.lineIn(file, needle);

describe("references, rename, tests and usability", { timeout: 240000 }, () => {
  const env = signedInSession();
  before(() => ({ server, page, ed } = env));

  it("finds every use of a terminal across files, and none in comments", async () => {
    await ed.openFile("routing.pd");
    await ed.select("yb_fast", { after: "candidate " });
    await page.keyboard.press("Shift+F12");
    await page.waitForSelector("#references:not([hidden]) button.hit");
    const uses = await page.$$eval("#references button.hit", (b) => b.map((x) => `${x.dataset.file}:${x.dataset.line}${x.dataset.declaration === "true" ? " decl" : ""}`));
    const tests = (await fileText("tests.pd")).split("\n");
    const testLines = tests.map((l, i) => (/^[^#]*\byb_fast\b/.test(l) ? `tests.pd:${i + 1}` : null)).filter((x) => x);
    assert.ok(tests.some((l) => /#.*yb_fast/.test(l)), "the example mentions yb_fast in a comment");
    assert.deepEqual(uses.sort(), [`providers.pd:${await lineIn("providers.pd", "terminal yb_fast {")} decl`,
      `routing.pd:${await lineIn("routing.pd", "candidate yb_fast")}`, ...testLines].sort());
    assert.match(await page.textContent("#references .refs-head"), /6 uses of terminal yb_fast/);
    // keyboard: the first use has focus; Enter opens it
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("hit")), true);
    await page.keyboard.press("Escape");
    assert.equal(await page.isHidden("#references"), true);
  });

  it("renames a terminal in every file, checked first, and undoes it in one step", async () => {
    const before = { p: await fileText("providers.pd"), r: await fileText("routing.pd"), t: await fileText("tests.pd") };
    // A rename onto an existing terminal would add errors: refused, nothing changes.
    await ed.openFile("routing.pd");
    await ed.select("yb_fast", { after: "candidate " });
    await page.keyboard.press("F2");
    await page.waitForSelector("#rename[open]");
    assert.match(await page.textContent("#rename-what"), /Rename terminal yb_fast \(6 uses\)/);
    await page.fill("#rename-to", "yb_3ds");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /Not renamed: it would add/.test(document.querySelector("#notice")?.textContent ?? ""));
    assert.equal(await fileText("routing.pd"), before.r);
    // An id that is not one: the dialog says so and stays open.
    await ed.select("yb_fast", { after: "candidate " });
    await page.keyboard.press("F2");
    await page.fill("#rename-to", "9fast");
    await page.keyboard.press("Enter");
    assert.match(await page.textContent("#rename-error"), /letters, digits/);
    await page.fill("#rename-to", "yb_quick");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /Renamed terminal yb_fast to yb_quick in 3 files/.test(document.querySelector("#notice")?.textContent ?? ""));
    const after = { p: await fileText("providers.pd"), r: await fileText("routing.pd"), t: await fileText("tests.pd") };
    assert.match(after.p, /terminal yb_quick \{/);
    assert.match(after.r, /candidate yb_quick priority/);
    assert.match(after.t, /expect route yb_quick/);
    assert.match(after.t, /health yb_quick failure_rate/);
    // comments keep their words
    assert.match(after.t, /# yb_3ds is over the 70% threshold, only yb_fast is left/);
    assert.equal(after.t.replaceAll("yb_quick", "yb_fast"), before.t);
    await ed.waitChecked();
    assert.deepEqual(await errors(), []);
    await page.screenshot({ path: join(ensureArtifacts(), "editor-rename.png") });
    await page.click("#undo-rename");
    assert.equal(await fileText("providers.pd"), before.p);
    assert.equal(await fileText("routing.pd"), before.r);
    assert.equal(await fileText("tests.pd"), before.t);
    // Ctrl-Z in one file undoes it there too (redo the rename first)
    await ed.select("yb_fast", { after: "candidate " });
    await page.keyboard.press("F2");
    await page.fill("#rename-to", "yb_quick");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => /Renamed terminal yb_fast to yb_quick/.test(document.querySelector("#notice")?.textContent ?? ""));
    await page.evaluate(() => window.paydomainEditor.view().focus());
    await page.keyboard.press("Control+z");
    assert.equal(await fileText("routing.pd"), before.r);
    await page.click("#undo-rename"); // routing.pd differs from what the rename left: refused, said so
    assert.match(await page.textContent("#notice"), /Not undone/);
    assert.match(await fileText("tests.pd"), /expect route yb_quick/);
    await page.evaluate(() => window.paydomainEditor.view().focus());
    await page.keyboard.press("Control+Shift+z");
    await page.click("#undo-rename");
    assert.match(await page.textContent("#notice"), /Rename undone/);
    assert.equal(await fileText("routing.pd"), before.r);
    assert.equal(await fileText("tests.pd"), before.t);
    await ed.waitChecked();
  });

  it("the Tests panel shows each test's result and differences with every live check", async () => {
    await page.waitForSelector("#tests button.test");
    const all = await page.$$eval("#tests button.test", (b) => b.map((x) => x.className));
    assert.ok(all.length >= 10 && all.every((c) => c.includes("pass")), all.join(","));
    await ed.openFile("tariffs.pd");
    await ed.replace("1%", "1.2%", { after: "when payment_system in [maestro, mastercard]" });
    await ed.waitChecked();
    await page.waitForSelector('#tests button.test.fail[data-test="Mastercard pays the 1% processing fee"]');
    const diff = await page.textContent('#tests li.fail:has(button[data-test="Mastercard pays the 1% processing fee"]) .failures');
    assert.match(diff, /60\.00 RUB/);
    // failing tests come first; a click opens the test
    assert.equal(await page.getAttribute("#tests li:first-child", "class"), "fail");
    await page.click('#tests button[data-test="Mastercard pays the 1% processing fee"]');
    assert.deepEqual(await where(), { file: "tests.pd", line: await lineIn("tests.pd", 'test "Mastercard pays the 1% processing fee"') });
    await page.screenshot({ path: join(ensureArtifacts(), "editor-tests.png") });
    await ed.openFile("tariffs.pd");
    await page.evaluate(() => window.paydomainEditor.view().focus());
    await page.keyboard.press("Control+z");
    await ed.waitChecked();
    await page.waitForFunction(() => !document.querySelector("#tests button.test.fail"));
  });

  it("try-it: a result goes out of date after an edit; the payment saves as a passing test", async () => {
    await page.selectOption("#preset", { label: "Mastercard pays the 1% processing fee" });
    await page.click("#evaluate");
    await page.waitForSelector("#result .posting");
    assert.equal(await page.$("#result-stale"), null);
    await ed.openFile("limits.pd");
    await ed.replace("150000.00 RUB", "150001.00 RUB");
    await page.waitForSelector("#result-stale");
    assert.match(await page.textContent("#result-stale"), /Out of date/);
    await page.click("#evaluate");
    await page.waitForSelector("#result .posting");
    assert.equal(await page.$("#result-stale"), null);
    await page.fill("#test-title", "Saved from try-it");
    await page.click("#save-test");
    const t = await fileText("tests.pd");
    const block = t.slice(t.indexOf('test "Saved from try-it" {'));
    assert.match(block, /given \{\n {4}tariff standard\n[\s\S]*amount 6000\.00 RUB[\s\S]*\n {2}\}\n {2}expect allowed\n/);
    assert.match(block, /\n {2}expect posting merchant\.settlement -> system\.settlement 60\.00 RUB\n/);
    assert.match(block, /\n {2}expect posting provider\.settlement -> merchant\.settlement 6000\.00 RUB\n/);
    assert.match(block, /\n {2}expect route \w+\n/);
    assert.match(block, /\n {2}expect limit card_daily_rub applies\n/);
    assert.equal((await where()).file, "tests.pd");
    await ed.waitChecked();
    await page.waitForSelector('#tests button.test.pass[data-test="Saved from try-it"]');
    assert.deepEqual(await errors(), []);
  });

  it("every list works from the keyboard, with visible focus", async () => {
    // files: Tab to the next, Enter opens it
    await page.focus('#files li[data-file="limits.pd"]');
    await page.keyboard.press("Tab");
    const next = await page.evaluate(() => document.activeElement?.dataset.file);
    assert.ok(next && next !== "limits.pd");
    await page.keyboard.press("Enter");
    assert.equal((await where()).file, next);
    const outline = await page.$eval(`#files li[data-file="${next}"]`, (e) => { e.focus(); return getComputedStyle(e).outlineStyle; });
    assert.notEqual(outline, "none");
    // problems: a misspelled terminal; Enter on the problem goes to it, its fix corrects it
    await ed.openFile("routing.pd");
    await ed.replace("yb_3ds", "yb_3dz", { after: "candidate " });
    await ed.waitChecked();
    await page.waitForSelector("#problems li.problem.error button.fix");
    await page.focus("#problems li.problem.error");
    await page.keyboard.press("Enter");
    const line = await lineIn("routing.pd", "candidate yb_3dz");
    assert.deepEqual(await where(), { file: "routing.pd", line });
    assert.equal(await page.textContent("#problems li.problem.error button.fix"), "Use yb_3ds");
    await page.focus("#problems li.problem.error button.fix");
    await page.keyboard.press("Enter");
    assert.equal(await lineIn("routing.pd", "candidate yb_3dz"), -1);
    await ed.waitChecked();
    assert.deepEqual(await errors(), []);
    // history: Enter on a revision shows it
    await page.click("#tabs button[data-view=history]");
    await page.waitForSelector("#revisions li[data-revision]");
    await page.focus("#revisions li[data-revision]:last-child");
    const rev = await page.getAttribute("#revisions li[data-revision]:last-child", "data-revision");
    await page.keyboard.press("Enter");
    await page.waitForSelector(`#revisions li.active[data-revision="${rev}"]`);
    // try-it's rule links: Enter opens the rule's line
    await page.click("#tabs button[data-view=edit]");
    await page.click("#evaluate");
    await page.waitForSelector("#result .posting .rule");
    await page.focus("#result .posting .rule");
    await page.keyboard.press("Enter");
    assert.equal((await where()).file, "tariffs.pd");
  });

  it("Escape then Tab leaves the editor; Tab alone indents", async () => {
    await ed.openFile("limits.pd");
    await ed.select("limit", { offset: 0 });
    await page.keyboard.press("Home");
    const before = await ed.text();
    await page.keyboard.press("Tab");
    assert.notEqual(await ed.text(), before, "Tab indents in the editor");
    await page.keyboard.press("Shift+Tab");
    assert.equal(await ed.text(), before);
    await page.keyboard.press("Escape");
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => !!document.activeElement?.closest(".cm-editor")), false, "focus left the editor");
    assert.equal(await ed.text(), before);
  });

  it("completion is offered in code, not in comments or strings; the did-you-mean fix is in the tooltip too", async () => {
    await ed.openFile("limits.pd");
    const original = await ed.text();
    await ed.select("\n", { offset: 0 });
    await page.keyboard.press("End");
    await page.keyboard.type("\n# pay");
    await page.keyboard.press("Control+Space");
    await page.waitForTimeout(300);
    assert.equal(await page.$(".cm-tooltip-autocomplete"), null, "no completion in a comment");
    await page.keyboard.type('\ncurrency_note "pay');
    await page.keyboard.press("Control+Space");
    await page.waitForTimeout(300);
    assert.equal(await page.$(".cm-tooltip-autocomplete"), null, "no completion in a string");
    await page.keyboard.type('"\npay');
    await page.keyboard.press("Control+Space");
    await page.waitForSelector(".cm-tooltip-autocomplete");
    await page.keyboard.press("Escape");
    await page.evaluate((t) => { const v = window.paydomainEditor.view(); v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: t } }); }, original);
    await ed.waitChecked();
    assert.deepEqual(await errors(), []);
  });

  it("follows the system's dark mode; wraps lines when asked, across a reload", async () => {
    const { ctx, page: p } = await signedInPage(env.browser, server, "editor2", { colorScheme: "dark" });
    await p.click("#tabs button[data-view=edit]");
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, "rgb(13, 17, 23)");
    const editorBg = await p.evaluate(() => getComputedStyle(document.querySelector(".cm-editor")).backgroundColor);
    assert.equal(editorBg, "rgb(22, 27, 34)");
    assert.equal(await p.evaluate(() => document.querySelector(".cm-content").classList.contains("cm-lineWrapping")), false);
    await p.check("#wrap");
    assert.equal(await p.evaluate(() => document.querySelector(".cm-content").classList.contains("cm-lineWrapping")), true);
    await p.screenshot({ path: join(ensureArtifacts(), "editor-dark.png") });
    await p.reload();
    await p.waitForSelector("body[data-ready='1']");
    await p.click("#tabs button[data-view=edit]");
    assert.equal(await p.isChecked("#wrap"), true);
    assert.equal(await p.evaluate(() => document.querySelector(".cm-content").classList.contains("cm-lineWrapping")), true);
    await ctx.close();
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(light, "rgb(246, 248, 250)");
  });
});
