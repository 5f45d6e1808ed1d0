// Which payments a routing ruleset can send to each of its candidate
// terminals, as conditions over the payment (for analyses on the compiled
// decisions: evaluator/margin.h's negative-margin, evaluator/provider_accounts.h's
// missing-account). Internal to the evaluator.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "evaluator/compiled.h"
#include "evaluator/condition.h"

namespace paydomain::evaluator {

// A candidate terminal and what a payment must satisfy to be routed there:
// no earlier routing rule (`when ...: decline` or `use`) takes it, the
// candidate's condition, the terminal's and its provider's `accepts`, the
// terminal's risk coverage. Disabled terminals and those without a provider
// have none.
struct Route {
  int32_t terminal = -1;
  Cond reach;
};

// The routes of ruleset `ri` and of the rulesets it delegates to (`use`,
// followed 16 deep; the checker refuses cycles) into `out`, each under
// `prefix`; the rulesets visited into `seen`.
void routes(const CompiledDomain& d, int32_t ri, const Cond& prefix, std::set<int32_t>& seen, std::vector<Route>& out);

// Payments of `currency` with an amount in [low, high].
Cond amount_in(int32_t currency, int64_t low, int64_t high);

// What tariff `t` allows besides the currency and amount (categories, methods).
Cond tariff_allows(const CompiledTariff& t);

}  // namespace paydomain::evaluator
