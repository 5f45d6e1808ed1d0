// Following head: a long-poll that offers to bring others' commits in, in a
// banner of its own (#banner-head) that goes away as soon as the working copy
// is based on that head, however it got there (bring in, conflict, reload).
import { AnswerError } from "./api";
import { bringInHead } from "./conflict";
import { $, el, notice } from "./dom";
import { api, base, isDirty } from "./state";

/** Long-polls head; when someone else commits, offers to bring their changes in. */
export async function followHead(): Promise<void> {
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
  const n = $("#banner-head");
  n.hidden = false;
  const b = el("button", { id: "bring-in" }, isDirty() ? "Bring their changes in (your edits are kept)" : "Update to head");
  b.addEventListener("click", async () => {
    n.hidden = true;
    await bringInHead();
  });
  n.dataset.head = String(h);
  n.replaceChildren(`Head moved to r${h}: someone committed since your working copy (r${base}). `, b);
}

/** On "base-changed": the banner is stale once the working copy is based on its head (or later). */
export function headBannerFollows(): void {
  const n = $("#banner-head");
  if (!n.hidden && Number(n.dataset.head) <= base) n.hidden = true;
}
