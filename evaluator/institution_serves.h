// Whom a payment institution serves (docs/language.md, "Whom an institution
// serves"): a payment's institution (the context's `payment_institution`)
// must serve its merchant's country of residence (`residence`, one of the
// institution's `residences`) and its realm (`realm`, test or live). A
// payment it does not serve is refused: its terms are forbidden with a
// reason naming the institution and the residence or realm, its route is
// declined with the same reason, and no money moves. A context lacking the
// field leaves the terms undetermined. A refund, capture or chargeback goes
// back the way its payment came and is not judged again; a payment whose context names no institution
// (an explicit `tariff`) has nothing to judge. Internal to the evaluator.
#pragma once

#include <string>

#include "evaluator/eval_result.h"
#include "evaluator/program.h"

namespace paydomain::evaluator {

// Judges the context's payment into its evaluated `terms`: a refusal's
// reasons go first (the verdict Forbidden), the fields a judgement lacks into
// `missing` (an allowed verdict becomes Undetermined). Returns the refusal
// for the route ("" when not refused).
std::string judge_institution(const Program& d, const Context& c, const EvalOptions& opt, TermsResult& terms);

}  // namespace paydomain::evaluator
