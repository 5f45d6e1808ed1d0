// A stand-in for `paydomain serve`, for working on the page while the real
// server is not at hand: `node tests/mock-server.mjs PORT [CHECK_BIN]`.
// Keeps revisions in memory (seeded from examples/acme), checks with the real
// `paydomain check --json` when CHECK_BIN is given, answers evaluate with an
// undetermined result. Answers have the shapes of server/openapi.json (the
// editor checks them). Never used by the tests, which run the real server.
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
const revs = [];
function addRevision(author, message, files) {
  const now = Date.now();
  revs.push({ revision: revs.length + 1, base: revs.length, author, message, time: new Date(now).toISOString(), time_ms: now, op_count: 1, files });
  return meta(revs[revs.length - 1]);
}
const meta = ({ files, ...r }) => r;
const committed = (r) => ({ ...r, rebased: false, replayed: false, warnings: [] });
addRevision("seed", "examples/acme", seed);
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
  if (path === "/v1/head") return send(res, 200, meta(revs[head - 1]));
  if (path === "/v1/revisions") return send(res, 200, { revisions: revs.map(meta).reverse() });
  if ((m = /^\/v1\/revisions\/(\d+|head)$/.exec(path))) {
    const r = revs[(m[1] === "head" ? head : Number(m[1])) - 1];
    if (!r) return err(res, 404, "not-found", "no such revision");
    const list = [...objects(r.files).keys()].map((k) => { const [kind, ...id] = k.split(" "); return { kind, id: id.join(" "), path: "", since: 1 }; });
    return send(res, 200, { ...r, objects: list });
  }
  if (path === "/v1/check") {
    const ds = check(j.files);
    const errors = ds.filter((d) => d.severity === "error").length;
    return send(res, 200, { ok: !errors, errors, warnings: ds.length - errors, objects: objects(j.files).size, diagnostics: ds });
  }
  if (path === "/v1/evaluate") {
    const result = { terms: { status: "undetermined" }, cash_flow: { status: "undetermined", postings: [] },
      route: { status: "undetermined", possible: [] }, limits: [], limits_not_applicable: [] };
    return send(res, 200, { result, diagnostics: [] });
  }
  if (path === "/v1/contexts") return send(res, 200, { contexts: [] });
  if (path === "/v1/diff") {
    const from = Number(url.searchParams.get("from")), to = Number(url.searchParams.get("to"));
    const a = from ? objects(revs[from - 1].files) : new Map(), b = objects(revs[to - 1].files);
    const list = [];
    for (const k of new Set([...a.keys(), ...b.keys()])) {
      if (a.get(k) === b.get(k)) continue;
      const [kind, ...id] = k.split(" ");
      list.push({ kind, id: id.join(" "), change: !a.has(k) ? "added" : !b.has(k) ? "removed" : "changed" });
    }
    return send(res, 200, { from, to, objects: list, summary: "" });
  }
  if (path === "/v1/commits") {
    const ds = check(j.files).filter((d) => d.severity === "error");
    if (ds.length) return err(res, 422, "invalid-domain", "the domain has errors", { diagnostics: ds });
    const base = objects(revs[j.base - 1].files), now = objects(revs[head - 1].files), mine = objects(j.files);
    const conflicts = [];
    for (const k of new Set([...base.keys(), ...mine.keys()])) {
      if (base.get(k) !== mine.get(k) && base.get(k) !== now.get(k)) { const [kind, ...id] = k.split(" "); conflicts.push({ kind, id: id.join(" "), revisions: [head] }); }
    }
    if (conflicts.length) return err(res, 409, "conflict", "objects changed since your base", { conflicts });
    return send(res, 201, committed(addRevision(tok.name, j.message, j.files)));
  }
  if ((m = /^\/v1\/revisions\/(\d+)\/revert$/.exec(path))) {
    if (tok.role !== "admin") return err(res, 403, "forbidden", "admin only");
    const n = Number(m[1]);
    return send(res, 201, committed(addRevision(tok.name, `Revert r${n}`, revs[n - 2].files)));
  }
  err(res, 404, "not-found", "no route");
}).listen(port, "127.0.0.1", () => console.log(`mock on http://127.0.0.1:${port}/`));
