// Unit tests of the page's pure logic (no browser, no server): the object
// scanner, the object-level diff and rebase, given -> context, expectations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "pd-editor-unit-"));
const out = join(dir, "lib.mjs");
await build({
  stdin: {
    contents: `export * from "./objects"; export * from "./rebase"; export * from "./given"; export * from "./context"; export * from "./expect";`,
    resolveDir: join(here, "../src"), loader: "ts",
  },
  bundle: true, format: "esm", platform: "node", outfile: out, logLevel: "error",
});
const lib = await import(out);
rmSync(dir, { recursive: true, force: true });

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
    cash_flow: { postings: [{ from: "merchant.settlement", to: "system.settlement", amount: { amount: 7200, currency: "RUB" } }] },
    route: { status: "chosen", terminal: "yb_3ds" }, limits: [{ limit: "card_daily", status: "applies" }],
  };
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
