// What a change does to payments, exactly: the symbolic difference of two
// compiled revisions. For every part of the answer that can change — a
// tariff's terms, its fees and refund fees (every nesting level), a
// provider's fees, a routing ruleset's route, a limit, the tariff binding
// (the tariff a payment naming none gets, and where it changes, the fees of
// the one tariff against the other) — the two decision
// DAGs are walked together over one payment space, splitting it only where
// either side decides something, and skipping a sub-space as soon as both
// sides have the same answer so far and structurally equal decisions left
// (a hash of each sub-DAG over the meaning of its leaves, not rule numbers).
// What remains are cells where the answers differ; adjacent cells with the
// same before/after are merged into readable regions, each with one example
// context evaluated at both sides.
//
// The answer compared per part: terms — allowed or forbidden; fees — the
// postings (accounts, volume formula, rounding, details) where both sides
// allow the payment; route — decline reason, or the eligible terminals
// as the answer depends on them (the top-priority group with its weight
// shares, then the rest in preference order); limit —
// whether it applies and its bound, period, scope. Route health (excludes)
// and turnover are not payment attributes: a change to them is a note.
// A formula that changes may still round to the same minor units at a few
// amounts (0% and 1% of 0.49): the region lists payments whose formula
// changes, and its example is one whose money really does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "evaluator/compiled.h"
#include "evaluator/impact_region.h"

namespace paydomain::evaluator {

struct ImpactOptions {
  size_t max_regions = 100;      // listed regions; the rest are counted in `more`
  size_t max_steps = 4'000'000;  // DAG steps in all; beyond, the report is incomplete
};

struct ImpactRegion {
  std::string part;              // "tariff standard fees", "routing main", "limit card_daily_rub"
  std::string kind;              // "terms", "fee", "refund fee", "provider fee", "route", "limit", "tariff" (binding)
  std::string object;            // the object whose payments these are: "tariff:standard", "routing:main", ...
  std::string where;             // "payment_system mastercard, currency RUB, amount ≥ 1,000.00 RUB"
  std::string before, after;     // the answers, readable
  std::string delta;             // "+0.2% of amount" when one share changed, else empty
  std::string example;           // a context JSON in the region
  bool example_differs = false;  // evaluated at both sides: the answers differ
  Region region;                 // for membership tests (Universe ids)
};

struct SymbolicImpact {
  std::vector<ImpactRegion> regions;
  size_t more = 0;                 // regions beyond options.max_regions, not listed
  std::vector<std::string> notes;  // objects added/removed, health rules, parts not analysed
  bool complete = true;            // false: the step budget ran out (regions may be missing)
  std::shared_ptr<const Universe> universe;
};

// `before` and `after` are two compilations (revisions, or a revision and a
// working copy). Never recurses beyond the nesting of the domain's cash flows
// (bounded) and the attribute count per DAG path.
SymbolicImpact symbolic_impact(const CompiledDomain& before, const CompiledDomain& after,
                               const ImpactOptions& options = {});

}  // namespace paydomain::evaluator
