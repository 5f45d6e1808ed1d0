// From a `given` (the language's test syntax, as the Try-it form and the
// analysts' tests write it) to the evaluator's JSON payment context
// (evaluator/json.h, docs/evaluation.md): money in minor units of its currency,
// the card's attributes under "payment_tool", health and turnover by object id.
import type { GivenEntry } from "./given";
import type { Json, JsonObject } from "./api";

export function toMinor(text: string, exp: number): number | null {
  const m = /^\s*(-?)(\d+)(?:[.,](\d+))?\s*$/.exec(text);
  if (!m) return null;
  const frac = (m[3] ?? "").padEnd(exp, "0");
  if (frac.length > exp) return null;
  const v = Number(m[2]) * 10 ** exp + Number(frac || "0");
  return m[1] ? -v : v;
}

export function formatMinor(minor: number, exp: number): string {
  const neg = minor < 0;
  const s = String(Math.abs(minor)).padStart(exp + 1, "0");
  const out = exp ? `${s.slice(0, s.length - exp)}.${s.slice(s.length - exp)}` : s;
  return (neg ? "-" : "") + out;
}

function scalar(v: string): string {
  return v.startsWith('"') ? String(JSON.parse(v)) : v;
}

/** Money "6000.00 RUB" -> {amount: 600000, currency: "RUB"}; null when it is not money. */
export function moneyValue(v: string, exponentOf: (cur: string) => number): { amount: number; currency: string } | null {
  const m = /^(-?\d+(?:\.\d+)?)\s+([A-Z]{3})$/.exec(v.trim());
  if (!m) return null;
  const minor = toMinor(m[1], exponentOf(m[2]));
  return minor === null ? null : { amount: minor, currency: m[2] };
}

// Fields that describe the payment tool: nested under "payment_tool" (evaluator/json.h).
const TOOL_FIELDS = ["payment_system", "issuer_country", "bin", "wallet_provider", "token_provider", "token"];

/** The context of `entries`, or an error for the analyst (the context is then empty). */
export function contextFromGiven(entries: GivenEntry[], exponentOf: (cur: string) => number): { context: JsonObject; error?: string } {
  const ctx: JsonObject = {};
  // The nested objects are created where their first field appears, so the
  // context's members keep the order of the given.
  const nested = (key: string): JsonObject => {
    const v = ctx[key];
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
    const o: JsonObject = {};
    ctx[key] = o;
    return o;
  };
  for (const e of entries) {
    if (e.key === "health") {
      const health = nested("health");
      const target = e.target ?? "";
      const h = health[target];
      const metrics: JsonObject = h && typeof h === "object" && !Array.isArray(h) ? h : (health[target] = {});
      const pct = /^(\d+(?:\.\d+)?)%$/.exec(e.value);
      metrics[e.metric ?? ""] = pct ? `${pct[1]}%` : Number(e.value);
    } else if (e.key === "turnover") {
      const m = moneyValue(e.value, exponentOf);
      nested("turnover")[e.target ?? ""] = m ?? Number(e.value);
    } else if (e.key === "amount" || e.key === "payment_amount") {
      const m = moneyValue(e.value, exponentOf);
      if (!m) return { context: {}, error: `${e.key} "${e.value}" is not money like 6000.00 RUB (with at most the currency's decimals)` };
      ctx[e.key] = m;
    } else if (e.key === "payment_tool") {
      nested("payment_tool").kind = scalar(e.value);
    } else if (TOOL_FIELDS.includes(e.key)) {
      nested("payment_tool")[e.key] = scalar(e.value);
    } else {
      ctx[e.key] = scalar(e.value);
    }
  }
  return { context: ctx };
}

// Fields whose values are strings in the `given` syntax (the rest are ids or enum words).
const STRING_FIELDS = ["party", "shop", "time", "payment_key", "bin", "token"];

/** The inverse of contextFromGiven: a JSON context (e.g. a server sample) as `given` entries. */
// A context is free-form JSON (openapi.json's Context): these read its nested parts.
const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The inverse of contextFromGiven: a JSON context (e.g. a server sample) as `given` entries. */
export function givenFromContext(ctx: JsonObject, exponentOf: (cur: string) => number): GivenEntry[] {
  const out: GivenEntry[] = [];
  const val = (k: string, v: Json) => (STRING_FIELDS.includes(k) || (typeof v === "string" && !/^[A-Za-z_][\w]*$/.test(v)) ? JSON.stringify(String(v)) : String(v));
  const money = (m: JsonObject) => `${formatMinor(Number(m.amount), exponentOf(String(m.currency)))} ${String(m.currency)}`;
  for (const [k, v] of Object.entries(ctx)) {
    if ((k === "amount" || k === "payment_amount") && isObject(v)) out.push({ key: k, value: money(v) });
    else if (k === "payment_tool" && isObject(v)) {
      for (const [tk, tv] of Object.entries(v)) out.push({ key: tk === "kind" ? "payment_tool" : tk, value: val(tk, tv) });
    } else if (k === "health" && isObject(v)) {
      for (const [target, metrics] of Object.entries(v)) {
        if (isObject(metrics)) for (const [metric, mv] of Object.entries(metrics)) out.push({ key: "health", target, metric, value: String(mv) });
      }
    } else if (k === "turnover" && isObject(v)) {
      for (const [target, tv] of Object.entries(v)) out.push({ key: "turnover", target, value: isObject(tv) ? money(tv) : String(tv) });
    } else if (v !== null && typeof v !== "object") out.push({ key: k, value: val(k, v) });
  }
  return out;
}
