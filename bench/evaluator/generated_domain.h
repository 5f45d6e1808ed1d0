// The generated bench domain: one tariff whose fee decision has n rules over
// payment system (20), currency (5), category (20), amount band (5) and
// risk, every rule "1% of amount". Shared by bench_evaluator and bench_impact.
#pragma once

#include <string>

namespace paydomain::bench {

inline const char* kGeneratedRisk[] = {"low", "high", "fatal"};
inline const char* kGeneratedCurrency[] = {"RUB", "USD", "EUR", "KZT", "CNY"};

inline std::string generated_domain_text(int n) {
  std::string s =
      "currency RUB { numeric 643 exponent 2 }\ncurrency USD { numeric 840 exponent 2 }\n"
      "currency EUR { numeric 978 exponent 2 }\ncurrency KZT { numeric 398 exponent 2 }\n"
      "currency CNY { numeric 156 exponent 2 }\n";
  for (int i = 0; i < 20; ++i)
    s += "payment_system ps" + std::to_string(i) + " { }\ncategory cat" + std::to_string(i) + " { }\n";
  s += "tariff big {\n  fees {\n";
  for (int i = 0; i < n; ++i) {
    int band = (i / 2000) % 5;
    std::string c = kGeneratedCurrency[(i / 20) % 5];
    s += "    when payment_system == ps" + std::to_string(i % 20) + " and currency == " + c + " and category == cat" +
         std::to_string((i / 100) % 20) + " and amount between " + std::to_string(band * 1000) + ".00 " + c + " and " +
         std::to_string(band * 1000 + 999) + ".99 " + c + " and risk == " + kGeneratedRisk[i % 3] +
         " { merchant.settlement -> system.settlement : 1% of amount }\n";
  }
  s += "  }\n}\n";
  return s;
}

}  // namespace paydomain::bench
