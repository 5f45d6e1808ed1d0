// Browser tests: decision tables. A tariff's fee decisions and a routing
// ruleset's statements as grids (conditions in columns, what the rule
// decides at the end), edited, reordered and following the text; every edit
// of a grid leaves the file exactly as `paydomain fmt` writes it (POST
// /v1/format); and an edit right after a change the grid has not redrawn
// yet cuts the text where it is now, not where it was; what is typed in a
// cell survives the grid being redrawn before the cell is left.
// Real Chromium, real `paydomain serve` (harness.mjs); run by tests/run.sh.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureArtifacts, signedInSession } from "./harness.mjs";

let server;
let page;
let ed;

const fileText = (name) => ed.fileText(name);
const where = () => ed.where();
const rows = () => page.$$eval("#decision-table tbody tr", (trs) => trs.map((tr) => [...tr.querySelectorAll("input, textarea")].map((x) => x.value)));
const cols = () => page.$$eval("#decision-table thead th", (th) => th.map((x) => x.textContent));
const cell = (row, column) => `#decision-table tr[data-row="${row}"] [data-column="${column}"]`;
const undo = async () => { await page.evaluate(() => window.paydomainEditor.view().focus()); await page.keyboard.press("Control+z"); };

/** Waits until the table's edits have gone through the formatter and been written. */
const written = () => page.waitForFunction(() => window.paydomainEditor.probe.tableWrites === 0, null, { timeout: 10000 });
const writesDone = () => page.evaluate(() => window.paydomainEditor.probe.tableWritesDone);

/** Sets a cell as an analyst does (type, then leave it) and waits for that edit's write (not just for none to be pending). */
async function setCell(row, column, value) {
  const before = await writesDone();
  await page.fill(cell(row, column), value);
  await page.keyboard.press("Tab");
  await page.waitForFunction((n) => window.paydomainEditor.probe.tableWritesDone > n, before, { timeout: 10000 });
  await written();
}

/** The file is canonical: the server's formatter (`paydomain fmt`'s function) leaves it as it is. */
async function assertCanonical(name) {
  const text = await fileText(name);
  const f = await server.api("reader", "POST", "/v1/format", { name, text });
  assert.equal(f.text, text, `${name} is not what paydomain fmt writes`);
  assert.equal(f.changed, false);
}

describe("decision tables", { timeout: 240000 }, () => {
  const env = signedInSession();
  before(() => ({ server, page, ed } = env));

  it("a tariff's fee decisions as a table: edited, reordered, following the text, always canonical", async () => {
    await page.click('#outline button[data-kind="tariff"][data-table="standard"]');
    await page.waitForSelector("#decision-table:not([hidden]) tbody tr");
    assert.equal((await where()).file, "tariffs.pd");
    assert.deepEqual(await cols(), ["#", "payment_tool", "payment_system", "currency", "fees (postings)", "order"]);
    let r = await rows();
    assert.equal(r.length, 5);
    assert.deepEqual(r[1].slice(0, 3), ["", "in [maestro, mastercard]", ""]);
    assert.deepEqual(r[0].slice(0, 3), ["is wallet", "", ""]);
    assert.equal(r[1][3], 'merchant.settlement -> system.settlement : 1% of amount "1% processing fee"');
    assert.match(r[2][3], /# Mir: 1\.5%, at least 5 rubles\.\nwhen payment_system == mir \{\n {2}merchant/);
    // the fee: an edit of the text, live-checked (a test now fails), undoable; typed without the
    // indentation, it is written as the formatter lays it out
    await setCell(2, "fees", 'merchant.settlement   ->  system.settlement : 1.2% of amount "1% processing fee"');
    assert.match(await fileText("tariffs.pd"), /when payment_system in \[maestro, mastercard\] \{\n {6}merchant\.settlement -> system\.settlement : 1\.2% of amount "1% processing fee"\n {4}\}/);
    await assertCanonical("tariffs.pd");
    await ed.waitChecked();
    await page.waitForSelector('#tests button.test.fail[data-test="Mastercard pays the 1% processing fee"]');
    await page.screenshot({ path: join(ensureArtifacts(), "editor-table.png") });
    await undo();
    assert.doesNotMatch(await fileText("tariffs.pd"), /1\.2% of amount "1% processing fee"/);
    // a condition: a cell in another column joins with `and`
    await page.waitForSelector(`${cell(1, "currency")}`);
    await setCell(1, "currency", "==   RUB");
    assert.match(await fileText("tariffs.pd"), /\n {4}when payment_tool is wallet and currency == RUB \{\n/);
    await assertCanonical("tariffs.pd");
    await undo();
    // reordering: the dollar rule moves above the ruble one (comments stay in place); otherwise stays last
    await page.waitForFunction(() => !document.querySelector('#decision-table tr[data-row="1"] [data-column="currency"]')?.value);
    assert.equal(await page.isDisabled('#decision-table tr[data-row="5"] button.move >> nth=0'), true);
    await page.click('#decision-table tr[data-row="4"] button.move >> nth=0');
    await written();
    let t = await fileText("tariffs.pd");
    assert.ok(t.indexOf("when currency == USD {") < t.indexOf("when currency == RUB {"), "USD first");
    await assertCanonical("tariffs.pd");
    await page.waitForFunction(() => document.querySelector('#decision-table tr[data-row="3"] input[data-column="currency"]')?.value === "== USD");
    await undo();
    t = await fileText("tariffs.pd");
    assert.ok(t.indexOf("when currency == USD {") > t.indexOf("when currency == RUB {"), "undone");
    // text -> table
    await ed.replace("currency == USD", "currency == EUR", { after: "tariff standard" });
    await page.waitForFunction(() => document.querySelector('#decision-table tr[data-row="4"] input[data-column="currency"]')?.value === "== EUR");
    await undo();
    await ed.waitChecked();
    assert.deepEqual(await ed.errors(), []);
    await page.click("#decision-table .dt-head button");
    assert.equal(await page.isHidden("#decision-table"), true);
  });

  it("a routing ruleset's statements as a table: candidates, priority and weight, reordered, always canonical", async () => {
    const original = await fileText("routing.pd");
    await page.click('#outline button[data-kind="routing"][data-table="main"]');
    await page.waitForSelector("#decision-table:not([hidden]) tbody tr");
    assert.equal((await where()).file, "routing.pd");
    const c = await cols();
    assert.deepEqual([c[0], c[1], c[2], ...c.slice(-3)], ["#", "statement", "route (terminal, or what it does)", "priority", "weight", "order"]);
    for (const attr of ["risk", "payment_tool", "currency", "payment_system", "amount", "issuer_country", "health.failure_rate"]) assert.ok(c.includes(attr), c.join(","));
    const labels = await page.$$eval("#decision-table tbody td.label", (tds) => tds.map((x) => x.textContent));
    assert.deepEqual(labels, ["when …:", "when …:", "when …:", "when …:", "when …:", "when …:", "candidate", "candidate", "candidate", "candidate", "exclude when"]);
    const value = (row, column) => page.inputValue(cell(row, column));
    assert.equal(await value(1, "route"), 'decline "risk too high"');
    assert.equal(await value(1, "risk"), "== fatal");
    assert.equal(await value(8, "route"), "yb_3ds");
    assert.deepEqual([await value(8, "risk"), await value(8, "priority"), await value(8, "weight")], ["in [low, high]", "2000", "70"]);
    assert.deepEqual([await value(9, "amount"), await value(9, "issuer_country")], ["< 3000.00 RUB", "== RU"]);
    assert.equal(await value(10, "weight"), "");
    assert.equal(await page.isDisabled(cell(1, "priority")), true, "a when has no priority");
    // a candidate's weight and priority
    await setCell(9, "weight", "25");
    assert.match(await fileText("routing.pd"), /\n {2}candidate yb_fast priority 2000 weight 25 when risk == low\n {6}and amount < 3000\.00 RUB\n {6}and issuer_country == RU\n/);
    await assertCanonical("routing.pd");
    await setCell(10, "weight", "5");
    assert.match(await fileText("routing.pd"), /\n {2}candidate bb_reserve priority 1000 weight 5\n/);
    await setCell(10, "priority", "");
    assert.match(await fileText("routing.pd"), /\n {2}candidate bb_reserve weight 5\n/);
    await assertCanonical("routing.pd");
    // a condition cell, and a new condition for a candidate that had none
    await setCell(8, "risk", "==  low");
    assert.match(await fileText("routing.pd"), /\n {2}candidate yb_3ds priority 2000 weight 70 when risk == low\n/);
    await setCell(10, "currency", "== RUB");
    assert.match(await fileText("routing.pd"), /\n {2}candidate bb_reserve weight 5 when currency == RUB\n/);
    await assertCanonical("routing.pd");
    // the route: another terminal, another decline reason
    await setCell(1, "route", 'decline   "fraud"');
    assert.match(await fileText("routing.pd"), /\n {2}when risk == fatal: decline "fraud"\n/);
    await assertCanonical("routing.pd");
    await ed.waitChecked();
    assert.deepEqual(await ed.errors(), []);
    // reordering: yb_3ds above bb_main (the comment above bb_main stays where it is)
    await page.click('#decision-table tr[data-row="8"] button.move >> nth=0');
    await written();
    const t = await fileText("routing.pd");
    assert.ok(t.indexOf("candidate yb_3ds") < t.indexOf("candidate bb_main"), "yb_3ds first");
    assert.ok(t.includes("# are cheapest at Blue Bank.\n  candidate yb_3ds"), "the comments stay where they are");
    await assertCanonical("routing.pd");
    await page.waitForFunction(() => document.querySelector('#decision-table tr[data-row="7"] [data-column="route"]')?.value === "yb_3ds");
    // text -> table
    await ed.replace("weight 25", "weight 35");
    await page.waitForFunction(() => document.querySelector('#decision-table tr[data-row="9"] [data-column="weight"]')?.value === "35");
    await page.screenshot({ path: join(ensureArtifacts(), "editor-routing-table.png") });
    // back to the text as it was
    await page.evaluate((o) => { const v = window.paydomainEditor.view(); v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: o } }); }, original);
    await ed.waitChecked();
    assert.deepEqual(await ed.errors(), []);
    await page.click("#decision-table .dt-head button");
  });

  it("an edit right after a change the table has not redrawn yet lands where the rule is now", async () => {
    await page.click('#outline button[data-kind="tariff"][data-table="standard"]');
    await page.waitForSelector("#decision-table:not([hidden]) tbody tr");
    const original = await fileText("tariffs.pd");
    // In one task (the table is redrawn 80 ms after an edit, so it is still the old
    // render): a change above the tariff shifts every offset — as an undo or an edit
    // from elsewhere does — then the analyst leaves a cell they had changed.
    await page.evaluate(() => {
      const v = window.paydomainEditor.view();
      const at = v.state.doc.toString().indexOf("tariff standard");
      v.dispatch({ changes: { from: at, insert: "# a note that shifts the tariff down\n" } });
      const input = document.querySelector('#decision-table tr[data-row="1"] input[data-column="currency"]');
      input.value = "== RUB";
      input.dispatchEvent(new Event("change"));
      const fees = document.querySelector('#decision-table tr[data-row="2"] textarea');
      fees.value = 'merchant.settlement -> system.settlement : 1.1% of amount "1% processing fee"';
      fees.dispatchEvent(new Event("change"));
    });
    await written();
    const t = await fileText("tariffs.pd");
    const want = original.replace("tariff standard", "# a note that shifts the tariff down\ntariff standard")
      .replace(/(tariff standard[^]*?when payment_tool is wallet)( \{)/, "$1 and currency == RUB$2")
      .replace(/(tariff standard[^]*?: )1%( of amount "1% processing fee")/, "$11.1%$2");
    assert.equal(t, want);
    await assertCanonical("tariffs.pd");
    // the same story in the routing table: a move and a cell after a shift
    await page.click('#outline button[data-kind="routing"][data-table="main"]');
    await page.waitForSelector('#decision-table[data-kind="routing"]:not([hidden]) tbody tr');
    const routing = await fileText("routing.pd");
    await page.evaluate(() => {
      const v = window.paydomainEditor.view();
      v.dispatch({ changes: { from: v.state.doc.toString().indexOf("routing main"), insert: "# shifted\n" } });
      const input = document.querySelector('#decision-table tr[data-row="9"] input[data-column="weight"]');
      input.value = "31";
      input.dispatchEvent(new Event("change"));
    });
    await written();
    assert.equal(await fileText("routing.pd"), routing.replace("routing main", "# shifted\nrouting main").replace("yb_fast priority 2000 weight 30", "yb_fast priority 2000 weight 31"));
    await assertCanonical("routing.pd");
    await page.click("#decision-table .dt-head button");
  });

  it("what is typed in a cell survives the table being redrawn before the cell is left", async () => {
    await page.click('#outline button[data-kind="tariff"][data-table="standard"]');
    await page.waitForSelector('#decision-table[data-kind="tariff"]:not([hidden]) tbody tr');
    const original = await fileText("tariffs.pd");
    await page.fill(cell(1, "currency"), "== USD");
    await page.$eval(cell(1, "currency"), (x) => { x.dataset.before = "redraw"; });
    // an edit elsewhere in the file redraws the grid while the analyst is still typing
    await page.evaluate(() => { const v = window.paydomainEditor.view(); v.dispatch({ changes: { from: 0, insert: "# typed while the grid redraws\n" } }); });
    await page.waitForFunction(() => !document.querySelector('#decision-table [data-before="redraw"]'));
    const focused = await page.evaluate(() => [document.activeElement?.dataset.column, document.activeElement?.closest("tr")?.dataset.row, document.activeElement?.value]);
    assert.deepEqual(focused, ["currency", "1", "== USD"], "the redrawn cell keeps focus and what was typed");
    await page.keyboard.press("Tab");
    await written();
    assert.match(await fileText("tariffs.pd"), /\n {4}when payment_tool is wallet and currency == USD \{\n/);
    await assertCanonical("tariffs.pd");
    await page.evaluate((o) => { const v = window.paydomainEditor.view(); v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: o } }); }, original);
    await ed.waitChecked();
    await page.click("#decision-table .dt-head button");
  });
});
