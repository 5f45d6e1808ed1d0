// The cells the impact walk finds (evaluator/impact.cc), and how they become
// a report: cells with the same part and before/after that differ in one
// attribute only, with adjacent intervals or any values, merge into one
// region; the regions are sorted, capped, described and each given an
// example context that is evaluated at both sides.
#pragma once

#include <string>
#include <vector>

#include "evaluator/impact.h"

namespace paydomain::evaluator {

struct Cell {
  std::string part, kind, object;
  Region region;
  std::string before, after, delta;
};

class Cells {
 public:
  void add(Cell c) { cells_.push_back(std::move(c)); }
  std::vector<Cell>& all() { return cells_; }

 private:
  std::vector<Cell> cells_;
};

void finish_regions(const CompiledDomain& before, const CompiledDomain& after, const Universe& u,
                    const ImpactOptions& options, Cells& cells, SymbolicImpact& out);

// A context JSON for a point of `r` (`amount` in minor units, `key` the
// payment key), every attribute set to a value both sides know; `tariff`,
// `routing` and `turnover` (a rendered {"<limit>": value} object) may be empty.
std::string example_context(const Region& r, const Universe& u, const std::string& tariff, const std::string& routing,
                            int64_t amount, const std::string& key, const std::string& turnover);

}  // namespace paydomain::evaluator
