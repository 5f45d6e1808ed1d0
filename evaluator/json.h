// Every JSON shape of the evaluator, in one place: the payment context (in),
// the evaluation result (out), a test block's `given` as a context, and the
// test report. nlohmann/json is included only by the .cc file.
//
// Context (the fields of dsl::kContextFields at their paths; all optional, a
// missing one makes the parts that need it "undetermined"):
//   {"operation": "payment"|"refund" (default "payment"),
//    "amount": {"amount": <minor units, integer >= 0>, "currency": "RUB"},
//    "payment_amount": {"amount": ..., "currency": "RUB"}   (a refund's original payment),
//    "tariff": "standard", "routing": "main",
//    "party": "acme", "shop": "web", "category": "retail",
//    "payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "issuer_country": "RUS",
//                     "bin": "555555", "wallet_provider": "...", "token_provider": "applepay",
//                     "token": "<card token, the payment_tool limit scope>"},
//    "risk": "low", "flow": "instant", "time": "2026-11-25T13:20:00Z", "payment_key": "pay-1",
//    "health": {"<terminal or provider id>": {"failure_rate": "80%", "latency_ms": 1200}},
//    "turnover": {"<amount limit id>": {"amount": 100, "currency": "RUB"}, "<count limit id>": 3}}
// failure_rate is a string percentage (exact decimal, "12.5%"), never a float.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "evaluator/compiled.h"
#include "evaluator/context.h"
#include "evaluator/evaluate.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

struct TestReport;

// Errors name the JSON path: "$.amount.amount: expected an integer number of
// minor units". Text that is not JSON at all: "$: not valid JSON (at byte N: ...)".
// The text is read in one pass, without a document tree (json/reader.h).
Result<Context> parse_context(std::string_view text, const CompiledDomain& domain);
inline Result<Context> parse_context(const std::string& text, const CompiledDomain& domain) {
  return parse_context(std::string_view(text), domain);
}
Result<Context> parse_context(const nlohmann::json& j, const CompiledDomain& domain);  // via its text

// The result of one evaluation as compact JSON, appended to `out`:
//   {"terms": {"status", "reasons"?, "missing"?, "hold_lifetime"?, "explain"?},
//    "cash_flow": {"status", "postings": [{"from", "to", "amount", "side", "details"?, "rule"?}], ...},
//    "route": {"status", "terminal"?, "provider"?, "candidates"?, "rejected"?, ...},
//    "limits": [{"limit", "status", "period", "timezone", "scope_key"?, "window"?, "bound", ...}],
//    "limits_not_applicable": ["limit id", ...]}
void write_result(const EvalResult& r, const CompiledDomain& domain, bool explain, std::string& out);
nlohmann::json to_json(const EvalResult& r, const CompiledDomain& domain, bool explain);  // the same, as a tree

// One JSON context -> its result JSON appended to `out`, or the context's
// error (nothing appended). What `paydomain eval` and the HTTP API answer.
std::optional<Error> evaluate_text(const CompiledDomain& domain, std::string_view context, bool explain,
                                   std::string& out);

// A batch on up to `threads` threads (0: every core); small batches stay on
// the calling thread. results[i] answers contexts[i]: its result JSON, or
// {"error": {"path", "message"}} when that context is malformed.
struct BatchOutcome {
  std::vector<std::string> results;
  size_t failed = 0;        // how many contexts were malformed
  size_t first_failed = 0;  // the index of the first, when failed > 0
  Error first_error;
};
BatchOutcome evaluate_batch(const CompiledDomain& domain, const std::vector<std::string_view>& contexts, bool explain,
                            unsigned threads);

// The context a test's `given` block describes (same shape as above).
nlohmann::json given_to_json(const dsl::Object& test);

nlohmann::json to_json(const TestReport& report);

}  // namespace paydomain::evaluator
