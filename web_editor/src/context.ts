// From a `given` (the language's test syntax, as the Try-it form and the
// analysts' tests write it) to the evaluator's JSON payment context
// (evaluator/json.h, docs/evaluation.md): money in minor units of its currency,
// each field at its path of the context schema (vocabulary.contextFields, from
// `paydomain schema --json`: "payment_system" under "payment_tool"), health
// and turnover by object id.
import type { GivenEntry } from "./given";
import { vocabulary, type ContextField } from "./vocabulary.generated";

const fieldByName = new Map(vocabulary.contextFields.map((f) => [f.name, f]));
const fieldByPath = new Map(vocabulary.contextFields.map((f) => [f.path, f]));

/** Sets `value` at a dotted path, creating the objects on the way. */
function setPath(ctx: any, path: string, value: unknown): void {
  const keys = path.split(".");
  let o = ctx;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys[keys.length - 1]] = value;
}

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

export function contextFromGiven(entries: GivenEntry[], exponentOf: (cur: string) => number): { context: any; error?: string } {
  const ctx: any = {};
  for (const e of entries) {
    const f: ContextField | undefined = fieldByName.get(e.key);
    if (f?.type === "health") {
      const h = (ctx[f.path] ??= {});
      h[e.target!] ??= {};
      const pct = /^(\d+(?:\.\d+)?)%$/.exec(e.value);
      h[e.target!][e.metric!] = pct ? `${pct[1]}%` : Number(e.value);
    } else if (f?.type === "turnover") {
      const t = (ctx[f.path] ??= {});
      const m = moneyValue(e.value, exponentOf);
      t[e.target!] = m ?? Number(e.value);
    } else if (f?.type === "money") {
      const m = moneyValue(e.value, exponentOf);
      if (!m) return { context: null, error: `${e.key} "${e.value}" is not money like 6000.00 RUB (with at most the currency's decimals)` };
      setPath(ctx, f.path, m);
    } else {
      // An unknown name goes as is: the server names it in its error.
      setPath(ctx, f ? f.path : e.key, scalar(e.value));
    }
  }
  return { context: ctx };
}

// Field types whose values are strings in the `given` syntax (the rest are ids, enum words, money).
const STRING_TYPES = ["text", "bin", "timestamp"];

/** The inverse of contextFromGiven: a JSON context (e.g. a server sample) as `given` entries. */
export function givenFromContext(ctx: any, exponentOf: (cur: string) => number): GivenEntry[] {
  const out: GivenEntry[] = [];
  const val = (f: ContextField | undefined, v: unknown) =>
    ((f && STRING_TYPES.includes(f.type)) || (typeof v === "string" && !/^[A-Za-z_][\w]*$/.test(v)) ? JSON.stringify(String(v)) : String(v));
  const money = (m: any) => `${formatMinor(Number(m.amount), exponentOf(m.currency))} ${m.currency}`;
  const visit = (prefix: string, obj: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(obj ?? {})) {
      const path = prefix ? `${prefix}.${k}` : k;
      const f = fieldByPath.get(path);
      const isObject = v !== null && typeof v === "object";
      if (f?.type === "money" && isObject) out.push({ key: f.name, value: money(v) });
      else if (f?.type === "health" && isObject) {
        for (const [target, metrics] of Object.entries(v as Record<string, any>)) {
          for (const [metric, mv] of Object.entries(metrics ?? {})) out.push({ key: f.name, target, metric, value: String(mv) });
        }
      } else if (f?.type === "turnover" && isObject) {
        for (const [target, tv] of Object.entries(v as Record<string, any>)) out.push({ key: f.name, target, value: tv && typeof tv === "object" ? money(tv) : String(tv) });
      } else if (!f && isObject && !prefix) visit(path, v as Record<string, unknown>);  // a group: payment_tool
      else if (v !== null && !isObject) out.push({ key: f ? f.name : k, value: val(f, v) });
    }
  };
  visit("", ctx);
  return out;
}
