// Which rules of a first-match list can match the same payment as a given
// one, found without a solver: each rule's top-level conjunction pins down,
// per categorical attribute, the ids it allows and, per ordered attribute
// (and currency, for amounts), the hull of the ranges it allows; two rules
// disjoint on one attribute never match the same payment. The analysis uses
// it to leave such rules out of what it compiles (a rule disjoint from arm i
// is false whenever arm i holds, so "not that rule" adds nothing to arm i's
// path, and it cannot shadow arm i): exact, and what keeps nested decisions
// of a 10,000-rule list from costing 10,000 rules each.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "evaluator/condition.h"
#include "evaluator/context.h"

namespace paydomain::evaluator {

class Vocab;

class RuleOverlap {
 public:
  RuleOverlap(const std::vector<Cond>& rules, const Vocab& vocab);

  // The rules before `i` that may match some payment rule `i` matches,
  // ascending. Every rule left out certainly shares no payment with rule
  // `i`; a rule listed may still share none (the test is not complete).
  // Cost: the rules that allow one of rule i's values of its most selective
  // attribute, not all i rules (an index per attribute and value).
  std::vector<size_t> before(size_t i) const;

  struct Constraint {
    std::array<std::vector<uint64_t>, kAttrCount> ids;  // allowed ids as bits; empty: anything
    std::vector<std::array<int64_t, 4>> hulls;          // attr, amount currency (-1), [lo, hi)
    bool never = false;                                 // no payment at all
  };

 private:
  std::vector<Constraint> rules_;
  // Per categorical attribute: the rules (ascending) that allow each id, and
  // the rules that do not constrain it.
  std::array<std::vector<std::vector<uint32_t>>, kAttrCount> allowing_;
  std::array<std::vector<uint32_t>, kAttrCount> unconstrained_;
};

}  // namespace paydomain::evaluator
