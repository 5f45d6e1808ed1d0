// The real `paydomain serve` against server/openapi.json: every route with a
// documented JSON answer is called and its answer checked strictly (every
// required field present with its type, no field the document does not name),
// and so are the error bodies the editor reads (401, 404, 409, 422). The
// editor reads the server only through the same checks (src/api.generated.ts),
// so a server that drifts from openapi.json fails here, and an openapi.json
// that drifts from the server fails here too.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Server, acmeFiles, repoRoot } from "./harness.mjs";
import { loadSrc } from "./load-src.mjs";

const bin = process.env.PAYDOMAIN_BIN;
const gen = await loadSrc('export * from "./api.generated";');
const contextsDir = join(repoRoot, "examples/acme/contexts");
const samples = readdirSync(contextsDir).filter((f) => f.endsWith(".json")).sort()
  .map((f) => JSON.parse(readFileSync(join(contextsDir, f), "utf8")));

describe("the server's answers match server/openapi.json", { timeout: 120000 }, () => {
  let server;
  const covered = new Set();

  async function raw(who, method, path, body) {
    const headers = who ? { Authorization: `Bearer ${server.tokens[who]}` } : {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null, text };
  }

  /** Calls `route` at `path`, expects `status`, checks the answer strictly against the route's schema. */
  async function answer(route, who, path, body, status = 200) {
    const r = await raw(who, route.slice(0, route.indexOf(" ")), path, body);
    assert.equal(r.status, status, `${route} at ${path}: ${r.text.slice(0, 500)}`);
    const check = gen.answerChecks[route];
    assert.ok(check, `${route} has a documented JSON answer`);
    try { check(r.json, "", true); } catch (e) { assert.fail(`${route} at ${path}: ${e.message}\n${r.text.slice(0, 1000)}`); }
    covered.add(route);
    return r.json;
  }

  async function error(who, method, path, body, status, code) {
    const r = await raw(who, method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${r.text.slice(0, 500)}`);
    try { gen.checkErrorBody(r.json, "", true); } catch (e) { assert.fail(`${method} ${path} (${status}): ${e.message}\n${r.text}`); }
    assert.equal(r.json.error.code, code);
    return r.json;
  }

  before(async () => {
    assert.ok(bin, "set PAYDOMAIN_BIN to the paydomain binary");
    server = await Server.start(bin);
  });
  after(async () => { await server?.stop(); });

  it("operational routes", async () => {
    await answer("GET /healthz", null, "/healthz");
    await answer("GET /readyz", null, "/readyz");
    const me = await answer("GET /v1/whoami", "editor", "/v1/whoami");
    assert.deepEqual(me, { name: "bob", role: "editor" });
  });

  it("reading revisions, objects and diffs", async () => {
    const head = await answer("GET /v1/head", "reader", "/v1/head");
    assert.ok(head.revision >= 1);
    const page = await answer("GET /v1/revisions", "reader", "/v1/revisions?limit=1");
    assert.equal(page.revisions[0].revision, head.revision);
    assert.ok(page.next, "a full page links the next one");
    await answer("GET /v1/revisions", "reader", `/v1/revisions?after=0`);
    const rev = await answer("GET /v1/revisions/{rev}", "reader", `/v1/revisions/${head.revision}`);
    await answer("GET /v1/revisions/{rev}", "reader", "/v1/revisions/head");
    await answer("GET /v1/revisions/{rev}", "reader", "/v1/revisions/0");
    const o = rev.objects[0];
    const obj = await answer("GET /v1/revisions/{rev}/objects/{kind}/{id}", "reader", `/v1/revisions/head/objects/${o.kind}/${encodeURIComponent(o.id)}`);
    assert.equal(obj.id, o.id);
    const d = await answer("GET /v1/diff", "reader", `/v1/diff?from=0&to=${head.revision}`);
    assert.ok(d.objects.length > 0 && d.objects.every((x) => x.change === "added"));
  });

  it("evaluating at a revision: one context, a batch, with and without explain", async () => {
    const one = await answer("POST /v1/revisions/{rev}/evaluate", "reader", "/v1/revisions/head/evaluate?explain=true", samples[0]);
    assert.ok(one.result, "one context: result");
    await answer("POST /v1/revisions/{rev}/evaluate", "reader", "/v1/revisions/head/evaluate", samples[0]);
    for (const explain of [true, false]) {
      const b = await answer("POST /v1/revisions/{rev}/evaluate", "reader", "/v1/revisions/head/evaluate", { contexts: samples, explain });
      assert.equal(b.results.length, samples.length);
    }
  });

  it("the editor's check, try-it, formatter and samples", async () => {
    const ok = await answer("POST /v1/check", "editor", "/v1/check", { files: acmeFiles() });
    assert.equal(ok.errors, 0);
    const broken = acmeFiles().map((f) => (f.name === "routing.pd" ? { ...f, text: f.text.replace("candidate yb_3ds", "candidate yb_3dz") } : f));
    const bad = await answer("POST /v1/check", "editor", "/v1/check", { files: broken });
    assert.ok(bad.diagnostics.some((x) => x.severity === "error" && x.suggestion), JSON.stringify(bad.diagnostics));
    const tried = await answer("POST /v1/evaluate", "editor", "/v1/evaluate?explain=true", { files: acmeFiles(), context: samples[0], explain: true });
    assert.ok(tried.result);
    await answer("POST /v1/evaluate", "editor", "/v1/evaluate", { files: acmeFiles(), contexts: samples });
    const e = await error("editor", "POST", "/v1/evaluate", { files: broken, context: samples[0] }, 422, "invalid-domain");
    assert.ok(e.diagnostics.length > 0);
    const routing = acmeFiles().find((f) => f.name === "routing.pd").text.split("\n");
    const line = routing.findIndex((l) => l.includes("candidate yb_3ds")) + 1;
    const refs = await answer("POST /v1/references", "editor", "/v1/references",
      { files: acmeFiles(), file: "routing.pd", line, column: routing[line - 1].indexOf("yb_3ds") + 1 });
    assert.equal(refs.kind, "terminal");
    assert.equal(refs.uses.filter((u) => u.declaration).length, 1);
    await error("editor", "POST", "/v1/references", { files: acmeFiles(), file: "routing.pd", line: 1, column: 1 }, 422, "no-id");
    // the formatter, for readers too: acme's files are canonical already
    const text = acmeFiles().find((f) => f.name === "routing.pd").text;
    assert.deepEqual(await answer("POST /v1/format", "reader", "/v1/format", { name: "routing.pd", text }), { text, changed: false });
    const f = await error("reader", "POST", "/v1/format", { name: "x.pd", text: "routing r {" }, 422, "invalid-domain");
    assert.ok(f.diagnostics.length > 0);
    const list = await answer("GET /v1/contexts", "reader", "/v1/contexts");
    if (server.hasContexts) assert.ok(list.contexts.length > 0);
  });

  it("commits, retries, conflicts, reverts and restores", async () => {
    const head = (await answer("GET /v1/head", "reader", "/v1/head")).revision;
    const files = acmeFiles();
    const edited = files.map((f) => (f.name === "reference.pd" ? { ...f, text: f.text.replace('name "Retail"', 'name "Retail goods"') } : f));
    const c = await answer("POST /v1/commits", "editor", "/v1/commits", { base: head, message: "rename retail", files: edited }, 201);
    assert.equal(c.revision, head + 1);
    // the same change made against the old base by someone else: a conflict naming the object
    const theirs = files.map((f) => (f.name === "reference.pd" ? { ...f, text: f.text.replace('name "Retail"', 'name "Retail shops"') } : f));
    const conflict = await error("editor2", "POST", "/v1/commits", { base: head, message: "other rename", files: theirs }, 409, "conflict");
    assert.deepEqual(conflict.conflicts.map((x) => `${x.kind} ${x.id}`), ["category retail"]);
    // explicit operations with an idempotency key: the retry answers 200 with the same revision
    const op = { base: c.revision, message: "describe travel", idempotency_key: "contract-1",
      ops: [{ op: "update", kind: "category", id: "travel", text: 'category travel { name "Travel" description "Trips" }' }] };
    const first = await answer("POST /v1/commits", "editor", "/v1/commits", op, 201);
    const again = await answer("POST /v1/commits", "editor", "/v1/commits", op, 200);
    assert.equal(again.revision, first.revision);
    assert.equal(again.replayed, true);
    const broken = files.map((f) => (f.name === "routing.pd" ? { ...f, text: f.text.replace("candidate yb_3ds", "candidate yb_3dz") } : f));
    const invalid = await error("editor", "POST", "/v1/commits", { base: first.revision, message: "broken", files: broken }, 422, "invalid");
    assert.ok(invalid.diagnostics.length > 0);
    const d = await answer("GET /v1/diff", "reader", `/v1/diff?from=${head}&to=${c.revision}`);
    assert.ok(d.objects.some((x) => x.change === "changed" && x.parts?.length), JSON.stringify(d.objects));
    const rv = await answer("POST /v1/revisions/{rev}/revert", "admin", `/v1/revisions/${first.revision}/revert`, { message: "undo travel" }, 201);
    assert.equal(rv.revision, first.revision + 1);
    const rk = { message: "undo rename", idempotency_key: "contract-2" };
    await answer("POST /v1/revisions/{rev}/revert", "admin", `/v1/revisions/${c.revision}/revert`, rk, 201);
    await answer("POST /v1/revisions/{rev}/revert", "admin", `/v1/revisions/${c.revision}/revert`, rk, 200);
    // restore: head equal to the rename again, as a new revision; once there, nothing to restore
    const restored = await answer("POST /v1/revisions/{rev}/restore", "admin", `/v1/revisions/${c.revision}/restore`, { message: "back to the rename" }, 201);
    assert.equal(restored.message, "back to the rename");
    await error("admin", "POST", `/v1/revisions/${c.revision}/restore`, {}, 422, "empty-commit");
    await error("editor", "POST", `/v1/revisions/${c.revision}/restore`, {}, 403, "forbidden");
  });

  it("impact of a working copy, with a replay of the samples (editor)", async () => {
    const head = (await answer("GET /v1/head", "reader", "/v1/head")).revision;
    const files = acmeFiles().map((f) => (f.name === "tariffs.pd"
      ? { ...f, text: f.text.replace('1% of amount "1% processing fee"', '1.2% of amount "1% processing fee"') } : f));
    const contexts = samples.map((c) => JSON.stringify(c)).join("\n");
    const r = await answer("POST /v1/impact", "editor", "/v1/impact", { base: head, files, contexts });
    assert.ok(r.regions.length > 0 && r.regions.every((g) => g.example_differs), JSON.stringify(r.regions[0]));
    assert.ok(r.replay.changed > 0);
    await error("reader", "POST", "/v1/impact", { base: head, files }, 403, "forbidden");
    await error("editor", "POST", "/v1/impact", { base: head, files, contexts: "{oops" }, 422, "invalid-context");
  });

  it("tokens (admin)", async () => {
    const t = await answer("POST /v1/tokens", "admin", "/v1/tokens", { role: "reader", name: "contract" }, 201);
    assert.ok(t.token, "the secret, once");
    const list = await answer("GET /v1/tokens", "admin", "/v1/tokens");
    assert.ok(list.tokens.some((x) => x.id === t.id && x.revoked === null));
    await answer("DELETE /v1/tokens/{id}", "admin", `/v1/tokens/${t.id}`);
    const after = await answer("GET /v1/tokens", "admin", "/v1/tokens");
    assert.equal(typeof after.tokens.find((x) => x.id === t.id).revoked, "string");
  });

  it("error bodies the editor reads", async () => {
    await error(null, "GET", "/v1/head", undefined, 401, "unauthenticated");
    await error("reader", "GET", "/v1/revisions/999999", undefined, 404, "not-found");
    await error("reader", "POST", "/v1/revisions/999999/evaluate", samples[0], 404, "unknown-revision");
    await error("reader", "POST", "/v1/check", { files: [] }, 403, "forbidden");
  });

  it("covers every route openapi.json gives a JSON answer", () => {
    assert.deepEqual([...covered].sort(), Object.keys(gen.answerChecks).sort());
  });
});
