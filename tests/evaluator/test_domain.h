// A small hand-written domain for evaluation tests.
#pragma once

#include <gtest/gtest.h>

#include "json_support.h"

#include "dsl/checker.h"
#include "evaluator/evaluator.h"
#include "evaluator/testing.h"

namespace paydomain::evaluator::testing {

inline const char* kDomain = R"(
currency RUB { numeric 643 exponent 2 }
currency USD { numeric 840 exponent 2 }
currency JPY { numeric 392 exponent 0 }
payment_system mastercard { }
payment_system maestro { }
payment_system visa { }
category retail { }
category gaming { }
country RU { }
adapter a { url "https://a.example" }
provider yellowbank {
  adapter a
  accepts currency in [RUB, USD] and payment_tool is bank_card
  fees { system.settlement -> provider.settlement : 1.5% of amount round away_from_zero }
}
provider bluebank { adapter a  accepts currency == RUB and amount <= 1000.00 RUB }
terminal yb_3ds  { provider yellowbank  risk_coverage high }
terminal yb_fast { provider yellowbank  risk_coverage low }
terminal bb      { provider bluebank }
terminal off     { provider bluebank  disabled }

tariff standard {
  currencies [RUB, USD]
  categories [retail]
  payment_methods [bank_card(mastercard), bank_card(maestro), bank_card(visa)]
  amount between 10.00 RUB and 500000.00 RUB
  hold_lifetime 3 days  refunds { allowed true  partial false }
  routing main
  fees {
    when payment_system in [maestro, mastercard] {
      merchant.settlement -> system.settlement : 1% of amount  "1% processing fee"
    }
    when payment_system == visa and amount >= 1000.00 RUB {
      merchant.settlement -> system.settlement : max(1.2% of amount, 15.00 RUB)
    }
    otherwise {
      merchant.settlement -> system.settlement : 2.5% of amount round half_even
    }
  }
}

routing main {
  when risk == fatal: decline "risk too high"
  when currency == USD: use usd
  candidate off     priority 5000
  candidate bb      priority 3000 when payment_system == visa
  candidate yb_3ds  priority 1000 weight 70 when risk in [low, high]
  candidate yb_fast priority 1000 weight 30 when risk == low and amount < 3000.00 RUB
  exclude when health.failure_rate >= 70%
}

routing usd {
  candidate yb_3ds
}

routing weighted {
  candidate yb_3ds  weight 70
  candidate yb_fast weight 20
  candidate bb      weight 10
}

limit card_daily { scope [payment_tool]  period day  timezone "+03:00"  amount <= 1000.00 RUB }
limit shop_weekly { scope [party, shop]  period week  count < 3  when category == retail }
)";

inline const dsl::Domain& domain() {
  static const dsl::Domain d = [] {
    dsl::Diagnostics diags;
    dsl::Domain x = dsl::load({{"test.pd", kDomain}}, diags);
    EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), x.files);
    return x;
  }();
  return d;
}

inline std::shared_ptr<const CompiledDomain> compiled() {
  static const std::shared_ptr<const CompiledDomain> c = *compile(domain());
  return c;
}

// kDomain with texts that need JSON escapes: a decline reason with quotes and
// a backslash ("risk \"too\" high\\"), a posting's details with a tab.
inline std::shared_ptr<const CompiledDomain> compiled_with_escapes() {
  std::string source = kDomain;
  source.replace(source.find("\"risk too high\""), 15, R"("risk \"too\" high\\")");
  source.replace(source.find("\"1% processing fee\""), 19, R"("1%\tfee")");
  dsl::Diagnostics diags;
  static dsl::Domain dom = dsl::load({{"test.pd", source}}, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), dom.files);
  auto d = compile(dom);
  EXPECT_TRUE(d.ok());
  return d.ok() ? *d : nullptr;
}

// A typical payment; tests change what they need.
inline nlohmann::json payment() {
  return nlohmann::json::parse(R"({
    "tariff": "standard",
    "amount": {"amount": 600000, "currency": "RUB"},
    "payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "token": "card-1"},
    "category": "retail", "risk": "low", "party": "acme", "shop": "web",
    "time": "2026-11-25T22:30:00Z", "payment_key": "pay-1"
  })");
}

inline EvalResult eval(const nlohmann::json& j, bool explain = false) {
  EvalOptions o;
  o.explain = explain;
  return evaluate(*compiled(), parse_kept(j, *compiled()), o);
}

// The `test` blocks of a domain text, run (a domain that does not check or
// compile fails the calling test and gives an empty report).
inline TestReport run_test_text(const std::string& text) {
  dsl::Diagnostics diags;
  dsl::Domain dom = dsl::load({{"t.pd", text}}, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), dom.files);
  if (diags.has_errors()) return {};
  auto c = compile(dom);
  EXPECT_TRUE(c.ok());
  return c.ok() ? run_tests(dom, **c) : TestReport{};
}

}  // namespace paydomain::evaluator::testing
