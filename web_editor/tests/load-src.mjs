// Bundles modules of src/ for node (no browser), so tests import the editor's
// own TypeScript: `await loadSrc('export * from "./objects";')`.
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export async function loadSrc(contents) {
  const dir = mkdtempSync(join(tmpdir(), "pd-editor-src-"));
  try {
    const out = join(dir, "lib.mjs");
    await build({
      stdin: { contents, resolveDir: join(here, "../src"), loader: "ts" },
      bundle: true, format: "esm", platform: "node", outfile: out, logLevel: "error",
    });
    return await import(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
