// The editor's signals between sections. The section that causes something
// emits it; the one that owns the reaction is subscribed by main.ts. So the
// working copy and the drafts need not import the live check, nor the check
// the tabs or the try-it panel: the sections import each other in one
// direction only (no import cycle).
export type ViewName = "overview" | "edit" | "review" | "history";

interface Events {
  edited: []; // the active document changed (each keystroke)
  "files-replaced": []; // the working copy was replaced (head loaded, draft restored): re-index and check now
  "index-changed": []; // the object index was rebuilt (pickers that list objects follow)
  "show-view": [view: ViewName]; // a tab is wanted
  "tests-changed": []; // a live check brought the domain's test results (state.tests)
  "base-changed": []; // the working copy is now based on another revision (state.base)
  "open-at": [file: string, line: number, column?: number, length?: number]; // show this place in the editor
  "open-object": [kind: string, id: string]; // show this object's declaration
  "open-revision": [rev: number]; // show this revision in History
  "set-aside-changed": []; // state.setAside changed (a resolution, a put-back, a commit, a restored draft)
}

type Listener<K extends keyof Events> = (...args: Events[K]) => void;
const listeners: { [K in keyof Events]: Listener<K>[] } = {
  edited: [],
  "files-replaced": [],
  "index-changed": [],
  "show-view": [],
  "tests-changed": [],
  "base-changed": [],
  "open-at": [],
  "open-object": [],
  "open-revision": [],
  "set-aside-changed": [],
};

export function on<K extends keyof Events>(name: K, f: Listener<K>): void {
  listeners[name].push(f);
}

// Calls every listener of `name` at once, in the order they subscribed.
export function emit<K extends keyof Events>(name: K, ...args: Events[K]): void {
  for (const f of listeners[name]) f(...args);
}
