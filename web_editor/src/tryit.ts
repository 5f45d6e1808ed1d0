// Try it: evaluate a sample payment against the working copy and show the
// result, with links from each rule of the explanation to its source line.
import { AnswerError, ApiError, type Diagnostic, type JsonObject, type Limit, type Money, type Result } from "./api";
import { scanObjects } from "./objects";
import { presetsFromTests, fallbackPresets, parseGiven, formatGiven, type Preset, type GivenEntry } from "./given";
import { contextFromGiven, givenFromContext, formatMinor } from "./context";
import { checkExpectation } from "./expect";
import { vocabulary } from "./vocabulary.generated";
import { applyDiagnostics, goTo, goToObject } from "./check";
import { $, activatable, el, notice } from "./dom";
import { active, api, base, editable, files, textOf, view, workingFiles } from "./state";
import { emit } from "./events";

// The form holds the common fields; everything else of a preset's `given`
// (bin, time, party, health, turnover...) stays editable, in the language's
// syntax, in "More fields".
const FORM_FIELDS = ["tariff", "amount", "payment_tool", "payment_system", "category", "risk", "issuer_country", "operation", "payment_key"];
let presetList: Preset[] = [];
let serverSamples: Preset[] = []; // GET /v1/contexts (serve --contexts DIR)
let currentPreset: Preset | null = null;

export function setupTryIt(): void {
  const sel = $("#preset") as HTMLSelectElement;
  sel.addEventListener("change", () => {
    const p = presetList[Number(sel.value)];
    if (p && sel.value !== "") applyPreset(p); else currentPreset = null;
  });
  $("#tryit").addEventListener("submit", (ev) => { ev.preventDefault(); void evaluate(); });
  fillTryItOptions();
  if (presetList.length) { sel.value = "0"; applyPreset(presetList[0]); }
  // The samples are a convenience: without them the tests' givens remain.
  api.contexts().then((list) => {
    if (!list.length) return;
    serverSamples = list.map((c) => ({ name: c.name, given: givenFromContext(c.context, exponentOf), expect: [] }));
    refreshPresets();
  }, (e) => { if (e instanceof AnswerError) notice(e.message, "error"); });
}

function refreshPresets(): void {
  const sel = $("#preset") as HTMLSelectElement;
  const fromTests = presetsFromTests(files.map((f, i) => textOf(f, i)));
  const samples = serverSamples.length ? serverSamples : fromTests.length ? [] : fallbackPresets;
  presetList = [...fromTests, ...samples];
  const prev = currentPreset?.name;
  const group = (label: string, from: number, list: Preset[]) =>
    el("optgroup", { label }, ...list.map((p, i) => el("option", { value: String(from + i) }, p.name)));
  sel.replaceChildren(el("option", { value: "" }, "— custom —"),
    ...(fromTests.length ? [group("Tests of the working copy", 0, fromTests)] : []),
    ...(samples.length ? [group(serverSamples.length ? "Sample payments" : "Samples", fromTests.length, samples)] : []));
  const idx = presetList.findIndex((p) => p.name === prev);
  sel.value = idx >= 0 ? String(idx) : "";
}

function fieldsOf(kind: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < files.length; i++) for (const o of scanObjects(textOf(files[i], i))) if (o.kind === kind) out.add(o.id);
  return [...out];
}

function fillSelect(name: string, values: string[], blank = true): void {
  const s = document.querySelector<HTMLSelectElement>(`#tryit [name=${name}]`);
  if (!s) return;
  const prev = s.value;
  s.replaceChildren(...(blank ? [el("option", { value: "" }, "—")] : []), ...values.map((v) => el("option", { value: v }, v)));
  if (values.includes(prev) || (blank && prev === "")) s.value = prev;
}

export function fillTryItOptions(): void {
  fillSelect("tariff", fieldsOf("tariff"));
  fillSelect("currency", fieldsOf("currency"), false);
  fillSelect("payment_system", fieldsOf("payment_system"));
  fillSelect("category", fieldsOf("category"));
  fillSelect("issuer_country", fieldsOf("country"));
  fillSelect("payment_tool", vocabulary.paymentTools);
  fillSelect("risk", vocabulary.riskLevels);
  refreshPresets();
}

function setField(name: string, value: string): void {
  const input = document.querySelector<HTMLInputElement | HTMLSelectElement>(`#tryit [name=${name}]`);
  if (!input) return;
  if (input instanceof HTMLSelectElement && value && ![...input.options].some((o) => o.value === value)) {
    input.append(el("option", { value }, value)); // an id the working copy lacks: keep it, the server will say
  }
  input.value = value;
}

function applyPreset(p: Preset): void {
  currentPreset = p;
  for (const n of [...FORM_FIELDS, "currency"]) setField(n, n === "operation" ? "payment" : "");
  const extra: GivenEntry[] = [];
  for (const e of p.given) {
    if (e.key === "amount") {
      const m = /^(\S+)\s+([A-Z]{3})$/.exec(e.value);
      if (m) { setField("amount", m[1]); setField("currency", m[2]); continue; }
    }
    if (FORM_FIELDS.includes(e.key) && e.key !== "amount") { setField(e.key, e.value.startsWith('"') ? JSON.parse(e.value) : e.value); continue; }
    extra.push(e);
  }
  ($("#more") as HTMLTextAreaElement).value = formatGiven(extra);
}

function exponentOf(cur: string): number {
  for (let i = 0; i < files.length; i++) {
    const o = scanObjects(textOf(files[i], i)).find((x) => x.kind === "currency" && x.id === cur);
    const m = o && /\bexponent\s+(\d+)/.exec(o.text);
    if (m) return Number(m[1]);
  }
  return 2;
}

function money(m: Money): string {
  return `${formatMinor(m.amount, exponentOf(m.currency))} ${m.currency}`;
}

function formGiven(): GivenEntry[] {
  const data = new FormData($("#tryit") as HTMLFormElement);
  const out: GivenEntry[] = [];
  const currency = String(data.get("currency") || "");
  for (const name of FORM_FIELDS) {
    const v = String(data.get(name) ?? "").trim();
    if (!v) continue;
    if (name === "amount") out.push({ key: name, value: `${v} ${currency}` });
    else if (name === "payment_key") out.push({ key: name, value: JSON.stringify(v) });
    else out.push({ key: name, value: v });
  }
  return [...out, ...parseGiven(String(data.get("more") ?? ""))];
}

async function evaluate(): Promise<void> {
  const out = $("#result");
  const given = formGiven();
  const { context, error } = contextFromGiven(given, exponentOf);
  if (error) { out.replaceChildren(el("p", { class: "error" }, error)); return; }
  out.replaceChildren(el("p", { class: "hint" }, "Evaluating…"));
  out.classList.remove("stale");
  try {
    const { result, answer } = editable() ? await api.evaluate(workingFiles(), context) : await api.evaluateAt(base, context);
    renderResult(result, answer, context);
    out.append(saveAsTestForm(given, result));
  } catch (e) {
    const ds: Diagnostic[] = e instanceof ApiError ? e.body?.diagnostics ?? [] : [];
    out.replaceChildren(el("p", { class: "error" }, `Cannot evaluate: ${(e as Error).message}`),
      ...(ds.length ? [el("p", {}, "Fix the problems in the working copy first.")] : []));
    if (ds.length) applyDiagnostics(ds);
  }
}

/**
 * A rule reference of the evaluator's explanation, e.g. "tariff standard,
 * fees, rule 2, posting merchant.settlement -> system.settlement (line 34)":
 * a link that opens the object's file at that line.
 */
function ruleLink(rule: string | undefined, label = "rule"): HTMLElement | null {
  if (!rule) return null;
  const span = el("span", { class: "rule", title: "show this rule in the editor" }, `${label}: ${rule}`);
  return activatable(span, () => {
    const m = /^(\w+)\s+("[^"]*"|[\w]+)/.exec(rule);
    const line = /\((?:otherwise, )?line (\d+)/.exec(rule);
    if (!m) return;
    const kind = m[1];
    const id = m[2].replace(/"/g, "");
    for (let i = 0; i < files.length; i++) {
      if (scanObjects(textOf(files[i], i)).some((o) => o.kind === kind && o.id === id)) {
        if (line) goTo(files[i].name, Number(line[1])); else goToObject(kind, id);
        return;
      }
    }
  });
}

function explainList(list: string[] | undefined, title = "why"): HTMLElement | null {
  if (!list || !list.length) return null;
  return el("details", { class: "explain" }, el("summary", {}, `why: ${list.length} rule(s)`), ...list.map((x) => el("div", {}, ruleLink(x, title))));
}

function missingNote(m: string[] | undefined): HTMLElement | null {
  return m && m.length ? el("div", { class: "hint" }, `needs: ${m.join(", ")}`) : null;
}

/** A limit's bound: a count, or money (openapi.json: "count for a count limit, else amount and currency"). */
function boundText(b: Limit["bound"], limit: string): string {
  if (b.count !== undefined) return `${b.count} payments`;
  if (b.amount !== undefined && b.currency !== undefined) return money({ amount: b.amount, currency: b.currency });
  throw new AnswerError(200, "POST evaluate", `the bound of limit ${limit} has neither count nor amount and currency`);
}

function renderResult(res: Result, answer: unknown, context: JsonObject): void {
  const out = $("#result");
  const parts: (HTMLElement | null)[] = [];

  const terms = res.terms;
  parts.push(el("h4", {}, "Terms"),
    el("div", { class: `terms ${terms.status}` }, terms.status === "forbidden" ? el("span", { class: "decline" }, "forbidden") : terms.status,
      terms.reasons && terms.reasons.length ? `: ${terms.reasons.join("; ")}` : ""),
    missingNote(terms.missing), explainList(terms.explain, "terms"));

  const cf = res.cash_flow;
  const postings = cf.postings;
  parts.push(el("h4", {}, `Postings (${postings.length})`));
  if (cf.status !== "determined") parts.push(el("div", { class: "decline" }, `cash flow ${cf.status}${cf.error ? `: ${cf.error}` : ""}`));
  for (const p of postings) {
    parts.push(el("div", { class: `posting ${p.side}` }, `${p.from} → ${p.to} `, el("span", { class: "money" }, money(p.amount)),
      p.side === "provider" ? el("span", { class: "hint" }, " (provider's fees)") : null,
      p.details ? el("div", { class: "hint" }, p.details) : null,
      el("div", {}, ruleLink(p.rule))));
  }
  parts.push(missingNote(cf.missing));
  if (cf.possibilities && cf.possibilities.length) parts.push(el("div", { class: "hint" }, "may still apply:"), explainList(cf.possibilities, "rule"));

  const route = res.route;
  parts.push(el("h4", {}, "Route"));
  if (route.status === "chosen") {
    const terminal = route.terminal ?? "";
    parts.push(el("div", { class: "candidate chosen" }, "terminal ", el("b", { class: "terminal" }, terminal), route.provider ? ` (provider ${route.provider})` : ""));
    const others = (route.candidates ?? []).filter((c) => c !== terminal);
    if (others.length) parts.push(el("div", { class: "hint" }, `also eligible, in order: ${others.join(", ")}`));
  } else if (route.status === "declined") {
    parts.push(el("div", { class: "decline" }, `declined: ${route.decline_reason ?? ""}`));
  } else if (route.status === "undetermined") {
    parts.push(el("div", { class: "hint" }, `undetermined; possible: ${(route.possible ?? []).join(", ") || "none"}`));
  } else {
    parts.push(el("div", { class: "decline" }, route.status === "no_routing" ? "no routing ruleset for this payment" : `no route (${route.status})`));
  }
  for (const r of route.rejected ?? []) parts.push(el("div", { class: "candidate rejected" }, `✗ ${r.terminal}: ${r.reason}`));
  parts.push(missingNote(route.missing), explainList(route.explain, "routing"));

  const limits = res.limits;
  parts.push(el("h4", {}, `Limits (${limits.length})`));
  for (const l of limits) {
    const bound = boundText(l.bound, l.limit);
    parts.push(el("div", { class: `limit ${l.verdict ?? ""}` }, el("b", {}, l.limit), ` ${l.status}`, `: ${l.bound.inclusive === false ? "<" : "≤"} ${bound} per ${l.period}`,
      l.verdict ? el("span", { class: l.verdict === "exceeded" ? "decline" : "" }, ` — ${l.verdict}`) : null,
      l.scope_key ? el("div", { class: "hint" }, `counted for ${l.scope_key}`) : null,
      missingNote(l.missing), el("div", {}, ruleLink(l.explain, "limit"))));
  }
  if (res.limits_not_applicable.length) {
    parts.push(el("div", { class: "hint" }, `not applicable: ${res.limits_not_applicable.join(", ")}`));
  }
  if (currentPreset && currentPreset.expect.length) {
    parts.push(el("h4", {}, `The test "${currentPreset.name}" expects`),
      ...currentPreset.expect.map((x) => {
        const v = checkExpectation(x, res, exponentOf);
        return el("div", { class: `expect ${v}` }, v === "pass" ? "✓ " : v === "fail" ? "✗ " : "? ", `expect ${x}`);
      }));
  }
  parts.push(el("p", { class: "hint" }, editable() ? `Evaluated against your working copy (based on r${base}).` : `Evaluated against r${base}.`));
  parts.push(el("details", {}, el("summary", {}, "Context and raw answer (JSON)"), el("pre", { class: "raw" }, JSON.stringify({ context, answer }, null, 2))));
  out.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
}

/** After an edit the result shown describes older text: it says so until the next evaluation. */
export function markResultStale(): void {
  const out = $("#result");
  if (!out.firstChild || out.classList.contains("stale") || !out.querySelector("h4")) return;
  out.classList.add("stale");
  out.prepend(el("p", { class: "stale", id: "result-stale", role: "status" }, "Out of date: the working copy changed since this result. Evaluate again."));
}

/** The `expect` lines that pin this result down, in the language's test syntax. */
export function expectationsOf(res: Result): string[] {
  const out: string[] = [];
  if (res.terms.status === "allowed" || res.terms.status === "forbidden") out.push(res.terms.status);
  for (const p of res.cash_flow.postings) out.push(`posting ${p.from} -> ${p.to} ${money(p.amount)}`); // the provider's too, as tests write them
  const r = res.route;
  if (r.status === "chosen" && r.terminal) out.push(`route ${r.terminal}`);
  else if (r.status === "declined") out.push(r.decline_reason ? `decline ${JSON.stringify(r.decline_reason)}` : "decline");
  else if (r.status === "no_route") out.push("no route");
  for (const l of res.limits) out.push(l.verdict === "exceeded" ? `limit ${l.limit} exceeded` : l.status === "applies" ? `limit ${l.limit} applies` : "");
  return out.filter((x) => x);
}

/** A `test` block: the payment's `given` and the expectations of its result. */
export function testBlock(title: string, given: GivenEntry[], expect: string[]): string {
  const body = formatGiven(given).split("\n").filter((l) => l.trim()).map((l) => `    ${l}`).join("\n");
  return `test ${JSON.stringify(title)} {\n  given {\n${body}\n  }\n${expect.map((x) => `  expect ${x}`).join("\n")}\n}\n`;
}

function saveAsTestForm(given: GivenEntry[], res: Result): HTMLElement {
  const title = el("input", { id: "test-title", "aria-label": "Title of the new test", value: defaultTitle(given) }) as HTMLInputElement;
  const b = el("button", { id: "save-test", type: "button" }, "Save as a test");
  const form = el("div", { class: "save-test" }, title, " ", b,
    el("div", { class: "hint" }, "Writes a test block with this payment and this result into the file of the tests."));
  b.addEventListener("click", () => {
    if (!editable()) return;
    const name = title.value.trim();
    if (!name) { title.focus(); return; }
    insertTest(testBlock(name, given, expectationsOf(res)));
  });
  return form;
}

function defaultTitle(given: GivenEntry[]): string {
  const v = (k: string) => given.find((e) => e.key === k)?.value ?? "";
  return [v("payment_system") || v("payment_tool"), v("amount"), v("category"), v("risk") && `${v("risk")} risk`].filter((x) => x).join(", ") || "New test";
}

/** Appends `block` to the file holding the working copy's tests (else the open file) and shows it. */
function insertTest(block: string): void {
  let i = files.findIndex((f, k) => scanObjects(textOf(f, k)).some((o) => o.kind === "test"));
  if (i < 0) i = active;
  const text = textOf(files[i], i);
  const sep = text.endsWith("\n\n") || text === "" ? "" : text.endsWith("\n") ? "\n" : "\n\n";
  emit("open-at", files[i].name, 1);
  view.dispatch({ changes: { from: view.state.doc.length, insert: sep + block }, userEvent: "input.save-test" });
  const at = view.state.doc.length - block.length;
  goTo(files[i].name, view.state.doc.lineAt(at).number);
}
