// Finding one's way by id: hovering an object's id shows its declaration
// (kind, file, line and its first lines), and F12 or Ctrl/Cmd-click on an id
// goes to the declaration. The declarations are rebuilt with the object
// index (off the typing path, on "index-changed").
import { EditorView, hoverTooltip, keymap, type Tooltip } from "@codemirror/view";
import type { Extension } from "@codemirror/state";
import { emit } from "./events";
import { scanObjects } from "./objects";
import { files, textOf } from "./state";
import { inCommentOrString } from "./lang-util";

interface Declaration { kind: string; id: string; file: string; line: number; text: string }
let declarations = new Map<string, Declaration[]>();

export function rebuildDeclarations(): void {
  const m = new Map<string, Declaration[]>();
  files.forEach((f, i) => {
    for (const o of scanObjects(textOf(f, i))) {
      if (o.kind === "test") continue;
      if (!m.has(o.id)) m.set(o.id, []);
      m.get(o.id)!.push({ kind: o.kind, id: o.id, file: f.name, line: o.line, text: o.text });
    }
  });
  declarations = m;
}

/** The identifier at `pos` (not in a comment or string) and where it starts and ends. */
function idAt(view: EditorView, pos: number): { id: string; from: number; to: number } | null {
  const line = view.state.doc.lineAt(pos);
  const text = line.text;
  if (inCommentOrString(text, pos - line.from)) return null;
  let s = pos - line.from;
  let e = s;
  while (s > 0 && /[A-Za-z0-9_]/.test(text[s - 1])) s--;
  while (e < text.length && /[A-Za-z0-9_]/.test(text[e])) e++;
  const id = text.slice(s, e);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(id)) return null;
  return { id, from: line.from + s, to: line.from + e };
}

export function declarationsOf(id: string): Declaration[] {
  return declarations.get(id) ?? [];
}

const idHover = hoverTooltip((view, pos): Tooltip | null => {
  const w = idAt(view, pos);
  if (!w) return null;
  const ds = declarationsOf(w.id);
  if (!ds.length) return null;
  return {
    pos: w.from, end: w.to, above: true,
    create: () => {
      const dom = document.createElement("div");
      dom.className = "decl-tooltip";
      for (const d of ds) {
        const head = document.createElement("div");
        head.className = "decl-head";
        head.textContent = `${d.kind} ${d.id} — ${d.file}:${d.line}`;
        const pre = document.createElement("pre");
        const lines = d.text.split("\n");
        pre.textContent = lines.slice(0, 10).join("\n") + (lines.length > 10 ? "\n  …" : "");
        dom.append(head, pre);
      }
      const hint = document.createElement("div");
      hint.className = "hint";
      hint.textContent = "F12 or Ctrl-click: go to the declaration · Shift-F12: find references · F2: rename";
      dom.append(hint);
      return { dom };
    },
  };
}, { hoverTime: 300 });

/** Goes to the declaration of the id at `pos`; false when it names none. */
function goToDeclaration(view: EditorView, pos: number): boolean {
  const w = idAt(view, pos);
  const d = w ? declarationsOf(w.id)[0] : undefined;
  if (!d) return false;
  emit("open-at", d.file, d.line);
  return true;
}

export function navigation(): Extension {
  return [
    idHover,
    keymap.of([{ key: "F12", run: (v) => goToDeclaration(v, v.state.selection.main.head) }]),
    EditorView.domEventHandlers({
      mousedown: (ev, view) => {
        if (!(ev.ctrlKey || ev.metaKey) || ev.button !== 0) return false;
        const pos = view.posAtCoords({ x: ev.clientX, y: ev.clientY });
        if (pos === null || !goToDeclaration(view, pos)) return false;
        ev.preventDefault();
        return true;
      },
    }),
  ];
}
