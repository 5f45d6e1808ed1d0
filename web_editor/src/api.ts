// The HTTP API of `paydomain serve` as the editor uses it (docs/api.md). The
// shapes are those of server/openapi.json (api.generated.ts): every answer is
// checked against its route's schema before the editor reads it, and a
// mismatch is an AnswerError with the JSON pointer of the field at fault,
// shown to the user like any other failure. Every call carries the bearer
// token; errors come back as ApiError with the server's Error body.
import { answerChecks, checkErrorBody, type Answers, type ApiRoute, type Conflict, type ErrorBody, type JsonObject, type Result } from "./api.generated";
import { ContractError } from "./contract";

export type {
  Caller, CheckReport, Commit, Conflict, ContextSample, Diagnostic, Diff, ErrorBody, IdUse, References, Evaluation, FailingTest, File as SourceFile,
  Json, JsonObject, Limit, Money, Posting, Result, Revision, RevisionDetail, TestCase, TestReport, WorkingEvaluation,
} from "./api.generated";
import type { File as SourceFile } from "./api.generated";

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public body: ErrorBody | null) {
    super(message);
  }
}

/** An answer that does not have the documented shape (server/openapi.json): the editor and server disagree. */
export class AnswerError extends ApiError {
  constructor(status: number, route: string, problem: string) {
    super(status, "unexpected-answer", `the server's answer to ${route} is not the documented one (server/openapi.json): ${problem}`, null);
  }
}

function parse(text: string, status: number, route: string): unknown {
  try { return JSON.parse(text); } catch { throw new AnswerError(status, route, `not JSON: ${text.slice(0, 200)}`); }
}

/** What every call tells the page about the connection: reached the server (and was the token accepted). */
export type Reach = "ok" | "unreachable" | "unauthorized";

export class Api {
  /** `onReach` hears of every call's outcome (the page's banners); the token is sent with each call. */
  constructor(public token: string, public base = "", public onReach: (r: Reach) => void = () => {}) {}

  /** Calls `route` ("METHOD /pattern") at `path` (the pattern filled in); the answer is checked against the route's schema. */
  async call<R extends ApiRoute>(route: R, path: string, body?: unknown): Promise<Answers[R]> {
    const method = route.slice(0, route.indexOf(" "));
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      this.onReach("unreachable");
      throw new ApiError(0, "network", `cannot reach the server: ${(e as Error).message}`, null);
    }
    this.onReach(res.status === 401 ? "unauthorized" : "ok");
    const text = await res.text();
    if (!res.ok) {
      // Every 4xx/5xx has the Error shape (docs/api.md, "Errors").
      const j = parse(text, res.status, `${route} (HTTP ${res.status})`);
      try { checkErrorBody(j, "", false); } catch (e) {
        if (e instanceof ContractError) throw new AnswerError(res.status, `${route} (HTTP ${res.status})`, e.message);
        throw e;
      }
      const err = j as ErrorBody;
      throw new ApiError(res.status, err.error.code, err.error.message, err);
    }
    const j = parse(text, res.status, route);
    try { answerChecks[route](j, "", false); } catch (e) {
      if (e instanceof ContractError) throw new AnswerError(res.status, route, e.message);
      throw e;
    }
    return j as Answers[R];
  }

  whoami() { return this.call("GET /v1/whoami", "/v1/whoami"); }

  /** The head revision's number; `query` adds the long-poll parameters. */
  async head(query = ""): Promise<number> {
    return (await this.call("GET /v1/head", "/v1/head" + query)).revision;
  }

  /** The newest `limit` revisions, newest first. */
  async revisions(limit = 200) {
    return (await this.call("GET /v1/revisions", `/v1/revisions?limit=${limit}`)).revisions;
  }

  revision(rev: number | "head") { return this.call("GET /v1/revisions/{rev}", `/v1/revisions/${rev}`); }

  check(files: SourceFile[]) { return this.call("POST /v1/check", "/v1/check", { files }); }

  /** The object id at file:line:column of a working copy and every use of it, as the checker resolves them. */
  references(files: SourceFile[], file: string, line: number, column: number) {
    return this.call("POST /v1/references", "/v1/references", { files, file, line, column });
  }

  /** One file's text as `paydomain fmt` writes it (a 422 when it does not parse). */
  format(name: string, text: string) { return this.call("POST /v1/format", "/v1/format", { name, text }); }

  /** Tries a working copy on one context: its result (the raw answer is kept for display). */
  async evaluate(files: SourceFile[], context: JsonObject): Promise<{ result: Result; answer: unknown }> {
    const route = "POST /v1/evaluate";
    const j = await this.call(route, "/v1/evaluate?explain=true", { files, context, explain: true });
    return { result: single(route, j.result), answer: j };
  }

  /** Readers may not evaluate a working copy; they try a committed revision. */
  async evaluateAt(rev: number, context: JsonObject): Promise<{ result: Result; answer: unknown }> {
    const route = "POST /v1/revisions/{rev}/evaluate";
    const j = await this.call(route, `/v1/revisions/${rev}/evaluate?explain=true`, context);
    return { result: single(route, j.result), answer: j };
  }

  /** `allowFailingTests`: an admin's reason to commit although the domain's tests fail (recorded in the revision). */
  commit(files: SourceFile[], base: number, message: string, allowFailingTests?: string) {
    return this.call("POST /v1/commits", "/v1/commits",
      allowFailingTests ? { files, base, message, allow_failing_tests: allowFailingTests } : { files, base, message });
  }

  /** What the working copy does to payments against `base` (docs/impact.md); `contexts`: JSON lines to replay. */
  impact(base: number, files: SourceFile[], contexts: string) {
    return this.call("POST /v1/impact", "/v1/impact", contexts ? { base, files, contexts } : { base, files });
  }

  diff(from: number, to: number) { return this.call("GET /v1/diff", `/v1/diff?from=${from}&to=${to}`); }

  revert(rev: number, message?: string) {
    return this.call("POST /v1/revisions/{rev}/revert", `/v1/revisions/${rev}/revert`, message ? { message } : {});
  }

  /** A new commit that makes head equal to revision `rev` (admin): where a revert is blocked by later revisions. */
  restore(rev: number, message?: string) {
    return this.call("POST /v1/revisions/{rev}/restore", `/v1/revisions/${rev}/restore`, message ? { message } : {});
  }

  async contexts() { return (await this.call("GET /v1/contexts", "/v1/contexts")).contexts; }
}

/** `result` is optional in the schema (a batch answers `results`); a one-context request must have it. */
function single(route: string, r: Result | undefined): Result {
  if (!r) throw new AnswerError(200, route, "/result: missing (the answer to one context)");
  return r;
}

/** Conflicting objects of a 409 answer (none for a 409 that is not about objects, e.g. idempotency-mismatch). */
export function conflictsOf(body: ErrorBody | null): Conflict[] {
  return body?.conflicts ?? [];
}

/** For calls whose failure the page can live with: a fallback, except when the answer breaks the API contract. */
export function unlessAnswerError<T>(fallback: T): (e: unknown) => T {
  return (e) => { if (e instanceof AnswerError) throw e; return fallback; };
}
