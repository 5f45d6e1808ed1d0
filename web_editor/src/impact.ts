// The impact of the working copy before the commit button (POST /v1/impact,
// docs/impact.md): the regions of payments whose answer changes, the sample
// payments (GET /v1/contexts) that change, and the money each posting moves
// before and after. Asked again whenever Review opens; an answer to an older
// question is dropped.
import { $, el } from "./dom";
import { api, base, isDirty, workingFiles } from "./state";

let asked = 0;
let samples: Promise<{ names: string[]; lines: string }> | null = null;

/** The server's sample contexts: their names, and the contexts as JSON lines ("" when it has none). */
function sampleLines(): Promise<{ names: string[]; lines: string }> {
  samples ??= api.contexts().then((list) => ({ names: list.map((c) => c.name), lines: list.map((c) => JSON.stringify(c.context)).join("\n") }),
    () => ({ names: [], lines: "" }));
  return samples;
}

export async function renderImpact(): Promise<void> {
  const box = $("#review-impact");
  const n = ++asked;
  if (!isDirty()) { box.hidden = true; return; }
  box.hidden = false;
  box.className = "hint";
  box.replaceChildren("Working out which payments change…");
  try {
    const sample = await sampleLines();
    const r = await api.impact(base, workingFiles(), sample.lines);
    if (n !== asked) return;
    box.className = "";
    const regions = r.regions ?? [];
    const total = regions.length + (r.more_regions ?? 0);
    const parts: (HTMLElement | string)[] = [el("h3", {}, total ? `${total} group${total === 1 ? "" : "s"} of payments change` : "No payment changes its answer")];
    if (regions.length) {
      parts.push(el("ul", { class: "summary", id: "impact-regions" }, ...regions.map((g) => el("li", { class: "region", "data-part": g.part ?? "" },
        el("b", {}, g.part ?? ""), ` — ${g.where}`,
        el("div", { class: "hint" }, `before: ${g.before}`),
        el("div", {}, `after: ${g.after}` + (g.delta ? `  (${g.delta})` : ""))))));
      if (r.more_regions) parts.push(el("p", { class: "hint" }, `and ${r.more_regions} more`));
    }
    for (const note of r.notes ?? []) parts.push(el("p", { class: "hint note" }, note));
    const rp = r.replay;
    if (rp && rp.payments) {
      parts.push(el("h3", {}, `${rp.changed} of ${rp.payments} sample payment(s) change`));
      parts.push(el("ul", { class: "summary", id: "impact-payments" }, ...(rp.changes ?? []).map((c) => el("li", { class: "changed-payment" },
        el("b", {}, sample.names[(c.line ?? 0) - 1] ?? `sample ${c.line}`), `: ${(c.parts ?? []).join(", ")} changes`,
        (c.parts ?? []).includes("route") ? el("span", { class: "hint" }, ` (route ${c.before?.route} → ${c.after?.route})`) : null))));
      const moved = (rp.money ?? []).filter((m) => m.difference_minor !== 0);
      if (moved.length) {
        parts.push(el("ul", { class: "summary", id: "impact-money" }, ...moved.map((m) => el("li", { class: "money" },
          `${m.currency} ${m.from} → ${m.to}: ${m.before} → ${m.after} `, el("b", {}, `(${m.difference})`)))));
      }
    }
    if (!r.complete) parts.push(el("p", { class: "error" }, "The analysis stopped at its budget: some payments may be missing."));
    box.replaceChildren(...parts);
  } catch (e) {
    if (n !== asked) return;
    box.className = "hint";
    box.replaceChildren(`No impact: ${(e as Error).message}`);
  }
}
