// The page's standing banners, each with its own element (index.html), so
// one never hides another: the server cannot be reached, the token is no
// longer accepted, the problems shown are out of date. Each says what
// happens to the analyst's edits (kept: drafts.ts).
import type { Reach } from "./api";
import { $, el } from "./dom";
import { leaveKeepingDraft, saveDraft } from "./drafts";
import { TOKEN_KEY } from "./state";

let unreachableSince = 0;

/** Api's onReach: every call's outcome. */
export function onReach(r: Reach): void {
  const off = $("#banner-offline");
  if (r === "unreachable") {
    unreachableSince ||= Date.now();
    off.hidden = false;
    off.textContent = `Cannot reach the server since ${new Date(unreachableSince).toLocaleTimeString()}. ` +
      "Your edits are kept in this browser; the editor retries on its own.";
    return;
  }
  unreachableSince = 0;
  off.hidden = true;
  if (r === "unauthorized") showRevoked();
}

function showRevoked(): void {
  const b = $("#banner-revoked");
  if (!b.hidden) return;
  saveDraft();
  const again = el("button", { id: "signin-again" }, "Sign in again");
  again.addEventListener("click", () => {
    leaveKeepingDraft();
    localStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  b.hidden = false;
  b.replaceChildren("The server no longer accepts your token (it was revoked or replaced). Nothing more can be checked or committed. " +
    "Your edits are kept in this browser and come back when you sign in again as the same person. ", again);
}

/** The Problems list is that of the text at `checkedAt`, and the newest check failed. */
export function problemsStale(reason: string, checkedAt: number): void {
  const s = $("#problems-stale");
  s.hidden = false;
  s.textContent = `Out of date: ${reason}. ` +
    (checkedAt ? `These are the problems of your text as of ${new Date(checkedAt).toLocaleTimeString()}.` : "Your text has not been checked yet.");
}

export function problemsCurrent(): void {
  $("#problems-stale").hidden = true;
}
