// The Overview, Edit, Review and History tabs.
import { $ } from "./dom";
import type { ViewName } from "./events";
import { renderHistory } from "./history";
import { renderOverview } from "./overview";
import { renderReview } from "./review";
import { view } from "./state";

export function showView(v: ViewName): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) b.classList.toggle("active", b.dataset.view === v);
  for (const name of ["overview", "edit", "review", "history"]) $(`#view-${name}`).hidden = name !== v;
  document.body.dataset.view = v;
  if (v === "review") renderReview();
  if (v === "history") void renderHistory();
  if (v === "overview") void renderOverview();
  if (v === "edit") requestAnimationFrame(() => view.requestMeasure());
}
export function installTabs(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) b.addEventListener("click", () => showView(b.dataset.view as ViewName));
}
