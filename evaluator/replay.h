// Replay of a payment corpus at two revisions: every context (one JSON object
// per line, the shape of context_json.h) evaluated at both sides, every
// changed answer with its before and after, and the aggregates an analyst
// asks first: how many payments change their fee, route, terms verdict or a
// limit's verdict, and how much money each posting (from -> to account, per
// currency) moves before and after — exact integer minor units.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/compiled.h"
#include "evaluator/impact_region.h"  // format_sum
#include "evaluator/payment_answer.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

struct ReplayOptions {
  size_t max_changes = 100;  // changed payments listed; the rest counted in `more_changes`
  unsigned threads = 0;      // the batch pool (batch.h); 0: every core
};

struct ReplayChange {
  size_t line = 0;  // 1-based line of the corpus
  std::string context;
  PaymentAnswer before, after;
  bool fee = false, route = false, terms = false, limits = false;
};

struct MoneyMoved {
  std::string from, to, currency;
  int exponent = 2;
  __int128 before = 0, after = 0;  // sums of minor units (no overflow for any int64 corpus under 2^64 lines)
};

struct ReplayReport {
  size_t payments = 0, changed = 0;
  size_t fee_changed = 0, route_changed = 0, terms_changed = 0, limits_changed = 0;
  std::vector<ReplayChange> changes;  // in corpus order
  size_t more_changes = 0;
  std::vector<MoneyMoved> money;  // sorted by currency, from, to
};

// Blank lines are skipped. A line that is not a valid context at a side is an
// error naming the line and the byte where the line starts.
Result<ReplayReport> replay(const CompiledDomain& before, const CompiledDomain& after, std::string_view jsonl,
                            const ReplayOptions& options = {});

}  // namespace paydomain::evaluator
