// negative-margin, a warning of `paydomain check` (see analyze.h): where the
// platform loses money on a payment, because what the route's provider takes
// out of the system accounts is more than what the tariff's fees bring in
// (Mastercard at 1% routed to a bank charging 1.5% loses 30.00 RUB on
// 6,000.00 RUB). The margin of a payment is its postings into `system.*`
// accounts minus its postings out of them, from the tariff's fees and the
// chosen provider's fees, each posting computed and rounded exactly as
// evaluate() does (integer minor units, rational shares).
//
// Computed on the compiled decisions: for each tariff with a routing, each
// provider with fees a candidate of that routing (through `use`) can reach,
// and each currency the tariff allows, every pair of fee paths (one path of
// the tariff's fees, one of the provider's) is priced at the amounts where
// something can change: the tariff's bounds, each amount boundary the fees
// and the route name, each min/max kink. Between two of them both paths are
// fixed and the margin is linear in the amount, so a loss shows at an end
// (up to the rounding of single postings). A run of losing amounts is then
// confirmed, and an example payment found, by compiling one decision DAG
// of: both paths, the route to the provider's terminals (the ruleset's rules,
// the candidate's condition, the terminal's and provider's `accepts` and
// risk coverage), what the tariff allows, and the amount range. One warning
// per pair of paths; at most 10 per tariff; a cash flow of more than 512
// paths is not priced (named in docs/evaluation.md).
//
// A warning depends on the tariff, its routing rulesets, their terminals and
// their providers; with a cache, its key holds the text and place of all of
// them and the vocabulary digest, so a change to any one recomputes it.
#pragma once

#include <string>

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::evaluator {

struct CompiledDomain;
class AnalysisCache;

// `compiled` is compile(domain) of a domain checked without errors; `digest`
// its vocabulary_digest (evaluator/vocab.h) when `cache` is given, else unused.
void margin_warnings(const dsl::Domain& domain, const CompiledDomain& compiled, dsl::Diagnostics& diags,
                     AnalysisCache* cache, const std::string& digest);

}  // namespace paydomain::evaluator
