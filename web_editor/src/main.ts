// The analysts' editor: sign in, edit the working copy (files of head), live
// check, try rules on a payment, review and commit, history and revert.
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, dropCursor, rectangularSelection, highlightSpecialChars } from "@codemirror/view";
import { EditorState, type Extension } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, foldGutter, foldKeymap, indentOnInput } from "@codemirror/language";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { setDiagnostics, lintGutter, lintKeymap, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { MergeView } from "@codemirror/merge";
import { AnswerError, Api, ApiError, conflictsOf, type Diagnostic, type Diff, type JsonObject, type Limit, type Money, type Result, type Revision, type RevisionDetail, type SourceFile } from "./api";
import { paydomain, setObjectIndex } from "./lang";
import { diffObjects, indexObjects, scanObjects, type ObjectChange } from "./objects";
import { rebase } from "./rebase";
import { presetsFromTests, fallbackPresets, parseGiven, formatGiven, type Preset, type GivenEntry } from "./given";
import { contextFromGiven, givenFromContext, formatMinor } from "./context";
import { checkExpectation } from "./expect";
import { vocabulary } from "./vocabulary.generated";

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const el = (tag: string, attrs: Record<string, string> = {}, ...kids: (Node | string | null)[]) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) if (k !== null) e.append(k);
  return e;
};

const TOKEN_KEY = "paydomain.token";
const CHECK_DEBOUNCE_MS = 50;

interface WorkFile {
  name: string;
  head: string; // text at the base revision
  state: EditorState;
  diagnostics: Diagnostic[];
}

// ---- state --------------------------------------------------------------------
let api: Api;
let role = "";
let userName = "";
let base = 0; // revision the working copy is based on
let files: WorkFile[] = [];
let active = 0;
let view: EditorView;
let checkSeq = 0;
let checkTimer: number | undefined;
let lastEditAt = 0;
let mergeView: MergeView | null = null;
let historyMerge: MergeView | null = null;

// Hooks for the browser tests (and curious analysts in the console).
const probe = {
  checks: 0, // completed live checks
  edits: 0, // document changes so far
  checkedEdits: -1, // `edits` as of the newest check shown
  lastCheck: { seq: 0, editAt: 0, sentAt: 0, shownAt: 0, serverMs: 0 },
  ready: false,
};
declare global {
  interface Window { paydomainEditor: { probe: typeof probe; view: () => EditorView; text: () => string; files: () => string[]; base: () => number } }
}
window.paydomainEditor = {
  probe,
  view: () => view,
  text: () => (view ? view.state.doc.toString() : ""),
  files: () => files.map((f) => f.name),
  base: () => base,
};

// ---- sign in ----------------------------------------------------------------------
async function start(): Promise<void> {
  const url = new URL(location.href);
  const t = url.searchParams.get("token");
  if (t) {
    localStorage.setItem(TOKEN_KEY, t);
    url.searchParams.delete("token");
    history_replace(url.toString());
  }
  const token = localStorage.getItem(TOKEN_KEY);
  if (!token) return showSignin();
  api = new Api(token);
  try {
    const me = await api.whoami();
    role = me.role;
    userName = me.name;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      return showSignin("That token was not accepted.");
    }
    if (e instanceof AnswerError) return showSignin(e.message);
    return showSignin(`Cannot reach the server: ${(e as Error).message}`);
  }
  $("#signin").hidden = true;
  $("#app").hidden = false;
  $("#tabs").hidden = false;
  $("#signout").hidden = false;
  $("#who").replaceChildren(userName ? `${userName} ` : "", el("span", { class: `role ${role}`, id: "role" }, role));
  await loadHead();
  await restoreDraft();
  setupTryIt();
  void followHead();
  probe.ready = true;
  document.body.dataset.ready = "1";
}

function history_replace(u: string) { window.history.replaceState(null, "", u); }

function showSignin(err = ""): void {
  $("#app").hidden = true;
  $("#tabs").hidden = true;
  $("#signout").hidden = true;
  $("#signin").hidden = false;
  $("#signin-error").textContent = err;
  ($("#token") as HTMLInputElement).focus();
}

$("#signin-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const v = ($("#token") as HTMLInputElement).value.trim();
  if (!v) return;
  localStorage.setItem(TOKEN_KEY, v);
  void start();
});
$("#signout").addEventListener("click", () => {
  if (files.length && isDirty() && !confirm("Sign out and throw away your unsaved edits?")) return;
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem("paydomain.draft"); // the next person on this browser starts clean
  location.reload();
});

function notice(msg: string, kind: "info" | "error" = "info"): void {
  const n = $("#notice");
  n.textContent = msg;
  n.className = kind === "error" ? "error" : "";
  n.hidden = !msg;
}

// ---- loading the working copy --------------------------------------------------------
// Revision 0 (the empty domain) has no files: start the analyst off with one.
function filesOf(r: RevisionDetail): SourceFile[] {
  return r.files.length ? r.files : [{ name: "domain.pd", text: "" }];
}

/** For calls whose failure the page can live with: a fallback, except when the answer breaks the API contract. */
function unlessAnswerError<T>(fallback: T): (e: unknown) => T {
  return (e) => { if (e instanceof AnswerError) throw e; return fallback; };
}

async function loadHead(): Promise<void> {
  const r = await api.revision("head");
  base = r.revision;
  const src = filesOf(r);
  files = src.map((f) => ({ name: f.name, head: f.text, state: makeState(f.text), diagnostics: [] }));
  active = Math.min(active, Math.max(0, files.length - 1));
  if (!view) {
    view = new EditorView({ state: files[active]?.state ?? makeState(""), parent: $("#editor") });
  } else {
    view.setState(files[active].state);
  }
  renderRevision();
  renderFiles();
  renderChangeCount();
  refreshIndex();
  scheduleCheck(0);
}

function renderRevision(): void {
  $("#revision").textContent = `working copy of r${base}`;
}

const editable = () => role !== "reader";

function makeState(text: string): EditorState {
  const ext: Extension[] = [
    lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), foldGutter(), drawSelection(),
    dropCursor(), EditorState.allowMultipleSelections.of(true), indentOnInput(), bracketMatching(), closeBrackets(),
    autocompletion({ activateOnTyping: true, maxRenderedOptions: 60 }), rectangularSelection(), highlightActiveLine(),
    highlightSelectionMatches(), lintGutter(), paydomain(), EditorState.tabSize.of(2),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...completionKeymap, ...lintKeymap, indentWithTab]),
    EditorView.updateListener.of((u) => { if (u.docChanged) onEdit(); }),
    EditorState.readOnly.of(!editable()),
  ];
  return EditorState.create({ doc: text, extensions: ext });
}

function currentFile(): WorkFile | undefined {
  return files[active];
}

function saveActive(): void {
  if (view && files[active]) files[active].state = view.state;
}

function textOf(f: WorkFile, i: number): string {
  return i === active && view ? view.state.doc.toString() : f.state.doc.toString();
}

function workingFiles(): SourceFile[] {
  return files.map((f, i) => ({ name: f.name, text: textOf(f, i) }));
}

function headFiles(): SourceFile[] {
  return files.filter((f) => f.head !== "" || true).map((f) => ({ name: f.name, text: f.head }));
}

function isDirty(): boolean {
  return files.some((f, i) => textOf(f, i) !== f.head);
}

function switchTo(i: number): void {
  if (i === active && view.state === files[i].state) return;
  saveActive();
  active = i;
  view.setState(files[i].state);
  renderFiles();
}

function renderFiles(): void {
  const ul = $("#files");
  ul.replaceChildren(...files.map((f, i) => {
    const errs = f.diagnostics.filter((d) => d.severity === "error").length;
    const li = el("li", { class: i === active ? "active" : "", "data-file": f.name },
      el("span", {}, f.name), textOf(f, i) !== f.head ? el("span", { class: "dirty", title: "edited" }, "●") : null,
      errs ? el("span", { class: "errs" }, String(errs)) : null);
    li.addEventListener("click", () => { showView("edit"); switchTo(i); view.focus(); });
    return li;
  }));
}

/** The number of changed objects on the Review tab (scans every file: call it off the typing path). */
function renderChangeCount(): void {
  const changes = isDirty() ? diffObjects(toMap(headFiles()), toMap(workingFiles())).length : 0;
  $("#change-count").textContent = changes ? String(changes) : "";
}

const toMap = (fs: SourceFile[]) => new Map(fs.map((f) => [f.name, f.text]));

// ---- drafts: unsaved edits survive a reload of the page ------------------------------------
const DRAFT_KEY = "paydomain.draft";

function saveDraft(): void {
  if (!editable()) return;
  try {
    if (isDirty()) localStorage.setItem(DRAFT_KEY, JSON.stringify({ base, files: workingFiles(), savedAt: Date.now() }));
    else localStorage.removeItem(DRAFT_KEY);
  } catch { /* storage full or disabled: drafts are a convenience */ }
}

async function restoreDraft(): Promise<void> {
  let d: { base: number; files: SourceFile[]; savedAt: number } | null = null;
  try { d = JSON.parse(localStorage.getItem(DRAFT_KEY) || "null"); } catch { d = null; }
  if (!d || !Array.isArray(d.files) || !editable()) return;
  let texts = d.files;
  if (d.base !== base) {
    // head moved since: bring the draft onto head the way a conflict reload does
    let old: RevisionDetail | null;
    try { old = await api.revision(d.base).catch(unlessAnswerError(null)); } catch (e) {
      notice(`Your unsaved edits are kept in this browser but not restored: ${(e as Error).message}`, "error");
      return;
    }
    if (!old) return;
    texts = rebase(filesOf(old), d.files, headFiles()).files;
  }
  for (const t of texts) {
    const f = files.find((x) => x.name === t.name);
    if (f) f.state = makeState(t.text);
    else files.push({ name: t.name, head: "", state: makeState(t.text), diagnostics: [] });
  }
  view.setState(files[active].state);
  renderFiles();
  renderChangeCount();
  refreshIndex();
  scheduleCheck(0);
  if (isDirty()) notice(`Restored your unsaved edits from ${new Date(d.savedAt).toLocaleString()}${d.base !== base ? `, brought onto r${base}` : ""}.`);
}

// ---- live check ----------------------------------------------------------------------
let indexTimer: number | undefined;
function refreshIndex(): void {
  setObjectIndex(indexObjects(files.map((f, i) => textOf(f, i))));
  fillTryItOptions();
}

function onEdit(): void {
  lastEditAt = performance.now();
  probe.edits++;
  scheduleCheck(CHECK_DEBOUNCE_MS);
  clearTimeout(indexTimer);
  indexTimer = window.setTimeout(() => {
    // after the live check has had its turn, and only when the editor is idle
    const idle = typeof window.requestIdleCallback === "function" ? (f: () => void) => window.requestIdleCallback(f) : (f: () => void) => setTimeout(f, 0);
    idle(() => { refreshIndex(); renderFiles(); renderChangeCount(); saveDraft(); });
  }, 600);
}

function scheduleCheck(delay: number): void {
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
  try {
    diags = (await api.check(workingFiles())).diagnostics;
  } catch (e) {
    if (seq !== checkSeq) return;
    $("#check-status").textContent = `check failed: ${(e as Error).message}`;
    return;
  }
  if (seq !== checkSeq) return; // a newer check is on its way
  const serverMs = performance.now() - sentAt;
  applyDiagnostics(diags);
  const shownAt = performance.now();
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.length - errors;
  $("#check-status").textContent = errors ? `${errors} error(s), ${warnings} warning(s)` : warnings ? `ok, ${warnings} warning(s)` : "ok";
  probe.checks++;
  probe.checkedEdits = edits;
  probe.lastCheck = { seq, editAt, sentAt, shownAt, serverMs };
  document.body.dataset.checks = String(probe.checks);
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
  return { from, to: Math.max(to, from), severity: d.severity === "warning" ? "warning" : "error", message, source: d.code };
}

function applyDiagnostics(diags: Diagnostic[]): void {
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
    li.addEventListener("click", () => goTo(d.file, d.line, d.column, d.length));
    return li;
  }));
}

function goTo(file: string, line: number, column = 1, length = 0): void {
  showView("edit");
  const i = Math.max(0, files.findIndex((f) => f.name === file));
  switchTo(i);
  const doc = view.state.doc;
  const l = doc.line(Math.min(Math.max(1, line), doc.lines));
  const from = Math.min(l.to, l.from + Math.max(0, column - 1));
  view.dispatch({ selection: { anchor: from, head: Math.min(doc.length, from + length) }, effects: EditorView.scrollIntoView(from, { y: "center" }) });
  view.focus();
}

function goToObject(kind: string, id: string): boolean {
  for (let i = 0; i < files.length; i++) {
    const o = scanObjects(textOf(files[i], i)).find((x) => x.kind === kind && x.id === id);
    if (o) { goTo(files[i].name, o.line, 1, 0); return true; }
  }
  return false;
}

// ---- views -------------------------------------------------------------------------------
type ViewName = "edit" | "review" | "history";
function showView(v: ViewName): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) b.classList.toggle("active", b.dataset.view === v);
  for (const name of ["edit", "review", "history"]) $(`#view-${name}`).hidden = name !== v;
  document.body.dataset.view = v;
  if (v === "review") renderReview();
  if (v === "history") void renderHistory();
  if (v === "edit") requestAnimationFrame(() => view.requestMeasure());
}
for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) b.addEventListener("click", () => showView(b.dataset.view as ViewName));

// ---- review and commit ------------------------------------------------------------------
function renderReview(keepResult = false): void {
  saveActive();
  if (!keepResult) { $("#commit-result").textContent = ""; $("#commit-result").className = ""; }
  const changes = diffObjects(toMap(headFiles()), toMap(workingFiles()));
  const ul = $("#summary");
  ul.replaceChildren(...(changes.length ? changes.map((c) => summaryItem(c, true)) : [el("li", { class: "hint" }, "No changes against head.")]));
  const sel = $("#review-file") as HTMLSelectElement;
  const changed = files.filter((f, i) => textOf(f, i) !== f.head).map((f) => f.name);
  const names = changed.length ? changed : files.map((f) => f.name);
  const prev = sel.value;
  sel.replaceChildren(...names.map((n) => el("option", { value: n }, n + (changed.includes(n) ? " (edited)" : ""))));
  sel.value = names.includes(prev) ? prev : names[0] ?? "";
  renderMerge();
  ($("#commit") as HTMLButtonElement).disabled = !editable();
}

function summaryItem(c: ObjectChange | { op: string; kind: string; id: string; detail?: string }, clickable: boolean): HTMLElement {
  const li = el("li", { class: "change", "data-object": `${c.kind} ${c.id}` }, el("span", { class: `op ${c.op}` }, c.op), `${c.kind} `, el("b", {}, c.id),
    "detail" in c && c.detail ? el("span", { class: "hint" }, ` — ${c.detail}`) : null);
  if (clickable && c.op !== "removed") li.addEventListener("click", () => goToObject(c.kind, c.id));
  return li;
}

function renderMerge(): void {
  const name = ($("#review-file") as HTMLSelectElement).value;
  const i = files.findIndex((f) => f.name === name);
  mergeView?.destroy();
  mergeView = null;
  if (i < 0) return;
  const ro = [EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.lineWrapping, lineNumbers(), paydomain()];
  mergeView = new MergeView({
    a: { doc: files[i].head, extensions: ro },
    b: { doc: textOf(files[i], i), extensions: ro },
    parent: $("#merge"),
    collapseUnchanged: { margin: 3, minSize: 6 },
    highlightChanges: true,
    gutter: true,
  });
}
$("#review-file").addEventListener("change", renderMerge);

$("#commit").addEventListener("click", () => void commit());
async function commit(): Promise<void> {
  const msgInput = $("#commit-message") as HTMLInputElement;
  const message = msgInput.value.trim();
  const res = $("#commit-result");
  res.className = "";
  if (!message) { res.className = "error"; res.textContent = "Write a commit message first."; msgInput.focus(); return; }
  if (!isDirty()) { res.className = "error"; res.textContent = "Nothing to commit."; return; }
  $("#conflict").hidden = true;
  ($("#commit") as HTMLButtonElement).disabled = true;
  try {
    const rev = (await api.commit(workingFiles(), base, message)).revision;
    // The working copy is now head: what we sent is what the server stored
    // (reload to pick up the canonical text when the server reformats).
    msgInput.value = "";
    await reloadAfter(rev);
    res.textContent = `Committed revision ${rev}.`;
    res.dataset.revision = String(rev);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) showConflict(e);
    else if (e instanceof ApiError && e.status === 422) {
      const ds: Diagnostic[] = e.body?.diagnostics ?? [];
      if (ds.length) applyDiagnostics(ds);
      res.className = "error";
      res.textContent = `Not committed: the domain has ${ds.filter((d) => d.severity === "error").length || "some"} error(s). See Problems.`;
    } else {
      res.className = "error";
      res.textContent = `Not committed: ${(e as Error).message}`;
    }
  } finally {
    ($("#commit") as HTMLButtonElement).disabled = !editable();
  }
}

/** After our own commit: the new head equals our working copy, so only base and head texts move. */
async function reloadAfter(rev: number): Promise<void> {
  const r = await api.revision(rev);
  const src = filesOf(r);
  const same = src.length === files.length && src.every((f, i) => f.name === files[i].name && f.text === textOf(files[i], i));
  base = r.revision;
  if (same) {
    files.forEach((f, i) => { f.head = textOf(f, i); });
  } else {
    // The server stores a canonical form: take it as the new working copy.
    saveActive();
    files = src.map((f) => ({ name: f.name, head: f.text, state: makeState(f.text), diagnostics: [] }));
    active = Math.min(active, files.length - 1);
    view.setState(files[active].state);
  }
  renderRevision();
  renderFiles();
  renderChangeCount();
  renderReview(true);
  saveDraft();
  scheduleCheck(0);
}

function showConflict(e: ApiError): void {
  const pendingConflicts = conflictsOf(e.body);
  const box = $("#conflict");
  box.hidden = false;
  box.replaceChildren(
    el("b", {}, "Someone else changed the same objects since you started:"),
    el("ul", { class: "summary", id: "conflict-objects" }, ...pendingConflicts.map((c) => summaryItem({
      op: "changed", kind: c.kind, id: c.id, detail: c.revisions.length ? `changed in ${c.revisions.map((r) => `r${r}`).join(", ")}` : undefined,
    }, true))),
    el("p", {}, "Reload these objects from head to continue. Your edits to other objects are kept."),
  );
  const btn = el("button", { class: "primary", id: "reload-conflicts" }, "Reload them from head");
  btn.addEventListener("click", () => void rebaseOntoHead(true));
  box.append(btn);
}

/**
 * Head moved (someone committed, or a revert): apply what changed between our
 * base and head to the working copy, object by object. Objects both sides
 * changed take head's version (they were shown as conflicts); all our other
 * edits stay.
 */
async function rebaseOntoHead(fromConflict = false): Promise<void> {
  const r = await api.revision("head");
  const newHead = filesOf(r);
  saveActive();
  const { files: merged, replaced } = rebase(headFiles(), workingFiles(), newHead);
  const oldStates = new Map(files.map((f) => [f.name, f]));
  files = merged.map((m) => {
    const old = oldStates.get(m.name);
    const h = newHead.find((f) => f.name === m.name)?.text ?? "";
    if (old && old.state.doc.toString() === m.text) return { ...old, head: h };
    if (old) {
      const st = old.state.update({ changes: { from: 0, to: old.state.doc.length, insert: m.text } }).state;
      return { ...old, head: h, state: st };
    }
    return { name: m.name, head: h, state: makeState(m.text), diagnostics: [] };
  });
  base = r.revision;
  active = Math.min(active, files.length - 1);
  view.setState(files[active].state);
  renderRevision();
  refreshIndex();
  renderFiles();
  renderChangeCount();
  saveDraft();
  if (fromConflict) {
    $("#conflict").hidden = true;
    const res = $("#commit-result");
    res.className = "";
    res.textContent = `Reloaded ${replaced.length} object(s) from r${base}: ${replaced.map((o) => `${o.kind} ${o.id}`).join(", ") || "none"}. Review and commit again.`;
    renderReview(true);
  }
  scheduleCheck(0);
}

$("#discard").addEventListener("click", async () => {
  if (!confirm("Throw away all your edits and reload head?")) return;
  await loadHead();
  saveDraft();
  renderReview();
});

// ---- history --------------------------------------------------------------------------
let selectedRev = 0;
async function renderHistory(): Promise<void> {
  const ul = $("#revisions");
  let revs: Revision[];
  try { revs = await api.revisions(); } catch (e) { ul.replaceChildren(el("li", { class: "error" }, (e as Error).message)); return; }
  ul.replaceChildren(...revs.map((r) => {
    const li = el("li", { class: r.revision === selectedRev ? "active" : "", "data-revision": String(r.revision) },
      el("span", { class: "rev" }, `r${r.revision}`), " ", el("span", { class: "author" }, r.author || "—"), el("br"),
      el("span", { class: "message" }, r.message || ""), el("br"), el("span", { class: "meta" }, fmtTime(r.time)));
    li.addEventListener("click", () => void showRevision(r.revision));
    return li;
  }));
  if (!selectedRev && revs.length) void showRevision(revs[0].revision);
}

function fmtTime(t: string): string {
  const d = new Date(t);
  return isNaN(d.getTime()) ? t : d.toLocaleString();
}

async function showRevision(rev: number): Promise<void> {
  selectedRev = rev;
  for (const li of document.querySelectorAll<HTMLElement>("#revisions li")) li.classList.toggle("active", li.dataset.revision === String(rev));
  const box = $("#revision-detail");
  box.replaceChildren(el("p", { class: "hint" }, "Loading…"));
  let r: RevisionDetail, parent: RevisionDetail | null, serverDiff: Diff | null = null, head: number;
  try {
    [r, parent] = await Promise.all([api.revision(rev), rev > 0 ? api.revision(rev - 1).catch(unlessAnswerError(null)) : Promise.resolve(null)]);
    if (rev > 0) serverDiff = await api.diff(rev - 1, rev).catch(unlessAnswerError(null));
    head = await api.head().catch(unlessAnswerError(0));
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, (e as Error).message));
    return;
  }
  const after = toMap(filesOf(r));
  const before = parent ? toMap(filesOf(parent)) : new Map<string, string>();
  const changes = serverDiff ? serverDiffItems(serverDiff) : diffObjects(before, after);
  const header = el("div", { class: "toolbar" },
    el("h2", {}, `Revision ${rev}`),
    el("span", {}, `${r.author || "—"} · ${fmtTime(r.time)}`));
  if (role === "admin" && rev > 0) {
    const b = el("button", { class: "danger", id: "revert" }, `Revert r${rev}`);
    b.addEventListener("click", () => void revert(rev));
    header.append(b);
  }
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const fileSel = el("select", { id: "history-file" }, ...names.map((n) => el("option", { value: n }, n))) as HTMLSelectElement;
  const changedNames = names.filter((n) => before.get(n) !== after.get(n));
  if (changedNames.length) fileSel.value = changedNames[0];
  const mergeBox = el("div", { class: "merge" });
  box.replaceChildren(header, el("p", { class: "message" }, r.message || ""),
    el("p", { class: "hint" }, head === rev ? "This is head." : ""),
    el("h3", {}, rev > 0 ? `Changes against r${rev - 1}` : "The empty domain every store starts from"),
    el("ul", { class: "summary" }, ...(changes.length ? changes.map((c) => summaryItem(c, false)) : [el("li", { class: "hint" }, "No object changes.")])),
    el("div", { class: "toolbar" }, el("label", {}, "File ", fileSel)), mergeBox);
  const showFile = () => {
    historyMerge?.destroy();
    const ro = [EditorState.readOnly.of(true), EditorView.editable.of(false), EditorView.lineWrapping, lineNumbers(), paydomain()];
    historyMerge = new MergeView({
      a: { doc: before.get(fileSel.value) ?? "", extensions: ro },
      b: { doc: after.get(fileSel.value) ?? "", extensions: ro },
      parent: mergeBox, collapseUnchanged: { margin: 3, minSize: 6 }, gutter: true,
    });
  };
  fileSel.addEventListener("change", showFile);
  showFile();
}

/** The server's object-level diff, as summary items with the parts that changed inside each object. */
function serverDiffItems(d: Diff): { op: string; kind: string; id: string; detail?: string }[] {
  return d.objects.map((c) => ({
    op: c.change, kind: c.kind, id: c.id,
    detail: (c.parts ?? []).map((p) => (p.path ? `${p.path}: ` : "") + p.brief).join("; "),
  }));
}

async function revert(rev: number): Promise<void> {
  if (!confirm(`Revert revision ${rev}? This makes a new revision with the inverse changes.`)) return;
  try {
    const nrev = (await api.revert(rev)).revision;
    notice(`Reverted r${rev} as r${nrev}.`);
    if (isDirty()) await rebaseOntoHead(); else await loadHead();
    saveDraft();
    selectedRev = 0;
    await renderHistory();
  } catch (e) {
    const cs = e instanceof ApiError && e.status === 409 ? conflictsOf(e.body) : [];
    notice(cs.length ? `Cannot revert r${rev}: later revisions changed ${cs.map((c) => `${c.kind} ${c.id}`).join(", ")} too. Revert those first, or edit by hand.`
      : `Revert failed: ${(e as Error).message}`, "error");
  }
}

// ---- following head ------------------------------------------------------------------
/** Long-polls head; when someone else commits, offers to bring their changes in. */
async function followHead(): Promise<void> {
  let known = base;
  for (;;) {
    const t0 = performance.now();
    let h = known;
    try {
      h = await api.head(`?wait_after=${Math.max(known, base)}&timeout_s=25`);
    } catch (e) {
      if (e instanceof AnswerError) notice(e.message, "error");
      await sleep(5000);
      continue;
    }
    if (h > known) known = h;
    if (h > base) {
      await sleep(1500); // our own commit may still be settling in
      if (h > base) showHeadMoved(h);
    }
    // a server without long-poll answers at once: do not spin
    if (performance.now() - t0 < 1000) await sleep(5000);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function showHeadMoved(h: number): void {
  const n = $("#notice");
  n.className = "";
  n.hidden = false;
  const b = el("button", { id: "bring-in" }, isDirty() ? "Bring their changes in (your edits are kept)" : "Update to head");
  b.addEventListener("click", async () => {
    n.hidden = true;
    if (isDirty()) await rebaseOntoHead(); else await loadHead();
  });
  n.dataset.head = String(h);
  n.replaceChildren(`Head moved to r${h}: someone committed since your working copy (r${base}). `, b);
}

// ---- try it ------------------------------------------------------------------------------
// The form holds the common fields; everything else of a preset's `given`
// (bin, time, party, health, turnover...) stays editable, in the language's
// syntax, in "More fields".
const FORM_FIELDS = ["tariff", "amount", "payment_tool", "payment_system", "category", "risk", "issuer_country", "operation", "payment_key"];
let presetList: Preset[] = [];
let serverSamples: Preset[] = []; // GET /v1/contexts (serve --contexts DIR)
let currentPreset: Preset | null = null;

function setupTryIt(): void {
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

function fillTryItOptions(): void {
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
  try {
    const { result, answer } = editable() ? await api.evaluate(workingFiles(), context) : await api.evaluateAt(base, context);
    renderResult(result, answer, context);
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
  span.addEventListener("click", () => {
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
  return span;
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

void start();
