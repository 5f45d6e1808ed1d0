// Every JSON shape of the evaluator, in one place: the payment context (in),
// the evaluation result (out), a test block's `given` as a context, and the
// test report. nlohmann/json is included only by the .cc file.
//
// Context (all fields optional; a missing one makes the parts that need it
// "undetermined"):
//   {"operation": "payment"|"refund" (default "payment"),
//    "amount": {"amount": <minor units, integer >= 0>, "currency": "RUB"},
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
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "evaluator/compiled.h"
#include "evaluator/context.h"
#include "evaluator/evaluate.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

struct TestReport;

// Errors name the JSON path: "$.amount.amount: expected an integer number of minor units".
Result<Context> parse_context(const nlohmann::json& j, const CompiledDomain& domain);
Result<Context> parse_context(std::string_view text, const CompiledDomain& domain);

nlohmann::json to_json(const EvalResult& r, const CompiledDomain& domain, bool explain);

// One JSON context -> the result JSON, or {"error": {"path", "message"}}
// (then `ok` is set to false). What `paydomain eval` and the HTTP API answer.
nlohmann::json evaluate_json(const CompiledDomain& domain, const nlohmann::json& context, bool explain, bool& ok);
// A batch on `threads` threads (0: every core), outputs in input order.
std::vector<nlohmann::json> evaluate_json_batch(const CompiledDomain& domain, const std::vector<nlohmann::json>& contexts,
                                                bool explain, unsigned threads, bool& ok);

// The context a test's `given` block describes (same shape as above).
nlohmann::json given_to_json(const dsl::Object& test, const dsl::Domain& domain);

nlohmann::json to_json(const TestReport& report);

}  // namespace paydomain::evaluator
