// The evaluation result as JSON text, written with json::Writer straight into
// a string (no document tree), and the text-in, text-out path that
// `paydomain eval` and POST /v1/evaluate run.
#pragma once

#include <string>
#include <string_view>

#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"
#include "evaluator/program.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

// The result of one evaluation as compact JSON, appended to `out`:
//   {"terms": {"status", "reasons"?, "missing"?, "hold_lifetime"?, "explain"?},
//    "cash_flow": {"status", "postings": [{"from", "to", "amount", "side", "details"?, "rule"?}], ...},
//    "route": {"status", "terminal"?, "provider"?, "candidates"?, "rejected"?, ...},
//    "limits": [{"limit", "status", "period", "timezone", "scope_key"?, "window"?, "bound", ...}],
//    "limits_not_applicable": ["limit id", ...]}
void write_result(const EvalResult& r, const Program& program, bool explain, std::string& out);
// `plain` false: scan and escape every text even when the program is
// json_plain (the tests compare both ways).
void write_result(const EvalResult& r, const Program& program, bool explain, bool plain, std::string& out);

// One JSON context (context_json.h) -> its result JSON appended to `out`, or
// the context's error (nothing appended). Reuses a per-thread context and
// result, so a thread answering many contexts allocates only for `out`.
Status evaluate_text(const Program& program, std::string_view context, bool explain, std::string& out);

// The same over a CompiledDomain (its program); an error, nothing written,
// when it was compiled without one (program_of).
inline Status write_result(const EvalResult& r, const CompiledDomain& domain, bool explain, std::string& out) {
  auto p = program_of(domain);
  if (!p) return p.error();
  write_result(r, **p, explain, out);
  return Ok{};
}
inline Status evaluate_text(const CompiledDomain& domain, std::string_view context, bool explain, std::string& out) {
  auto p = program_of(domain);
  if (!p) return p.error();
  return evaluate_text(**p, context, explain, out);
}

// {"error": {"path", "message"}}: a malformed context's place in a batch answer.
void write_error(const Error& e, std::string& out);

}  // namespace paydomain::evaluator
