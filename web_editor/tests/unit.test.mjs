// Unit tests of the page's pure logic (no browser, no server): the object
// scanner, the object-level diff and rebase, given -> context, expectations,
// and the checks of the server's answers against server/openapi.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync, mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSrc } from "./load-src.mjs";
import { generateApi } from "../gen-api.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const lib = await loadSrc(
  `export * from "./objects"; export * from "./rebase"; export * from "./given"; export * from "./context"; export * from "./expect";
   export * from "./outline-model"; export * from "./api"; export * from "./contract"; export * as generated from "./api.generated";`);

const domain = `# header
currency RUB { name "Russian ruble" numeric 643 exponent 2 }
tariff standard {
  name "Standard { not a brace"  # a comment with }
  fees {
    when payment_system in [maestro, mastercard] {
      merchant.settlement -> system.settlement : 1% of amount
    }
  }
}

test "Mastercard pays 1%" {
  given { tariff standard  amount 6000.00 RUB  payment_tool bank_card  payment_system mastercard  risk low }
  expect posting merchant.settlement -> system.settlement 60.00 RUB
  expect route in [yb_3ds, yb_fast]
}
`;

test("scanObjects finds top-level objects, skipping braces in strings and comments", () => {
  const objs = lib.scanObjects(domain);
  assert.deepEqual(objs.map((o) => [o.kind, o.id, o.line]), [["currency", "RUB", 2], ["tariff", "standard", 3], ["test", "Mastercard pays 1%", 12]]);
  assert.ok(objs[1].text.endsWith("}\n}"));
  assert.deepEqual(lib.scanObjects("tariff premium extends standard {\n}\n").map((o) => [o.kind, o.id]), [["tariff", "premium"]]);
});

test("diffObjects names added, removed and changed objects with the changed lines", () => {
  const before = new Map([["a.pd", domain]]);
  const after = new Map([["a.pd", domain.replace("1% of amount", "1.2% of amount").replace(/currency RUB[^\n]*\n/, "") + "\ncategory retail { name \"Retail\" }\n"]]);
  const ch = lib.diffObjects(before, after).map((c) => `${c.op} ${c.kind} ${c.id}${c.detail ? `: ${c.detail}` : ""}`).sort();
  assert.deepEqual(ch, [
    "added category retail",
    "changed tariff standard: merchant.settlement -> system.settlement : 1% of amount  →  merchant.settlement -> system.settlement : 1.2% of amount",
    "removed currency RUB",
  ]);
  assert.deepEqual(lib.diffObjects(before, new Map([["a.pd", domain.replace("# header", "# other")]])), [], "comments outside objects are no change");
});

test("rebase takes head's version of objects others changed and keeps the analyst's other edits", () => {
  const base = [{ name: "a.pd", text: domain }];
  const mine = [{ name: "a.pd", text: domain.replace("1% of amount", "1.5% of amount").replace("numeric 643", "numeric 643 symbol \"₽\"") }];
  const theirs = [{ name: "a.pd", text: domain.replace("1% of amount", "1.2% of amount") + "\ncategory retail { name \"Retail\" }\n" }];
  const { files, replaced } = lib.rebase(base, mine, theirs);
  assert.deepEqual(replaced, [{ kind: "tariff", id: "standard" }]);
  assert.match(files[0].text, /1\.2% of amount/);
  assert.match(files[0].text, /symbol "₽"/, "my edit elsewhere is kept");
  assert.match(files[0].text, /category retail/, "their new object comes in");
  // nothing changed at head: the working copy stays as it is
  assert.deepEqual(lib.rebase(base, mine, base).files, mine);
});

test("rebase applies the analyst's resolution of a conflicting object: mine, an edit, or removal", () => {
  const base = [{ name: "a.pd", text: domain }];
  const mine = [{ name: "a.pd", text: domain.replace("1% of amount", "1.5% of amount") }];
  const theirs = [{ name: "a.pd", text: domain.replace("1% of amount", "1.2% of amount") }];
  const key = "tariff standard";
  const mineText = lib.objectsByKey(mine).get(key).text;
  const kept = lib.rebase(base, mine, theirs, new Map([[key, mineText]]));
  assert.deepEqual(kept.replaced, [{ kind: "tariff", id: "standard" }], "still reported as a conflict");
  assert.match(kept.files[0].text, /1\.5% of amount/);
  assert.doesNotMatch(kept.files[0].text, /1\.2% of amount/);
  const edited = lib.rebase(base, mine, theirs, new Map([[key, mineText.replace("1.5%", "1.3%")]]));
  assert.match(edited.files[0].text, /1\.3% of amount/);
  const removed = lib.rebase(base, mine, theirs, new Map([[key, ""]]));
  assert.equal(lib.objectsByKey(removed.files).has(key), false);
});

test("the outline lists objects with their fee decisions (nested) and routing statements; search finds every match", () => {
  const text = domain + `
routing main {
  name "Main"
  when risk == fatal: decline "no"
  candidate yb_3ds priority 10
      and amount < 3000.00 RUB
  exclude when health.failure_rate >= 70%
}
`;
  const out = lib.outlineOf([{ name: "a.pd", text }]);
  const t = out.find((o) => o.kind === "tariff");
  assert.equal(t.name, "Standard { not a brace");
  assert.deepEqual(t.items.map((i) => [i.label, i.depth]).slice(0, 1), [["when payment_system in [maestro, mastercard]", 0]]);
  assert.equal(text.split("\n")[t.items[0].line - 1].trim(), "when payment_system in [maestro, mastercard] {");
  const r = out.find((o) => o.kind === "routing");
  assert.deepEqual(r.items.map((i) => i.label), ['when risk == fatal: decline "no"', "candidate yb_3ds priority 10", "exclude when health.failure_rate >= 70%"]);
  const hits = lib.searchFiles([{ name: "a.pd", text }, { name: "b.pd", text: "x YB_3DS yb_3ds" }], "yb_3ds");
  assert.deepEqual(hits.filter((h) => h.file === "b.pd").map((h) => h.column), [3, 10], "case-insensitive, every match");
  assert.equal(hits.filter((h) => h.file === "a.pd").length, text.split("yb_3ds").length - 1);
  for (const h of hits) assert.equal(h.text.slice(h.column - 1, h.column - 1 + h.length).toLowerCase(), "yb_3ds");
  assert.equal(lib.searchFiles([{ name: "a.pd", text }], "").length, 0);
  // The fee decisions inside a tariff's terms blocks, under their block's name.
  const terms = `tariff t {
  refunds {
    fees {
      when currency == RUB {
        merchant.settlement -> system.settlement : 1.00 RUB
      }
    }
  }
  chargebacks {
    fees {
      merchant.settlement -> system.settlement : 500.00 RUB
    }
    reserve {
      when currency == RUB {
        merchant.settlement -> merchant.guarantee : amount
      }
    }
  }
}
`;
  const [tt] = lib.outlineOf([{ name: "t.pd", text: terms }]);
  assert.deepEqual(tt.items.map((i) => [i.label, i.depth]),
    [["refund fees", 0], ["when currency == RUB", 1], ["chargeback fees", 0], ["chargeback reserve", 0], ["when currency == RUB", 1]]);
});

test("a test's given becomes the evaluator's context", () => {
  const [p] = lib.presetsFromTests([domain]);
  assert.equal(p.name, "Mastercard pays 1%");
  assert.deepEqual(p.expect, ["posting merchant.settlement -> system.settlement 60.00 RUB", "route in [yb_3ds, yb_fast]"]);
  const { context } = lib.contextFromGiven(p.given.concat(lib.parseGiven('bin "427600" health yb_3ds failure_rate 80% turnover card_daily 100.50 RUB party "acme"')), () => 2);
  assert.deepEqual(context, {
    tariff: "standard", amount: { amount: 600000, currency: "RUB" },
    payment_tool: { kind: "bank_card", payment_system: "mastercard", bin: "427600" }, risk: "low",
    health: { yb_3ds: { failure_rate: "80%" } }, turnover: { card_daily: { amount: 10050, currency: "RUB" } }, party: "acme",
  });
  assert.match(lib.contextFromGiven(lib.parseGiven("amount 1.234 RUB"), () => 2).error, /not money/);
  assert.equal(lib.formatMinor(600000, 2), "6000.00");
  assert.equal(lib.formatMinor(5, 2), "0.05");
  assert.equal(lib.formatMinor(7, 0), "7");
});

test("expectations are compared with a result", () => {
  const res = {
    terms: { status: "allowed" },
    cash_flow: { status: "determined", postings: [{ from: "merchant.settlement", to: "system.settlement", amount: { amount: 7200, currency: "RUB" }, side: "merchant" }] },
    route: { status: "chosen", terminal: "yb_3ds", candidates: ["yb_3ds"] },
    limits: [{ limit: "card_daily", status: "applies", period: "day", timezone: "UTC", bound: { amount: 100000, currency: "RUB", inclusive: true } }],
    limits_not_applicable: [],
  };
  lib.generated.checkResult(res, "", true); // the fixture has the documented shape
  const v = (line) => lib.checkExpectation(line, res, () => 2);
  assert.equal(v("posting merchant.settlement -> system.settlement 72.00 RUB"), "pass");
  assert.equal(v("posting merchant.settlement -> system.settlement 60.00 RUB"), "fail");
  assert.equal(v("route in [yb_3ds, yb_fast]"), "pass");
  assert.equal(v("route yb_fast"), "fail");
  assert.equal(v("allowed"), "pass");
  assert.equal(v("limit card_daily applies"), "pass");
  assert.equal(v("limit other not applies"), "pass");
  assert.equal(v("undetermined"), "unknown");
});

test("a JSON context (a server sample) becomes given entries and back", () => {
  const ctx = {
    operation: "refund", party: "acme-retail-llc", time: "2026-11-25T12:00:00Z", tariff: "standard",
    amount: { amount: 600000, currency: "RUB" }, payment_amount: { amount: 750000, currency: "RUB" },
    payment_tool: { kind: "bank_card", payment_system: "mastercard", issuer_country: "RU", token: "card-5f1e" },
    risk: "low", health: { yb_3ds: { failure_rate: "80%", latency_ms: 1200 } }, turnover: { shop_monthly_count: 3 },
  };
  const given = lib.givenFromContext(ctx, () => 2);
  assert.equal(lib.formatGiven(given), [
    "operation refund", 'party "acme-retail-llc"', 'time "2026-11-25T12:00:00Z"', "tariff standard", "amount 6000.00 RUB",
    "payment_amount 7500.00 RUB",
    "payment_tool bank_card", "payment_system mastercard", "issuer_country RU", 'token "card-5f1e"', "risk low",
    "health yb_3ds failure_rate 80%", "health yb_3ds latency_ms 1200", "turnover shop_monthly_count 3"].join("\n"));
  const back = lib.contextFromGiven(lib.parseGiven(lib.formatGiven(given)), () => 2).context;
  assert.deepEqual(back, { ...ctx, health: { yb_3ds: { failure_rate: "80%", latency_ms: 1200 } }, turnover: { shop_monthly_count: 3 } });
});

test("a limit kept per terminal gives its turnover per terminal", () => {
  const given = lib.parseGiven("turnover yb_daily yb_3ds 999000.00 RUB turnover yb_daily yb_fast 3 turnover card_daily 5.00 RUB");
  assert.deepEqual(given[0], { key: "turnover", target: "yb_daily", metric: "yb_3ds", value: "999000.00 RUB" });
  const { context } = lib.contextFromGiven(given, () => 2);
  assert.deepEqual(context, {
    turnover: { yb_daily: { yb_3ds: { amount: 99900000, currency: "RUB" }, yb_fast: 3 }, card_daily: { amount: 500, currency: "RUB" } },
  });
  const back = lib.givenFromContext(context, () => 2);
  assert.equal(lib.formatGiven(back),
    ["turnover yb_daily yb_3ds 999000.00 RUB", "turnover yb_daily yb_fast 3", "turnover card_daily 5.00 RUB"].join("\n"));
});

// ---- the server's answers against server/openapi.json ---------------------------------
const revision = { revision: 3, base: 2, author: "ann", message: "raise the fee", time: "2026-11-25T13:20:46.123Z", time_ms: 1795612846123, op_count: 1 };
const check = (name, v, strict = false) => lib.generated[`check${name}`](v, "", strict);

test("a documented answer passes its check; a missing or mistyped field fails naming its place", () => {
  check("Revision", revision, true);
  const { revision: _, ...noRev } = revision;
  assert.throws(() => check("Revision", noRev), (e) => e instanceof lib.ContractError && e.at === "/revision" && /missing/.test(e.message));
  assert.throws(() => check("Revision", { ...revision, revision: "3" }), (e) => e.at === "/revision" && /integer/.test(e.message));
  assert.throws(() => check("Revision", { ...revision, revision: 3.5 }), (e) => e.at === "/revision");
  // the old aliases are not read: {"rev": N} is a revision without "revision"
  assert.throws(() => check("Revision", { ...noRev, rev: 3 }), (e) => e.at === "/revision");
  // nested: the pointer goes down to the field
  const page = { revisions: [revision, { ...revision, author: null }] };
  assert.throws(() => check("RevisionPage", page), (e) => e.at === "/revisions/1/author");
  assert.throws(() => check("Diagnostic", { severity: "fatal", file: "a.pd", line: 1, column: 1, length: 1, code: "x", message: "m" }),
    (e) => e.at === "/severity" && /one of error, warning/.test(e.message));
  // nullable: a live token has "revoked": null, an absent "revoked" is drift
  const token = { id: 1, name: "core", role: "reader", hint: "pd_ab…", created: "2026-01-01T00:00:00.000Z", revoked: null };
  check("Token", token, true);
  const { revoked: __, ...noRevoked } = token;
  assert.throws(() => check("Token", noRevoked), (e) => e.at === "/revoked");
});

test("strict checks refuse fields openapi.json does not document; the editor's own checks accept them", () => {
  check("Revision", { ...revision, extra: 1 });
  assert.throws(() => check("Revision", { ...revision, extra: 1 }, true), (e) => e.at === "/extra" && /does not document/.test(e.message));
  // a context is free-form JSON
  check("ContextList", { contexts: [{ name: "a", context: { anything: { goes: [1] } } }] }, true);
});

// Api.call against a stand-in fetch answering `status` with `body`.
async function callWith(status, body, fn) {
  const saved = globalThis.fetch;
  globalThis.fetch = async () => new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
  try { return await fn(new lib.Api("t")); } finally { globalThis.fetch = saved; }
}

test("Api reads the documented fields and fails loudly on an answer that lacks one", async () => {
  assert.equal(await callWith(200, revision, (api) => api.head()), 3);
  const { revision: _, ...noRev } = revision;
  await assert.rejects(callWith(200, { ...noRev, rev: 3 }, (api) => api.head()),
    (e) => e instanceof lib.AnswerError && e.code === "unexpected-answer" && /GET \/v1\/head/.test(e.message) && /\/revision: missing/.test(e.message));
  await assert.rejects(callWith(200, "<html>", (api) => api.head()), (e) => e instanceof lib.AnswerError && /not JSON/.test(e.message));
  // a commit answer is the new revision with rebased/replayed/warnings
  const commit = { ...revision, rebased: false, replayed: false, warnings: [] };
  assert.equal((await callWith(201, commit, (api) => api.commit([], 2, "m"))).revision, 3);
  await assert.rejects(callWith(201, { revision: { revision: 3 } }, (api) => api.commit([], 2, "m")), (e) => e instanceof lib.AnswerError);
  // one context evaluated: "result" is required of this answer although the schema makes it optional (batches have "results")
  await assert.rejects(callWith(200, { revision: 3, results: [] }, (api) => api.evaluateAt(3, {})), (e) => e instanceof lib.AnswerError && /\/result: missing/.test(e.message));
});

test("Api turns the Error shape into ApiError, and anything else into AnswerError", async () => {
  const conflict = { error: { code: "conflict", message: "changed since", path: "" },
    conflicts: [{ kind: "tariff", id: "standard", revisions: [4] }] };
  await assert.rejects(callWith(409, conflict, (api) => api.commit([], 2, "m")), (e) => {
    assert.ok(e instanceof lib.ApiError && !(e instanceof lib.AnswerError));
    assert.equal(e.status, 409);
    assert.equal(e.code, "conflict");
    assert.deepEqual(lib.conflictsOf(e.body), [{ kind: "tariff", id: "standard", revisions: [4] }]);
    return true;
  });
  await assert.rejects(callWith(409, { code: "conflict" }, (api) => api.commit([], 2, "m")),
    (e) => e instanceof lib.AnswerError && e.status === 409 && /\/error: missing/.test(e.message));
});

test("gen-api refuses schema constructs it does not handle instead of typing them loosely", () => {
  const dir = mkdtempSync(join(tmpdir(), "pd-gen-api-"));
  try {
    const doc = JSON.parse(readFileSync(join(here, "../../server/openapi.json"), "utf8"));
    const write = (d) => { const p = join(dir, "openapi.json"); writeFileSync(p, JSON.stringify(d)); return p; };
    assert.match(generateApi(write(doc)), /"GET \/v1\/head": Revision;/);
    const bad = structuredClone(doc);
    bad.components.schemas.Revision.properties.revision = { oneOf: [{ type: "integer" }, { type: "string" }] };
    assert.throws(() => generateApi(write(bad)), /"oneOf" is not supported/);
    const inline = structuredClone(doc);
    inline.paths["/v1/head"].get.responses["200"].content["application/json"].schema = { type: "object" };
    assert.throws(() => generateApi(write(inline)), /GET \/v1\/head 200: name the answer's schema/);
    const req = structuredClone(doc);
    req.components.schemas.Revision.required.push("revison");
    assert.throws(() => generateApi(write(req)), /required "revison" is not a property/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("fields land at their schema paths, and back", () => {
  const { context } = lib.contextFromGiven(lib.parseGiven('token "card-1" token_provider applepay wallet_provider qiwi flow hold'), () => 2);
  assert.deepEqual(context, { payment_tool: { token: "card-1", token_provider: "applepay", wallet_provider: "qiwi" }, flow: "hold" });
  assert.equal(lib.formatGiven(lib.givenFromContext(context, () => 2)),
    ['token "card-1"', "token_provider applepay", "wallet_provider qiwi", "flow hold"].join("\n"));
});

// The committed vocabulary is what the binary under test says: regenerate and compare.
const bin = process.env.PAYDOMAIN_BIN;
test("src/vocabulary.generated.ts matches `paydomain schema --json`", { skip: !bin && "PAYDOMAIN_BIN is not set" }, async () => {
  const { readSchema, vocabularyModule, generatedPath } = await import("../vocabulary.mjs");
  const { readFileSync } = await import("node:fs");
  const expected = vocabularyModule(readSchema(bin));
  assert.equal(readFileSync(generatedPath, "utf8"), expected,
    `src/vocabulary.generated.ts is stale: run \`node web_editor/vocabulary.mjs ${bin}\` and commit it`);
});

test("completion offers the working copy's criteria and the card attributes where a condition starts", async () => {
  const lang = await loadSrc(
    `export { paydomainCompletion, setObjectIndex } from "./lang";
     export { EditorState } from "@codemirror/state"; export { CompletionContext } from "@codemirror/autocomplete";`);
  const ix = new Map([["criterion", new Set(["high_value_foreign"])], ["terminal", new Set(["yb_3ds"])]]);
  lang.setObjectIndex(ix);
  const complete = (doc) => {
    const state = lang.EditorState.create({ doc });
    const r = lang.paydomainCompletion(new lang.CompletionContext(state, doc.length, true));
    return r ? r.options.map((o) => o.label) : [];
  };
  for (const doc of ["routing main {\n  when hi", "limit l { scope [shop] period day count < 3 when currency == RUB and hi",
                     "criterion c { when not hi"]) {
    const labels = complete(doc);
    assert.ok(labels.includes("high_value_foreign"), doc);
    assert.ok(labels.includes("card_type") && labels.includes("issuer_bank"), doc);
    assert.ok(!labels.includes("yb_3ds"), doc);
  }
  // After `candidate`, terminals (not criteria).
  assert.ok(complete("routing main {\n  candidate y").includes("yb_3ds"));
  assert.ok(!complete("routing main {\n  candidate y").includes("high_value_foreign"));
  // A test's given: `turnover LIMIT TERMINAL VALUE` (limit-aware routing) and `health TERMINAL METRIC VALUE`.
  lang.setObjectIndex(new Map([...ix, ["limit", new Set(["yb_daily"])], ["provider", new Set(["yellowbank"])]]));
  const given = 'test "t" {\n  given {\n    tariff standard\n    ';
  assert.deepEqual(complete(given + "turnover "), ["yb_daily"]);
  assert.deepEqual(complete(given + "turnover yb_daily ").sort(), ["yb_3ds", "yellowbank"]);
  assert.deepEqual(complete('test "t" { given { amount 1.00 RUB  turnover yb'), ["yb_daily"]);
  assert.deepEqual(complete(given + "health ").sort(), ["yb_3ds", "yellowbank"]);
  assert.deepEqual(complete(given + "health yb_3ds "), ["failure_rate", "latency_ms"]);
});

test("completion offers the account roles after `account`, then the currencies", async () => {
  const lang = await loadSrc(
    `export { paydomainCompletion, setObjectIndex } from "./lang";
     export { EditorState } from "@codemirror/state"; export { CompletionContext } from "@codemirror/autocomplete";`);
  lang.setObjectIndex(new Map([["currency", new Set(["RUB", "USD"])], ["tariff", new Set(["standard"])]]));
  const complete = (doc) => {
    const state = lang.EditorState.create({ doc });
    const r = lang.paydomainCompletion(new lang.CompletionContext(state, doc.length, true));
    return r ? r.options.map((o) => o.label) : [];
  };
  const roles = complete("payment_institution acme_ru {\n  account ");
  assert.ok(roles.includes("system.settlement") && roles.includes("RUB"), roles.join(","));
  assert.ok(!roles.includes("standard"), roles.join(","));
  assert.deepEqual(complete("payment_institution acme_ru {\n  account system.settlement ").sort(), ["RUB", "USD"]);
  assert.ok(complete('test "t" {\n  expect account ').includes("merchant.settlement"));
});

test("criteria are objects of the index (completion and highlighting of their names)", () => {
  const ix = lib.indexObjects(["criterion high_value_foreign { when amount > 1000.00 RUB }\ntariff t { fees { } }"]);
  assert.deepEqual([...(ix.get("criterion") ?? [])], ["high_value_foreign"]);
});

test("completion offers an enumerated field's values in a test's given, and IANA zones in a limit's timezone", async () => {
  const lang = await loadSrc(
    `export { paydomainCompletion } from "./lang";
     export { EditorState } from "@codemirror/state"; export { CompletionContext } from "@codemirror/autocomplete";`);
  const complete = (doc) => {
    const state = lang.EditorState.create({ doc });
    const r = lang.paydomainCompletion(new lang.CompletionContext(state, doc.length, true));
    return r ? { from: r.from, labels: r.options.map((o) => o.label) } : { from: -1, labels: [] };
  };
  assert.deepEqual(complete('test "t" {\n  given {\n    card_type ').labels, ["debit", "credit", "prepaid"]);
  assert.ok(complete('test "t" {\n  given {\n    token_provider ').labels.includes("none"));
  const doc = 'limit l {\n  timezone "Europe/Mo';
  const z = complete(doc);
  assert.ok(z.labels.includes("Europe/Moscow") && z.labels.includes("UTC"), z.labels.slice(0, 5).join(","));
  assert.equal(z.from, doc.length - "Europe/Mo".length);
  assert.deepEqual(complete('limit l {\n  name "Europe/Mo').labels, [], "no completion in other strings");
  assert.deepEqual(complete('limit l {\n  # timezone "Europe/Mo').labels, [], "nor in comments");
  // A weekday or time read in a zone: the zone names, then the weekday's values.
  const cond = 'tariff t {\n  fees {\n    when time("Europe/Be';
  const c = complete(cond);
  assert.ok(c.labels.includes("Europe/Berlin"), c.labels.slice(0, 5).join(","));
  assert.equal(c.from, cond.length - "Europe/Be".length);
  assert.ok(complete('tariff t {\n  fees {\n    when weekday("').labels.includes("UTC"));
  assert.deepEqual(complete('tariff t {\n  fees {\n    when weekday("Europe/Moscow") in [').labels,
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
});

test("a routing ruleset's statements as table rows, and the edits a cell makes", async () => {
  const t = await loadSrc(`export { routingStatements, routingTable } from "./routing-table";`);
  const text = `routing main {
  name "Main"
  when risk == fatal: decline "risk too high"  # no bank
  when payment_tool is wallet: use intl
  candidate bb_main priority 3000 when payment_system == mir
      or (payment_system == visa and bin starts_with "427600")
  # a comment between
  candidate yb_3ds priority 2000 weight 70 when risk in [low, high] and currency == RUB
  candidate bb_reserve
  use other
  exclude when health.failure_rate >= 70%
}
`;
  const st = t.routingStatements(text, 0, text.length);
  assert.deepEqual(st.map((s) => [s.kind, text.slice(s.from, s.to)]), [
    ["when", 'when risk == fatal: decline "risk too high"'],
    ["when", "when payment_tool is wallet: use intl"],
    ["candidate", 'candidate bb_main priority 3000 when payment_system == mir\n      or (payment_system == visa and bin starts_with "427600")'],
    ["candidate", "candidate yb_3ds priority 2000 weight 70 when risk in [low, high] and currency == RUB"],
    ["candidate", "candidate bb_reserve"],
    ["use", "use other"],
    ["exclude", "exclude when health.failure_rate >= 70%"],
  ]);
  assert.deepEqual(st[3].conjuncts, ["risk in [low, high]", "currency == RUB"]);
  const { columns, rows } = t.routingTable.read(text, 0, text.length);
  const conds = columns.filter((c) => c.kind === "condition").map((c) => c.key);
  assert.deepEqual(conds, ["risk", "payment_tool", "payment_system", "currency", "health.failure_rate"]);
  assert.equal(rows[2].cells.get("payment_system"), '== mir or (payment_system == visa and bin starts_with "427600")');
  const edit = (r, key, value) => {
    const c = t.routingTable.rewrite(text, rows[r], key, value, conds);
    return c && text.slice(0, c.from) + c.insert + text.slice(c.to);
  };
  assert.match(edit(3, "weight", "30"), /candidate yb_3ds priority 2000 weight 30 when/);
  assert.match(edit(3, "priority", ""), /candidate yb_3ds  weight 70 when/);
  assert.match(edit(4, "weight", "5"), /candidate bb_reserve weight 5\n/);
  assert.match(edit(4, "risk", "== low"), /candidate bb_reserve when risk == low\n/);
  assert.match(edit(3, "risk", ""), /candidate yb_3ds priority 2000 weight 70 when currency == RUB\n/);
  assert.match(edit(3, "currency", ""), /when risk in \[low, high\]\n/);
  assert.match(edit(0, "route", 'decline "fraud"'), /when risk == fatal: decline "fraud"  # no bank/);
  assert.equal(edit(0, "risk", ""), null, "a when keeps a condition");
  assert.equal(edit(3, "weight", "heavy"), null, "a weight is a number");
  assert.equal(edit(1, "priority", "5"), null, "only candidates have priorities");
});

test("highlighting: an enumeration's values after their attribute, the working copy's criteria, a criterion's definition", async () => {
  const lang = await loadSrc(`export { streamParser, setObjectIndex } from "./lang"; export { StringStream } from "@codemirror/language";`);
  lang.setObjectIndex(new Map([["criterion", new Set(["anonymous_card"])]]));
  const styles = (lines) => {
    const state = lang.streamParser.startState();
    const out = [];
    for (const line of lines) {
      const s = new lang.StringStream(line, 4, 2);
      while (!s.eol()) {
        const style = lang.streamParser.token(s, state);
        if (style && /\w/.test(s.current())) out.push(`${s.current()}:${style}`);
        s.start = s.pos;
      }
    }
    return out;
  };
  assert.deepEqual(styles(["criterion anonymous_card {", "  when card_type is prepaid and token_provider in [none, applepay]", "}"]), [
    "criterion:kind", "anonymous_card:def", "when:keyword", "card_type:contextAttribute", "is:operatorKeyword", "prepaid:atom",
    "and:operatorKeyword", "token_provider:contextAttribute", "in:operatorKeyword", "none:atom", "applepay:atom"]);
  assert.deepEqual(styles(["routing r {", "  when anonymous_card and issuer_bank == \"sberbank\": decline", "}"]).filter((x) => !x.startsWith("routing")), [
    "r:def", "when:keyword", "anonymous_card:criterion", "and:operatorKeyword", "issuer_bank:contextAttribute", '"sberbank":string', "decline:keyword"]);
  // outside its attribute's line, a value is an ordinary word
  assert.ok(styles(["tariff t {", "  name prepaid", "}"]).includes("prepaid:variableName"));
  // a weekday or time read in a time zone: the attribute, the zone as a string, the weekday's values
  assert.deepEqual(styles(["tariff t {", '  fees { when weekday("Europe/Moscow") in [sat] and time("+03:00") < 09:00 { } }', "}"]).slice(2), [
    "fees:keyword", "when:keyword", "weekday:contextAttribute", '"Europe/Moscow":string', "in:operatorKeyword", "sat:atom",
    "and:operatorKeyword", "time:contextAttribute", '"+03:00":string', "09:00:number"]);
});
