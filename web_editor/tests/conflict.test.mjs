// Browser tests: conflicts without loss. A commit conflict shows base, theirs
// (who and when) and yours per object, with keep mine / take theirs / edit;
// the user's version is never thrown away; the head-moved bar goes once the
// working copy is on head; an admin restores where a revert is blocked.
// Real Chromium, real `paydomain serve` (harness.mjs); run by tests/run.sh.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureArtifacts, openEditor, serverAndBrowser } from "./harness.mjs";

const WORDING = '"Default terms for small and medium merchants"';
let server;
let browser;

const editor = (token) => openEditor(browser, server, token, { viewport: { width: 1400, height: 900 } });

const head = async () => (await server.api("reader", "GET", "/v1/head")).revision;
const headText = async (name) => (await server.api("reader", "GET", "/v1/revisions/head")).files.find((f) => f.name === name).text;

/** Commits head with `edit` applied to file `name`, as `who`. */
async function commitAs(who, name, edit, message) {
  const h = await server.api("reader", "GET", "/v1/revisions/head");
  const files = h.files.map((f) => (f.name === name ? { ...f, text: edit(f.text) } : f));
  return (await server.api(who, "POST", "/v1/commits", { base: h.revision, message, files })).revision;
}

const card = (key) => `#conflict .conflict-object[data-object="${key}"]`;

describe("conflicts without loss", { timeout: 240000 }, () => {
  const env = serverAndBrowser();
  before(() => ({ server, browser } = env));

  it("shows base, theirs (who, when) and yours; keep mine, take theirs, put mine back; the head bar goes", async () => {
    const { ctx, page, ed } = await editor(server.tokens.editor);
    const base = await head();
    await ed.openFile("tariffs.pd");
    await ed.replace(WORDING, '"Default terms (bob)"');
    await ed.openFile("limits.pd");
    await ed.replace("150000.00 RUB", "151000.00 RUB");
    // carol commits changes to both objects
    const carolRev = await commitAs("editor2", "tariffs.pd", (t) => t.replace(WORDING, '"Default terms for small merchants"'), "carol: wording");
    const carolRev2 = await commitAs("editor2", "limits.pd", (t) => t.replace("150000.00 RUB", "152000.00 RUB"), "carol: limit");
    await page.waitForSelector("#banner-head:not([hidden])", { timeout: 15000 });
    await page.click("#tabs button[data-view=review]");
    await page.fill("#commit-message", "bob: wording and limit");
    await page.click("#commit");
    await page.waitForSelector(`${card("tariff standard")} .keep-mine`, { timeout: 10000 });
    assert.match(await page.textContent("#commit-result"), /Not committed.*unchanged/);
    assert.equal(await page.$$eval("#conflict .conflict-object", (l) => l.length), 2);
    // three versions side by side, with who changed theirs
    const t = card("tariff standard");
    assert.match(await page.textContent(`${t} .conflict-col.base pre`), /small and medium merchants/);
    assert.match(await page.textContent(`${t} .conflict-col.theirs pre`), /small merchants"/);
    assert.match(await page.textContent(`${t} .conflict-col.yours pre`), /\(bob\)/);
    assert.match(await page.textContent(`${t} h4`), new RegExp(`by carol in r${carolRev} `));
    assert.match(await page.textContent(`${t} .conflict-col.base h5`), new RegExp(`r${base}\\b`));
    await page.locator(card("limit card_daily_rub")).screenshot({ path: join(ensureArtifacts(), "editor-conflict.png") });
    // nothing changed yet: the working copy still has both of bob's edits
    assert.match(await page.evaluate(() => window.paydomainEditor.text()), /151000\.00 RUB/);
    // keep mine for the tariff, take theirs for the limit
    await page.click(`${t} .keep-mine`);
    await page.click(`${card("limit card_daily_rub")} .take-theirs`);
    assert.equal(await page.getAttribute(card("limit card_daily_rub"), "data-choice"), "theirs");
    await page.click("#apply-resolutions");
    await page.waitForSelector("#conflict.resolved");
    assert.equal(await page.evaluate(() => window.paydomainEditor.base()), carolRev2);
    assert.equal(await page.isVisible("#banner-head"), false, "the head-moved bar is gone once on head");
    assert.doesNotMatch(await page.getAttribute("#conflict", "class"), /success/);
    const summary = await page.$$eval("#summary li.change", (l) => l.map((x) => x.dataset.object));
    assert.deepEqual(summary, ["tariff standard"], "theirs taken for the limit: only the tariff differs from head");
    // bob's replaced version is kept, across a reload too, and can be put back
    const aside = '#set-aside .set-aside[data-object="limit card_daily_rub"]';
    assert.match(await page.textContent(`${aside} pre`), /151000\.00 RUB/);
    await page.reload();
    await page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
    await page.click("#tabs button[data-view=review]");
    assert.match(await page.textContent(`${aside} pre`), /151000\.00 RUB/);
    await page.click(`${aside} .put-back`);
    await page.waitForSelector("#set-aside", { state: "hidden" });
    await ed.openFile("limits.pd");
    assert.match(await ed.text(), /151000\.00 RUB/, "put back");
    await ed.openFile("tariffs.pd");
    assert.match(await ed.text(), /Default terms \(bob\)/, "mine kept");
    // committing now is a plain commit on head
    await page.click("#tabs button[data-view=review]");
    await page.fill("#commit-message", "bob: wording and limit");
    await page.click("#commit");
    await page.waitForSelector("#commit-result[data-revision]", { timeout: 10000 });
    assert.equal(await head(), carolRev2 + 1);
    assert.match(await headText("limits.pd"), /151000\.00 RUB/);
    assert.match(await headText("tariffs.pd"), /Default terms \(bob\)/);
    await ctx.close();
  });

  it("an admin restores the revision before one whose revert is blocked by later revisions", async () => {
    const blocked = await head(); // bob's commit above; now a later one changes the same limit
    const before = await server.api("reader", "GET", `/v1/revisions/${blocked - 1}`);
    await commitAs("editor2", "limits.pd", (x) => x.replace("151000.00 RUB", "153000.00 RUB"), "carol: limit again");
    const { ctx, page } = await editor(server.tokens.admin);
    await page.click("#tabs button[data-view=history]");
    await page.click(`#revisions li[data-revision="${blocked}"]`);
    await page.waitForSelector("#revert");
    await page.click("#revert");
    await page.waitForSelector("#revert-blocked:not([hidden]) button.restore", { timeout: 10000 });
    assert.match(await page.textContent("#revert-blocked"), new RegExp(`Cannot revert r${blocked}: later revisions \\(r${blocked + 1}\\)`));
    const h0 = await head();
    await page.click("#revert-blocked button.restore");
    await page.waitForFunction((h) => document.querySelector(`#revisions li[data-revision="${h + 1}"]`), h0, { timeout: 10000 });
    const now = await server.api("reader", "GET", "/v1/revisions/head");
    assert.equal(now.revision, h0 + 1);
    assert.match(now.message, new RegExp(`Restore revision ${blocked - 1}`));
    const norm = (fs) => JSON.stringify(fs.map((f) => [f.name, f.text]).sort());
    assert.equal(norm(now.files), norm(before.files));
    await ctx.close();
  });
});
