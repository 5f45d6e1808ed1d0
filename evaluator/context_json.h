// The payment context from JSON text: the shape an integrator sends to
// `paydomain eval` and POST /v1/evaluate, read in one pass without a
// document tree and without nlohmann/json: the usual shape by the fast
// reader (context_fast.h), anything else by the general one (json/reader.h).
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

#include <string>
#include <string_view>

#include "evaluator/compiled.h"
#include "evaluator/program.h"
#include "evaluator/context.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

// Errors name the JSON path: "$.amount.amount: expected an integer number of
// minor units". Text that is not JSON at all: "$: not valid JSON (at byte N: ...)".
Result<Context> parse_context(std::string_view text, const Program& program);
inline Result<Context> parse_context(const std::string& text, const Program& program) {
  return parse_context(std::string_view(text), program);
}

// The same into `out`, which is reset first and keeps its buffers: a caller
// reading many contexts on one thread allocates nothing per context. `out`
// is unspecified after an error.
// Tries the fast reader (evaluator/context_fast.h) first and falls back to
// the general one for anything the fast reader declines; `read_fast`, when
// given, tells which read it (the fast one reads plain strings only, so the
// context's texts need no escapes in a result).
Status parse_context_into(std::string_view text, const Program& program, Context& out, bool* read_fast = nullptr);

// The general reader alone (every shape, every error message); for the tests
// that compare the two readers.
Status parse_context_general(std::string_view text, const Program& program, Context& out);

// The same over a CompiledDomain (its program); an error when it was
// compiled without one (program_of).
inline Result<Context> parse_context(std::string_view text, const CompiledDomain& domain) {
  auto p = program_of(domain);
  if (!p) return p.error();
  return parse_context(text, **p);
}
inline Result<Context> parse_context(const std::string& text, const CompiledDomain& domain) {
  return parse_context(std::string_view(text), domain);
}
inline Status parse_context_into(std::string_view text, const CompiledDomain& domain, Context& out) {
  auto p = program_of(domain);
  if (!p) return p.error();
  return parse_context_into(text, **p, out);
}
inline Status parse_context_general(std::string_view text, const CompiledDomain& domain, Context& out) {
  auto p = program_of(domain);
  if (!p) return p.error();
  return parse_context_general(text, **p, out);
}

}  // namespace paydomain::evaluator
