// negative-margin on random domains (evaluator/margin.h), against evaluate():
// - sound: every warning's example payment, evaluated, is routed to the
//   provider it names and loses exactly the amount it states; its range's
//   ends lose on a payment taking the same two rules, the amounts just
//   outside it do not;
// - complete: a payment that evaluate() routes to a provider at a loss of
//   more than the rounding of its postings (half a minor unit each) has a
//   warning for that provider naming the tariff rule it takes.
// Each domain: one tariff whose fees decide on payment system and amount,
// three providers whose fees do too, a routing to them by the same.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "json_support.h"
#include "random_domain.h"

#include "dsl/checker.h"
#include "evaluator/analyze.h"
#include "evaluator/evaluator.h"
#include "evaluator/money.h"

namespace paydomain::evaluator::testing {
namespace {

const std::vector<std::string> kSystems = {"visa", "mastercard", "mir"};
constexpr int64_t kLow = 1000, kHigh = 500000;  // the tariff's bounds, minor units

std::string rub(int64_t minor) { return format_minor(minor, 2) + " RUB"; }

class MarginDomain {
 public:
  explicit MarginDomain(uint32_t seed) : rng_(seed) {
    for (int p = 0; p < 3; ++p) provider_fees_.push_back(fees("system.settlement -> provider.settlement", 1));
    for (int c = 0; c < 4; ++c) {
      int t = pick(3);
      candidates_.emplace_back(t, "  candidate t" + std::to_string(t) + " priority " + std::to_string(4000 - 1000 * c) +
                                      (c < 3 ? " when " + condition() : std::string()) + "\n");
    }
    tariff_fees_ = fees("merchant.settlement -> system.settlement", 2);
  }

  // The domain's text; with `only` >= 0, its routing keeps only the
  // candidates of provider p<only> (the payments a fallback to it takes).
  std::string text(int only = -1) const {
    std::string s = "currency RUB { numeric 643 exponent 2 }\n";
    for (const auto& p : kSystems) s += "payment_system " + p + " { }\n";
    s += "adapter a { url \"https://a.example\" }\n";
    for (int p = 0; p < 3; ++p) {
      s += "provider p" + std::to_string(p) + " { adapter a  fees {\n" + provider_fees_[static_cast<size_t>(p)] +
           "} }\n";
      s += "terminal t" + std::to_string(p) + " { provider p" + std::to_string(p) + " }\n";
    }
    s += "routing main {\n";
    for (const auto& [terminal, line] : candidates_) {
      if (only < 0 || terminal == only) s += line;
    }
    s += "}\ntariff standard {\n  currencies [RUB]\n  amount between " + rub(kLow) + " and " + rub(kHigh) +
         "\n  routing main\n  fees {\n" + tariff_fees_ + "  }\n}\n";
    return s;
  }

  // Amounts worth evaluating: every amount the text names, either side.
  const std::set<int64_t>& named_amounts() const { return named_; }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  int64_t amount() {
    static const std::vector<int64_t> a = {1500, 5000, 20000, 33333, 100000, 250000};
    int64_t x = a[static_cast<size_t>(pick(static_cast<int>(a.size())))];
    for (int64_t d : {-1, 0, 1}) named_.insert(x + d);
    return x;
  }

  std::string condition() {
    switch (pick(4)) {
      case 0: return "payment_system == " + kSystems[static_cast<size_t>(pick(3))];
      case 1: return "payment_system in [" + kSystems[static_cast<size_t>(pick(3))] + ", mir]";
      case 2: return std::string("amount ") + (pick(2) ? ">= " : "< ") + rub(amount());
      default: return "payment_system != visa and amount >= " + rub(amount());
    }
  }

  std::string volume() {
    static const std::vector<std::string> shares = {"0.5%", "1%", "1.2%", "1.5%", "2%", "2.5%"};
    std::string share = shares[static_cast<size_t>(pick(static_cast<int>(shares.size())))] + " of amount";
    static const std::vector<std::string> rounding = {"", " round half_even", " round away_from_zero", " round towards_zero"};
    switch (pick(5)) {
      case 0: return rub(amount());
      case 1: return "max(" + share + ", " + rub(amount() / 100) + ")";
      case 2: return "min(" + share + ", " + rub(amount() / 10) + ")";
      default: return share + rounding[static_cast<size_t>(pick(4))];
    }
  }

  // A fee body: one or two postings, or (depth left) a decision of 1-3 rules
  // ending in `otherwise`.
  std::string fees(const std::string& posting, int depth) {
    if (depth == 0 || pick(3) == 0) {
      std::string s = "    " + posting + " : " + volume() + "\n";
      if (pick(3) == 0) s += "    " + posting + " : " + volume() + "\n";
      return s;
    }
    std::string s;
    int rules = 1 + pick(3);
    for (int r = 0; r < rules; ++r) s += "    when " + condition() + " {\n" + fees(posting, depth - 1) + "    }\n";
    return s + "    otherwise {\n" + fees(posting, depth - 1) + "    }\n";
  }

  std::mt19937 rng_;
  std::set<int64_t> named_;
  std::vector<std::string> provider_fees_;
  std::vector<std::pair<int, std::string>> candidates_;  // terminal, line
  std::string tariff_fees_;
};

// What one evaluated payment moves into the system accounts, less what it
// moves out of them, and how many postings did that.
struct Margin {
  int64_t sum = 0;
  int64_t postings = 0;
  std::string tariff_rule;    // the tariff's rule that applied (rule_name)
  std::string provider_rule;  // the provider's
};

// A rule's explanation without its posting and line: "tariff standard, fees,
// rule 2.1", or "tariff standard" for the top level (a posting's and a
// warning's name the same rule differently).
std::string rule_name(std::string_view explain) {
  std::string s(explain.substr(0, explain.find(", posting")));
  s = s.substr(0, s.find(" ("));
  if (s.size() > 6 && s.compare(s.size() - 6, 6, ", fees") == 0) s.resize(s.size() - 6);  // the fees' top level
  return s;
}

Margin margin_of(const EvalResult& r) {
  Margin m;
  for (const PostingResult& p : r.cash_flow.postings) {
    (p.provider ? m.provider_rule : m.tariff_rule) = rule_name(p.rule);
  }
  for (const PostingResult& p : r.cash_flow.postings) {
    bool from = p.from.rfind("system.", 0) == 0, to = p.to.rfind("system.", 0) == 0;
    if (from == to) continue;
    m.sum += to ? p.amount.minor : -p.amount.minor;
    ++m.postings;
  }
  return m;
}

struct Warning {
  std::string provider;
  std::string fees;    // the tariff's rule that brings in too little (rule_name)
  std::string costs;   // the provider's rule that takes out more
  std::string system;  // the example's payment system, or empty
  int64_t amount = 0, in = 0, taken = 0, loss = 0;
  int64_t low = 0, high = 0;  // "for payments of LOW to HIGH"
};

int64_t minor_of(const std::string& units, const std::string& cents) { return std::stoll(units) * 100 + std::stoll(cents); }

std::vector<Warning> warnings(const dsl::Domain& d, const CompiledDomain& c, std::string& all) {
  dsl::Diagnostics diags(&d.files);
  analyze(d, c, diags);
  std::vector<Warning> out;
  static const std::regex shape(
      "routed to provider (p[0-9]) \\(via [^)]*\\): (.*) brings in less than (.*) takes out, .* e\\.g\\. (.*): the tariff brings in ([0-9]+)\\.([0-9]{2}) RUB, "
      "the provider takes ([0-9]+)\\.([0-9]{2}) RUB, a loss of ([0-9]+)\\.([0-9]{2}) RUB");
  static const std::regex range("for payments of ([0-9]+)\\.([0-9]{2}) RUB to ([0-9]+)\\.([0-9]{2}) RUB");
  static const std::regex system("payment_system ([a-z]+)"), amount("amount ([0-9]+)\\.([0-9]{2}) RUB");
  for (const auto& x : diags.items()) {
    if (x.code != "negative-margin") continue;
    all += x.message + "\n";
    std::smatch m, s, a;
    EXPECT_TRUE(std::regex_search(x.message, m, shape)) << x.message;
    if (m.empty()) continue;
    Warning w;
    w.provider = m[1];
    w.fees = rule_name(m[2].str());
    w.costs = rule_name(m[3].str());
    const std::string example = m[4];
    if (std::regex_search(example, s, system)) w.system = s[1];
    EXPECT_TRUE(std::regex_search(example, a, amount)) << x.message;
    if (a.empty()) continue;
    w.amount = minor_of(a[1], a[2]);
    w.in = minor_of(m[5], m[6]);
    w.taken = minor_of(m[7], m[8]);
    w.loss = minor_of(m[9], m[10]);
    std::smatch r;
    EXPECT_TRUE(std::regex_search(x.message, r, range)) << x.message;
    if (r.empty()) continue;
    w.low = minor_of(r[1], r[2]);
    w.high = minor_of(r[3], r[4]);
    out.push_back(w);
  }
  diags.set_files(nullptr);
  return out;
}

EvalResult evaluate_payment(const CompiledDomain& c, const std::string& system, int64_t amount) {
  nlohmann::json j = {{"tariff", "standard"},
                      {"amount", {{"amount", amount}, {"currency", "RUB"}}},
                      {"payment_tool", {{"kind", "bank_card"}, {"payment_system", system}}}};
  return evaluate(c, parse_kept(j, c));
}

std::string provider_of(const CompiledDomain& c, const EvalResult& r) {
  if (r.route.status != RouteResult::Status::Chosen) return "";
  return c.vocab.object_name(dsl::ObjectKind::Provider, r.route.provider);
}

struct Loaded {
  dsl::Domain domain;
  std::shared_ptr<const CompiledDomain> compiled;
};

Loaded load(const std::string& text) {
  Loaded l{load_checked(text, "margin.pd"), nullptr};
  auto c = compile(l.domain);
  EXPECT_TRUE(c.ok()) << text;
  if (c.ok()) l.compiled = *c;
  return l;
}

// A candidate of higher priority does not hide a provider from the warning
// (health or a limit may exclude it at payment time, a core may cascade down
// the candidates), so each provider is judged on the domain whose routing
// keeps only its own candidates: there, evaluate() routes to it whatever the
// warning's route condition allows.
TEST(MarginProperty, WarningsAreSoundAndCompleteOnRandomDomains) {
  int warned_domains = 0, losing_payments = 0, examples = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    MarginDomain gen(seed);
    const Loaded whole = load(gen.text());
    ASSERT_TRUE(whole.compiled);
    std::string all;
    const std::vector<Warning> found = warnings(whole.domain, *whole.compiled, all);
    warned_domains += !found.empty();
    std::set<int64_t> amounts = gen.named_amounts();
    amounts.insert({kLow, kLow + 1, kHigh - 1, kHigh});
    std::mt19937 rng(seed);
    for (int k = 0; k < 40; ++k) amounts.insert(std::uniform_int_distribution<int64_t>(kLow, kHigh)(rng));

    for (int provider = 0; provider < 3; ++provider) {
      const std::string name = "p" + std::to_string(provider);
      const std::string text = gen.text(provider);
      const Loaded only = load(text);
      ASSERT_TRUE(only.compiled);
      const CompiledDomain& c = *only.compiled;
      const std::string context = "seed " + std::to_string(seed) + ", provider " + name + "\n" + all + text;

      // Sound: each example, evaluated, is routed there and loses what its warning says.
      std::set<std::string> warned;  // the tariff rules warned of
      for (const Warning& w : found) {
        if (w.provider != name) continue;
        warned.insert(w.fees);
        for (const std::string& system : kSystems) {
          if (!w.system.empty() && system != w.system) continue;  // no payment system named: any
          EvalResult r = evaluate_payment(c, system, w.amount);
          if (w.system.empty() && provider_of(c, r) != name) continue;
          ASSERT_EQ(provider_of(c, r), name) << system << " " << rub(w.amount) << "\n" << context;
          ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined) << context;
          EXPECT_EQ(margin_of(r).sum, -w.loss) << system << " " << rub(w.amount) << "\n" << context;
          EXPECT_EQ(w.in - w.taken, -w.loss) << context;
          ++examples;
        }
        // The range is exact: its ends lose on a payment taking the same two
        // rules, the amounts just outside it on none.
        for (int64_t end : {w.low - 1, w.low, w.high, w.high + 1}) {
          const bool inside = end >= w.low && end <= w.high;
          if (end < kLow || end > kHigh) continue;
          bool loses = false;
          for (const std::string& system : kSystems) {
            EvalResult r = evaluate_payment(c, system, end);
            Margin m = margin_of(r);
            loses |= provider_of(c, r) == name && m.tariff_rule == w.fees && m.provider_rule == w.costs && m.sum < 0;
          }
          EXPECT_EQ(loses, inside) << rub(end) << " for " << w.fees << " and " << w.costs << "\n" << context;
        }
      }

      // Complete: a payment that loses more than its postings' rounding is warned
      // of, naming the tariff's rule it takes.
      if (found.size() >= 10) continue;  // at most 10 warnings per tariff: some may be left out
      for (const std::string& system : kSystems) {
        for (int64_t a : amounts) {
          if (a < kLow || a > kHigh) continue;
          EvalResult r = evaluate_payment(c, system, a);
          if (provider_of(c, r) != name || r.cash_flow.status != CashFlowResult::Status::Determined) continue;
          Margin m = margin_of(r);
          if (m.sum >= -m.postings) continue;
          ++losing_payments;
          EXPECT_TRUE(warned.count(m.tariff_rule)) << m.tariff_rule << ": " << system << " " << rub(a) << " loses " << rub(-m.sum) << ", no warning\n" << context;
        }
      }
    }
  }
  // The generator must produce both kinds, or the test proves nothing.
  EXPECT_GT(warned_domains, 10);
  EXPECT_GT(examples, 10);
  EXPECT_GT(losing_payments, 100);
}

}  // namespace
}  // namespace paydomain::evaluator::testing
