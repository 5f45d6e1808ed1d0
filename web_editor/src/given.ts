// Sample payments for the Try-it panel, read from the `test` objects of the
// working copy (their `given` blocks, in the language's own syntax), so an
// analyst's examples are the presets. Values stay as written ("6000.00 RUB",
// "\"shop-1\"", "80%"); context.ts turns them into the evaluator's JSON.
import { scanObjects } from "./objects";

export interface GivenEntry { key: string; value: string; target?: string; metric?: string }
export interface Preset { name: string; given: GivenEntry[]; expect: string[] }

const TOKEN = /"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d+)?%|\d+(?:\.\d+)?(?:\s+[A-Z]{3}(?![A-Za-z0-9_]))?|[A-Za-z_][\w.]*|#[^\n]*|\S/g;

/** Entries of a `given { ... }` body (without the braces). */
export function parseGiven(body: string): GivenEntry[] {
  const toks = (body.match(TOKEN) || []).filter((t) => !t.startsWith("#"));
  const out: GivenEntry[] = [];
  for (let i = 0; i < toks.length;) {
    const k = toks[i];
    if (k === "health" && i + 3 < toks.length) { out.push({ key: k, target: toks[i + 1], metric: toks[i + 2], value: toks[i + 3] }); i += 4; }
    // `turnover LIMIT [TERMINAL] VALUE`: a limit kept per terminal (or provider) names whose counter (in `metric`).
    else if (k === "turnover" && i + 3 < toks.length && /^[A-Za-z_]\w*$/.test(toks[i + 2])) { out.push({ key: k, target: toks[i + 1], metric: toks[i + 2], value: toks[i + 3] }); i += 4; }
    else if (k === "turnover" && i + 2 < toks.length) { out.push({ key: k, target: toks[i + 1], value: toks[i + 2] }); i += 3; }
    else if (i + 1 < toks.length) { out.push({ key: k, value: toks[i + 1] }); i += 2; }
    else i++;
  }
  return out;
}

export function formatGiven(entries: GivenEntry[]): string {
  return entries.map((e) => (e.key === "health" ? `health ${e.target} ${e.metric} ${e.value}` : e.key === "turnover" ? `turnover ${e.target}${e.metric ? ` ${e.metric}` : ""} ${e.value}` : `${e.key} ${e.value}`)).join("\n");
}

/** Presets from every `test "..." { given {...} expect ... }` of the files. */
export function presetsFromTests(texts: string[]): Preset[] {
  const out: Preset[] = [];
  for (const text of texts) {
    for (const o of scanObjects(text)) {
      if (o.kind !== "test") continue;
      const g = /\bgiven\s*\{([^}]*)\}/.exec(o.text);
      if (!g) continue;
      const expect = [...o.text.matchAll(/^\s*expect\s+([^\n#]*)/gm)].map((m) => m[1].trim());
      out.push({ name: o.id, given: parseGiven(g[1]), expect });
    }
  }
  return out;
}

export const fallbackPresets: Preset[] = [
  { name: "Mastercard 6000.00 RUB, retail, low risk", expect: [], given: parseGiven(
    'tariff standard amount 6000.00 RUB payment_tool bank_card payment_system mastercard issuer_country RU category retail risk low payment_key "order-1"') },
  { name: "Visa 1500.00 RUB, high risk", expect: [], given: parseGiven(
    'tariff standard amount 1500.00 RUB payment_tool bank_card payment_system visa issuer_country RU category retail risk high payment_key "order-2"') },
];
