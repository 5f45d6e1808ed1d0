// From a `given` (the language's test syntax, as the Try-it form and the
// analysts' tests write it) to the evaluator's JSON payment context
// (evaluator/json.h, docs/evaluation.md): money in minor units of its currency,
// the card's attributes under "payment_tool", health and turnover by object id.
import type { GivenEntry } from "./given";

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
  return v.startsWith('"') ? JSON.parse(v) : v;
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

export function contextFromGiven(entries: GivenEntry[], exponentOf: (cur: string) => number): { context: any; error?: string } {
  const ctx: any = {};
  for (const e of entries) {
    if (e.key === "health") {
      ctx.health ??= {};
      ctx.health[e.target!] ??= {};
      const pct = /^(\d+(?:\.\d+)?)%$/.exec(e.value);
      ctx.health[e.target!][e.metric!] = pct ? `${pct[1]}%` : Number(e.value);
    } else if (e.key === "turnover") {
      ctx.turnover ??= {};
      const m = moneyValue(e.value, exponentOf);
      ctx.turnover[e.target!] = m ?? Number(e.value);
    } else if (e.key === "amount") {
      const m = moneyValue(e.value, exponentOf);
      if (!m) return { context: null, error: `amount "${e.value}" is not money like 6000.00 RUB (with at most the currency's decimals)` };
      ctx.amount = m;
    } else if (e.key === "payment_tool") {
      ctx.payment_tool ??= {};
      ctx.payment_tool.kind = scalar(e.value);
    } else if (TOOL_FIELDS.includes(e.key)) {
      ctx.payment_tool ??= {};
      ctx.payment_tool[e.key] = scalar(e.value);
    } else {
      ctx[e.key] = scalar(e.value);
    }
  }
  return { context: ctx };
}
