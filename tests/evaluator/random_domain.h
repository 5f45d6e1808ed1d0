// Random domains for property tests: a tariff whose fee decision has N
// random first-match rules over every kind of attribute (enum switches,
// amounts in two currencies, BIN prefixes, time ranges past midnight, text,
// card type, category, issuer bank and tokenization, the operation (payment,
// refund, capture, chargeback)), some through named criteria; and
// (bound_domain) payment institutions with a random tariff binding. With
// `zoned`, also weekday and time read in time zones (named, with DST, and
// fixed offsets), and Space then gives instants around their transitions.
#pragma once

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "dsl/checker.h"
#include "dsl/timezone.h"
#include "evaluator/context.h"
#include "evaluator/dag.h"
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

// A generated domain's text, loaded and checked: the test fails, showing the
// checker's errors and the text, when the checker rejects it.
inline dsl::Domain load_checked(const std::string& text, const std::string& file = "random.pd") {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{file, text}}, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), d.files) << text;
  return d;
}

class RandomDomain {
 public:
  explicit RandomDomain(uint32_t seed, bool zoned = false) : zoned_(zoned), rng_(seed) {}

  // The zones zoned atoms read (Space's instants are around their transitions).
  static const std::vector<std::string>& zones() {
    static const std::vector<std::string> z = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
                                               "Asia/Kolkata",  "+05:30",           "-03:00"};
    return z;
  }

  std::string zoned_atom() {
    static const std::vector<std::string> times = {"00:00", "01:30", "02:00", "02:30", "03:00", "12:00", "22:00", "23:59"};
    static const std::vector<std::string> days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    std::string z = "(\"" + one(zones()) + "\")";
    switch (pick(4)) {
      case 0: return "time" + z + " between " + one(times) + " and " + one(times);
      case 1: return "time" + z + " " + one(std::vector<std::string>{"<", ">="}) + " " + one(times);
      case 2: return "weekday" + z + " in [" + one(days) + ", " + one(days) + "]";
      default: return "weekday" + z + " != " + one(days);
    }
  }

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
    if (zoned_ && pick(3) == 0) return zoned_atom();
    static const std::vector<std::string> ps = {"visa", "mastercard", "mir"};
    static const std::vector<std::string> cats = {"retail", "travel", "gaming"};
    static const std::vector<std::string> ops = {"<", "<=", ">", ">=", "==", "!="};
    static const std::vector<std::string> bins = {"\"4\"", "\"42\"", "\"427600\"", "\"5\"", "\"22\""};
    static const std::vector<std::string> times = {"00:00", "06:00", "12:00", "22:00", "23:59"};
    static const std::vector<std::string> card_types = {"debit", "credit", "prepaid"};
    static const std::vector<std::string> card_cats = {"classic", "gold", "platinum", "business"};
    static const std::vector<std::string> token_providers = {"applepay", "googlepay", "none"};
    static const std::vector<std::string> operations = {"payment", "refund", "capture", "chargeback"};
    switch (pick(20)) {
      case 17:
        return pick(2) ? "residence " + std::string(pick(2) ? "==" : "!=") + " " + (pick(2) ? "RU" : "US")
                       : "realm is " + std::string(pick(2) ? "test" : "live");
      case 13: return "card_type " + std::string(pick(2) ? "==" : "!=") + " " + one(card_types);
      case 14: return "card_category in [" + one(card_cats) + ", " + one(card_cats) + "]";
      case 15: return "issuer_bank " + std::string(pick(2) ? "==" : "!=") + " \"bank" + std::to_string(pick(3)) + "\"";
      case 16:
        // A named criterion, written as a marker that named() or inlined() resolves.
        if (!criteria_.empty()) return "@" + std::to_string(pick(static_cast<int>(criteria_.size()))) + "@";
        return "card_type is credit";
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
      case 18: return "token_provider " + (pick(2) ? "== " + one(token_providers) : "in [" + one(token_providers) + ", " + one(token_providers) + "]");
      case 19:
        if (operations_) return "operation " + (pick(2) ? "is " + one(operations) : "not in [" + one(operations) + ", " + one(operations) + "]");
        [[fallthrough]];
      default: return "payment_tool is " + std::string(pick(2) ? "bank_card" : "wallet");
    }
  }

  // A random condition; it may name the criteria of the last domain().
  std::string condition() { return named(raw_condition()); }

  // The same with criteria as "@k@" markers (see named() and inlined()).
  std::string raw_condition(int depth = 0) {
    int k = depth >= 2 ? 0 : pick(4);
    if (k <= 1) return atom();
    std::string a = raw_condition(depth + 1), b = raw_condition(depth + 1);
    if (k == 2) return "(" + a + " and " + b + ")";
    return pick(2) ? "(" + a + " or " + b + ")" : "not (" + a + " or " + b + ")";
  }

  // A domain with one tariff `t` whose fee decision has `rules` arms. Its
  // conditions may name up to three criteria (each may name earlier ones).
  std::string domain(int rules, bool otherwise) { return named(raw_domain(rules, otherwise)); }

  // The same domain as marked text: criteria references are "@k@" markers.
  std::string raw_domain(int rules, bool otherwise) {
    criteria_.clear();
    std::string s = kReference;
    for (int k = 0, n = pick(4); k < n; ++k) {
      std::string body = raw_condition();
      s += "criterion crit" + std::to_string(k) + " { when " + body + " }\n";
      criteria_.push_back(body);
    }
    s += "tariff t {\n  fees {\n";
    for (int i = 0; i < rules; ++i) {
      s += "    when " + raw_condition() + " { merchant.settlement -> system.settlement : " + std::to_string(i + 1) +
           "% of amount }\n";
    }
    if (otherwise) s += "    otherwise { merchant.settlement -> system.settlement : 50% of amount }\n";
    s += "  }\n}\n";
    return s;
  }

  // domain() plus tariffs t1 and t2, one to three payment institutions pi0..
  // (some with a default tariff) and a tariff_binding of up to `rules` random
  // rules (some on payment_institution), perhaps ending in `otherwise`.
  std::string bound_domain(int rules) {
    std::string text = domain(1 + pick(3), pick(2) == 0);
    text += "tariff t1 { }\ntariff t2 { currencies [RUB] }\n";
    auto tariff = [&] {
      int k = pick(3);
      return k == 0 ? std::string("t") : "t" + std::to_string(k);
    };
    int institutions = 1 + pick(3);
    for (int i = 0; i < institutions; ++i) {
      static const std::vector<std::string> residences = {"", "  residences [RU]", "  residences [US]",
                                                          "  residences [RU, US]"};
      text += "payment_institution pi" + std::to_string(i) + " { realm " + (pick(2) ? "live" : "test") +
              one(residences) + (pick(3) ? "  default_tariff " + tariff() : "") + " }\n";
    }
    text += "tariff_binding who {\n";
    for (int r = 0, n = 1 + pick(rules); r < n; ++r) {
      std::string cond = condition();
      if (pick(3) == 0) cond = "payment_institution == pi" + std::to_string(pick(institutions)) + " and (" + cond + ")";
      if (pick(4) == 0) cond = "payment_institution in [pi0] or " + cond;
      text += "  when " + cond + ": tariff " + tariff() + "\n";
    }
    if (pick(3) == 0) text += "  otherwise: tariff " + tariff() + "\n";
    return text + "}\n";
  }

  // Markers as criterion names (the domain as an analyst writes it).
  std::string named(const std::string& raw) const { return resolve(raw, false); }
  // Markers replaced by the criterion's condition in parentheses, recursively:
  // what the criterion means, written out by hand.
  std::string inlined(const std::string& raw) const { return resolve(raw, true); }

 private:
  std::string resolve(const std::string& raw, bool inline_them) const {
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
      size_t end = raw[i] == '@' ? raw.find('@', i + 1) : std::string::npos;
      if (end == std::string::npos) {
        out += raw[i];
        continue;
      }
      size_t k = std::stoul(raw.substr(i + 1, end - i - 1));
      out += inline_them ? "(" + resolve(criteria_[k], true) + ")" : "crit" + std::to_string(k);
      i = end;
    }
    return out;
  }

 public:
  bool zoned_ = false;
  // Conditions on the operation: off for the comparison with the old
  // analysis (tests/evaluator/analyze_reference.h), which predates a cash
  // flow's operations (a tariff's fees see payments and captures only).
  bool operations_ = true;
  std::mt19937 rng_;
  std::vector<std::string> criteria_;  // bodies as marked text, in definition order
};

// Values that cover every class the random atoms can distinguish.
struct Space {
  explicit Space(const Vocab& v, bool zoned = false) : vocab(v) {
    if (!zoned) return;
    // One instant in each stretch where every zoned atom's zone keeps its
    // offset: each transition of each zone (its first second), and one
    // before them all (weekday and time are set apart from them: the DAG
    // and the interpreter see the same facts).
    for (const std::string& z : RandomDomain::zones()) {
      auto t = dsl::zone_transitions(z);
      if (t) instants.insert(instants.end(), t->starts.begin(), t->starts.end());
    }
    std::sort(instants.begin(), instants.end());
    instants.erase(std::unique(instants.begin(), instants.end()), instants.end());
    instants.insert(instants.begin(), instants.empty() ? 0 : instants.front() - 1);
  }
  const Vocab& vocab;
  std::vector<int64_t> instants;  // zoned: values of Attr::Instant
  std::vector<int64_t> amounts = {0,    1,    99,   100,   101,   999,    1000,   1001,   4999,
                                  5000, 5001, 9999, 10000, 10001, 123455, 123456, 123457, 99999999};
  std::vector<std::string> bins = {"4", "42", "427600", "4276001", "427601", "5", "51", "22", "2200", "9", "0", "41"};
  std::vector<int64_t> minutes = {0, 1, 359, 360, 361, 719, 720, 721, 1319, 1320, 1321, 1438, 1439};

  std::vector<Attr> attrs() const {
    std::vector<Attr> v = {Attr::Operation,     Attr::Currency,  Attr::Category,      Attr::PaymentTool,
                           Attr::PaymentSystem, Attr::IssuerCountry, Attr::Bin,       Attr::TokenProvider,
                           Attr::CardType,      Attr::CardCategory,  Attr::IssuerBank, Attr::Party,
                           Attr::Shop,          Attr::Risk,          Attr::Flow,       Attr::Weekday,
                           Attr::TimeOfDay,     Attr::Amount,        Attr::Residence,  Attr::Realm};
    if (!instants.empty()) v.push_back(Attr::Instant);
    return v;
  }
  size_t count(Attr a) const {
    if (a == Attr::Amount) return amounts.size();
    if (a == Attr::Bin) return bins.size();
    if (a == Attr::TimeOfDay) return minutes.size();
    if (a == Attr::Instant) return instants.size();
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
    } else if (a == Attr::Instant) {
      f.set(a, instants[i]);
    } else {
      f.set(a, static_cast<int64_t>(i));
    }
  }
};

// Every outcome of the rule-by-rule interpreter (the oracle) over all
// completions of the `missing` attributes with the values of `sp`.
inline void outcomes_over_completions(const Space& sp, const std::vector<Cond>& rules, Facts f, std::vector<Attr> missing,
                                      std::set<int32_t>& out) {
  if (missing.empty()) {
    out.insert(interpret(rules, f));
    return;
  }
  Attr a = missing.back();
  missing.pop_back();
  for (size_t i = 0; i < sp.count(a); ++i) {
    sp.set(f, a, i);
    outcomes_over_completions(sp, rules, f, missing, out);
  }
}

}  // namespace paydomain::evaluator::testing
