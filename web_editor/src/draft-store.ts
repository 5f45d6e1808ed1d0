// Where drafts live: localStorage, one entry per user and per tab,
//   paydomain.draft.v2.<user>.<tab> = {"base", "files", "savedAt"}
// <user> is who signed in (a token change to another person never shows
// them this person's draft); <tab> is a random id kept in the tab's
// sessionStorage, so it survives reloads of that tab while a second tab
// (a duplicated one too: claimTabId) gets its own id and never overwrites the
// first tab's draft.
import type { SourceFile } from "./api";
import type { SetAside } from "./state";

export interface Draft {
  base: number;
  files: SourceFile[];
  savedAt: number; // ms since the epoch
  setAside?: SetAside[]; // versions a conflict resolution replaced (conflict.ts)
}

export interface StoredDraft extends Draft {
  tab: string;
}

const PREFIX = "paydomain.draft.v2.";
const TAB_KEY = "paydomain.tab";

/** The signed-in user's part of a draft key: the caller's name, else a hash of the token (never the token). */
export function userKey(name: string, token: string): string {
  if (name) return "n:" + encodeURIComponent(name);
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193) >>> 0;
  return "t:" + h.toString(16);
}

export function newTabId(): string {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * This tab's id: kept in sessionStorage (one per tab, kept across reloads).
 * A duplicated tab (or one window.open-ed from it) starts with a copy of that
 * sessionStorage, so the id is claimed on a BroadcastChannel first: when a
 * live tab answers that it holds the id, this tab takes a new one.
 */
export async function claimTabId(waitMs = 80): Promise<string> {
  let id = sessionStorage.getItem(TAB_KEY) ?? "";
  if (id && typeof BroadcastChannel !== "undefined") {
    const ch = new BroadcastChannel("paydomain.tabs");
    const taken = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), waitMs);
      ch.onmessage = (e: MessageEvent) => { if (e.data?.held === id) { clearTimeout(timer); done(true); } };
      ch.postMessage({ claim: id });
    });
    ch.close();
    if (taken) id = "";
  }
  if (!id) { id = newTabId(); sessionStorage.setItem(TAB_KEY, id); }
  holdTabId(id);
  return id;
}

/** Answers other tabs' claims of `id` for as long as this page lives. */
function holdTabId(id: string): void {
  if (typeof BroadcastChannel === "undefined") return;
  const ch = new BroadcastChannel("paydomain.tabs");
  ch.onmessage = (e: MessageEvent) => { if (e.data?.claim === id) ch.postMessage({ held: id }); };
}

const keyOf = (user: string, tab: string) => `${PREFIX}${user}.${tab}`;

function parse(text: string | null): Draft | null {
  if (!text) return null;
  try {
    const d = JSON.parse(text) as Draft;
    const ok = d && typeof d.base === "number" && typeof d.savedAt === "number" && Array.isArray(d.files) &&
      d.files.every((f) => f && typeof f.name === "string" && typeof f.text === "string");
    return ok ? d : null;
  } catch { return null; }
}

export function readDraft(user: string, tab: string): Draft | null {
  return parse(localStorage.getItem(keyOf(user, tab)));
}

/** Throws when the browser refuses to store it (quota, storage disabled). */
export function writeDraft(user: string, tab: string, d: Draft): void {
  localStorage.setItem(keyOf(user, tab), JSON.stringify(d));
}

export function removeDraft(user: string, tab: string): void {
  localStorage.removeItem(keyOf(user, tab));
}

/** The user's drafts of other tabs, newest first. */
export function otherDrafts(user: string, tab: string): StoredDraft[] {
  const out: StoredDraft[] = [];
  const prefix = `${PREFIX}${user}.`;
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (!k || !k.startsWith(prefix) || k === keyOf(user, tab)) continue;
    const d = parse(localStorage.getItem(k));
    if (d) out.push({ ...d, tab: k.slice(prefix.length) });
  }
  return out.sort((a, b) => b.savedAt - a.savedAt);
}
