// The paydomain language in CodeMirror: a stream tokenizer for highlighting,
// brace folding, comment toggling and context-aware autocompletion.
// The vocabulary (keywords, context attributes, enums, accounts) is generated
// at build time from grammar/PayDomain.g4 and dsl/schema.cc (see build.mjs),
// so the editor never drifts from the checker.
import { StreamLanguage, LanguageSupport, foldService, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import type { StringStream } from "@codemirror/language";
import { Tag, tags as t } from "@lezer/highlight";
import type { CompletionContext, CompletionResult, Completion } from "@codemirror/autocomplete";
import type { EditorState } from "@codemirror/state";
import { vocabulary } from "./vocabulary.generated";
import { scanObjects, type ObjectIndex } from "./objects";
import { inCommentOrString, matchBrace } from "./lang-util";
export { matchBrace };

export const objectKinds = vocabulary.objectKinds;
const kindSet = new Set(objectKinds);
const keywordSet = new Set(vocabulary.keywords);
const operatorWords = new Set(["and", "or", "not", "in", "is"]);
const literalWords = new Set(["true", "false"]);
const attributeSet = new Set(vocabulary.attributes.map((a) => a.name));
// The values of enumerated attributes and context fields (card_type: debit,
// credit...; token_provider: applepay... none), highlighted after their name.
const enumValues = new Map<string, Set<string>>([...vocabulary.attributes, ...vocabulary.contextFields]
  .filter((a) => a.values.length).map((a) => [a.name, new Set(a.values)]));

const moneyTag = Tag.define(t.number);
const percentTag = Tag.define(t.number);
const kindTag = Tag.define(t.definitionKeyword);
const accountTag = Tag.define(t.propertyName);
const attributeTag = Tag.define(t.attributeName);
const criterionTag = Tag.define(t.variableName);

/** Object ids of the whole working copy, kept up to date by the app. */
let objectIndex: ObjectIndex = new Map();
export function setObjectIndex(ix: ObjectIndex): void { objectIndex = ix; }

interface TokState {
  afterKind: boolean; // the next identifier names a new object
  depth: number;
  enumAttr: string; // the enumerated attribute last named on this line ("" for none)
}

export const streamParser = {
  name: "paydomain",
  startState: (): TokState => ({ afterKind: false, depth: 0, enumAttr: "" }),
  copyState: (s: TokState): TokState => ({ ...s }),
  token(stream: StringStream, state: TokState): string | null {
    if (stream.sol()) state.enumAttr = "";
    if (stream.eatSpace()) return null;
    if (stream.match(/^#.*/)) return "comment";
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    if (stream.match(/^\d\d:\d\d(?!\d)/)) return "number";
    if (stream.match(/^\d+(?:\.\d+)?%/)) return "percent";
    if (stream.match(/^\d+(?:\.\d+)?\s+[A-Z]{3}(?![A-Za-z0-9_])/)) return "money";
    if (stream.match(/^\d+(?:\.\d+)?/)) return "number";
    const dotted = stream.match(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (dotted) return attributeSet.has(dotted[0]) ? "contextAttribute" : "account";
    const m = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/) as RegExpMatchArray | null;
    if (m) {
      const w = m[0];
      if (state.afterKind) {
        state.afterKind = false;
        return "def";
      }
      if (state.depth === 0 && kindSet.has(w)) {
        state.afterKind = w !== "test";
        return "kind";
      }
      if (state.depth === 0 && w === "test") return "kind";
      if (/^[A-Z]{3}$/.test(w)) return "atom";
      if (operatorWords.has(w)) return "operatorKeyword";
      if (enumValues.has(w) && state.depth > 0) state.enumAttr = w;
      else if (state.enumAttr && enumValues.get(state.enumAttr)?.has(w)) return "atom";
      if (attributeSet.has(w) && !stream.match(/^\s*\{/, false)) return "contextAttribute";
      if (literalWords.has(w)) return "bool";
      if (keywordSet.has(w)) return "keyword";
      // A named condition used in a condition (the working copy's criteria).
      if (state.depth > 0 && objectIndex.get("criterion")?.has(w)) return "criterion";
      return "variableName";
    }
    const ch = stream.next() as string;
    if (ch === "{") { state.depth++; state.afterKind = false; return "brace"; }
    if (ch === "}") { state.depth = Math.max(0, state.depth - 1); return "brace"; }
    if ("[]()".includes(ch)) return "squareBracket";
    if (ch === "-" && stream.eat(">")) return "operator";
    if ("=!<>".includes(ch)) { stream.eat("="); return "operator"; }
    if (":,+/".includes(ch)) return "punctuation";
    return "invalid";
  },
  languageData: {
    commentTokens: { line: "#" },
    closeBrackets: { brackets: ["(", "[", "{", '"'] },
    indentOnInput: /^\s*\}$/,
  },
  indent(state: TokState, textAfter: string, cx: { unit: number }): number {
    const d = state.depth - (/^\s*\}/.test(textAfter) ? 1 : 0);
    return Math.max(0, d) * cx.unit;
  },
  tokenTable: {
    money: moneyTag,
    percent: percentTag,
    kind: kindTag,
    account: accountTag,
    contextAttribute: attributeTag,
    criterion: criterionTag,
    def: t.definition(t.variableName),
    operatorKeyword: t.operatorKeyword,
    bool: t.bool,
    brace: t.brace,
    squareBracket: t.squareBracket,
    punctuation: t.punctuation,
    invalid: t.invalid,
  },
};

export const paydomainLanguage = StreamLanguage.define(streamParser as never);

export const paydomainHighlight = HighlightStyle.define([
  { tag: t.comment, color: "var(--hl-comment, #6a737d)", fontStyle: "italic" },
  { tag: t.string, color: "var(--hl-string, #0a6e31)" },
  { tag: moneyTag, color: "var(--hl-money, #b35900)", fontWeight: "600" },
  { tag: percentTag, color: "var(--hl-money, #b35900)", fontWeight: "600" },
  { tag: t.number, color: "var(--hl-number, #1c5fb8)" },
  { tag: kindTag, color: "var(--hl-kind, #8a2be2)", fontWeight: "700" },
  { tag: t.keyword, color: "var(--hl-keyword, #a3007a)" },
  { tag: t.operatorKeyword, color: "var(--hl-keyword, #a3007a)", fontStyle: "italic" },
  { tag: t.bool, color: "var(--hl-number, #1c5fb8)" },
  { tag: t.definition(t.variableName), color: "var(--hl-def, #00529b)", fontWeight: "700" },
  { tag: t.atom, color: "var(--hl-atom, #7a4b00)" },
  { tag: accountTag, color: "var(--hl-account, #6f42c1)" },
  { tag: attributeTag, color: "var(--hl-attribute, #0b6e99)" },
  { tag: criterionTag, color: "var(--hl-account, #6f42c1)", fontStyle: "italic" },
  { tag: t.variableName, color: "var(--hl-variable, #24292e)" },
  { tag: t.invalid, color: "var(--hl-invalid, #d00)", textDecoration: "underline wavy" },
]);

// ---- folding: any line that opens a brace block folds to its matching brace.

/** Offset of the last `{` on a line that is not closed on the same line, or -1. */
function openingBraceOnLine(line: string): number {
  const stack: number[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') { i++; while (i < line.length && line[i] !== '"') { if (line[i] === "\\") i++; i++; } }
    else if (c === "#") break;
    else if (c === "{") stack.push(i);
    else if (c === "}") stack.pop();
  }
  return stack.length ? stack[stack.length - 1] : -1;
}

export const braceFolding = foldService.of((state: EditorState, lineStart: number, lineEnd: number) => {
  const line = state.doc.sliceString(lineStart, lineEnd);
  const col = openingBraceOnLine(line);
  if (col < 0) return null;
  const open = lineStart + col;
  // Scan forward from the brace; cap the scan so a huge unbalanced file stays cheap.
  const rest = state.doc.sliceString(open, Math.min(state.doc.length, open + 200000));
  const close = matchBrace(rest, 0);
  if (close < 0) return null;
  const to = open + close;
  if (state.doc.lineAt(to).number === state.doc.lineAt(open).number) return null;
  return { from: open + 1, to };
});

// ---- completion --------------------------------------------------------------


const attrByName = new Map(vocabulary.attributes.map((a) => [a.name, a]));

// Which kind of object an identifier after a keyword refers to.
const idAfterKeyword: Record<string, string> = {
  provider: "provider", adapter: "adapter", candidate: "terminal", use: "routing", routing: "routing",
  tariff: "tariff", currency: "currency", account: "currency", category: "category",
  payment_system: "payment_system", issuer_country: "country", wallet_provider: "wallet_provider",
  route: "terminal", limit: "limit",
  default_tariff: "tariff", payment_institution: "payment_institution", residences: "country", extends: "tariff",
};

function idOptions(kind: string | null): Completion[] {
  const out: Completion[] = [];
  for (const [k, ids] of objectIndex) {
    if (kind && k !== kind) continue;
    for (const id of ids) out.push({ label: id, type: k === "currency" ? "constant" : "variable", detail: k, boost: kind ? 5 : 0 });
  }
  return out;
}

function valueOptions(attr: string): Completion[] | null {
  const a = attrByName.get(attr);
  if (!a) return null;
  if (a.type === "enum") return a.values.map((v) => ({ label: v, type: "enum", detail: attr, boost: 5 }));
  if (a.type === "reference") return idOptions(a.refKind);
  return [];
}

const conditionStart = new Set(["when", "accepts", "and", "or", "not"]);

const keywordOptions: Completion[] = vocabulary.keywords.map((k) => ({
  label: k, type: kindSet.has(k) ? "class" : "keyword",
}));
const attributeOptions: Completion[] = vocabulary.attributes.map((a) => ({
  label: a.name, type: "property", detail: a.type.toLowerCase(), info: a.help,
}));
const accountOptions: Completion[] = vocabulary.accounts.map((a) => ({ label: a, type: "namespace", detail: "account" }));
// Context fields that hold an object's id, by name: their kind.
const referenceFields = new Map(
  vocabulary.contextFields.filter((f) => f.type === "reference" && f.refKind).map((f) => [f.name, f.refKind as string]),
);
const contextFieldOptions: Completion[] = vocabulary.contextFields.map((f) => ({
  label: f.name, type: "property", detail: "given", info: f.help,
}));

/** IANA time zone names (the browser's list, which follows the same tz database) and UTC. */
let zones: Completion[] | null = null;
function zoneOptions(): Completion[] {
  if (!zones) {
    const names = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
    zones = ["UTC", ...names.filter((n) => n !== "UTC")].map((n) => ({ label: n, type: "constant", detail: "time zone" }));
  }
  return zones;
}

/** Inside `timezone "...` or `weekday("...` / `time("...`: the zone names (the only strings the language completes). */
function zoneCompletion(cx: CompletionContext): CompletionResult | null {
  const line = cx.state.doc.lineAt(cx.pos);
  const m = /(?:\btimezone\s+|\b(?:weekday|time)\(\s*)"([\w/+:-]*)$/.exec(line.text.slice(0, cx.pos - line.from));
  if (!m || inCommentOrString(line.text, m.index)) return null;
  return { from: cx.pos - m[1].length, options: zoneOptions(), validFor: /^[\w/+:-]*$/ };
}

export function paydomainCompletion(cx: CompletionContext): CompletionResult | null {
  const zone = zoneCompletion(cx);
  if (zone) return zone;
  const word = cx.matchBefore(/[A-Za-z_][\w.]*/);
  if (!word && !cx.explicit) return null;
  const from = word ? word.from : cx.pos;
  const line = cx.state.doc.lineAt(cx.pos);
  // Nothing to complete inside a comment or a string (even when asked).
  if (inCommentOrString(line.text, cx.pos - line.from)) return null;
  const before = line.text.slice(0, from - line.from);
  // `attribute == ` / `attribute in [a, ` / `attribute is ` -> values of that attribute
  // (also `weekday("Europe/Moscow") in [`: an attribute read in a time zone)
  const cmp = /([a-z_][\w.]*)(?:\(\s*"[^"]*"\s*\))?\s*(?:==|!=|<=|>=|<|>|\bis\s+(?:not\s+)?|\b(?:not\s+)?in\s*\[[^\]]*)\s*$/.exec(before);
  let options: Completion[] | null = null;
  if (cmp) {
    const vo = valueOptions(cmp[1]);
    if (vo && vo.length) options = vo;
  }
  if (!options) {
    const prev = /([a-z_]+)\s+$/.exec(before);
    const kind = prev ? idAfterKeyword[prev[1]] : undefined;
    // `provider foo` at top level starts a definition: no completion of the new id.
    const topLevelDef = prev && /^\s*[a-z_]+\s+$/.test(before) && kindSet.has(prev[1]) && line.text.includes("{");
    if (kind && !topLevelDef) {
      const vo = kind === "category" && attrByName.get("category") ? idOptions("category") : idOptions(kind);
      if (vo.length) options = vo;
    }
    // Where a comparison may start, a criterion's name may stand instead.
    if (prev && conditionStart.has(prev[1])) options = [...attributeOptions, ...idOptions("criterion")];
    if (/\(\s*$/.test(before) && /\bwhen\b|\baccepts\b/.test(before)) {
      options = [...attributeOptions, ...idOptions("criterion")];
    }
    // `account ROLE CUR NUMBER` (an institution; a provider's role may be left out) and
    // `expect account ROLE ID`: the roles first, then after a role the currencies.
    if (prev && prev[1] === "account") options = [...accountOptions, ...idOptions("currency")];
    if (/\baccount\s+[a-z]+\.[a-z_]+\s+$/.test(before)) options = idOptions("currency");
    // `turnover LIMIT [TERMINAL | PROVIDER] VALUE` and `health TERMINAL METRIC VALUE` in a test's given:
    // the limit, then whose counter (a limit kept per terminal or provider); the terminal, then its metric.
    const routeIds = () => [...idOptions("terminal"), ...idOptions("provider")];
    const turnover = /(?:^|\s)turnover\s+(?:([a-z_]\w*)\s+)?$/.exec(before);
    if (turnover) {
      const vo = turnover[1] ? routeIds() : idOptions("limit");
      if (vo.length) options = vo;
    }
    const health = /(?:^|\s)health\s+(?:([a-z_]\w*)\s+)?$/.exec(before);
    if (health && !health[1]) {
      const vo = routeIds();
      if (vo.length) options = vo;
    }
    if (health && health[1]) options = ["failure_rate", "latency_ms"].map((m) => ({ label: m, type: "property", detail: "health" }));
    if (prev && prev[1] === "scope") options = vocabulary.limitScopes.map((s) => ({ label: s, type: "enum" }));
    if (prev && prev[1] === "period") options = vocabulary.limitPeriods.map((s) => ({ label: s, type: "enum" }));
    if (prev && prev[1] === "risk_coverage") options = vocabulary.riskLevels.map((s) => ({ label: s, type: "enum" }));
    // `card_type credit`, `token_provider none` in a test's given: the field's values.
    const field = /^\s*([a-z_]+)\s+$/.exec(before)?.[1];
    const values = field ? enumValues.get(field) : undefined;
    if (values && !conditionStart.has(field!)) options = [...values].map((v) => ({ label: v, type: "enum", detail: field, boost: 5 }));
    // `original_terminal yb_3ds`, `tariff premium` in a test's given (indented, never a definition): the kind's ids.
    const ref = field && /^\s+/.test(before) ? referenceFields.get(field) : undefined;
    if (ref && !values && !conditionStart.has(field!)) options = idOptions(ref);
  }
  if (!options) {
    options = [...keywordOptions, ...attributeOptions, ...accountOptions, ...contextFieldOptions, ...idOptions(null)];
    // de-duplicate labels (an attribute may also be a keyword, e.g. amount)
    const seen = new Set<string>();
    options = options.filter((o) => (seen.has(o.label) ? false : (seen.add(o.label), true)));
  }
  return { from, options, validFor: /^[\w.]*$/ };
}

export function paydomain(): LanguageSupport {
  return new LanguageSupport(paydomainLanguage, [
    braceFolding,
    syntaxHighlighting(paydomainHighlight),
    paydomainLanguage.data.of({ autocomplete: paydomainCompletion }),
  ]);
}

export { scanObjects };
