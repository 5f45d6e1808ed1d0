#include "evaluator/payment_answer.h"

#include <algorithm>

#include "evaluator/impact_region.h"

namespace paydomain::evaluator {

PaymentAnswer answer_of(const CompiledDomain& d, const EvalResult& r) {
  PaymentAnswer a;
  using V = TermsResult::Verdict;
  a.terms = r.terms.verdict == V::Allowed ? "allowed" : r.terms.verdict == V::Forbidden ? "forbidden" : "undetermined";
  using C = CashFlowResult::Status;
  switch (r.cash_flow.status) {
    case C::Determined: a.cash_flow = "determined"; break;
    case C::Undetermined: a.cash_flow = "undetermined"; break;
    case C::Error: a.cash_flow = "error: " + r.cash_flow.error.substr(0, r.cash_flow.error.find(" (")); break;
    case C::Forbidden: a.cash_flow = "forbidden"; break;
  }
  for (const PostingResult& p : r.cash_flow.postings) {
    int32_t cur = d.vocab.object(dsl::ObjectKind::Currency, p.amount.currency);
    a.postings.push_back({std::string(p.from), std::string(p.to), std::string(p.amount.currency),
                          std::string(p.details), std::string(p.from_account), std::string(p.to_account),
                          p.amount.minor, cur >= 0 ? d.exponents[static_cast<size_t>(cur)] : 0});
  }
  const RouteResult& rt = r.route;
  auto term = [&](int32_t t) { return d.vocab.object_name(dsl::ObjectKind::Terminal, t); };
  using R = RouteResult::Status;
  switch (rt.status) {
    case R::Chosen: {
      a.route = term(rt.terminal);
      for (size_t i = 1; i < rt.candidates.size(); ++i) a.route += (i == 1 ? " (then " : ", ") + term(rt.candidates[i]);
      if (rt.candidates.size() > 1) a.route += ")";
      break;
    }
    case R::Declined: a.route = "declined: " + std::string(rt.decline()); break;
    case R::NoRoute: a.route = "no route"; break;
    case R::Undetermined: a.route = "undetermined"; break;
    case R::NoRouting: a.route = "no routing"; break;
  }
  for (const LimitResult& l : r.limits) {
    std::string s = d.vocab.object_name(dsl::ObjectKind::Limit, l.limit) + ": ";
    using S = LimitResult::Status;
    s += l.status == S::Applies ? "applies" : l.status == S::NotApplies ? "does not apply" : "undetermined";
    if (l.status != S::NotApplies) {
      using LV = LimitResult::Verdict;
      switch (l.verdict) {
        case LV::None: break;
        case LV::Within: s += ", within"; break;
        case LV::Exceeded: s += ", exceeded"; break;
        case LV::Undetermined: s += ", undetermined"; break;
        case LV::Error: s += ", error"; break;
      }
      if (l.has_scope_key) s += ", scope " + l.scope_key.text();
      if (l.has_window) s += ", window " + std::to_string(l.window_start) + ".." + std::to_string(l.window_end);
    }
    a.limits.push_back(std::move(s));
  }
  return a;
}

bool fees_differ(const PaymentAnswer& a, const PaymentAnswer& b) {
  return a.cash_flow != b.cash_flow || a.postings != b.postings;
}

bool limits_differ(const PaymentAnswer& a, const PaymentAnswer& b) {
  std::vector<std::string> x = a.limits, y = b.limits;
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x != y;
}

std::string postings_text(const PaymentAnswer& a, const CompiledDomain& d) {
  if (a.postings.empty()) return a.cash_flow == "determined" ? "no postings" : a.cash_flow;
  std::string s;
  for (const AnswerPosting& p : a.postings) {
    int32_t cur = d.vocab.object(dsl::ObjectKind::Currency, p.currency);
    int e = cur >= 0 ? d.exponents[static_cast<size_t>(cur)] : 0;
    auto side = [](const std::string& role, const std::string& account) {
      return account.empty() ? role : role + " " + account;
    };
    s += (s.empty() ? "" : "; ") + side(p.from, p.from_account) + " -> " + side(p.to, p.to_account) + " " +
         format_sum(p.minor, e) + " " + p.currency;
    if (!p.details.empty()) s += " (" + p.details + ")";
  }
  return s;
}

}  // namespace paydomain::evaluator
