// The answer a payment gets, reduced to what the processing core acts on:
// the terms verdict, the postings (accounts, amount, details), the route
// (chosen terminal and preference order, or why none) and each limit's
// applicability and verdict. Explanations (rule lines) are left out: a rule
// that moved to another line gives the same answer. Impact analysis and
// corpus replay compare two revisions' answers this way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"

namespace paydomain::evaluator {

struct AnswerPosting {
  std::string from, to, currency, details;
  std::string from_account, to_account;  // the accounts behind the roles, "" unresolved (evaluator/accounts.h)
  int64_t minor = 0;
  int exponent = 2;  // the currency's, for display
  bool operator==(const AnswerPosting&) const = default;
};

struct PaymentAnswer {
  std::string terms;      // "allowed", "forbidden", "undetermined"
  std::string cash_flow;  // "determined", "undetermined", "error: ...", "forbidden"
  std::vector<AnswerPosting> postings;
  std::string route;  // "yb_3ds (then yb_fast)", "declined: risk too high", "no route", "undetermined", "no routing"
  std::vector<std::string> limits;  // "card_daily_rub: applies, within", one per limit of the domain
  bool operator==(const PaymentAnswer&) const = default;
};

PaymentAnswer answer_of(const CompiledDomain& domain, const EvalResult& result);

// Which parts differ.
bool fees_differ(const PaymentAnswer& a, const PaymentAnswer& b);  // postings or cash-flow status
// Limits compared by name: a limit only one side has counts as a change.
bool limits_differ(const PaymentAnswer& a, const PaymentAnswer& b);

// "merchant.settlement -> system.settlement 60.00 RUB (1% processing fee)", one per posting, "; "-joined;
// a resolved account follows its role: "system.settlement 40701810000000000010 -> ...".
std::string postings_text(const PaymentAnswer& a, const CompiledDomain& domain);

}  // namespace paydomain::evaluator
