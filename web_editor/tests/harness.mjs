// Test harness: a real `paydomain serve` on a temporary store seeded from
// examples/acme (through the HTTP API, as an editor would), tokens for each
// role, and Debian's Chromium driven by playwright-core.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { before, after } from "node:test";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");
export const artifacts = join(repoRoot, "test-artifacts");

export function acmeFiles() {
  const dir = join(repoRoot, "examples/acme");
  return readdirSync(dir).filter((f) => f.endsWith(".pd")).sort().map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }));
}

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

function createToken(bin, db, role, name) {
  const out = execFileSync(bin, ["token", "create", "--db", db, "--role", role, "--name", name],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  // The token is printed once; take the longest word that looks like one.
  const words = out.split(/\s+/).filter((w) => /^[A-Za-z0-9_\-.~+/=]{16,}$/.test(w));
  if (!words.length) throw new Error(`cannot find the token in: ${out}`);
  return words.sort((a, b) => b.length - a.length)[0];
}

export class Server {
  /** `embedded`: serve the editor compiled into the binary instead of web_editor/dist (--editor). */
  static async start(bin, { embedded = false } = {}) {
    const s = new Server();
    s.dir = mkdtempSync(join(tmpdir(), "pd-editor-test-"));
    s.db = join(s.dir, "store.db");
    execFileSync(bin, ["init", "--db", s.db, "--from", join(repoRoot, "examples/acme"), "--author", "seed", "-m", "Seed from examples/acme"],
      { stdio: ["ignore", "ignore", "pipe"] });
    s.tokens = {
      admin: createToken(bin, s.db, "admin", "alice"),
      editor: createToken(bin, s.db, "editor", "bob"),
      editor2: createToken(bin, s.db, "editor", "carol"),
      reader: createToken(bin, s.db, "reader", "core"),
    };
    s.port = await freePort();
    s.url = `http://127.0.0.1:${s.port}`;
    s.log = "";
    const args = ["serve", "--db", s.db, "--listen", `127.0.0.1:${s.port}`];
    // Serve the freshly built page when the server takes its directory as an option.
    let help = "";
    try { help = execFileSync(bin, ["serve", "--help"], { encoding: "utf8" }); } catch (e) { help = String(e.stdout || ""); }
    if (!embedded && help.includes("--editor")) args.push("--editor", join(repoRoot, "web_editor/dist"));
    s.hasContexts = help.includes("--contexts");
    if (s.hasContexts) args.push("--contexts", join(repoRoot, "examples/acme/contexts"));
    s.proc = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    s.proc.stdout.on("data", (d) => { s.log += d; if (s.log.length > 1e6) s.log = s.log.slice(-5e5); });
    s.proc.stderr.on("data", (d) => { s.log += d; });
    const deadline = Date.now() + 30000;
    for (;;) {
      if (s.proc.exitCode !== null) throw new Error(`paydomain serve exited ${s.proc.exitCode}:\n${s.log}`);
      try { if ((await fetch(`${s.url}/healthz`)).ok) break; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`paydomain serve did not start:\n${s.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      // Seeded by init; should init leave the store empty, commit the example through the API.
      const head = await s.api("editor", "GET", "/v1/head");
      if (head.revision === 0) {
        await s.api("editor", "POST", "/v1/commits", { base: 0, message: "Seed from examples/acme", files: acmeFiles() });
      }
    } catch (e) {
      await new Promise((r) => setTimeout(r, 200));
      throw new Error(`${e.message}; paydomain serve said:\n${s.log.slice(-4000)}`);
    }
    return s;
  }

  /** Connects to an already running server (a dev loop against tests/mock-server.mjs). */
  static attach(url, tokens) {
    const s = new Server();
    s.url = url;
    s.tokens = tokens;
    return s;
  }

  async api(who, method, path, body) {
    const res = await fetch(this.url + path, {
      method,
      headers: { Authorization: `Bearer ${this.tokens[who]}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async stop() {
    if (this.proc && this.proc.exitCode !== null) {
      console.error(`# paydomain serve had exited (${this.proc.exitCode ?? this.proc.signalCode}) before the end of the tests:\n${this.log.slice(-4000)}`);
    }
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once("exit", r));
      this.proc.kill("SIGTERM");
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 10000);
      await exited;
      clearTimeout(t);
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function launchBrowser() {
  // launch() gives the browser a fresh temporary user-data-dir of its own.
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

export function ensureArtifacts() {
  mkdirSync(artifacts, { recursive: true });
  return artifacts;
}

/** Helpers on one page of the editor. */
export class EditorPage {
  constructor(page) { this.page = page; }

  async signIn(url, token, { check = true } = {}) {
    await this.page.goto(url + "/");
    await this.page.fill("#token", token);
    await this.page.click("#signin-form button[type=submit]");
    await this.page.waitForSelector("body[data-ready='1']", { timeout: 15000 });
    if (check) await this.waitChecks(1);
  }

  checks() { return this.page.evaluate(() => window.paydomainEditor.probe.checks); }

  async waitChecks(n) {
    await this.page.waitForFunction((k) => window.paydomainEditor.probe.checks >= k, n, { timeout: 15000 });
  }

  /** Waits until the problems shown are those of the text as it is now. */
  async waitChecked() {
    await this.page.waitForFunction(() => {
      const p = window.paydomainEditor.probe;
      return p.checkedEdits === p.edits;
    }, null, { timeout: 15000 });
  }

  async openFile(name) {
    await this.page.click(`#files li[data-file="${name}"]`);
  }

  text() { return this.page.evaluate(() => window.paydomainEditor.text()); }

  /** Selects the `nth` occurrence of `needle` in the open file (after `after`, if given), scrolled into view. */
  async select(needle, { after = "", offset = 0 } = {}) {
    const ok = await this.page.evaluate(({ needle, after, offset }) => {
      const v = window.paydomainEditor.view();
      const doc = v.state.doc.toString();
      const start = after ? doc.indexOf(after) : 0;
      if (start < 0) return false;
      const at = doc.indexOf(needle, start);
      if (at < 0) return false;
      v.dispatch({ selection: { anchor: at + offset, head: at + needle.length }, scrollIntoView: true });
      v.focus();
      return true;
    }, { needle, after, offset });
    if (!ok) throw new Error(`"${needle}" not found in the open file`);
  }

  /** Replaces the occurrence of `needle` by typing `replacement` on the keyboard, as an analyst would. */
  async replace(needle, replacement, opts = {}) {
    await this.select(needle, opts);
    await this.page.keyboard.type(replacement, { delay: 10 });
  }

  lineOf(needle) {
    return this.page.evaluate((needle) => {
      const v = window.paydomainEditor.view();
      const at = v.state.doc.toString().indexOf(needle);
      return at < 0 ? -1 : v.state.doc.lineAt(at).number;
    }, needle);
  }

  /** The text of file `name` of the working copy (open or not). */
  fileText(name) { return this.page.evaluate((n) => window.paydomainEditor.fileText(n), name); }

  /** The 1-based line of the first `needle` in file `name`; -1 if none. */
  async lineIn(name, needle) {
    const t = await this.fileText(name);
    const at = t.indexOf(needle);
    return at < 0 ? -1 : t.slice(0, at).split("\n").length;
  }

  /** The open file and the cursor's line. */
  where() { return cursorPlace(this.page); }

  async errors() { return (await this.problems()).filter((p) => p.severity === "error"); }

  problems() {
    return this.page.$$eval("#problems li.problem", (lis) => lis.map((li) => ({
      file: li.dataset.file, line: Number(li.dataset.line), code: li.dataset.code, text: li.textContent,
      severity: li.classList.contains("error") ? "error" : "warning",
    })));
  }
}

/**
 * A new browser context's page of `server`'s editor, signed in with `token`
 * (page errors logged; `acceptDialogs`: confirm() and alert() are accepted);
 * `check`: wait for the first live check.
 */
export async function openEditor(browser, server, token,
  { check = true, acceptDialogs = true, viewport = { width: 1280, height: 800 }, ...contextOptions } = {}) {
  const ctx = await browser.newContext({ viewport, ...contextOptions });
  const page = await ctx.newPage();
  if (acceptDialogs) page.on("dialog", (d) => d.accept());
  page.on("pageerror", (e) => { console.error(`page error: ${e.message}`); });
  const ed = new EditorPage(page);
  await ed.signIn(server.url, token, { check });
  return { ctx, page, ed };
}

/** A new browser context's page, signed in to `server` as `who` (dialogs left to the test). */
export function signedInPage(browser, server, who = "editor", contextOptions = {}) {
  return openEditor(browser, server, server.tokens[who], { acceptDialogs: false, ...contextOptions });
}

/** The file open in the editor (the file list's active entry) and the cursor's line. */
export function cursorPlace(page) {
  return page.evaluate(() => {
    const v = window.paydomainEditor.view();
    return { file: document.querySelector("#files li.active")?.dataset.file, line: v.state.doc.lineAt(v.state.selection.main.head).number };
  });
}

/**
 * For a describe(): a real server on $PAYDOMAIN_BIN (`embedded`: the editor
 * compiled into it) and a browser, started before its tests and stopped
 * after. The returned object's `server` and `browser` are set by then.
 */
/**
 * For a describe(): serverAndBrowser() and one page signed in as `who`; the
 * returned object's `server`, `browser`, `page` and `ed` (its EditorPage)
 * are set before the describe's tests run.
 */
export function signedInSession({ who = "editor", embedded = false } = {}) {
  const env = serverAndBrowser({ embedded });
  before(async () => { Object.assign(env, await signedInPage(env.browser, env.server, who)); });
  return env;
}

export function serverAndBrowser({ embedded = false } = {}) {
  const env = { server: null, browser: null };
  before(async () => {
    assert.ok(process.env.PAYDOMAIN_BIN, "set PAYDOMAIN_BIN to the paydomain binary");
    env.server = await Server.start(process.env.PAYDOMAIN_BIN, { embedded });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}
