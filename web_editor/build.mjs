// Builds web_editor/dist/ (served by `paydomain serve` at /): bundles
// src/main.ts with esbuild and copies index.html and style.css. The language
// vocabulary (src/vocabulary.generated.ts) comes from `paydomain schema --json`
// through vocabulary.mjs, and is committed so this runs before the C++ is built.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(here, "src/main.ts")],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["chrome110", "firefox110", "safari16"],
  outfile: join(dist, "app.js"),
  logLevel: "warning",
});
copyFileSync(join(here, "src/index.html"), join(dist, "index.html"));
copyFileSync(join(here, "src/style.css"), join(dist, "style.css"));
console.log("web_editor: built dist/");
