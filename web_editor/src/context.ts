// From a `given` (the language's test syntax, as the Try-it form and the
// analysts' tests write it) to the evaluator's JSON payment context
// (evaluator/json.h, docs/evaluation.md): money in minor units of its currency,
// each field at its path of the context schema (vocabulary.contextFields, from
// `paydomain schema --json`: "payment_system" under "payment_tool"), health
// and turnover by object id.
import type { GivenEntry } from "./given";
import type { Json, JsonObject } from "./api";
import { vocabulary, type ContextField } from "./vocabulary.generated";

const fieldByName = new Map(vocabulary.contextFields.map((f) => [f.name, f]));
const fieldByPath = new Map(vocabulary.contextFields.map((f) => [f.path, f]));

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The object at `key` of `o`, created (in the order fields appear) when absent. */
function child(o: JsonObject, key: string): JsonObject {
  const v = o[key];
  if (isObject(v)) return v;
  const created: JsonObject = {};
  o[key] = created;
  return created;
}

/** Sets `value` at a dotted path, creating the objects on the way. */
function setPath(ctx: JsonObject, path: string, value: Json): void {
  const keys = path.split(".");
  let o = ctx;
  for (const k of keys.slice(0, -1)) o = child(o, k);
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

/** The context of `entries`, or an error for the analyst (the context is then empty). */
export function contextFromGiven(entries: GivenEntry[], exponentOf: (cur: string) => number): { context: JsonObject; error?: string } {
  const ctx: JsonObject = {};
  for (const e of entries) {
    const f: ContextField | undefined = fieldByName.get(e.key);
    if (f?.type === "health") {
      const metrics = child(child(ctx, f.path), e.target ?? "");
      const pct = /^(\d+(?:\.\d+)?)%$/.exec(e.value);
      metrics[e.metric ?? ""] = pct ? `${pct[1]}%` : Number(e.value);
    } else if (f?.type === "turnover") {
      const m = moneyValue(e.value, exponentOf);
      const limit = child(ctx, f.path);
      // A limit kept per terminal (or provider): {"<limit>": {"<terminal>": value}}.
      if (e.metric) child(limit, e.target ?? "")[e.metric] = m ?? Number(e.value);
      else limit[e.target ?? ""] = m ?? Number(e.value);
    } else if (f?.type === "money") {
      const m = moneyValue(e.value, exponentOf);
      if (!m) return { context: {}, error: `${e.key} "${e.value}" is not money like 6000.00 RUB (with at most the currency's decimals)` };
      setPath(ctx, f.path, m);
    } else if (f?.type === "number" && /^\d+$/.test(e.value)) {
      setPath(ctx, f.path, Number(e.value));  // original_revision 41
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
export function givenFromContext(ctx: JsonObject, exponentOf: (cur: string) => number): GivenEntry[] {
  const out: GivenEntry[] = [];
  const val = (f: ContextField | undefined, v: Json) =>
    ((f && STRING_TYPES.includes(f.type)) || (typeof v === "string" && !/^[A-Za-z_][\w]*$/.test(v)) ? JSON.stringify(String(v)) : String(v));
  const money = (m: JsonObject) => {
    const currency = String(m.currency);
    return `${formatMinor(Number(m.amount), exponentOf(currency))} ${currency}`;
  };
  const visit = (prefix: string, obj: JsonObject) => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      const f = fieldByPath.get(path);
      if (f?.type === "money" && isObject(v)) out.push({ key: f.name, value: money(v) });
      else if (f?.type === "health" && isObject(v)) {
        for (const [target, metrics] of Object.entries(v)) {
          if (isObject(metrics)) for (const [metric, mv] of Object.entries(metrics)) out.push({ key: f.name, target, metric, value: String(mv) });
        }
      } else if (f?.type === "turnover" && isObject(v)) {
        for (const [target, tv] of Object.entries(v)) {
          if (isObject(tv) && !("amount" in tv)) {  // per terminal (or provider)
            for (const [route, rv] of Object.entries(tv)) out.push({ key: f.name, target, metric: route, value: isObject(rv) ? money(rv) : String(rv) });
          } else out.push({ key: f.name, target, value: isObject(tv) ? money(tv) : String(tv) });
        }
      } else if (!f && isObject(v) && !prefix) visit(path, v);  // a group: payment_tool
      else if (v !== null && typeof v !== "object") out.push({ key: f ? f.name : k, value: val(f, v) });
    }
  };
  visit("", ctx);
  return out;
}
