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
