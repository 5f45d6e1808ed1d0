#include "evaluator/refund_route.h"

#include "evaluator/money.h"
#include "evaluator/time.h"

namespace paydomain::evaluator {
namespace {

using RStatus = RouteResult::Status;

// "200 days 3 hours": whole days, hours and minutes, the zero ones left out.
std::string elapsed_text(int64_t s) {
  std::string out;
  auto part = [&](int64_t n, const char* unit) {
    if (n == 0) return;
    if (!out.empty()) out += ' ';
    out += std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  part(s / 86400, "day");
  part(s % 86400 / 3600, "hour");
  part(s % 3600 / 60, "minute");
  return out.empty() ? std::to_string(s) + " seconds" : out;
}

int64_t operation(const Context& c) { return c.facts.has(Attr::Operation) ? c.facts.get(Attr::Operation) : -1; }

// "terminal gp_cards" / "provider globalpay": who `terms` belong to.
std::string owner(const Program& d, int32_t terminal, bool own) {
  const pdc::Terminal& t = d.terminal(terminal);
  return own ? "terminal " + std::string(d.str(t.name))
             : "provider " + std::string(d.object_name(dsl::ObjectKind::Provider, t.provider));
}

// Why the terminal (or its provider) does not take this refund: "" when it
// does; `unknown` (with what is missing) when the context cannot tell.
std::string refund_refused(const Program& d, int32_t terminal, const Context& c, bool& unknown, uint64_t& missing) {
  const pdc::Terminal& t = d.terminal(terminal);
  const pdc::RefundTerms* own = d.terminal_refunds(terminal);
  const pdc::RefundTerms* bank = t.provider >= 0 ? d.provider_refunds(t.provider) : nullptr;
  for (const pdc::RefundTerms* r : {own, bank}) {
    if (r && !r->allowed) return "refunds are not allowed by " + owner(d, terminal, r == own);
  }
  for (const pdc::RefundTerms* r : {own, bank}) {
    if (!r || r->partial) continue;
    std::string why = refused_in_part(d, c, "refunds", owner(d, terminal, r == own), unknown, missing);
    if (!why.empty()) return why;
  }
  if (bank) {
    std::string why = outside_refund_window(d, *bank, owner(d, terminal, false), c, unknown, missing);
    if (!why.empty()) return why;
  }
  return {};
}

// Why the terminal (or its provider) does not take this capture: "" when it does.
std::string capture_refused(const Program& d, int32_t terminal, const Context& c, bool& unknown, uint64_t& missing) {
  const pdc::Terminal& t = d.terminal(terminal);
  const pdc::CaptureTerms* own = d.terminal_captures(terminal);
  const pdc::CaptureTerms* bank = t.provider >= 0 ? d.provider_captures(t.provider) : nullptr;
  for (const pdc::CaptureTerms* r : {own, bank}) {
    if (!r || r->partial) continue;
    std::string why = refused_in_part(d, c, "captures", owner(d, terminal, r == own), unknown, missing);
    if (!why.empty()) return why;
  }
  return {};
}

// Why the terminal's provider does not take this chargeback: "" when it does.
std::string chargeback_refused(const Program& d, int32_t terminal) {
  const int32_t p = d.terminal(terminal).provider;
  const pdc::ChargebackTerms* bank = p >= 0 ? d.provider_chargebacks(p) : nullptr;
  return bank && !bank->allowed ? "chargebacks are not allowed by " + owner(d, terminal, false) : std::string();
}

bool takes_chargebacks(const Program& d, int32_t terminal) { return chargeback_refused(d, terminal).empty(); }

bool takes_refunds(const Program& d, int32_t terminal) {
  const pdc::RefundTerms* own = d.terminal_refunds(terminal);
  const int32_t p = d.terminal(terminal).provider;
  const pdc::RefundTerms* bank = p >= 0 ? d.provider_refunds(p) : nullptr;
  return (!own || own->allowed) && (!bank || bank->allowed);
}

}  // namespace

std::string too_late(int64_t seconds, std::string_view lead, const Context& c, bool& unknown, uint64_t& missing) {
  if (!c.has_payment_time || !c.has_time) {
    unknown = true;
    missing |= (c.has_payment_time ? 0 : kMissPaymentTime) | (c.has_time ? 0 : kMissTime);
    return {};
  }
  // Times are within years 1..9999 (parse_utc_time): no overflow.
  const int64_t elapsed = c.time - c.payment_time;
  if (elapsed <= seconds) return {};
  return std::string(lead) + "; this one comes " + elapsed_text(elapsed) + " after it (the payment was at " +
         std::string(format_time_text(c.payment_time, 0).view()) + ")";
}

std::string outside_refund_window(const Program& d, const pdc::RefundTerms& terms, std::string_view who,
                                  const Context& c, bool& unknown, uint64_t& missing) {
  if (terms.within_seconds == 0) return {};
  return too_late(terms.within_seconds,
                  std::string(who) + " takes refunds within " + std::string(d.str(terms.within)) + " of the payment", c,
                  unknown, missing);
}

std::string refused_in_part(const Program& d, const Context& c, std::string_view what, std::string_view who,
                            bool& unknown, uint64_t& missing) {
  const Facts& f = c.facts;
  if (!c.has_payment_amount || !f.has(Attr::Amount)) {
    unknown = true;
    missing |= c.has_payment_amount ? bit(Attr::Amount) : kMissPaymentAmount;
    return {};
  }
  if (f.get(Attr::Amount) >= c.payment_amount) return {};
  int e = d.exponent(c.payment_currency);  // the context reader made both one currency
  return "partial " + std::string(what) + " are not allowed by " + std::string(who) + " (" +
         format_minor(f.get(Attr::Amount), e) + " of " + format_minor(c.payment_amount, e) + " " +
         std::string(d.object_name(dsl::ObjectKind::Currency, c.payment_currency)) + ")";
}

void route_to_original(const Program& d, const Context& c, const EvalOptions& opt, RouteResult& out) {
  const int64_t op = operation(c);
  const bool capture = op == kOperationCapture, chargeback = op == kOperationChargeback;
  const char* what = capture ? "capture" : chargeback ? "chargeback" : "refund";
  if (!c.has_original_terminal) {
    out.status = RStatus::Undetermined;
    out.missing |= kMissOriginalTerminal;
    for (int32_t t = 0; t < d.terminal_count(); ++t) {
      if (capture || (chargeback ? takes_chargebacks(d, t) : takes_refunds(d, t))) out.possible.push_back(t);
    }
    return;
  }
  // "(routed at revision 41)": the revision the payment pinned, when given.
  auto routed_at = [&] {
    return c.has_original_revision ? " (routed at revision " + std::to_string(c.original_revision) + ")" : std::string();
  };
  if (c.original_terminal < 0) {
    out.status = RStatus::Declined;
    out.decline_built = "the payment's terminal " + c.original_terminal_id + routed_at() +
                        " is not in this revision: the " + what + " has no route";
    return;
  }
  bool unknown = false;
  std::string why = capture      ? capture_refused(d, c.original_terminal, c, unknown, out.missing)
                    : chargeback ? chargeback_refused(d, c.original_terminal)
                                 : refund_refused(d, c.original_terminal, c, unknown, out.missing);
  if (!why.empty()) {
    out.missing = 0;  // a definite refusal: what else is missing decides nothing
    out.status = RStatus::Declined;
    out.decline_built = why + ": terminal " + std::string(d.str(d.terminal(c.original_terminal).name)) + routed_at() +
                        " cannot take the " + what;
    return;
  }
  if (unknown) {
    out.status = RStatus::Undetermined;
    out.possible.push_back(c.original_terminal);
    return;
  }
  const pdc::Terminal& t = d.terminal(c.original_terminal);
  out.status = RStatus::Chosen;
  out.terminal = c.original_terminal;
  out.provider = t.provider;
  out.candidates.push_back(c.original_terminal);
  if (opt.explain) {
    out.explain.push_back(d.str(t.explain));
    const int32_t p = t.provider;
    if (chargeback) {
      const pdc::ChargebackTerms* r = p >= 0 ? d.provider_chargebacks(p) : nullptr;
      if (r && r->explain.len != 0) out.explain.push_back(d.str(r->explain));
    } else if (capture) {
      for (const pdc::CaptureTerms* r :
           {d.terminal_captures(c.original_terminal), p >= 0 ? d.provider_captures(p) : nullptr}) {
        if (r && r->explain.len != 0) out.explain.push_back(d.str(r->explain));
      }
    } else {
      for (const pdc::RefundTerms* r :
           {d.terminal_refunds(c.original_terminal), p >= 0 ? d.provider_refunds(p) : nullptr}) {
        if (r && r->explain.len != 0) out.explain.push_back(d.str(r->explain));
      }
    }
  }
}

}  // namespace paydomain::evaluator
