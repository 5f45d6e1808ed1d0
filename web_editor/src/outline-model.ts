// The outline of a working copy, without the DOM (unit-tested): objects by
// kind, each with its name and, for tariffs, its fee decisions ("when ...",
// "otherwise", nested by depth) and, for routing rulesets, their statements
// (when/candidate/exclude ...), each with its line.
import { scanObjects } from "./objects";

export interface OutlineItem { label: string; line: number; depth: number }
export interface OutlineObject { kind: string; id: string; name: string; file: string; line: number; items: OutlineItem[] }

const FEE_RULE = /^(\s*)(when\b.*?|otherwise)\s*\{\s*\}?\s*(#.*)?$/;
const ROUTING_STATEMENT = /^  (when|candidate|exclude|use|decline)\b(.*)$/;

export function outlineOf(files: { name: string; text: string }[]): OutlineObject[] {
  const out: OutlineObject[] = [];
  for (const f of files) {
    for (const o of scanObjects(f.text)) {
      const lines = o.text.split("\n");
      const name = /^\s*name\s+"((?:[^"\\]|\\.)*)"/m.exec(o.text)?.[1] ?? "";
      const items: OutlineItem[] = [];
      if (o.kind === "tariff") {
        // fee decisions: the `fees` block, and those inside `refunds` and `chargebacks`
        // (shown under "refund fees", "chargeback fees", "chargeback reserve")
        let feesIndent = -1;
        let shift = 0;
        let terms = "";  // the terms block the line is in: refunds, chargebacks
        lines.forEach((l, k) => {
          const block = /^ {2}(refunds|captures|chargebacks)\s*\{/.exec(l);
          if (block) terms = block[1];
          const open = /^(\s*)(fees|reserve)\s*\{\s*$/.exec(l);
          if (open && (open[1].length > 2 || open[2] === "fees")) {
            feesIndent = open[1].length;
            shift = feesIndent > 2 ? 1 : 0;
            const what = terms === "chargebacks" ? "chargeback" : "refund";
            if (shift) items.push({ label: `${what} ${open[2]}`, line: o.line + k, depth: 0 });
            return;
          }
          if (feesIndent < 0) return;
          if (new RegExp(`^ {${feesIndent}}\\}`).test(l)) { feesIndent = -1; return; }
          const m = FEE_RULE.exec(l);
          if (m) items.push({ label: m[2].trim(), line: o.line + k, depth: (m[1].length - feesIndent - 2) / 2 + shift });
        });
      } else if (o.kind === "routing") {
        lines.forEach((l, k) => {
          const m = ROUTING_STATEMENT.exec(l);
          if (m) items.push({ label: (m[1] + m[2]).replace(/\s+#.*$/, "").trim(), line: o.line + k, depth: 0 });
        });
      }
      out.push({ kind: o.kind, id: o.id, name, file: f.name, line: o.line, items });
    }
  }
  return out;
}

export interface SearchHit { file: string; line: number; column: number; length: number; text: string }

/** Every occurrence of `query` (case-insensitive) in every file, at most `limit`. */
export function searchFiles(files: { name: string; text: string }[], query: string, limit = 200): SearchHit[] {
  const hits: SearchHit[] = [];
  const q = query.toLowerCase();
  if (!q) return hits;
  for (const f of files) {
    const lines = f.text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const low = lines[i].toLowerCase();
      for (let at = low.indexOf(q); at >= 0; at = low.indexOf(q, at + q.length)) {
        hits.push({ file: f.name, line: i + 1, column: at + 1, length: q.length, text: lines[i] });
        if (hits.length >= limit) return hits;
      }
    }
  }
  return hits;
}
