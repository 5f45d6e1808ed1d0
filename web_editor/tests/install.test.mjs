// Browser test: the binary serves the editor compiled into it (no --editor):
// the page loads and signs in, its script comes gzip-compressed with a
// strong ETag, and it has a favicon. Real Chromium, real `paydomain serve`.
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { EditorPage, serverAndBrowser } from "./harness.mjs";

let server;
let browser;

describe("an install is one file", { timeout: 120000 }, () => {
  const env = serverAndBrowser({ embedded: true });
  before(() => ({ server, browser } = env));

  it("serves the compiled-in editor: compressed, cached, with a favicon", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const assets = new Map();
    page.on("response", async (r) => {
      const name = new URL(r.url()).pathname;
      if (!name.startsWith("/v1/")) assets.set(name, { status: r.status(), headers: await r.allHeaders() });
    });
    const ed = new EditorPage(page);
    await ed.signIn(server.url, server.tokens.editor);
    const js = assets.get("/app.js");
    assert.ok(js, [...assets.keys()].join(","));
    assert.equal(js.headers["content-encoding"], "gzip");
    assert.match(js.headers.etag, /^"[0-9a-f]+-gz"$/);
    assert.equal(js.headers["cache-control"], "no-cache");
    // the favicon the page names is served
    const href = await page.getAttribute("link[rel=icon]", "href");
    const icon = await page.evaluate(async (h) => { const r = await fetch(h); return { ok: r.ok, type: r.headers.get("content-type") }; }, href);
    assert.deepEqual(icon, { ok: true, type: "image/svg+xml" });
    // revalidation: the same ETag answers 304 without a body
    const again = await fetch(`${server.url}/app.js`, { headers: { "Accept-Encoding": "gzip", "If-None-Match": js.headers.etag } });
    assert.equal(again.status, 304);
    const head = await fetch(`${server.url}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers.get("content-length")) > 0);
    await ctx.close();
  });
});
