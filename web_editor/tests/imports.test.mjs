// The editor's modules import each other in one direction only: no import
// cycle among src/ (esbuild's own import graph of the bundle, from main.ts).
// Sections that must react to each other use src/events.ts instead.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, "../src");

// The import graph of src/ modules: file -> files it imports.
async function srcGraph() {
  const r = await build({
    entryPoints: [join(src, "main.ts")], bundle: true, write: false, metafile: true,
    format: "esm", platform: "browser", outdir: join(here, "out-unused"), logLevel: "error",
  });
  const graph = new Map();
  for (const [file, info] of Object.entries(r.metafile.inputs)) {
    if (!file.includes("src/")) continue;
    const name = relative(src, join(process.cwd(), file));
    graph.set(name, info.imports.filter((i) => i.path.includes("src/")).map((i) => relative(src, join(process.cwd(), i.path))));
  }
  return graph;
}

// Every strongly connected component with more than one module (or a module
// importing itself): Tarjan's algorithm.
export function cycles(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), out = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do { w = stack.pop(); on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

test("cycles() finds a cycle and ignores a chain", () => {
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]])), [["a", "b", "c"]]);
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]])), []);
});

test("no import cycle among the editor's modules", async () => {
  const graph = await srcGraph();
  assert.ok(graph.has("main.ts") && graph.has("check.ts") && graph.has("workcopy.ts"), [...graph.keys()].join(", "));
  assert.deepEqual(cycles(graph), []);
});
