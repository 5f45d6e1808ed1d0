// Evaluation of one payment context against a compiled domain: terms, cash
// flow, route and limits, each either determined or "undetermined" with what
// is missing and what remains possible (never a guess), optionally explained.
//
// The walk itself runs over the domain's Program (evaluator/program.h, the
// artifact form), the same walk the embeddable client runs. Strings in a
// result (string_view) point into it: keep the shared_ptr alive while you
// read the result.
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

}  // namespace paydomain::evaluator
