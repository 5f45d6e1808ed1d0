// A stand-in for `paydomain serve`, for working on the page while the real
// server is not at hand: `node tests/mock-server.mjs PORT [CHECK_BIN]`.
// Keeps revisions in memory (seeded from examples/acme), checks with the real
// `paydomain check --json` when CHECK_BIN is given, answers evaluate with an
// empty result. Never used by the tests, which run the real server.
import { createServer } from "node:http";
import { readFileSync, readdirSync, mkdtempSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { join, dirname, basename } from "node:path";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../..");
const port = Number(process.argv[2] || 8099);
const checkBin = process.argv[3];
const dist = join(here, "../dist");

const acme = join(root, "examples/acme");
const seed = readdirSync(acme).filter((f) => f.endsWith(".pd")).sort().map((f) => ({ name: f, text: readFileSync(join(acme, f), "utf8") }));
const revs = [{ revision: 1, author: "seed", message: "examples/acme", time: new Date().toISOString(), files: seed }];
const tokens = { admin: { name: "alice", role: "admin" }, editor: { name: "bob", role: "editor" }, reader: { name: "core", role: "reader" } };

function objects(files) {
  const m = new Map();
  for (const f of files) {
    const re = /^(\w+)\s+("[^"]*"|\w+)\s*\{/gm;
    let x;
    while ((x = re.exec(f.text))) {
      let depth = 0, i = x.index + x[0].length - 1;
      for (; i < f.text.length; i++) { if (f.text[i] === "{") depth++; else if (f.text[i] === "}" && --depth === 0) break; }
      m.set(`${x[1]} ${x[2].replace(/"/g, "")}`, f.text.slice(x.index, i + 1).replace(/\s+/g, " "));
    }
  }
  return m;
}

function check(files) {
  if (!checkBin) return [];
  const dir = mkdtempSync(join(tmpdir(), "pdmock-"));
  try {
    for (const f of files) writeFileSync(join(dir, basename(f.name)), f.text);
    let out;
    try { out = execFileSync(checkBin, ["check", "--json", dir], { encoding: "utf8" }); } catch (e) { out = e.stdout; }
    return JSON.parse(out).diagnostics.map((d) => ({ ...d, file: basename(d.file) }));
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

function send(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}
const err = (res, status, code, message, extra = {}) => send(res, status, { error: { code, message, path: "" }, ...extra });

createServer(async (req, res) => {
  const url = new URL(req.url, "http://x");
  let body = "";
  for await (const c of req) body += c;
  if (!url.pathname.startsWith("/v1/")) {
    const p = join(dist, url.pathname === "/" ? "index.html" : url.pathname);
    if (!existsSync(p)) return err(res, 404, "not-found", "no such file");
    res.writeHead(200, { "Content-Type": p.endsWith(".js") ? "text/javascript" : p.endsWith(".css") ? "text/css" : "text/html" });
    return res.end(readFileSync(p));
  }
  const tok = tokens[(req.headers.authorization || "").replace(/^Bearer /, "")];
  if (!tok) return err(res, 401, "unauthorized", "bad token");
  const j = body ? JSON.parse(body) : {};
  const head = revs.length;
  const path = url.pathname;
  let m;
  if (path === "/v1/whoami") return send(res, 200, tok);
  if (path === "/v1/head") return send(res, 200, { revision: head });
  if (path === "/v1/revisions") return send(res, 200, { revisions: revs.map(({ files, ...r }) => r).reverse() });
  if ((m = /^\/v1\/revisions\/(\d+|head)$/.exec(path))) {
    const r = revs[(m[1] === "head" ? head : Number(m[1])) - 1];
    return r ? send(res, 200, r) : err(res, 404, "unknown-revision", "no such revision");
  }
  if (path === "/v1/check") return send(res, 200, { diagnostics: check(j.files) });
  if (path === "/v1/evaluate") return send(res, 200, { result: { postings: [], route: null, limits: [] } });
  if (path === "/v1/diff") return send(res, 200, {});
  if (path === "/v1/commits") {
    const ds = check(j.files).filter((d) => d.severity === "error");
    if (ds.length) return err(res, 422, "invalid-domain", "the domain has errors", { diagnostics: ds });
    const base = objects(revs[j.base - 1].files), now = objects(revs[head - 1].files), mine = objects(j.files);
    const conflicts = [];
    for (const k of new Set([...base.keys(), ...mine.keys()])) {
      if (base.get(k) !== mine.get(k) && base.get(k) !== now.get(k)) { const [kind, ...id] = k.split(" "); conflicts.push({ kind, id: id.join(" ") }); }
    }
    if (conflicts.length) return err(res, 409, "conflict", "objects changed since your base", { conflicts, head });
    revs.push({ revision: head + 1, author: tok.name, message: j.message, time: new Date().toISOString(), files: j.files });
    return send(res, 201, { revision: { revision: head + 1 } });
  }
  if ((m = /^\/v1\/revisions\/(\d+)\/revert$/.exec(path))) {
    if (tok.role !== "admin") return err(res, 403, "forbidden", "admin only");
    const n = Number(m[1]);
    revs.push({ revision: head + 1, author: tok.name, message: `Revert r${n}`, time: new Date().toISOString(), files: revs[n - 2].files });
    return send(res, 201, { revision: { revision: head + 1 } });
  }
  err(res, 404, "not-found", "no route");
}).listen(port, "127.0.0.1", () => console.log(`mock on http://127.0.0.1:${port}/`));
