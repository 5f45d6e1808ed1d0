// Random domains for property tests: a tariff whose fee decision has N
// random first-match rules over every kind of attribute (enum switches,
// amounts in two currencies, BIN prefixes, time ranges past midnight, text).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "evaluator/context.h"
#include "evaluator/vocab.h"

namespace paydomain::evaluator::testing {

inline const char* kReference = R"(
currency RUB { numeric 643 exponent 2 }
currency USD { numeric 840 exponent 2 }
payment_system visa { }
payment_system mastercard { }
payment_system mir { }
category retail { }
category travel { }
category gaming { }
country RU { }
country US { }
)";

class RandomDomain {
 public:
  explicit RandomDomain(uint32_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <class T>
  const T& one(const std::vector<T>& v) {
    return v[static_cast<size_t>(pick(static_cast<int>(v.size())))];
  }

  std::string money() {
    static const std::vector<std::string> amounts = {"0.00", "1.00", "10.00", "50.00", "100.00", "1234.56"};
    return one(amounts) + " " + (pick(3) == 0 ? "USD" : "RUB");
  }

  std::string atom() {
    static const std::vector<std::string> ps = {"visa", "mastercard", "mir"};
    static const std::vector<std::string> cats = {"retail", "travel", "gaming"};
    static const std::vector<std::string> ops = {"<", "<=", ">", ">=", "==", "!="};
    static const std::vector<std::string> bins = {"\"4\"", "\"42\"", "\"427600\"", "\"5\"", "\"22\""};
    static const std::vector<std::string> times = {"00:00", "06:00", "12:00", "22:00", "23:59"};
    switch (pick(13)) {
      case 0: return "payment_system == " + one(ps);
      case 1: return "payment_system in [" + one(ps) + ", " + one(ps) + "]";
      case 2: return "payment_system not in [" + one(ps) + "]";
      case 3: return "category " + std::string(pick(2) ? "==" : "!=") + " " + one(cats);
      case 4: return "currency == " + std::string(pick(2) ? "RUB" : "USD");
      case 5: return "amount " + one(ops) + " " + money();
      case 6: {
        std::string cur = pick(3) == 0 ? "USD" : "RUB";
        return "amount between 10.00 " + cur + " and 100.00 " + cur;
      }
      case 7:
        return "risk " + one(std::vector<std::string>{"==", "<", ">=", "!="}) + " " +
               one(std::vector<std::string>{"low", "high", "fatal"});
      case 8: return "bin starts_with " + (pick(2) ? one(bins) : "[" + one(bins) + ", " + one(bins) + "]");
      case 9: return "bin " + std::string(pick(2) ? "==" : "!=") + " " + one(bins);
      case 10: return "time between " + one(times) + " and " + one(times);
      case 11: return "party " + std::string(pick(2) ? "==" : "!=") + " \"p" + std::to_string(pick(3)) + "\"";
      default: return "payment_tool is " + std::string(pick(2) ? "bank_card" : "wallet");
    }
  }

  std::string condition(int depth = 0) {
    int k = depth >= 2 ? 0 : pick(4);
    if (k <= 1) return atom();
    std::string a = condition(depth + 1), b = condition(depth + 1);
    if (k == 2) return "(" + a + " and " + b + ")";
    return pick(2) ? "(" + a + " or " + b + ")" : "not (" + a + " or " + b + ")";
  }

  // A domain with one tariff `t` whose fee decision has `rules` arms.
  std::string domain(int rules, bool otherwise) {
    std::string s = kReference;
    s += "tariff t {\n  fees {\n";
    for (int i = 0; i < rules; ++i) {
      s += "    when " + condition() + " { merchant.settlement -> system.settlement : " + std::to_string(i + 1) +
           "% of amount }\n";
    }
    if (otherwise) s += "    otherwise { merchant.settlement -> system.settlement : 50% of amount }\n";
    s += "  }\n}\n";
    return s;
  }

  std::mt19937 rng_;
};

// Values that cover every class the random atoms can distinguish.
struct Space {
  explicit Space(const Vocab& v) : vocab(v) {}
  const Vocab& vocab;
  std::vector<int64_t> amounts = {0,    1,    99,   100,   101,   999,    1000,   1001,   4999,
                                  5000, 5001, 9999, 10000, 10001, 123455, 123456, 123457, 99999999};
  std::vector<std::string> bins = {"4", "42", "427600", "4276001", "427601", "5", "51", "22", "2200", "9", "0", "41"};
  std::vector<int64_t> minutes = {0, 1, 359, 360, 361, 719, 720, 721, 1319, 1320, 1321, 1438, 1439};

  std::vector<Attr> attrs() const {
    return {Attr::Operation,     Attr::Currency, Attr::Category,      Attr::PaymentTool, Attr::PaymentSystem,
            Attr::IssuerCountry, Attr::Bin,      Attr::TokenProvider, Attr::Party,       Attr::Shop,
            Attr::Risk,          Attr::Flow,     Attr::Weekday,       Attr::TimeOfDay,   Attr::Amount};
  }
  size_t count(Attr a) const {
    if (a == Attr::Amount) return amounts.size();
    if (a == Attr::Bin) return bins.size();
    if (a == Attr::TimeOfDay) return minutes.size();
    return static_cast<size_t>(vocab.size(a));
  }
  void set(Facts& f, Attr a, size_t i) const {
    if (a == Attr::Bin) {
      f.bin = bins[i];
      f.present |= bit(Attr::Bin);
    } else if (a == Attr::Amount) {
      f.set(a, amounts[i]);
    } else if (a == Attr::TimeOfDay) {
      f.set(a, minutes[i]);
    } else {
      f.set(a, static_cast<int64_t>(i));
    }
  }
};

}  // namespace paydomain::evaluator::testing
