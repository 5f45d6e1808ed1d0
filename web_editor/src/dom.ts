// Small DOM helpers and the notice bar shared by every part of the page.


export const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;
export const el = (tag: string, attrs: Record<string, string> = {}, ...kids: (Node | string | null)[]) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) if (k !== null) e.append(k);
  return e;
};

export function notice(msg: string, kind: "info" | "error" = "info"): void {
  const n = $("#notice");
  n.textContent = msg;
  n.className = kind === "error" ? "error" : "";
  n.hidden = !msg;
}

/**
 * Makes a list item (or any element) work like a button from the keyboard:
 * reachable with Tab, activated with Enter or Space, as by a click.
 */
export function activatable<T extends HTMLElement>(e: T, run: () => void): T {
  e.tabIndex = 0;
  e.setAttribute("role", "button");
  e.addEventListener("click", run);
  e.addEventListener("keydown", (ev) => {
    if ((ev.key === "Enter" || ev.key === " ") && ev.target === e) { ev.preventDefault(); run(); }
  });
  return e;
}
