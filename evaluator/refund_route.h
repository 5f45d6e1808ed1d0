// The route of a refund, a capture or a chargeback: back the way its payment
// came (docs/language.md, "Refunds: back along the payment's route",
// "Captures: taking a hold, in part" and "Chargebacks"). Not a routing ruleset's choice: the
// context names the terminal the payment (the hold) was routed to
// (`original_terminal`, and the revision it was routed at,
// `original_revision`); the operation goes to that terminal when the
// terminal and its provider take it (their `refunds` terms: allowed,
// partial, the provider's window; their `captures` terms: partial; the
// provider's `chargebacks { allowed }`), else it
// is declined with the reason. Without `original_terminal` the route is
// undetermined, and every terminal that may take it stays possible.
// Internal to the evaluator.
#pragma once

#include <string>
#include <string_view>

#include "evaluator/eval_result.h"
#include "evaluator/program.h"

namespace paydomain::evaluator {

// Into `out` (already cleared): Chosen, Declined or Undetermined, for the
// context's operation, a refund, a capture or a chargeback.
void route_to_original(const Program& d, const Context& c, const EvalOptions& opt, RouteResult& out);

// Whether the context's refund (at `time`) comes within `terms`' window after
// its payment (`payment_time`): "" when it does or the terms have no window;
// else the reason, naming `who` ("tariff standard"). Sets `unknown` (and what
// is missing) when a time is missing.
std::string outside_refund_window(const Program& d, const pdc::RefundTerms& terms, std::string_view who,
                                  const Context& c, bool& unknown, uint64_t& missing);

// Whether the context's operation comes within `seconds` after its payment:
// "" when it does; else `lead` and how late it comes ("...; this one comes 8
// days 2 hours after it (the payment was at ...)"). Sets `unknown` (and what
// is missing) when a time is missing.
std::string too_late(int64_t seconds, std::string_view lead, const Context& c, bool& unknown, uint64_t& missing);

// "partial captures are not allowed by tariff standard (2500.00 of 6000.00
// RUB)" when the context's amount is below its payment's (`payment_amount`),
// for `what` ("refunds", "captures") refused in part by `who`; "" when it is
// not below. Sets `unknown` (and what is missing) without both amounts.
std::string refused_in_part(const Program& d, const Context& c, std::string_view what, std::string_view who,
                            bool& unknown, uint64_t& missing);

}  // namespace paydomain::evaluator
