// Helpers for the dsl tests: load text as a one-file domain.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "dsl/checker.h"
#include "dsl/parser.h"

namespace paydomain::dsl::testing {

struct Loaded {
  Domain domain;
  Diagnostics diags;
  bool has(const std::string& code) const {
    for (const Diagnostic& d : diags.items()) {
      if (d.code == code) return true;
    }
    return false;
  }
  const Diagnostic* first(const std::string& code) const {
    for (const Diagnostic& d : diags.items()) {
      if (d.code == code) return &d;
    }
    return nullptr;
  }
  std::string rendered() const { return render_all(diags.items(), domain.files); }
};

inline Loaded load_text(const std::string& text, const std::string& path = "test.pd") {
  Loaded l;
  l.domain = load({SourceFile{path, text}}, l.diags);
  return l;
}

// `text` with its first `from` replaced by `to`, loaded (an absent `from` fails the test).
inline Loaded load_replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return load_text(text);
}

// A small valid domain other tests modify.
inline const char* kBaseDomain = R"(# reference data
currency RUB { name "Russian ruble" numeric 643 exponent 2 }
currency USD { name "US dollar" numeric 840 exponent 2 }
currency JPY { numeric 392 exponent 0 }
payment_system visa { name "Visa" }
payment_system mastercard { name "Mastercard" }
category retail { name "Retail" }
country RUS { name "Russia" }
wallet_provider qiwi { name "Qiwi" }
adapter yb_adapter { url "https://yb.example" }
provider yellowbank {
  adapter yb_adapter
  account RUB 10001
  account USD 10002
  accepts currency in [RUB, USD] and payment_tool is bank_card
}
terminal yb_3ds { provider yellowbank risk_coverage high }
terminal yb_fast { provider yellowbank risk_coverage low disabled }
tariff standard {
  currencies [RUB, USD]
  payment_methods [bank_card(visa), wallet(qiwi), mobile]
  amount between 10.00 RUB and 500000.00 RUB
  routing main
  fees {
    when payment_system in [mastercard] {
      merchant.settlement -> system.settlement : 1% of amount "1% processing fee"
    }
    otherwise {
      merchant.settlement -> system.settlement : max(2.5% of amount, 10.00 RUB) round half_even
    }
  }
  hold_lifetime 7 days
}
routing main {
  when risk == fatal: decline "risk too high"
  when currency == USD: use usd
  candidate yb_3ds priority 1000 weight 70
  candidate yb_fast priority 900 weight 30 when amount < 3000.00 RUB
  exclude when health.failure_rate >= 70%
}
routing usd { candidate yb_3ds }
limit card_daily { scope [payment_tool] period day timezone "+03:00" amount <= 100000.00 RUB when category == retail }
test "mastercard pays one percent" {
  given { tariff standard amount 6000.00 RUB payment_tool bank_card payment_system mastercard category retail risk low }
  expect posting merchant.settlement -> system.settlement 60.00 RUB
  expect route yb_3ds
}
)";

}  // namespace paydomain::dsl::testing
