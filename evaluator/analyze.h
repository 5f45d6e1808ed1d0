// Static analysis the compiler gets for free from the decision DAGs, reported
// as warnings (paydomain check prints them):
//   shadowed-rule:  a first-match rule that can never apply, naming the
//                   earlier rule(s) that take every payment it would match
//                   (or saying its condition can never hold);
//   uncovered:      a decision without `otherwise` (a tariff's fees, a routing
//                   ruleset's rules and candidates) that some payments fall
//                   through, with one example context;
//   split-rounding: postings from one account on one path whose shares add
//                   up to the whole amount and, rounded one by one, can move
//                   more than it (with the smallest such amount);
//   fee-above-amount: a tariff posting whose least value (a fixed minimum)
//                   exceeds a payment the tariff allows and that reaches it.
#pragma once

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::evaluator {

// `domain` must be checked without errors (dsl::load).
void analyze(const dsl::Domain& domain, dsl::Diagnostics& diags);

}  // namespace paydomain::evaluator
