// Generated domains shared by the benchmarks (one generator per shape, so
// every bench measures the same domain):
//   fee_rules_domain(n): one tariff whose fee decision has n rules over
//     payment system, currency, category, amount band and risk (no two rules
//     overlap; no `otherwise`): bench_evaluator's selector, bench_impact's and bench_check's
//     10,000-rule domain (and, nested, its variant with a decision per rule);
//   mixed_domain(objects, seed): a realistic mix of every object kind
//     (bench_parse at 10,000 objects, bench_check's 3,000-line live check).
//   fee_rule_tests(n, count): tests of fee_rules_domain(n) (bench_check, bench_commit).
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace paydomain::bench {

inline const char* kRisk[] = {"low", "high", "fatal"};
inline const char* kCurrency[] = {"RUB", "USD", "EUR", "KZT", "CNY"};  // fee_rules_domain's, in order

// nested: the risk moves into a decision inside each rule (`when risk == low`
// with a 10.00 minimum, `when risk == high`, no `otherwise`): n nested
// decisions for the analysis to judge on the payments that reach them.
inline std::string fee_rules_domain(int n, bool nested = false) {
  std::string s =
      "currency RUB { numeric 643 exponent 2 }\ncurrency USD { numeric 840 exponent 2 }\n"
      "currency EUR { numeric 978 exponent 2 }\ncurrency KZT { numeric 398 exponent 2 }\n"
      "currency CNY { numeric 156 exponent 2 }\n";
  for (int i = 0; i < 20; ++i)
    s += "payment_system ps" + std::to_string(i) + " { }\ncategory cat" + std::to_string(i) + " { }\n";
  s += "tariff big {\n  fees {\n";
  for (int i = 0; i < n; ++i) {
    int band = (i / 2000) % 5;
    std::string c = kCurrency[(i / 20) % 5];
    s += "    when payment_system == ps" + std::to_string(i % 20) + " and currency == " + c + " and category == cat" +
         std::to_string((i / 100) % 20) + " and amount between " + std::to_string(band * 1000) + ".00 " + c + " and " +
         std::to_string(band * 1000 + 999) + ".99 " + c;
    if (nested) {
      s += " {\n      when risk == low { merchant.settlement -> system.settlement : max(1% of amount, 10.00 " + c +
           ") }\n      when risk == high { merchant.settlement -> system.settlement : 2% of amount }\n    }\n";
    } else {
      s += " and risk == " + std::string(kRisk[i % 3]) + " { merchant.settlement -> system.settlement : 1% of amount }\n";
    }
  }
  s += "  }\n}\n";
  return s;
}

// `count` tests of fee_rules_domain(n), each hitting a rule spread across
// the n (the rule's 1% of the amount): a commit's tests gate then has real
// work, as on a domain with a test suite (bench_check, bench_commit).
inline std::string fee_rule_tests(int n, int count) {
  const char* const* cur = kCurrency;
  std::string s;
  for (int k = 0; k < count; ++k) {
    int i = (k * 7919) % n;
    int band = (i / 2000) % 5;
    int amount = band * 1000 + 500;
    s += "test \"rule " + std::to_string(i) + "\" {\n  given {\n    tariff big\n    amount " + std::to_string(amount) +
         ".00 " + cur[(i / 20) % 5] + "\n    payment_tool bank_card\n    payment_system ps" + std::to_string(i % 20) +
         "\n    category cat" + std::to_string((i / 100) % 20) + "\n    risk " + kRisk[i % 3] +
         "\n  }\n  expect posting merchant.settlement -> system.settlement " + std::to_string(amount / 100) + "." +
         (amount % 100 < 10 ? "0" : "") + std::to_string(amount % 100) + " " + cur[(i / 20) % 5] + "\n}\n";
  }
  return s;
}

// A realistic mix: reference data, providers and terminals, tariffs with
// decision-heavy fees, routing rulesets, limits and tests.
inline std::string mixed_domain(int objects, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  const char* currencies[] = {"RUB", "USD", "EUR", "KZT"};
  int codes[] = {643, 840, 978, 398};
  for (int i = 0; i < 4; ++i) {
    out += "currency " + std::string(currencies[i]) + " { name \"Currency " + currencies[i] + "\" numeric " +
           std::to_string(codes[i]) + " exponent 2 }\n";
  }
  int n = 4;
  auto emit = [&](const std::string& s) {
    out += s;
    ++n;
  };
  for (int i = 0; i < 50; ++i)
    emit("payment_system ps" + std::to_string(i) + " { name \"System " + std::to_string(i) + "\" }\n");
  for (int i = 0; i < 50; ++i)
    emit("category cat" + std::to_string(i) + " { name \"Category " + std::to_string(i) + "\" }\n");
  emit("adapter ad { url \"https://bank.example/api\" option \"timeout\" \"5s\" }\n");
  for (int i = 0; i < 100; ++i) {
    emit("provider p" + std::to_string(i) + " {\n  adapter ad\n  account RUB " + std::to_string(10000 + i) +
         "\n  accepts currency in [RUB, USD] and payment_tool is bank_card\n  fees {\n"
         "    system.settlement -> provider.settlement : 1.5% of amount\n  }\n}\n");
  }
  int terminals = 0;
  while (n < objects * 6 / 10) {
    emit("terminal t" + std::to_string(terminals) + " { provider p" + std::to_string(rng() % 100) + " risk_coverage " +
         (rng() % 2 ? "high" : "low") + " }\n");
    ++terminals;
  }
  int routings = 0;
  while (n < objects * 7 / 10) {
    std::string r = "routing r" + std::to_string(routings++) + " {\n  when risk == fatal: decline \"risk\"\n";
    for (int c = 0; c < 4; ++c) {
      r += "  candidate t" + std::to_string(rng() % terminals) + " priority " + std::to_string(1000 - c * 100) +
           " weight " + std::to_string(1 + rng() % 100) + " when amount < " + std::to_string(1000 + rng() % 100000) +
           ".00 RUB\n";
    }
    r += "  exclude when health.failure_rate >= 70%\n}\n";
    emit(r);
  }
  int tariffs = 0;
  while (n < objects * 9 / 10) {
    std::string t = "tariff tf" + std::to_string(tariffs++) +
                    " {\n  name \"Tariff\"\n  currencies [RUB, USD]\n"
                    "  amount between 10.00 RUB and 500000.00 RUB\n  routing r" +
                    std::to_string(rng() % routings) + "\n  fees {\n";
    for (int k = 0; k < 3; ++k) {
      t += "    when payment_system in [ps" + std::to_string(rng() % 50) + ", ps" + std::to_string(rng() % 50) +
           "] and category == cat" + std::to_string(rng() % 50) +
           " {\n"
           "      merchant.settlement -> system.settlement : max(" +
           std::to_string(1 + rng() % 3) + "." + std::to_string(rng() % 10) +
           "% of amount, 10.00 RUB) \"fee\"\n    }\n";
    }
    t += "    otherwise {\n      merchant.settlement -> system.settlement : 2.5% of amount round half_even\n    }\n"
         "  }\n}\n";
    emit(t);
  }
  int limits = 0;
  while (n < objects) {
    emit("limit l" + std::to_string(limits++) +
         " { scope [shop, payment_tool] period day amount <= 100000.00 RUB "
         "when category == cat" +
         std::to_string(rng() % 50) + " }\n");
  }
  return out;
}

}  // namespace paydomain::bench
