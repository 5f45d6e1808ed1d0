// The analysts' editor: sign in, edit the working copy (files of head), live
// check, try rules on a payment, review and commit, history and revert.
// This module signs in and starts the parts (one module per section).
import { EditorView } from "@codemirror/view";
import { AnswerError, Api, ApiError } from "./api";
import { $, el } from "./dom";
import { goTo, goToObject, onEdit, refreshIndex, scheduleCheck } from "./check";
import { on } from "./events";
import { discardDraft, initDrafts, restoreDraft } from "./drafts";
import { onReach } from "./banners";
import { followHead, headBannerFollows } from "./follow";
import { api, base, files, isDirty, probe, role, setApi, setCaller, textOf, TOKEN_KEY, userName, view } from "./state";
import { fillTryItOptions, markResultStale, setupTryIt } from "./tryit";
import { renderTestsPanel } from "./tests-panel";
import { renderTable } from "./decision-table";
import { installReview, renderReviewTests } from "./review";
import { installTabs, showView } from "./views";
import { installOutline, renderOutline } from "./outline";
import { rebuildDeclarations } from "./navigate";
import { openRevision } from "./history";
import { renderSetAside } from "./conflict";
import { renderOverview } from "./overview";
import { installWrapOption, loadHead } from "./workcopy";

declare global {
  interface Window { paydomainEditor: { probe: typeof probe; view: () => EditorView; text: () => string; files: () => string[]; fileText: (name: string) => string; base: () => number } }
}
window.paydomainEditor = {
  probe,
  view: () => view,
  text: () => (view ? view.state.doc.toString() : ""),
  files: () => files.map((f) => f.name),
  fileText: (name: string) => { const i = files.findIndex((f) => f.name === name); return i < 0 ? "" : textOf(files[i], i); },
  base: () => base,
};

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
  setApi(new Api(token));
  let drafts: Promise<void>;
  try {
    const me = await api.whoami();
    setCaller(me.role, me.name);
    drafts = initDrafts(me.name, token); // its tab-id claim runs while head loads
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      return showSignin("That token was not accepted.");
    }
    if (e instanceof AnswerError) return showSignin(e.message);
    return showSignin(`Cannot reach the server: ${(e as Error).message}`);
  }
  api.onReach = onReach; // from here on a 401 means the token was revoked, not mistyped
  $("#signin").hidden = true;
  $("#app").hidden = false;
  $("#tabs").hidden = false;
  $("#signout").hidden = false;
  $("#who").replaceChildren(userName ? `${userName} ` : "", el("span", { class: `role ${role}`, id: "role" }, role));
  await loadHead();
  await drafts;
  await restoreDraft();
  setupTryIt();
  void followHead();
  showView("overview");
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
  discardDraft(); // confirmed above; drafts of other tabs stay (and stay this user's)
  location.reload();
});
// Who reacts to what (events.ts), wired before anything can emit.
on("edited", onEdit);
on("files-replaced", () => { refreshIndex(); scheduleCheck(0); });
on("index-changed", fillTryItOptions);
on("index-changed", rebuildDeclarations);
on("index-changed", renderOutline);
on("open-at", (file, line, column, length) => goTo(file, line, column, length));
on("open-object", (kind, id) => { goToObject(kind, id); });
on("open-revision", (rev) => { showView("history"); openRevision(rev); });
on("tests-changed", () => { if (document.body.dataset.view === "overview") void renderOverview(); });
on("show-view", showView);
on("tests-changed", renderReviewTests);
on("tests-changed", renderTestsPanel);
on("edited", markResultStale);
let tableTimer: number | undefined;
on("edited", () => { clearTimeout(tableTimer); tableTimer = window.setTimeout(renderTable, 80); });
on("index-changed", renderTable); // another file opened, or the working copy replaced
on("base-changed", headBannerFollows);
on("set-aside-changed", renderSetAside);
installTabs();
installOutline();
installReview();
renderTestsPanel();
installWrapOption();

void start();
