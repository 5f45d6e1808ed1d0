// Live check: each edit is checked by the server (debounced, one request in
// flight); its diagnostics become lint marks and the Problems list.
import { EditorView } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { type CheckReport, type Diagnostic } from "./api";
import { setObjectIndex } from "./lang";
import { indexObjects, scanObjects } from "./objects";
import { $, activatable, el } from "./dom";
import { scheduleDraftSave } from "./drafts";
import { problemsCurrent, problemsStale } from "./banners";
import { active, api, editable, files, probe, saveActive, setTests, tests, textOf, view, workingFiles } from "./state";
import { emit } from "./events";
import { testsStale } from "./tests-panel";
import { renderChangeCount, renderFiles, switchTo } from "./workcopy";

const CHECK_DEBOUNCE_MS = 30; // one check in flight at a time keeps fast typing from queueing checks
let checkSeq = 0;
let checkTimer: number | undefined;
let lastEditAt = 0;
let lastShownAt = 0; // Date.now() when the Problems list last became current
let indexTimer: number | undefined;
export function refreshIndex(): void {
  setObjectIndex(indexObjects(files.map((f, i) => textOf(f, i))));
  emit("index-changed");
}

export function onEdit(): void {
  lastEditAt = performance.now();
  probe.edits++;
  scheduleCheck(CHECK_DEBOUNCE_MS);
  scheduleDraftSave();
  clearTimeout(indexTimer);
  indexTimer = window.setTimeout(() => {
    // after the live check has had its turn, and only when the editor is idle
    const idle = typeof window.requestIdleCallback === "function" ? (f: () => void) => window.requestIdleCallback(f) : (f: () => void) => setTimeout(f, 0);
    idle(() => { refreshIndex(); renderFiles(); renderChangeCount(); });
  }, 600);
}

export function scheduleCheck(delay: number): void {
  clearTimeout(checkTimer);
  checkTimer = window.setTimeout(runCheck, delay);
}

// One check in flight at a time: edits made meanwhile are checked as soon as
// it returns, so fast typing never queues stale checks on the server.
let checkInFlight = false;
let checkAgain = false;

async function runCheck(): Promise<void> {
  if (!editable()) return; // readers may not call check
  if (checkInFlight) { checkAgain = true; return; }
  checkInFlight = true;
  try {
    await checkOnce();
  } finally {
    checkInFlight = false;
    if (checkAgain) { checkAgain = false; scheduleCheck(0); }
  }
}

async function checkOnce(): Promise<void> {
  const seq = ++checkSeq;
  const editAt = lastEditAt;
  const edits = probe.edits;
  const sentAt = performance.now();
  $("#check-status").textContent = "checking…";
  let diags: Diagnostic[];
  let report: CheckReport;
  try {
    report = await api.check(workingFiles());
    diags = report.diagnostics;
  } catch (e) {
    if (seq !== checkSeq) return;
    $("#check-status").textContent = `check failed: ${(e as Error).message}`;
    problemsStale(`the check of your newest edits failed (${(e as Error).message})`, lastShownAt);
    return;
  }
  if (seq !== checkSeq) return; // a newer check is on its way
  const serverMs = performance.now() - sentAt;
  applyDiagnostics(diags);
  lastShownAt = Date.now();
  problemsCurrent();
  // The server runs the domain's tests with the check once it checks; a
  // domain with errors keeps the last results (they cannot be run).
  if (report.tests || report.ok) { setTests(report.tests ?? null); renderTestStatus(); emit("tests-changed"); }
  testsStale(!report.ok);
  const shownAt = performance.now();
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.length - errors;
  $("#check-status").textContent = errors ? `${errors} error(s), ${warnings} warning(s)` : warnings ? `ok, ${warnings} warning(s)` : "ok";
  probe.checks++;
  probe.checkedEdits = edits;
  probe.lastCheck = { seq, editAt, sentAt, shownAt, serverMs };
  document.body.dataset.checks = String(probe.checks);
}

/** "2 tests fail" beside the problems (empty while every test passes). */
function renderTestStatus(): void {
  const n = tests?.failed ?? 0;
  const s = $("#test-status");
  s.textContent = n ? `${n} test${n === 1 ? "" : "s"} fail${n === 1 ? "s" : ""}` : "";
  s.className = n ? "error" : "";
  s.title = n ? (tests?.tests ?? []).filter((c) => !c.passed).map((c) => c.name).join("\n") : "";
}

function toCm(state: EditorState, d: Diagnostic): CmDiagnostic {
  const doc = state.doc;
  const lineNo = Math.min(Math.max(1, d.line || 1), doc.lines);
  const line = doc.line(lineNo);
  const from = Math.min(line.to, line.from + Math.max(0, (d.column || 1) - 1));
  const to = Math.min(doc.length, from + Math.max(1, d.length || 1));
  let message = d.message;
  if (d.expected) message += `\nexpected: ${d.expected}`;
  if (d.suggestion) message += `\ndid you mean ${d.suggestion}?`;
  const suggestion = d.suggestion;
  const actions = suggestion ? [{ name: `Use ${suggestion}`, apply: (v: EditorView, f: number, t: number) => v.dispatch({ changes: { from: f, to: t, insert: suggestion }, userEvent: "input.fix" }) }] : undefined;
  return { from, to: Math.max(to, from), severity: d.severity === "warning" ? "warning" : "error", message, source: d.code, actions };
}

/** The one-click fix of a "did you mean" problem: its text becomes the suggestion. */
export function applySuggestion(d: Diagnostic): void {
  if (!d.suggestion) return;
  goTo(d.file, d.line, d.column, d.length);
  const r = view.state.selection.main;
  view.dispatch({ changes: { from: r.from, to: r.to, insert: d.suggestion }, selection: { anchor: r.from + d.suggestion.length }, userEvent: "input.fix" });
}

export function applyDiagnostics(diags: Diagnostic[]): void {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diags) {
    const name = files.some((f) => f.name === d.file) ? d.file : (files.find((f) => d.file.endsWith(f.name))?.name ?? files[0]?.name);
    if (!byFile.has(name)) byFile.set(name, []);
    byFile.get(name)!.push({ ...d, file: name });
  }
  saveActive();
  files.forEach((f, i) => {
    f.diagnostics = byFile.get(f.name) ?? [];
    const st = i === active ? view.state : f.state;
    const spec = setDiagnostics(st, f.diagnostics.map((d) => toCm(st, d)));
    if (i === active) view.dispatch(spec);
    else f.state = st.update(spec).state;
  });
  saveActive();
  renderProblems();
  renderFiles();
}

function renderProblems(): void {
  const all = files.flatMap((f) => f.diagnostics);
  all.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) || a.file.localeCompare(b.file) || a.line - b.line);
  $("#problem-count").textContent = all.length ? `(${all.length})` : "";
  const ul = $("#problems");
  if (!all.length) { ul.replaceChildren(el("li", { class: "none" }, "No problems")); return; }
  ul.replaceChildren(...all.slice(0, 500).map((d) => {
    const li = el("li", { class: `problem ${d.severity}`, "data-line": String(d.line), "data-file": d.file, "data-code": d.code },
      el("span", { class: "sev" }, d.severity), " ", el("span", { class: "where" }, `${d.file}:${d.line}:${d.column}`), el("br"),
      el("span", { class: "msg" }, d.message),
      d.suggestion ? el("span", { class: "sugg" }, ` — did you mean ${d.suggestion}?`) : null);
    if (d.suggestion) {
      const fix = el("button", { class: "fix", title: `replace with ${d.suggestion}` }, `Use ${d.suggestion}`);
      fix.addEventListener("click", (ev) => { ev.stopPropagation(); applySuggestion(d); });
      li.append(" ", fix);
    }
    return activatable(li, () => goTo(d.file, d.line, d.column, d.length));
  }));
}

export function goTo(file: string, line: number, column = 1, length = 0): void {
  emit("show-view", "edit");
  const i = Math.max(0, files.findIndex((f) => f.name === file));
  switchTo(i);
  const doc = view.state.doc;
  const l = doc.line(Math.min(Math.max(1, line), doc.lines));
  const from = Math.min(l.to, l.from + Math.max(0, column - 1));
  view.dispatch({ selection: { anchor: from, head: Math.min(doc.length, from + length) }, effects: EditorView.scrollIntoView(from, { y: "center" }) });
  view.focus();
}

export function goToObject(kind: string, id: string): boolean {
  for (let i = 0; i < files.length; i++) {
    const o = scanObjects(textOf(files[i], i)).find((x) => x.kind === kind && x.id === id);
    if (o) { goTo(files[i].name, o.line, 1, 0); return true; }
  }
  return false;
}
