// The evaluator's public API in one include (see docs/evaluation.md):
//   compile(domain)            -> std::shared_ptr<const CompiledDomain> (immutable, thread-shared)
//   parse_context(json, cd)    -> Context, or an Error naming the JSON path
//   evaluate(cd, ctx, options) -> EvalResult (terms, cash flow, route, limits, explain)
//   to_json(result, cd, explain)
//   run_tests(domain, cd)      -> TestReport;  analyze(domain, diags) -> warnings
#pragma once

#include "evaluator/analyze.h"
#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"
#include "evaluator/json.h"
#include "evaluator/money.h"
#include "evaluator/testing.h"
