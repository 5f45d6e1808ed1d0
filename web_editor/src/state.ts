// The working copy and the session: what every part of the page reads. Its
// variables are assigned only through the setters here, so a reader sees
// where they change.
import { EditorView } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { emit } from "./events";
import { Api, type Diagnostic, type SourceFile, type TestReport } from "./api";

export interface WorkFile {
  name: string;
  head: string; // text at the base revision
  state: EditorState;
  diagnostics: Diagnostic[];
}

/** Where the sign-in token is kept (this browser only). */
export const TOKEN_KEY = "paydomain.token";

export let api: Api;
export let role = "";
export let userName = "";
export let base = 0; // revision the working copy is based on
export let files: WorkFile[] = [];
export let active = 0;
export let view: EditorView;
export let tests: TestReport | null = null; // the domain's tests as of the newest live check (null: not run)
/** The analyst's versions of objects a conflict resolution replaced, kept (and in the draft) until the next commit. */
export interface SetAside { key: string; text: string; file: string }
export let setAside: SetAside[] = [];

export function setApi(a: Api): void { api = a; }
export function setCaller(r: string, name: string): void { role = r; userName = name; }
export function setBase(rev: number): void { base = rev; emit("base-changed"); }
export function setFiles(fs: WorkFile[]): void { files = fs; }
export function setActive(i: number): void { active = i; }
export function setView(v: EditorView): void { view = v; }
export function setTests(t: TestReport | null): void { tests = t; }
export function setSetAside(s: SetAside[]): void { setAside = s; emit("set-aside-changed"); }

// Hooks for the browser tests (and curious analysts in the console).
export const probe = {
  checks: 0, // completed live checks
  edits: 0, // document changes so far
  checkedEdits: -1, // `edits` as of the newest check shown
  lastCheck: { seq: 0, editAt: 0, sentAt: 0, shownAt: 0, serverMs: 0 },
  ready: false,
  tableWrites: 0, // edits of a decision table on their way through the formatter
  tableWritesDone: 0, // edits of a decision table finished (written, or found to change nothing)
};

export const editable = () => role !== "reader";

export function saveActive(): void {
  if (view && files[active]) files[active].state = view.state;
}

export function textOf(f: WorkFile, i: number): string {
  return i === active && view ? view.state.doc.toString() : f.state.doc.toString();
}

export function workingFiles(): SourceFile[] {
  return files.map((f, i) => ({ name: f.name, text: textOf(f, i) }));
}

export function headFiles(): SourceFile[] {
  return files.filter((f) => f.head !== "" || true).map((f) => ({ name: f.name, text: f.head }));
}

export function isDirty(): boolean {
  return files.some((f, i) => textOf(f, i) !== f.head);
}

export const toMap = (fs: SourceFile[]) => new Map(fs.map((f) => [f.name, f.text]));
