// The evaluation walk: one payment context against one Program (the
// artifact form of a compiled revision). The service and the embeddable
// client both run exactly this (evaluator/eval_result.h).
#include <algorithm>
#include <array>
#include <utility>

#include "dsl/schema.h"
#include "evaluator/eval_result.h"
#include "evaluator/institution_serves.h"
#include "evaluator/money.h"
#include "evaluator/program.h"
#include "evaluator/refund_route.h"
#include "evaluator/time.h"
#include "evaluator/volume.h"

namespace paydomain::evaluator {
namespace {

using Verdict = TermsResult::Verdict;
using CFStatus = CashFlowResult::Status;
using RStatus = RouteResult::Status;

using pdc::Sec;
using Prog = Program;

// v.emplace_back(args...) for an aggregate: constructed in place where the
// compiler has C++20's parenthesized aggregate initialisation (GCC); clang
// 14 (the fuzzing build) lacks it and gets a braced temporary moved in.
template <class V, class... Args>
void emplace_aggregate(V& v, Args&&... args) {
#if defined(__cpp_aggregate_paren_init) && __cpp_aggregate_paren_init >= 201902L
  v.emplace_back(std::forward<Args>(args)...);
#else
  v.push_back(typename V::value_type{std::forward<Args>(args)...});
#endif
}

uint64_t miss(Attr a) { return bit(a); }

// Limit scopes, by name (indices into dsl::kLimitScopes, as CompiledLimit::scopes holds them).
constexpr int32_t kScopeParty = dsl::value_index(dsl::kLimitScopes, "party");
constexpr int32_t kScopeShop = dsl::value_index(dsl::kLimitScopes, "shop");
constexpr int32_t kScopeTool = dsl::value_index(dsl::kLimitScopes, "payment_tool");
using dsl::kScopeProvider;
using dsl::kScopeTerminal;
// ---- terms -----------------------------------------------------------------

// Who gets which tariff when the context names none: the tariff_binding's
// first matching rule, else the payment institution's default_tariff. -1
// when neither decides; then `missing` says what would (always `tariff`, the
// override, plus what the binding or the default needs).
// What decides selector `s` that `f` lacks (an undecided decision's fields).
uint64_t missing_of(const Prog& d, uint32_t s, const Facts& f) {
  std::vector<int32_t> outcomes;
  uint32_t missing = 0;
  d.explore(s, f, outcomes, missing);
  return missing;
}

int32_t bind_tariff(const Prog& d, const Context& c, const EvalOptions& opt, TermsResult& out, uint64_t& missing) {
  const Facts& f = c.facts;
  missing = kMissTariff;
  if (const pdc::Binding* b = d.binding()) {
    int32_t o = d.decide(b->selector, f);
    if (o == kUndetermined) {
      missing |= missing_of(d, b->selector, f);
      return -1;
    }
    if (o >= 0) {
      const pdc::BindingRule& r = d.span<pdc::BindingRule>(Sec::BindingRules, b->rules)[static_cast<size_t>(o)];
      out.tariff = r.tariff;
      out.tariff_from = d.str(r.explain);
      if (opt.explain) out.explain.push_back(out.tariff_from);
      return r.tariff;
    }
  }
  if (d.object_count(dsl::ObjectKind::PaymentInstitution) == 0) return -1;
  if (!f.has(Attr::PaymentInstitution)) {
    missing |= kMissInstitution;
    return -1;
  }
  const pdc::Institution& pi = d.institution(static_cast<int32_t>(f.get(Attr::PaymentInstitution)));
  if (pi.default_tariff < 0) return -1;
  out.tariff = pi.default_tariff;
  out.tariff_from = d.str(pi.default_explain);
  if (opt.explain) out.explain.push_back(out.tariff_from);
  return pi.default_tariff;
}

// "2500.00 RUB": minor units of currency `cur` as text.
std::string money_text(const Prog& d, int64_t minor, int32_t cur) {
  return format_minor(minor, d.exponent(cur)) + " " + std::string(d.object_name(dsl::ObjectKind::Currency, cur));
}

// A capture takes (some of) a hold: never more than it (`payment_amount`,
// the authorised amount), less only when the tariff's `captures` allow it,
// and not after the tariff's `hold_lifetime` (from `payment_time`).
void capture_terms(const Prog& d, int32_t tariff, const Context& c, const EvalOptions& opt, bool& unknown,
                   TermsResult& out) {
  const pdc::Tariff& t = d.tariff(tariff);
  const pdc::CaptureTerms& terms = *d.tariff_captures(tariff);  // never null (Program::load)
  const Facts& f = c.facts;
  const std::string who = "tariff " + std::string(d.str(t.name));
  if (opt.explain && terms.explain.len != 0) out.explain.push_back(d.str(terms.explain));
  if (c.has_payment_amount && f.has(Attr::Amount) && f.get(Attr::Amount) > c.payment_amount) {
    // The context reader made sure both are in the same currency.
    out.reasons.push_back("the capture of " + money_text(d, f.get(Attr::Amount), c.payment_currency) +
                          " exceeds the authorised " + money_text(d, c.payment_amount, c.payment_currency));
  } else if (!terms.partial) {
    std::string why = refused_in_part(d, c, "captures", who, unknown, out.missing);
    if (!why.empty()) out.reasons.push_back(std::move(why));
  }
  if (t.hold_lifetime > 0) {
    const std::string_view unit = d.str(t.hold_unit);
    const std::string lead = "the hold has expired: " + who + " holds a payment for " + std::to_string(t.hold_lifetime) +
                             " " + std::string(unit);
    // The checker bounds the lifetime to 100 years; an artifact's may be anything: saturate.
    int64_t seconds = 0;
    if (__builtin_mul_overflow(t.hold_lifetime, dsl::duration_seconds(unit), &seconds)) seconds = INT64_MAX;
    std::string late = too_late(seconds, lead, c, unknown, out.missing);
    if (!late.empty()) out.reasons.push_back(std::move(late));
  }
}

// "currency KZT is not allowed by tariff standard": out of line, so that the
// usual check (allowed) stays a few instructions in eval_terms.
[[gnu::noinline]] std::string not_allowed(const char* what, std::string_view value, std::string_view tariff) {
  return std::string(what) + " " + std::string(value) + " is not allowed by tariff " + std::string(tariff);
}

void eval_terms(const Prog& d, int32_t tariff, uint64_t tariff_missing, const Context& c, const EvalOptions& opt,
                TermsResult& out) {
  if (tariff < 0) {
    out.verdict = Verdict::Undetermined;
    out.missing |= tariff_missing;
    return;
  }
  const pdc::Tariff& t = d.tariff(tariff);
  const Facts& f = c.facts;
  const Prog& v = d;
  // Only a reason names the tariff: no copy (an allocation for a long name) otherwise.
  auto tname = [&] { return std::string(d.str(t.name)); };
  bool unknown = false;
  if (opt.explain) out.explain.push_back(d.str(t.explain));
  if (f.has(Attr::Operation) && f.get(Attr::Operation) == kOperationRefund) {
    if (opt.explain && t.refunds_explain.len != 0) out.explain.push_back(d.str(t.refunds_explain));
    if (!t.refunds_allowed) {
      out.reasons.push_back("refunds are not allowed by tariff " + tname());
    } else {
      // `refunds { within ... }`: late refunds are forbidden too (the window is in the 1.3 record).
      if (const pdc::RefundTerms& w = *d.tariff_refunds(tariff); w.within_seconds != 0) {
        std::string late = outside_refund_window(d, w, "tariff " + tname(), c, unknown, out.missing);
        if (!late.empty()) out.reasons.push_back(std::move(late));
      }
      if (c.has_payment_amount && f.has(Attr::Amount) && f.get(Attr::Amount) > c.payment_amount) {
        out.reasons.push_back("the refund of " + money_text(d, f.get(Attr::Amount), c.payment_currency) +
                              " exceeds the payment of " + money_text(d, c.payment_amount, c.payment_currency));
      } else if (!t.refunds_partial) {
        std::string why = refused_in_part(d, c, "refunds", "tariff " + tname(), unknown, out.missing);
        if (!why.empty()) out.reasons.push_back(std::move(why));
      }
    }
  } else if (f.has(Attr::Operation) && f.get(Attr::Operation) == kOperationCapture) {
    capture_terms(d, tariff, c, opt, unknown, out);
  } else if (f.has(Attr::Operation) && f.get(Attr::Operation) == kOperationChargeback) {
    const pdc::ChargebackTerms& terms = *d.tariff_chargebacks(tariff);
    if (opt.explain && terms.explain.len != 0) out.explain.push_back(d.str(terms.explain));
    if (!terms.allowed) {
      out.reasons.push_back("chargebacks are not allowed by tariff " + tname());
    } else if (c.has_payment_amount && f.has(Attr::Amount) && f.get(Attr::Amount) > c.payment_amount) {
      out.reasons.push_back("the chargeback of " + money_text(d, f.get(Attr::Amount), c.payment_currency) +
                            " exceeds the payment of " + money_text(d, c.payment_amount, c.payment_currency));
    }
  }
  auto listed = [&](bool has, pdc::Span allowed, Attr a, pdc::Str explain, const char* what) {
    if (!has) return;
    if (opt.explain) out.explain.push_back(d.str(explain));
    if (!f.has(a)) {
      unknown = true;
      out.missing |= miss(a);
    } else if (!d.span<uint8_t>(Sec::Flags, allowed)[static_cast<size_t>(f.get(a))]) {
      out.reasons.push_back(not_allowed(what, v.name(a, static_cast<int32_t>(f.get(a))), d.str(t.name)));
    }
  };
  listed(t.has_currencies, t.currencies, Attr::Currency, t.currencies_explain, "currency");
  listed(t.has_categories, t.categories, Attr::Category, t.categories_explain, "category");
  if (t.has_methods) {
    if (opt.explain) out.explain.push_back(d.str(t.methods_explain));
    if (!f.has(Attr::PaymentTool)) {
      unknown = true;
      out.missing |= miss(Attr::PaymentTool);
    } else {
      int64_t kind = f.get(Attr::PaymentTool);
      Attr sub = kind == kToolWallet ? Attr::WalletProvider : Attr::PaymentSystem;
      bool match = false, maybe = false;
      for (const pdc::Method& r : d.span<pdc::Method>(Sec::Methods, t.methods)) {
        if (r.kind != kind) continue;
        if (r.sub < 0 || (f.has(sub) && f.get(sub) == r.sub)) {
          match = true;
          break;  // allowed: what later methods say decides nothing
        } else if (!f.has(sub)) {
          maybe = true;
        }
      }
      if (!match && maybe) {
        unknown = true;
        out.missing |= miss(sub);
      } else if (!match) {
        std::string m(v.name(Attr::PaymentTool, static_cast<int32_t>(kind)));
        if (f.has(sub)) m.append("(").append(v.name(sub, static_cast<int32_t>(f.get(sub)))).append(")");
        out.reasons.push_back("payment method " + m + " is not allowed by tariff " + tname());
      }
    }
  }
  if (t.bounds.count != 0) {
    if (!f.has(Attr::Currency)) {
      unknown = true;
      out.missing |= miss(Attr::Currency);
    } else {
      for (const pdc::Bound& b : d.span<pdc::Bound>(Sec::Bounds, t.bounds)) {
        if (b.currency != f.get(Attr::Currency)) continue;
        if (opt.explain) out.explain.push_back(d.str(b.explain));
        if (!f.has(Attr::Amount)) {
          unknown = true;
          out.missing |= miss(Attr::Amount);
        } else if (f.get(Attr::Amount) < b.low || f.get(Attr::Amount) > b.high) {
          int e = d.exponent(b.currency);
          const std::string cur(v.object_name(dsl::ObjectKind::Currency, b.currency));
          out.reasons.push_back("amount " + format_minor(f.get(Attr::Amount), e) + " " + cur + " is outside " +
                                format_minor(b.low, e) + " .. " + format_minor(b.high, e) + " " + cur + " of tariff " +
                                tname());
        }
      }
    }
  }
  if (t.hold_lifetime > 0 && f.has(Attr::Flow) && f.get(Attr::Flow) == kFlowHold) {
    out.hold_lifetime = t.hold_lifetime;
    out.hold_unit = d.str(t.hold_unit);
  }
  out.verdict = !out.reasons.empty() ? Verdict::Forbidden : unknown ? Verdict::Undetermined : Verdict::Allowed;
}

// ---- cash flow ---------------------------------------------------------------

// The artifact's volumes, as evaluator/volume.h reads them.
struct ProgramVolumes {
  const Prog& d;
  dsl::Volume::Kind kind(uint32_t v) const { return static_cast<dsl::Volume::Kind>(d.volume(v).kind); }
  int64_t fixed_minor(uint32_t v) const { return d.volume(v).fixed_minor; }
  int32_t fixed_currency(uint32_t v) const { return d.volume(v).fixed_currency; }
  Fraction share(uint32_t vi) const {
    const pdc::Volume& v = d.volume(vi);
    return {static_cast<__int128>((static_cast<unsigned __int128>(v.num_hi) << 64) | v.num_lo),
            static_cast<__int128>((static_cast<unsigned __int128>(v.den_hi) << 64) | v.den_lo)};
  }
  std::span<const uint32_t> args(uint32_t v) const { return d.span<uint32_t>(Sec::VolumeArgs, d.volume(v).args); }
  std::string_view currency_name(int32_t c) const { return d.object_name(dsl::ObjectKind::Currency, c); }
};

// The usual volume — a share of the amount, or a fixed sum in the payment's
// currency — in minor units, exactly as volume_value + round give it but
// without their error values, from the words the posting holds (2.0); false
// for anything else (min, max, sums, a fixed sum in another currency,
// numbers beyond a word), which the general walk answers, errors included.
bool quick_volume(const pdc::Posting& p, const Facts& f, int64_t& out) {
  switch (static_cast<pdc::QuickVolume>(p.quick)) {
    case pdc::QuickVolume::Fixed:
      if (p.quick_b != f.get(Attr::Currency)) return false;
      out = p.quick_a;
      return true;
    case pdc::QuickVolume::Share:
      return round_share(p.quick_a, p.quick_b, f.get(Attr::Amount), static_cast<dsl::RoundingMode>(p.rounding), out);
    default: return false;
  }
}

// A cash flow's postings, then down the arm its decision picks (each arm
// holds its cash flow: a loop, not a call, per level). `currency` names the
// payment's currency (looked up once per evaluation, not per posting).
void run_cash_flow(const Prog& d, const pdc::CashFlow& top, const Facts& f, bool provider, std::string_view currency,
                   const EvalOptions& opt, CashFlowResult& out) {
  for (const pdc::CashFlow* cf = &top;;) {
    for (const pdc::Posting& p : d.span<pdc::Posting>(Sec::Postings, cf->postings)) {
      if (!f.has(Attr::Currency) || (p.uses_amount && !f.has(Attr::Amount))) {
        if (out.status != CFStatus::Error) out.status = CFStatus::Undetermined;
        out.missing |= miss(f.has(Attr::Currency) ? Attr::Amount : Attr::Currency);
        out.possibilities.push_back(d.str(p.explain));
        continue;
      }
      int64_t minor = 0;
      if (!quick_volume(p, f, minor)) {
        auto r = volume_value(ProgramVolumes{d}, p.volume, f);
        Result<int64_t> m = r ? round(*r, static_cast<dsl::RoundingMode>(p.rounding)) : Result<int64_t>(r.error());
        if (!m) {
          out.status = CFStatus::Error;
          out.error = m.error().message + " (" + std::string(d.str(p.explain)) + ")";
          continue;
        }
        minor = *m;
      }
      // Constructed in place, each member written once: an aggregate built on
      // the stack and copied in costs a store-forwarding stall per posting.
      emplace_aggregate(out.postings, d.str(p.from), d.str(p.to), MoneyView{minor, currency}, d.str(p.details),
                        d.str(p.explain), provider, pdc::PostingRoles::from(p.roles), pdc::PostingRoles::to(p.roles),
                        static_cast<int32_t>(&p - d.at<pdc::Posting>(Sec::Postings)));
    }
    if (cf->arms == pdc::kNone) return;
    auto arms = d.span<pdc::Arm>(Sec::Arms, cf->bodies);
    int32_t o = d.decide(cf->arms, f);
    if (o == kUndetermined) {
      std::vector<int32_t> outcomes;
      uint32_t missing = 0;
      d.explore(cf->arms, f, outcomes, missing);
      out.missing |= missing;
      if (out.status != CFStatus::Error) out.status = CFStatus::Undetermined;
      for (int32_t x : outcomes) {
        if (x >= 0) out.possibilities.push_back(d.str(arms[static_cast<size_t>(x)].explain));
      }
      return;
    }
    if (o < 0) return;
    if (opt.explain) out.explain.push_back(d.str(arms[static_cast<size_t>(o)].explain));
    cf = &arms[static_cast<size_t>(o)].body;
  }
}

// ---- route -------------------------------------------------------------------

// Each routing once: delegations may share targets (and an artifact may make
// them a dense graph), so a visit list keeps this linear.
void all_terminals(const Prog& d, int32_t ri, std::vector<int32_t>& out, std::vector<int32_t>& seen, int depth = 0) {
  if (depth > 64 || std::find(seen.begin(), seen.end(), ri) != seen.end()) return;
  seen.push_back(ri);
  const pdc::Routing& r = d.routing(ri);
  for (const auto& c : d.span<pdc::Candidate>(Sec::Candidates, r.candidates)) {
    if (std::find(out.begin(), out.end(), c.terminal) == out.end()) out.push_back(c.terminal);
  }
  for (const auto& g : d.span<pdc::Guard>(Sec::Guards, r.guard_info)) {
    if (!g.decline) all_terminals(d, g.target, out, seen, depth + 1);
  }
}

const HealthSample* health_of(const Context& c, int32_t terminal, int32_t provider) {
  for (const HealthSample& h : c.health) {
    if (h.terminal == terminal) return &h;
  }
  for (const HealthSample& h : c.health) {
    if (h.provider >= 0 && h.provider == provider) return &h;
  }
  return nullptr;
}

// A small inline buffer: candidate lists are short, and evaluation should not
// allocate beyond its result.
template <class T, size_t N>
class SmallVec {
 public:
  void push_back(T v) {
    if (size_ < N) {
      inline_[size_] = v;
    } else {
      heap_.push_back(v);
    }
    ++size_;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return i < N ? inline_[i] : heap_[i - N]; }
  const T& operator[](size_t i) const { return i < N ? inline_[i] : heap_[i - N]; }

 private:
  T inline_[N];
  std::vector<T> heap_;
  size_t size_ = 0;
};

using Candidates = SmallVec<int32_t, 32>;  // indices into the routing's candidates

// The decisions candidates share — a terminal's or provider's `accepts`,
// which several candidates of one routing test on the same facts — made
// once per routing: kept in a slot by the selector's low bits (no search;
// a selector that meets another's slot walks again).
class SharedDecisions {
 public:
  int32_t decide(const Prog& d, uint32_t selector, const Facts& f) {
    const uint32_t slot = selector % kSlots;
    if ((kept_ >> slot & 1u) && selector_[slot] == selector) return outcome_[slot];
    int32_t o = d.decide(selector, f);
    selector_[slot] = selector;
    outcome_[slot] = o;
    kept_ |= 1u << slot;
    return o;
  }

 private:
  static constexpr uint32_t kSlots = 8;
  uint32_t selector_[kSlots];
  int32_t outcome_[kSlots];
  uint32_t kept_ = 0;  // bit k: slot k holds a decision
};

// Why one candidate cannot be chosen (the first reason found), or null. Sets
// `unsure` when a test it must pass cannot be decided, adding what it lacks.
bool rejection(const Prog& d, const pdc::Routing& r, const pdc::Candidate& cand, const Context& c, bool& unsure,
               uint64_t& missing, std::string_view& reason_out, SharedDecisions& shared) {
  const Facts& f = c.facts;
  const pdc::Terminal& t = d.terminal(cand.terminal);
  bool rejected = false;
  std::string_view reason;
  auto reject = [&](pdc::Str why) {
    if (!rejected) reason = d.str(why);
    rejected = true;
  };
  auto passes = [&](uint32_t s, pdc::Str refuses, bool is_shared) {
    if (s == pdc::kNone) return;
    int32_t o = is_shared ? shared.decide(d, s, f) : d.decide(s, f);
    if (o == kNoMatch) reject(refuses);
    if (o == kUndetermined) {
      unsure = true;
      missing |= missing_of(d, s, f);
    }
  };
  passes(cand.when, cand.condition_false, false);
  if (t.disabled) reject(t.disabled_reason);
  if (t.risk_coverage >= 0) {
    if (!f.has(Attr::Risk)) {
      unsure = true;
      missing |= miss(Attr::Risk);
    } else if (f.get(Attr::Risk) > t.risk_coverage) {
      reject(d.span<pdc::Str>(Sec::StrList, t.over_coverage)[static_cast<size_t>(f.get(Attr::Risk))]);
    }
  }
  passes(t.accepts, t.refuses, true);
  if (t.provider >= 0) {
    const pdc::Provider& p = d.provider(t.provider);
    passes(p.accepts, p.refuses, true);
  }
  if (const HealthSample* h = r.excludes.count != 0 && !rejected && !c.health.empty()
                                  ? health_of(c, cand.terminal, t.provider)
                                  : nullptr) {
    Facts hf = f;
    if (h->has_failure_rate) {
      hf.failure_rate = h->failure_rate;
      hf.present |= bit(Attr::HealthFailureRate);
    }
    if (h->has_latency) hf.set(Attr::HealthLatency, h->latency_ms);
    for (const auto& ex : d.span<pdc::Exclude>(Sec::Excludes, r.excludes)) {
      // Unknown (a metric the sample lacks) does not exclude: no data is healthy.
      if (d.eval_cond(ex.cond, hf) == Tri::True) {
        reject(ex.reason);
        break;
      }
    }
  }
  reason_out = reason;
  return rejected;
}

// ---- limit arithmetic, shared by routing and the limits part ----------------

// Whether limit `l` counts this payment: False when one test certainly fails
// (a refund it does not count, its `when` false, another currency), Unknown
// when one is undecided (adding what would decide to `missing`), else True.
// Inline: every limit asks it, and the call cost as much as the usual answer.
[[gnu::always_inline]] inline Tri counts(const Prog& d, const pdc::Limit& l, const Facts& f, uint64_t& missing) {
  Tri t = Tri::True;
  // A limit that does not ask about the operation counts payments only: a
  // refund returns money, a capture takes a hold the payment already
  // counted. (A context read from JSON always knows the operation: it
  // defaults to payment.)
  if (!l.counts_refunds) {
    if (!f.has(Attr::Operation)) {
      t = Tri::Unknown;
      missing |= miss(Attr::Operation);
    } else if (f.get(Attr::Operation) != kOperationPayment) {
      return Tri::False;
    }
  }
  if (l.when != pdc::kNone) {
    int32_t o = d.decide(l.when, f);
    if (o == kNoMatch) return Tri::False;
    if (o == kUndetermined) {
      t = Tri::Unknown;
      missing |= missing_of(d, l.when, f);
    }
  }
  if (!l.is_count) {  // an amount limit counts turnover in its own currency only
    if (!f.has(Attr::Currency)) {
      t = Tri::Unknown;
      missing |= miss(Attr::Currency);
    } else if (f.get(Attr::Currency) != l.currency) {
      return Tri::False;
    }
  }
  return t;
}

// A counter after this payment: `turnover + amount` (amount limits) or
// `turnover + 1` (count limits), exact in 128 bits, against the bound.
struct NextTurnover {
  __int128 after = 0;
  bool fits = true;  // after fits int64
  bool over = false;
};
NextTurnover next_turnover(const pdc::Limit& l, int64_t turnover, const Facts& f) {
  NextTurnover n;
  n.after = static_cast<__int128>(turnover) + (l.is_count ? 1 : f.get(Attr::Amount));
  n.fits = n.after <= INT64_MAX;
  n.over = l.inclusive ? n.after > l.bound : n.after >= l.bound;
  return n;
}

// The context's counter of route-scoped limit `li` for `terminal` (keyed by
// the terminal, or by its provider), or null.
const Turnover* route_counter(const Prog& d, int32_t li, int32_t terminal, const Context& c) {
  int32_t key = d.route_scope(li) == kScopeTerminal ? terminal : d.terminal(terminal).provider;
  if (key < 0) return nullptr;
  for (const Turnover& t : c.turnover) {
    if (t.limit == li && t.route == key) return &t;
  }
  return nullptr;
}

// The route-scoped limits on a candidate otherwise eligible (as RBK's router
// checks them): the reason when this payment would take one of its counters
// past the bound ("terminal T: limit L would be exceeded: 1,250,000.00 of
// 1,000,000.00 RUB"), else empty. A limit that may count the payment but
// whose counter the context lacks goes to out.undecided_limits; one that
// would be exceeded but may not count the payment makes the candidate unsure.
std::string limit_rejection(const Prog& d, int32_t terminal, const Context& c, bool& unsure, RouteResult& out) {
  const Facts& f = c.facts;
  const size_t undecided_before = out.undecided_limits.size();
  for (int32_t li : d.route_limits()) {
    const pdc::Limit& l = d.limit(li);
    const bool by_terminal = d.route_scope(li) == kScopeTerminal;
    uint64_t need = 0;
    Tri applies = counts(d, l, f, need);
    if (applies == Tri::False) continue;
    if (!by_terminal && d.terminal(terminal).provider < 0) continue;
    const Turnover* t = route_counter(d, li, terminal, c);
    if (!t) {
      out.undecided_limits.push_back({terminal, li});
      continue;
    }
    if (!l.is_count && !f.has(Attr::Amount)) {
      unsure = true;
      out.missing |= need | miss(Attr::Amount);
      continue;
    }
    NextTurnover n = next_turnover(l, t->value, f);
    if (n.fits && !n.over) continue;
    if (applies == Tri::Unknown) {
      unsure = true;
      out.missing |= need;
      continue;
    }
    out.undecided_limits.resize(undecided_before);  // rejected: nothing left to decide
    std::string s = by_terminal ? "terminal " + std::string(d.object_name(dsl::ObjectKind::Terminal, terminal))
                                : "provider " + std::string(d.object_name(dsl::ObjectKind::Provider,
                                                                           d.terminal(terminal).provider));
    s += ": limit " + std::string(d.str(l.name));
    if (!n.fits) return s + ": turnover + this payment does not fit 64-bit minor units";
    const char* of = l.inclusive ? " of " : l.is_count ? " of fewer than " : " of less than ";
    if (l.is_count) return s + " would be exceeded: " + format_sum(n.after, 0) + of + format_sum(l.bound, 0) + " payments";
    int e = d.exponent(l.currency);
    return s + " would be exceeded: " + format_sum(n.after, e) + of + format_sum(l.bound, e) + " " +
           std::string(d.object_name(dsl::ObjectKind::Currency, l.currency));
  }
  return {};
}

// Sorts every candidate into rejected (out.rejected), certainly eligible, or
// uncertain (a test it must pass is undecided).
void classify(const Prog& d, const pdc::Routing& r, std::span<const pdc::Candidate> cands, const Context& c,
              RouteResult& out, Candidates& eligible, Candidates& uncertain) {
  SharedDecisions shared;
  for (size_t i = 0; i < cands.size(); ++i) {
    const pdc::Candidate& cand = cands[i];
    bool unsure = false;
    std::string_view reason;
    if (rejection(d, r, cand, c, unsure, out.missing, reason, shared)) {
      // In place: a temporary Rejected (it holds a string) costs a stall and a move.
      emplace_aggregate(out.rejected, cand.terminal, reason);
      continue;
    }
    if (!d.route_limits().empty()) {
      if (std::string by_limit = limit_rejection(d, cand.terminal, c, unsure, out); !by_limit.empty()) {
        emplace_aggregate(out.rejected, cand.terminal, std::string_view{}, std::move(by_limit));
        continue;
      }
    }
    if (unsure) {
      uncertain.push_back(static_cast<int32_t>(i));
    } else {
      eligible.push_back(static_cast<int32_t>(i));
    }
  }
}

using Cands = std::span<const pdc::Candidate>;

int64_t top_priority(Cands r, const Candidates& v) {
  int64_t top = INT64_MIN;
  for (size_t k = 0; k < v.size(); ++k) top = std::max(top, r[static_cast<size_t>(v[k])].priority);
  return top;
}

// The terminals of `v` at priority `top` or above (any priority when `any`).
void add_possible(Cands r, const Candidates& v, int64_t top, bool any, RouteResult& out) {
  for (size_t k = 0; k < v.size(); ++k) {
    const auto& cand = r[static_cast<size_t>(v[k])];
    if (any || cand.priority >= top) out.possible.push_back(cand.terminal);
  }
}

// The weighted draw among the top-priority group: the payment key's hash
// scaled to [0, total weight), then cumulative weights in source order.
// -1 (undetermined, out.possible set) when the group needs a key and has none.
int32_t pick(Cands r, const Context& c, const Candidates& eligible, int64_t top, RouteResult& out) {
  auto cand = [&](int32_t i) -> const pdc::Candidate& { return r[static_cast<size_t>(i)]; };
  size_t group = 0;
  int64_t total = 0;
  int32_t chosen = -1;
  for (size_t k = 0; k < eligible.size(); ++k) {
    if (cand(eligible[k]).priority != top) continue;
    ++group;
    total += cand(eligible[k]).weight;
    if (chosen < 0) chosen = eligible[k];
  }
  if (group == 1) return chosen;
  if (!c.has_payment_key) {
    out.status = RStatus::Undetermined;
    out.missing |= kMissPaymentKey;
    add_possible(r, eligible, top, false, out);
    return -1;
  }
  unsigned __int128 x = static_cast<unsigned __int128>(payment_key_hash(c.payment_key)) * static_cast<uint64_t>(total);
  int64_t target = static_cast<int64_t>(x >> 64);
  for (size_t k = 0; k < eligible.size(); ++k) {
    if (cand(eligible[k]).priority != top) continue;
    target -= cand(eligible[k]).weight;
    chosen = eligible[k];
    if (target < 0) break;
  }
  return chosen;
}

// Preference order: the chosen one, then priority (higher first), weight
// (higher first), source order.
void preference_order(Cands r, const Candidates& eligible, int32_t chosen, RouteResult& out) {
  auto cand = [&](int32_t i) -> const pdc::Candidate& { return r[static_cast<size_t>(i)]; };
  out.candidates.reserve(eligible.size());
  out.candidates.push_back(cand(chosen).terminal);
  size_t start = out.candidates.size();
  for (size_t k = 0; k < eligible.size(); ++k) {
    if (eligible[k] != chosen) out.candidates.push_back(eligible[k]);  // indices for now
  }
  auto before = [&](int32_t a, int32_t b) {
    if (cand(a).priority != cand(b).priority) return cand(a).priority > cand(b).priority;
    return cand(a).weight > cand(b).weight;
  };
  // A stable insertion sort: candidate lists are short, and std::stable_sort
  // takes a heap buffer on every call.
  for (size_t k = start + 1; k < out.candidates.size(); ++k) {
    int32_t x = out.candidates[k];
    size_t j = k;
    for (; j > start && before(x, out.candidates[j - 1]); --j) out.candidates[j] = out.candidates[j - 1];
    out.candidates[j] = x;
  }
  for (size_t k = start; k < out.candidates.size(); ++k) out.candidates[k] = cand(out.candidates[k]).terminal;
}

// A routing's candidates: classify each, then choose among the certainly
// eligible unless an uncertain one could still win.
void eval_candidates(const Prog& d, const pdc::Routing& rt, const Context& c, const EvalOptions& opt, RouteResult& out) {
  Cands r = d.span<pdc::Candidate>(Sec::Candidates, rt.candidates);
  Candidates eligible, uncertain;
  const uint64_t missing_before = out.missing;
  classify(d, rt, r, c, out, eligible, uncertain);
  const bool any_eligible = !eligible.empty();
  const int64_t top = top_priority(r, eligible);  // none eligible: below every priority
  if (!uncertain.empty()) {
    if (!any_eligible || top_priority(r, uncertain) >= top) {
      // An unknown candidate could win outright (higher priority) or join the
      // weighted draw (equal priority, which changes the pick): undetermined,
      // with exactly the terminals that may still be chosen.
      out.status = RStatus::Undetermined;
      for (size_t k = 0; k < eligible.size(); ++k) {
        const auto& e = r[static_cast<size_t>(eligible[k])];
        if (e.priority == top) out.possible.push_back(e.terminal);
      }
      add_possible(r, uncertain, top, !any_eligible, out);
      return;
    }
    // Every unknown candidate ranks strictly below a certainly eligible one, so
    // none can be chosen whatever the missing fields are: the fields it needs
    // decide nothing ("a field no decision needs never hurts"). It is left out
    // of `candidates`, which lists certainly eligible terminals only.
    out.missing = missing_before;
  }
  if (!any_eligible) {
    out.status = RStatus::NoRoute;
    return;
  }
  int32_t chosen = pick(r, c, eligible, top, out);
  if (chosen < 0) return;
  out.status = RStatus::Chosen;
  out.terminal = r[static_cast<size_t>(chosen)].terminal;
  out.provider = d.terminal(out.terminal).provider;
  preference_order(r, eligible, chosen, out);
  if (opt.explain) {
    out.explain.push_back(d.str(r[static_cast<size_t>(chosen)].explain));
    for (int32_t li : d.route_limits()) {  // the limits its counters were checked against
      if (route_counter(d, li, out.terminal, c)) out.explain.push_back(d.str(d.limit(li).explain));
    }
  }
}

void eval_ruleset(const Prog& d, int32_t ri, const Context& c, const EvalOptions& opt, RouteResult& out, int depth) {
  const pdc::Routing& r = d.routing(ri);
  if (opt.explain) out.explain.push_back(d.str(r.explain));
  int32_t g = d.decide(r.guards, c.facts);
  if (g == kUndetermined) {
    out.status = RStatus::Undetermined;
    std::vector<int32_t> outcomes;
    uint32_t missing = 0;
    d.explore(r.guards, c.facts, outcomes, missing);
    out.missing |= missing;
    std::vector<int32_t> seen;
    all_terminals(d, ri, out.possible, seen);
    return;
  }
  if (g >= 0) {
    const pdc::Guard& gi = d.span<pdc::Guard>(Sec::Guards, r.guard_info)[static_cast<size_t>(g)];
    if (opt.explain) out.explain.push_back(d.str(gi.explain));
    if (gi.decline) {
      out.status = RStatus::Declined;
      out.decline_reason = d.str(gi.reason);
      return;
    }
    if (depth < 64) eval_ruleset(d, gi.target, c, opt, out, depth + 1);
    return;
  }
  eval_candidates(d, r, c, opt, out);
}

// ---- limits ------------------------------------------------------------------

// The period window of limit `li` holding `t`. A window holds every instant
// in it, so the last one found per limit is kept per thread (keyed by the
// program's load id, never reused) and answers again while `t` stays inside
// — unless a zone transition falls in it, where local dates may repeat.
std::pair<int64_t, int64_t> limit_window(const Prog& d, int32_t li, int32_t period, int64_t t) {
  struct Memo {
    uint64_t program = 0;
    int32_t limit = -1;
    int64_t start = 0, end = 0;
  };
  thread_local std::array<Memo, 8> memo;
  Memo& m = memo[static_cast<size_t>(li) & 7];
  if (m.program == d.load_id() && m.limit == li && m.start <= t && t < m.end) return {m.start, m.end};
  const LimitZone zone = d.limit_zone(li);
  const auto w = zone.window(t, period);
  const auto& starts = zone.table.starts;
  // No transition within [start, end]: one offset holds throughout.
  if (std::lower_bound(starts.begin(), starts.end(), w.first) ==
      std::upper_bound(starts.begin(), starts.end(), w.second))
    m = {d.load_id(), li, w.first, w.second};
  return w;
}

void eval_limit(const Prog& d, const pdc::Limit& l, int32_t li, const Context& c, const RouteResult& route,
                LimitResult& out) {
  const Facts& f = c.facts;
  out.limit = li;
  out.explain = d.str(l.explain);
  switch (counts(d, l, f, out.missing)) {
    case Tri::False: out.status = LimitResult::Status::NotApplies; return;
    case Tri::Unknown: out.status = LimitResult::Status::Undetermined; break;
    case Tri::True: out.status = LimitResult::Status::Applies; break;
  }
  // The scope key: the counter the processing core must check, as its parts
  // (ScopeKey: the writer spells it).
  const std::span<const int32_t> scopes = d.span<int32_t>(Sec::LimitScopes, l.scopes);
  bool have_all = true;
  for (int32_t s : scopes) {
    std::string_view value;
    bool have = true;
    switch (s) {
      case kScopeParty:
      case kScopeShop:
      case kScopeTool: {
        const std::string& raw = s == kScopeParty ? c.party : s == kScopeShop ? c.shop : c.tool_token;
        have = !raw.empty();
        value = raw;
        if (!have) out.missing |= s == kScopeParty ? kMissParty : s == kScopeShop ? kMissShop : kMissToken;
        break;
      }
      case kScopeProvider:
      case kScopeTerminal:
        have = route.status == RStatus::Chosen && (s == kScopeTerminal || route.provider >= 0);
        if (have) {
          value = s == kScopeProvider ? d.object_name(dsl::ObjectKind::Provider, route.provider)
                                      : d.object_name(dsl::ObjectKind::Terminal, route.terminal);
        } else if (route.status == RStatus::Undetermined) {
          out.missing |= kMissRoute | route.missing;
        }
        break;
      default: have = false;
    }
    have_all = have_all && have;
    if (have) out.scope_key.values[static_cast<size_t>(s)] = value;  // the loader checked s is a scope
  }
  out.has_scope_key = have_all;
  if (have_all) {
    out.scope_key.scopes = scopes.data();
    out.scope_key.count = static_cast<uint32_t>(scopes.size());
  }
  if (c.has_time) {
    out.has_window = true;
    std::tie(out.window_start, out.window_end) = limit_window(d, li, l.period, c.time);
  } else {
    out.missing |= kMissTime;
  }
  // The counter: the limit's, or for a route-scoped limit the chosen route's.
  const Turnover* t = nullptr;
  if (d.route_scope(li) >= 0) {
    if (route.status == RStatus::Chosen) t = route_counter(d, li, route.terminal, c);
  } else {
    for (const Turnover& x : c.turnover) {
      if (x.limit == li) t = &x;
    }
  }
  if (!t) return;
  if (!l.is_count && !f.has(Attr::Amount)) {
    out.verdict = LimitResult::Verdict::Undetermined;
    out.missing |= miss(Attr::Amount);
    return;
  }
  NextTurnover n = next_turnover(l, t->value, f);
  if (!n.fits) {
    // Exact or an error: a clamped turnover_after would be a wrong number.
    out.verdict = LimitResult::Verdict::Error;
    out.error = "turnover + this payment does not fit 64-bit minor units";
    return;
  }
  out.turnover_after = static_cast<int64_t>(n.after);
  out.verdict = n.over ? LimitResult::Verdict::Exceeded : LimitResult::Verdict::Within;
  if (out.status == LimitResult::Status::Undetermined) out.verdict = LimitResult::Verdict::Undetermined;
}

}  // namespace

uint64_t fnv1a_64(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;  // the standard FNV-64 offset basis
  for (unsigned char ch : bytes) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t payment_key_hash(std::string_view key) {
  uint64_t h = fnv1a_64(key) + 0x9e3779b97f4a7c15ull;
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

std::vector<std::string> missing_names(uint64_t m) {
  std::vector<std::string> out;
  auto add = [&](std::string_view s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.emplace_back(s);
  };
  for (int i = 0; i < kAttrCount; ++i) {
    if (m & (uint64_t{1} << i)) add(dsl::kAttributes[i].path);
  }
  for (size_t i = 0; i < dsl::kContextFieldCount; ++i) {
    if (m & (uint64_t{1} << (kMissFieldShift + i))) add(dsl::kContextFields[i].path);
  }
  if (m & kMissRoute) add("route");
  return out;
}

void evaluate(const Program& d, const Context& c, const EvalOptions& opt, EvalResult& res) {
  // The context's facts, asked for together now: the decisions read them one
  // at a time, each load after the DAG node naming its attribute, so a cold
  // context would add a cache miss to every level of the walk. Likewise the
  // merchant's accounts, which only the postings' accounts read, last.
  static_assert(sizeof(Facts::v) <= 4 * 64);
  for (size_t b = 0; b < sizeof(Facts::v); b += 64) __builtin_prefetch(reinterpret_cast<const char*>(c.facts.v.data()) + b);
  __builtin_prefetch(c.merchant_accounts.data());
  res.terms.clear();
  res.cash_flow.clear();
  res.route.clear();
  // The context's tariff is an explicit override of the binding.
  int32_t tariff = c.tariff;
  uint64_t tariff_missing = 0;
  if (tariff < 0) tariff = bind_tariff(d, c, opt, res.terms, tariff_missing);
  eval_terms(d, tariff, tariff_missing, c, opt, res.terms);
  // A payment its institution does not serve is refused whole: no route, no
  // money. A context naming no institution has nothing to judge: no call.
  std::string refused;
  if (c.facts.has(Attr::PaymentInstitution)) refused = judge_institution(d, c, opt, res.terms);

  // Route first: the provider's postings and provider/terminal limit scopes need it.
  // A refund (a capture) goes back the way its payment (hold) came; a payment takes the
  // context's routing, else the tariff's, else the payment institution's.
  const int64_t op = c.facts.has(Attr::Operation) ? c.facts.get(Attr::Operation) : -1;
  const bool refund = op == kOperationRefund, capture = op == kOperationCapture, chargeback = op == kOperationChargeback;
  int32_t ri = c.routing;
  if (ri < 0 && tariff >= 0) ri = d.tariff(tariff).routing;
  if (ri < 0 && tariff >= 0 && c.facts.has(Attr::PaymentInstitution))  // ids are the program's (check_context)
    ri = d.institution(static_cast<int32_t>(c.facts.get(Attr::PaymentInstitution))).routing;
  if (!refused.empty()) {
    res.route.status = RStatus::Declined;
    res.route.decline_built = std::move(refused);
  } else if (refund || capture || chargeback) {
    route_to_original(d, c, opt, res.route);
  } else if (ri >= 0) {
    eval_ruleset(d, ri, c, opt, res.route, 0);
  } else if (tariff < 0) {
    res.route.status = RStatus::Undetermined;
    res.route.missing |= tariff_missing;
  }

  CashFlowResult& cf = res.cash_flow;
  // What every posting's amount names (a posting needs the currency).
  const std::string_view currency =
      c.facts.has(Attr::Currency) ? d.currency_name(static_cast<int32_t>(c.facts.get(Attr::Currency))) : std::string_view{};
  if (tariff < 0) {
    cf.status = CFStatus::Undetermined;
    cf.missing |= tariff_missing;
  } else {
    const pdc::Tariff& t = d.tariff(tariff);
    if (chargeback) {
      // The merchant's fees (a levy), then its funds reserved while the dispute is open.
      const pdc::ChargebackTerms& terms = *d.tariff_chargebacks(tariff);
      for (uint32_t fees : {terms.fees, terms.reserve}) {
        if (fees != pdc::kNone) run_cash_flow(d, d.cash_flow(fees), c.facts, false, currency, opt, cf);
      }
    } else if (const uint32_t fees = refund ? t.refund_fees : t.fees; fees != pdc::kNone) {
      run_cash_flow(d, d.cash_flow(fees), c.facts, false, currency, opt, cf);
    }
  }
  // Provider-side postings: what the chosen route's provider moves and
  // charges: its `fees` for a payment (a capture), its `refunds { fees }`
  // for a refund, its `chargebacks { fees }` for a chargeback.
  auto provider_fees = [&](int32_t p) -> uint32_t {
    if (p < 0) return pdc::kNone;
    if (chargeback) return d.provider_chargebacks(p)->fees;
    return refund ? d.provider_refunds(p)->fees : d.provider(p).fees;
  };
  if (res.route.status == RStatus::Chosen) {
    if (uint32_t fees = provider_fees(res.route.provider); fees != pdc::kNone)
      run_cash_flow(d, d.cash_flow(fees), c.facts, true, currency, opt, cf);
  } else if (res.route.status == RStatus::Undetermined) {
    bool any_fees = false;
    for (int32_t t : res.route.possible) any_fees = any_fees || provider_fees(d.terminal(t).provider) != pdc::kNone;
    if (any_fees) {
      if (cf.status != CFStatus::Error) cf.status = CFStatus::Undetermined;
      cf.missing |= res.route.missing | kMissRoute;
    }
  }

  // Money moves only for an operation the terms allow, and only as a whole: a
  // forbidden operation carries no postings (so no accounts to resolve), and
  // neither does a cash flow with an error (a partial list would move part of
  // the fees), a missing account included.
  if (res.terms.verdict == TermsResult::Verdict::Forbidden) {
    cf.clear();
    cf.status = CFStatus::Forbidden;
  } else if (resolve_accounts(d, c, res.route, cf); cf.status == CFStatus::Error) {
    cf.postings.clear();
    cf.possibilities.clear();
    cf.missing = 0;
  }

  const int32_t limits = d.limit_count();
  if (limits == 0) {  // no resize: its size arithmetic costs more than this
    res.limits.clear();
    return;
  }
  res.limits.resize(static_cast<size_t>(limits));
  for (int32_t i = 0; i < limits; ++i) {
    LimitResult& l = res.limits[static_cast<size_t>(i)];
    l.clear();
    eval_limit(d, d.limit(i), i, c, res.route, l);
  }
}

}  // namespace paydomain::evaluator
