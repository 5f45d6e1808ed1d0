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
//   negative-margin: payments on which the platform loses money, the route's
//                   provider taking more than the tariff's fees bring in
//                   (evaluator/margin.h: across objects, cached by all of them);
//   fee-above-amount: a tariff posting whose least value (a fixed minimum)
//                   exceeds a payment the tariff allows and that reaches it.
//
// Rules are judged where they sit: in a tariff's fees every payment is a
// payment (refund fees: a refund) and a nested decision sees only the
// payments its enclosing rules let through, so a rule behind an always-true
// condition (`when operation == payment { ... }` in fees) is reported as
// shadowing the rules after it.
//
// Cost: linear in the rules for the checks that need no solver (each rule's
// path to its decision is a chain of (decision, arm) links, never a copied
// condition); one compiled decision DAG per nested decision and per dead
// rule named (the first 50 per decision). See docs/evaluation.md.
#pragma once

#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostics.h"
#include "evaluator/dag.h"

namespace paydomain::evaluator {

struct CompiledDomain;
class AnalysisCache;

// `domain` must be checked without errors (dsl::load); `compiled` is
// compile(domain). With a cache, an object whose key (analysis_cache.h) is
// there is not analysed again, and the warnings of the others are stored.
void analyze(const dsl::Domain& domain, const CompiledDomain& compiled, dsl::Diagnostics& diags,
             AnalysisCache* cache = nullptr);
// Compiles `domain` first (nothing when it does not compile).
void analyze(const dsl::Domain& domain, dsl::Diagnostics& diags);

// A DAG path as the warnings write an example payment: "payment_system
// mastercard, currency RUB, amount 6000.00 RUB" ("any payment" when empty).
std::string example_text(const std::vector<ExampleStep>& path, const CompiledDomain& compiled);

}  // namespace paydomain::evaluator
