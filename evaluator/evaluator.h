// The evaluator's public API in one include (see docs/evaluation.md):
//   compile(domain)            -> std::shared_ptr<const CompiledDomain> (immutable, thread-shared)
//   parse_context(text, cd)    -> Context, or an Error naming the JSON path
//   evaluate(cd, ctx, options) -> EvalResult (terms, cash flow, route, limits, explain)
//   write_result(result, cd, explain, out) / evaluate_text / evaluate_batch (JSON text in, JSON text out)
//   run_tests(domain, cd)      -> TestReport;  analyze(domain, diags) -> warnings
#pragma once

#include "evaluator/analyze.h"
#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"
#include "evaluator/json.h"
#include "evaluator/money.h"
#include "evaluator/testing.h"
