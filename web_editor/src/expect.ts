// Compares an evaluation result with a test's `expect` lines, so an analyst
// sees at once which expectations of the sample payment still hold. Only the
// outcome is compared here; `paydomain test` is the authority.
import { moneyValue } from "./context";
import type { Result } from "./api";

export type Verdict = "pass" | "fail" | "unknown";

export function checkExpectation(line: string, res: Result, exponentOf: (cur: string) => number): Verdict {
  const toks = line.trim().split(/\s+/);
  const route = res.route;
  const terms = res.terms;
  let m: RegExpExecArray | null;
  if ((m = /^posting\s+(\S+)\s*->\s*(\S+)\s+(.+)$/.exec(line.trim()))) {
    const want = moneyValue(m[3], exponentOf);
    if (!want) return "unknown";
    const [, from, to] = m;
    return res.cash_flow.postings.some((p) => p.from === from && p.to === to && p.amount.amount === want.amount && p.amount.currency === want.currency) ? "pass" : "fail";
  }
  if ((m = /^route\s+in\s*\[([^\]]*)\]/.exec(line.trim()))) {
    const ids = m[1].split(",").map((s) => s.trim());
    return route.status === "chosen" && ids.includes(route.terminal ?? "") ? "pass" : "fail";
  }
  if (toks[0] === "no" && toks[1] === "route") return route.status === "no_route" ? "pass" : "fail";
  if (toks[0] === "route" && toks.length === 2) return route.status === "chosen" && route.terminal === toks[1] ? "pass" : "fail";
  if (toks[0] === "decline") {
    if (route.status !== "declined") return "fail";
    const reason = /"((?:[^"\\]|\\.)*)"/.exec(line);
    return !reason || route.decline_reason === reason[1] ? "pass" : "fail";
  }
  if (toks[0] === "allowed") return terms.status === "allowed" ? "pass" : "fail";
  if (toks[0] === "forbidden") return terms.status === "forbidden" ? "pass" : "fail";
  if (toks[0] === "limit" && toks.length >= 3) {
    const l = res.limits.find((x) => x.limit === toks[1]);
    if (toks[2] === "not") return !l || l.status !== "applies" ? "pass" : "fail";
    if (toks[2] === "applies") return l && l.status === "applies" ? "pass" : "fail";
    if (toks[2] === "exceeded") return l && l.verdict === "exceeded" ? "pass" : "fail";
  }
  return "unknown";
}
