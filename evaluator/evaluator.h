// The evaluator's public API in one include (see docs/evaluation.md):
//   compile(domain)            -> std::shared_ptr<const CompiledDomain> (immutable, thread-shared)
//   parse_context(text, cd)    -> Context, or an Error naming the JSON path (context_json.h)
//   evaluate(cd, ctx, options) -> EvalResult (terms, cash flow, route, limits, explain)
//   write_result(result, cd, explain, out) / evaluate_text (result_json.h) / evaluate_batch (batch.h):
//                                 JSON text in, JSON text out
//   run_tests(domain, cd)      -> TestReport (testing.h); given_context_json(test) (given.h)
//   check_sources(files)       -> CheckReport (check.h);  analyze(domain, diags) -> warnings
// No header here includes nlohmann/json.
#pragma once

#include "evaluator/analyze.h"
#include "evaluator/check.h"
#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"
#include "evaluator/given.h"
#include "evaluator/json.h"
#include "evaluator/money.h"
#include "evaluator/testing.h"
