// A refund's route: back the way its payment came (docs/language.md,
// "Refunds: back along the payment's route"). Not a routing ruleset's
// choice: the context names the terminal the payment was routed to
// (`original_terminal`, and the revision it was routed at,
// `original_revision`); the refund goes to that terminal when the terminal
// and its provider take it (their `refunds` terms: allowed, partial, the
// provider's window), else it is declined with the reason. Without
// `original_terminal` the route is undetermined, and every terminal that
// takes refunds stays possible. Internal to the evaluator.
#pragma once

#include <string>
#include <string_view>

#include "evaluator/eval_result.h"
#include "evaluator/program.h"

namespace paydomain::evaluator {

// Into `out` (already cleared): Chosen, Declined or Undetermined.
void route_refund(const Program& d, const Context& c, const EvalOptions& opt, RouteResult& out);

// Whether the context's refund (at `time`) comes within `terms`' window after
// its payment (`payment_time`): "" when it does or the terms have no window;
// else the reason, naming `who` ("tariff standard"). Sets `unknown` (and what
// is missing) when a time is missing.
std::string outside_refund_window(const Program& d, const pdc::RefundTerms& terms, std::string_view who,
                                  const Context& c, bool& unknown, uint64_t& missing);

}  // namespace paydomain::evaluator
