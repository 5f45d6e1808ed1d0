// The HTTP API of `paydomain serve` as the editor uses it (docs/api.md).
// Every call carries the bearer token; errors come back as ApiError with the
// server's {"error": {"code", "message", "path"}} and the whole body (a 409
// commit answer lists the conflicting objects, a 422 the diagnostics).

export interface SourceFile { name: string; text: string }

export interface Diagnostic {
  severity: "error" | "warning";
  file: string;
  line: number;
  column: number;
  length: number;
  code: string;
  message: string;
  expected?: string;
  suggestion?: string;
  object?: string;
}

export interface RevisionInfo {
  revision: number;
  author: string;
  message: string;
  time: string;
  base?: number;
  files?: SourceFile[];
  source?: string;
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public body: any) {
    super(message);
  }
}

export class Api {
  constructor(public token: string, public base = "") {}

  async call(method: string, path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, "network", `cannot reach the server: ${(e as Error).message}`, null);
    }
    const text = await res.text();
    let json: any = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (!res.ok) {
      const err = json && json.error ? json.error : {};
      throw new ApiError(res.status, err.code || String(res.status), err.message || text || res.statusText, json);
    }
    return json;
  }

  // ---- who am I
  /** {name, role} of the token; falls back to probing when the server has no whoami route. */
  async whoami(): Promise<{ name: string; role: string }> {
    try {
      const j = await this.call("GET", "/v1/whoami");
      const t = j.token || j;
      return { name: t.name || "", role: t.role || "" };
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401)) throw e;
    }
    await this.head(); // 401 here means a bad token
    let role = "reader";
    try { await this.check([]); role = "editor"; } catch (e) { if (!(e instanceof ApiError) || e.status !== 403) role = "editor"; }
    if (role === "editor") {
      try { await this.call("GET", "/v1/tokens"); role = "admin"; } catch { /* not an admin */ }
    }
    return { name: "", role };
  }

  async head(query = ""): Promise<number> {
    const j = await this.call("GET", "/v1/head" + query);
    return typeof j === "number" ? j : (j.revision ?? j.head ?? 0);
  }

  async revisions(limit = 200): Promise<RevisionInfo[]> {
    const j = await this.call("GET", `/v1/revisions?limit=${limit}`);
    const list: any[] = Array.isArray(j) ? j : (j.revisions || j.items || []);
    return list.map(normalizeRevision).sort((a, b) => b.revision - a.revision);
  }

  async revision(rev: number | "head"): Promise<RevisionInfo> {
    return normalizeRevision(await this.call("GET", `/v1/revisions/${rev}`));
  }

  async check(files: SourceFile[]): Promise<{ diagnostics: Diagnostic[]; raw: any }> {
    const j = await this.call("POST", "/v1/check", { files });
    return { diagnostics: (j && (j.diagnostics || j.problems)) || [], raw: j };
  }

  async evaluate(files: SourceFile[], context: any): Promise<any> {
    const j = await this.call("POST", "/v1/evaluate?explain=true", { files, context, contexts: undefined, explain: true });
    return j;
  }

  /** Readers may not evaluate a working copy; they try a committed revision. */
  async evaluateAt(rev: number, context: any): Promise<any> {
    return this.call("POST", `/v1/revisions/${rev}/evaluate?explain=true`, context);
  }

  async commit(files: SourceFile[], base: number, message: string): Promise<any> {
    return this.call("POST", "/v1/commits", { files, base, message });
  }

  async diff(from: number, to: number): Promise<any> {
    return this.call("GET", `/v1/diff?from=${from}&to=${to}`);
  }

  async revert(rev: number, message?: string): Promise<any> {
    return this.call("POST", `/v1/revisions/${rev}/revert`, message ? { message } : {});
  }

  async contexts(): Promise<any[] | null> {
    try {
      const j = await this.call("GET", "/v1/contexts");
      return Array.isArray(j) ? j : j.contexts || null;
    } catch { return null; }
  }
}

export function normalizeRevision(j: any): RevisionInfo {
  const r = j && j.revision && typeof j.revision === "object" ? { ...j.revision, ...j } : { ...j };
  const rev = typeof r.revision === "number" ? r.revision : (r.rev ?? r.id ?? r.number ?? 0);
  let files: SourceFile[] | undefined;
  if (Array.isArray(r.files)) files = r.files.map((f: any) => ({ name: f.name || f.path || f.file, text: f.text ?? f.source ?? f.content ?? "" }));
  else if (r.files && typeof r.files === "object") files = Object.entries(r.files).map(([name, text]) => ({ name, text: String(text) }));
  return {
    ...r,
    revision: rev,
    author: r.author || r.committer || "",
    message: r.message ?? "",
    time: r.time || r.created_at || r.committed_at || r.timestamp || "",
    files,
    source: typeof r.source === "string" ? r.source : undefined,
  };
}

/** Conflicting objects of a 409 answer, as "kind id" pairs, whatever the exact shape. */
export function conflictsOf(body: any): { kind: string; id: string; revisions?: number[] }[] {
  const raw: any[] = (body && (body.conflicts || (body.error && (body.error.conflicts || body.error.objects)) || body.objects)) || [];
  return raw.map((c) => {
    if (typeof c === "string") { const [kind, ...rest] = c.split(/[ /:]/); return { kind, id: rest.join(" ") }; }
    return { kind: c.kind, id: c.id, revisions: Array.isArray(c.revisions) ? c.revisions : undefined };
  });
}

/** The revision number in a commit or revert answer: {"revision": N} or {"revision": {"revision"|"rev": N}}. */
export function revisionOf(j: any): number {
  if (!j) return 0;
  if (typeof j.revision === "number") return j.revision;
  if (j.revision && typeof j.revision === "object") return j.revision.revision ?? j.revision.rev ?? 0;
  return j.rev ?? j.head ?? 0;
}
