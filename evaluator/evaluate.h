// Evaluation of one payment context against a compiled domain: terms, cash
// flow, route and limits, each either determined or "undetermined" with what
// is missing and what remains possible (never a guess), optionally explained.
//
// Strings in a result (string_view) point into the CompiledDomain: keep the
// shared_ptr alive while you read the result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/compiled.h"
#include "evaluator/context.h"
#include "evaluator/eval_result.h"

namespace paydomain::evaluator {

EvalResult evaluate(const CompiledDomain& domain, const Context& context, const EvalOptions& options = {});
// The same into `out`, which is reset first and keeps its buffers: a thread
// evaluating many contexts into one result allocates (almost) nothing.
void evaluate(const CompiledDomain& domain, const Context& context, const EvalOptions& options, EvalResult& out);

// The weighted choice: a stable 64-bit hash of the payment key (FNV-1a-64
// with a splitmix64 finaliser), so the same key picks the same terminal on
// every machine and every run. The formula and test vectors are published in
// docs/evaluation.md ("The weighted choice, exactly"); changing either
// changes routing for existing payments.
uint64_t payment_key_hash(std::string_view key);
// Standard FNV-1a-64 (offset basis 14695981039346656037, prime 1099511628211).
uint64_t fnv1a_64(std::string_view bytes);

}  // namespace paydomain::evaluator
