// Browser tests: work is never lost. Drafts per tab and per user, saved on
// every change and on page close, the leave-page warning, and the banners of
// an unreachable server, out-of-date problems and a revoked token. Real
// Chromium, real `paydomain serve` (harness.mjs); run by tests/run.sh.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { EditorPage, serverAndBrowser } from "./harness.mjs";

let server;
let browser;

/** A tab of `ctx` (a browser profile: tabs share localStorage), signed in through a ?token= link. */
async function openTab(ctx, token) {
  const page = await ctx.newPage();
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.type()); void d.accept(); });
  page.on("pageerror", (e) => { console.error(`page error: ${e.message}`); });
  await page.goto(`${server.url}/?token=${encodeURIComponent(token)}`);
  await page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
  const ed = new EditorPage(page);
  await ed.waitChecks(1);
  return { page, ed, dialogs };
}

const drafts = (page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("paydomain.draft.v2."))
  .map((k) => ({ key: k, text: localStorage.getItem(k) })));

async function reloadReady(page) {
  await page.reload();
  await page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
}

describe("work is never lost", { timeout: 240000 }, () => {
  const env = serverAndBrowser();
  before(() => ({ server, browser } = env));

  it("two tabs keep two drafts; the other tab's draft is offered, never adopted", async () => {
    const ctx = await browser.newContext();
    const t1 = await openTab(ctx, server.tokens.editor);
    await t1.ed.openFile("limits.pd");
    await t1.ed.replace("150000.00 RUB", "171000.00 RUB");
    await t1.page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("paydomain.draft.v2.") && localStorage.getItem(k).includes("171000.00 RUB")), null, { timeout: 5000 });
    // A second tab starts from head, and is offered the first tab's edits.
    const t2 = await openTab(ctx, server.tokens.editor);
    await t2.ed.openFile("limits.pd");
    assert.match(await t2.ed.text(), /150000\.00 RUB/, "the second tab did not adopt the first tab's draft");
    await t2.page.waitForSelector("#other-drafts:not([hidden]) li button.open-draft");
    // It edits something else: both drafts exist side by side.
    await t2.ed.replace("150000.00 RUB", "172000.00 RUB");
    await t2.page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("paydomain.draft.v2.") && localStorage.getItem(k).includes("172000.00 RUB")), null, { timeout: 5000 });
    const ds = await drafts(t2.page);
    assert.equal(ds.length, 2);
    assert.equal(ds.filter((d) => d.text.includes("171000.00 RUB")).length, 1, "the first tab's draft is intact");
    assert.equal(ds.filter((d) => d.text.includes("172000.00 RUB")).length, 1);
    // Each tab reloads into its own draft.
    await reloadReady(t1.page);
    await t1.ed.openFile("limits.pd");
    assert.match(await t1.ed.text(), /171000\.00 RUB/);
    await reloadReady(t2.page);
    await t2.ed.openFile("limits.pd");
    assert.match(await t2.ed.text(), /172000\.00 RUB/);
    // Opening the first tab's edits in the second sets the second's aside (offered back), losing neither.
    await t2.page.click("#other-drafts li button.open-draft");
    await t2.page.waitForFunction(() => window.paydomainEditor.text().includes("171000.00 RUB"), null, { timeout: 5000 });
    await t2.page.waitForSelector("#other-drafts:not([hidden]) li");
    const after = await drafts(t2.page);
    assert.ok(after.some((d) => d.text.includes("172000.00 RUB")), "the second tab's own edits are set aside, not lost");
    assert.ok(after.some((d) => d.text.includes("171000.00 RUB")));
    await ctx.close();
  });

  it("a duplicated tab (its sessionStorage copied) takes a tab id of its own", async () => {
    const ctx = await browser.newContext();
    const t1 = await openTab(ctx, server.tokens.editor);
    await t1.ed.openFile("limits.pd");
    await t1.ed.replace("150000.00 RUB", "176000.00 RUB");
    await t1.page.waitForFunction(() => Object.keys(localStorage).some((k) => localStorage.getItem(k).includes("176000.00 RUB")), null, { timeout: 5000 });
    const id1 = await t1.page.evaluate(() => sessionStorage.getItem("paydomain.tab"));
    // window.open copies the opener's sessionStorage, as duplicating a tab does
    const [dup] = await Promise.all([ctx.waitForEvent("page"), t1.page.evaluate(() => { window.open(location.href); })]);
    dup.on("dialog", (d) => d.accept());
    await dup.waitForSelector("body[data-ready='1']", { timeout: 15000 });
    const id2 = await dup.evaluate(() => sessionStorage.getItem("paydomain.tab"));
    assert.ok(id2 && id2 !== id1, `the duplicate took its own id (${id1} / ${id2})`);
    const ed2 = new EditorPage(dup);
    await ed2.openFile("limits.pd");
    assert.match(await ed2.text(), /150000\.00 RUB/, "the duplicate starts from head");
    await dup.waitForSelector("#other-drafts:not([hidden]) button.open-draft");
    await ctx.close();
  });

  it("a token change to another person does not show the first person's draft", async () => {
    const ctx = await browser.newContext();
    const bob = await openTab(ctx, server.tokens.editor);
    await bob.ed.openFile("limits.pd");
    await bob.ed.replace("150000.00 RUB", "173000.00 RUB");
    await bob.page.waitForFunction(() => Object.keys(localStorage).some((k) => localStorage.getItem(k).includes("173000.00 RUB")), null, { timeout: 5000 });
    // Same tab, carol's sign-in link.
    await bob.page.goto(`${server.url}/?token=${encodeURIComponent(server.tokens.editor2)}`);
    await bob.page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
    const ed = new EditorPage(bob.page);
    await ed.openFile("limits.pd");
    assert.match(await ed.text(), /150000\.00 RUB/, "carol sees head, not bob's draft");
    assert.equal(await bob.page.isVisible("#other-drafts"), false, "nor is bob's draft offered to carol");
    assert.doesNotMatch((await bob.page.textContent("#notice")) ?? "", /Restored/);
    // Bob's draft is still there for bob.
    await bob.page.goto(`${server.url}/?token=${encodeURIComponent(server.tokens.editor)}`);
    await bob.page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
    await ed.openFile("limits.pd");
    assert.match(await ed.text(), /173000\.00 RUB/);
    await ctx.close();
  });

  it("a reload within 150 ms of typing keeps the edit, after a leave-page warning", async () => {
    const ctx = await browser.newContext();
    const t = await openTab(ctx, server.tokens.editor);
    await t.ed.openFile("limits.pd");
    await t.ed.select("150000.00 RUB");
    await t.page.keyboard.type("174000.00 RUB");
    const typed = Date.now();
    const reloaded = t.page.reload();
    assert.ok(Date.now() - typed < 150, "the reload started within 150 ms of the last keystroke");
    await reloaded;
    await t.page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
    assert.ok(t.dialogs.includes("beforeunload"), `a leave-page warning was shown (dialogs: ${t.dialogs})`);
    await t.ed.openFile("limits.pd");
    assert.match(await t.ed.text(), /174000\.00 RUB/);
    await ctx.close();
  });

  it("banners: the server unreachable, problems out of date, the token revoked", async () => {
    const ctx = await browser.newContext();
    const t = await openTab(ctx, server.tokens.editor);
    await t.ed.openFile("limits.pd");
    // The server goes away (every API call fails at the network level).
    await t.page.route("**/v1/**", (r) => r.abort("connectionrefused"));
    await t.ed.replace("150000.00 RUB", "150000.00 RUBX");
    await t.page.waitForSelector("#banner-offline:not([hidden])", { timeout: 5000 });
    assert.match(await t.page.textContent("#banner-offline"), /Cannot reach the server.*edits are kept/);
    await t.page.waitForSelector("#problems-stale:not([hidden])");
    assert.match(await t.page.textContent("#problems-stale"), /Out of date/);
    // (acme's own warnings, from the check before the server went, may stay listed)
    assert.deepEqual(await t.ed.errors(), [], "the error is not shown: it was never checked");
    // Back: the next check clears both banners and shows the error.
    await t.page.unroute("**/v1/**");
    await t.ed.replace("RUBX", "RUBY");
    await t.page.waitForSelector("#problems li.problem.error", { timeout: 10000 });
    assert.equal(await t.page.isVisible("#banner-offline"), false);
    assert.equal(await t.page.isVisible("#problems-stale"), false);
    // An admin revokes bob's token: the next call says so; the edits stay as a draft.
    const { tokens } = await server.api("admin", "GET", "/v1/tokens");
    const mine = tokens.filter((x) => x.name === "bob" && !x.revoked);
    for (const x of mine) await server.api("admin", "DELETE", `/v1/tokens/${x.id}`);
    await t.ed.replace("RUBY", "RUBZ");
    await t.page.waitForSelector("#banner-revoked:not([hidden])", { timeout: 10000 });
    assert.match(await t.page.textContent("#banner-revoked"), /no longer accepts your token/);
    // The draft is written within a tenth of a second of the edit, which the
    // revoked bar (a check 30 ms after typing) may come before.
    await t.page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith("paydomain.draft.v2.") && localStorage.getItem(k).includes("RUBZ")), null, { timeout: 2000 });
    const ds = await drafts(t.page);
    assert.ok(ds.some((d) => d.text.includes("RUBZ")), "the edit is in the draft");
    await ctx.close();
  });
});
