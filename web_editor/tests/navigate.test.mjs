// Browser tests: finding one's way. The editor opens on an overview (tariffs,
// routing, recent changes, tests); the outline (kind -> id -> fee decisions /
// routing statements) and search across files open the line they name;
// hovering an id shows its declaration and F12 / Ctrl-click go to it.
// Real Chromium, real `paydomain serve` (harness.mjs); run by tests/run.sh.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureArtifacts, signedInSession } from "./harness.mjs";

let server;
let page;
let ed;

const where = () => ed.where();

describe("find and navigate", { timeout: 180000 }, () => {
  const env = signedInSession();
  before(() => ({ server, page, ed } = env));

  it("opens on an overview of tariffs, routing, recent changes and tests", async () => {
    assert.equal(await page.getAttribute("body", "data-view"), "overview");
    const tariffs = await page.$$eval("#overview-tariffs button[data-object]", (b) => b.map((x) => x.dataset.object));
    assert.deepEqual(tariffs, ["tariff standard", "tariff premium"]);
    const routing = await page.$$eval("#overview-routing button[data-object]", (b) => b.map((x) => x.dataset.object));
    assert.ok(routing.includes("routing main") && routing.includes("usd_routes".replace(/^/, "routing ")), routing.join(","));
    assert.match(await page.textContent('#overview-tariffs button[data-object="tariff standard"]'), /Standard merchant tariff.*fee decisions/);
    const head = (await server.api("reader", "GET", "/v1/head")).revision;
    await page.waitForSelector(`#overview-recent button[data-revision="${head}"]`);
    assert.match(await page.textContent(`#overview-recent button[data-revision="${head}"]`), /seed.*Seed from examples\/acme/);
    await page.waitForFunction(() => /All \d+ test\(s\) pass/.test(document.querySelector("#overview-tests")?.textContent ?? ""), null, { timeout: 10000 });
    await page.screenshot({ path: join(ensureArtifacts(), "editor-overview.png") });
    // a tariff opens at its declaration
    await page.click('#overview-tariffs button[data-object="tariff premium"]');
    assert.equal(await page.getAttribute("body", "data-view"), "edit");
    assert.deepEqual(await where(), { file: "tariffs.pd", line: await ed.lineOf("tariff premium extends standard {") });
    // a recent change opens in History
    await page.click("#tabs button[data-view=overview]");
    await page.click(`#overview-recent button[data-revision="${head}"]`);
    await page.waitForSelector(`#revisions li.active[data-revision="${head}"]`);
  });

  it("the outline lists kinds, ids and fee decisions; a decision opens its line", async () => {
    await page.click('#outline details[data-key="tariff standard"] > summary', { position: { x: 4, y: 6 } });
    const rules = await page.$$eval('#outline details[data-key="tariff standard"] button.rule', (b) => b.map((x) => x.textContent));
    assert.ok(rules.includes("when payment_system in [maestro, mastercard]"), rules.join(" | "));
    assert.ok(rules.includes("otherwise"));
    await page.click('#outline details[data-key="tariff standard"] button.rule >> text="when payment_system in [maestro, mastercard]"');
    assert.deepEqual(await where(), { file: "tariffs.pd", line: await ed.lineOf("when payment_system in [maestro, mastercard] {") });
    // routing statements, by keyboard: focus the id's summary, open it, Tab to the first statement
    await page.focus('#outline details[data-key="routing usd_routes"] > summary');
    await page.keyboard.press("Enter");
    const stmts = await page.$$eval('#outline details[data-key="routing usd_routes"] button.rule', (b) => b.map((x) => x.textContent));
    assert.deepEqual(stmts, ["candidate gp_cards priority 1000 weight 80",
      "candidate yb_3ds priority 1000 weight 20 when payment_system in [visa, mastercard]",
      "exclude when health.failure_rate >= 50% or health.latency_ms > 3000"]);
  });

  it("searches across all files; Enter opens the first match", async () => {
    await page.keyboard.press("Control+Shift+F");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "search");
    await page.keyboard.type("bb_reserve");
    await page.waitForSelector("#search-results:not([hidden]) button.hit");
    const hits = await page.$$eval("#search-results button.hit", (b) => b.map((x) => x.dataset.file));
    assert.ok(hits.includes("routing.pd") && hits.includes("providers.pd"), hits.join(","));
    assert.equal(await page.isVisible("#outline"), false);
    await page.keyboard.press("Enter");
    const w = await where();
    assert.equal(w.file, hits[0]);
    const sel = await page.evaluate(() => { const v = window.paydomainEditor.view(); const r = v.state.selection.main; return v.state.sliceDoc(r.from, r.to); });
    assert.equal(sel, "bb_reserve");
    await page.fill("#search", "");
    await page.dispatchEvent("#search", "input");
    await page.waitForSelector("#outline:not([hidden])", { state: "attached" });
  });

  it("hovering an id shows its declaration; F12 and Ctrl-click go to it", async () => {
    await ed.openFile("tariffs.pd");
    await ed.select("main", { after: "hold_lifetime 7 days\n  routing main" });
    const box = await page.evaluate(() => {
      const v = window.paydomainEditor.view();
      const c = v.coordsAtPos(v.state.selection.main.from + 1);
      return { x: c.left + 2, y: (c.top + c.bottom) / 2 };
    });
    await page.mouse.move(box.x, box.y);
    await page.waitForSelector(".decl-tooltip", { timeout: 5000 });
    const tip = await page.textContent(".decl-tooltip");
    const routingLine = (await server.api("reader", "GET", "/v1/revisions/head")).files.find((f) => f.name === "routing.pd")
      .text.split("\n").findIndex((l) => l.startsWith("routing main {")) + 1;
    assert.match(tip, new RegExp(`routing main — routing\\.pd:${routingLine}`));
    assert.match(tip, /Acme Pay main routing/);
    await page.keyboard.press("F12");
    assert.deepEqual(await where(), { file: "routing.pd", line: routingLine });
    // Ctrl-click on a terminal id goes to the terminal
    await ed.select("yb_fast", { after: "candidate yb_fast" });
    const at = await page.evaluate(() => {
      const v = window.paydomainEditor.view();
      const c = v.coordsAtPos(v.state.selection.main.from + 2);
      return { x: c.left + 1, y: (c.top + c.bottom) / 2 };
    });
    await page.keyboard.down("Control");
    await page.mouse.click(at.x, at.y);
    await page.keyboard.up("Control");
    const w = await where();
    assert.equal(w.file, "providers.pd");
    assert.equal(w.line, await ed.lineOf("terminal yb_fast {"));
  });
});
