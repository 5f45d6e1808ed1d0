// Builds web_editor/dist/, or the directory given as the first argument (the
// C++ build passes its own, then compiles it in through embed.mjs):
//  1. generates src/api.generated.ts from server/openapi.json (gen-api.mjs): the
//     types and runtime checks of the server's answers;
//  2. bundles src/main.ts with esbuild and copies index.html, style.css and
//     the favicon.
// The language vocabulary (src/vocabulary.generated.ts) comes from
// `paydomain schema --json` through vocabulary.mjs, and is committed so this
// runs before the C++ is built (a test regenerates it and compares).
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateApi } from "./gen-api.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");

// Written only when changed, so watchers and tsc do not see a new file on every build.
function writeIfChanged(path, text) {
  if (!existsSync(path) || readFileSync(path, "utf8") !== text) writeFileSync(path, text);
}
writeIfChanged(join(here, "src/api.generated.ts"), generateApi(join(root, "server/openapi.json")));

const dist = process.argv[2] ? resolve(process.argv[2]) : join(here, "dist");
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
for (const f of ["index.html", "style.css", "favicon.svg"]) copyFileSync(join(here, "src", f), join(dist, f));
console.log(`web_editor: built ${dist}`);
