// The symbolic difference against brute force: over random domains and a
// mutated copy of each, every sampled payment whose answer differs lies in a
// listed region, every payment in a region (at amounts where formulas cannot
// round alike) differs, and every region's example differs. Plus edits of
// examples/acme as an analyst makes them.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "acme_files.h"
#include "dsl/checker.h"
#include "evaluator/compiled.h"
#include "evaluator/context_json.h"
#include "evaluator/evaluate.h"
#include "evaluator/impact.h"
#include "evaluator/impact_formula.h"
#include "evaluator/payment_answer.h"
#include "evaluator/replay.h"
#include "random_domain.h"

namespace paydomain::evaluator {
namespace {

using testing::RandomDomain;
using testing::Space;

std::shared_ptr<const CompiledDomain> build(const std::vector<dsl::SourceFile>& files) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load(files, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), d.files) << files[0].text;
  auto c = compile(d);
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : nullptr;
}

// One random edit of the fee rules: a new percentage, a new condition, a
// rule deleted or two rules swapped.
std::string mutate(RandomDomain& gen, const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<size_t> rules;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("    when ", 0) == 0) rules.push_back(i);
  }
  if (rules.empty()) return text;
  size_t r = rules[static_cast<size_t>(gen.pick(static_cast<int>(rules.size())))];
  switch (gen.pick(4)) {
    case 0: {
      size_t at = lines[r].find(" : ");
      lines[r] = lines[r].substr(0, at) + " : " + std::to_string(60 + gen.pick(30)) + "% of amount }";
      break;
    }
    case 1: {
      size_t at = lines[r].find(" { ");
      lines[r] = "    when " + gen.condition() + lines[r].substr(at);
      break;
    }
    case 2:  // `otherwise` alone is not a decision: keep the last rule
      if (rules.size() > 1) lines.erase(lines.begin() + static_cast<long>(r));
      break;
    default: {
      size_t s = rules[static_cast<size_t>(gen.pick(static_cast<int>(rules.size())))];
      std::swap(lines[r], lines[s]);
    }
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// Maybe terms for tariff t (replacing any it has): allowed categories,
// currencies, an amount range, payment methods.
std::string with_terms(RandomDomain& gen, std::string text) {
  size_t at = text.find("tariff t {\n");
  size_t fees = text.find("  fees {", at);
  std::string terms;
  if (gen.pick(2) == 0) terms += gen.pick(2) ? "  categories [retail, travel]\n" : "  categories [gaming]\n";
  if (gen.pick(3) == 0) terms += gen.pick(2) ? "  currencies [RUB]\n" : "  currencies [RUB, USD]\n";
  if (gen.pick(3) == 0)
    terms += "  amount between " + std::string(gen.pick(2) ? "1.00" : "50.00") + " RUB and 1000.00 RUB\n";
  if (gen.pick(3) == 0)
    terms += gen.pick(2) ? "  payment_methods [bank_card(visa), wallet]\n" : "  payment_methods [bank_card]\n";
  return text.replace(at + 11, fees - (at + 11), terms);
}

// A payment over the values both revisions mention, as each side's facts.
struct Point {
  Facts side[2];
  Facts universe;  // categorical values as universe ids
};

Point sample(RandomDomain& gen, const Universe& u, const Space& sp) {
  Point p;
  for (Attr a : sp.attrs()) {
    if (is_categorical(a)) {
      if (u.size(a) == 0) continue;
      int32_t uid = gen.pick(u.size(a));
      if (!u.both(a, uid)) continue;
      for (int s = 0; s < 2; ++s) p.side[s].set(a, u.to_side(s, a, uid));
      p.universe.set(a, uid);
    } else {
      size_t i = static_cast<size_t>(gen.pick(static_cast<int>(sp.count(a))));
      for (int s = 0; s < 2; ++s) sp.set(p.side[s], a, i);
      sp.set(p.universe, a, i);
    }
  }
  return p;
}

TEST(Impact, MatchesBruteForceOnRandomDomains) {
  int differing = 0, regions = 0, terms_regions = 0;
  for (uint32_t seed = 1; seed <= 80; ++seed) {
    RandomDomain gen(seed);
    std::string before = with_terms(gen, gen.domain(1 + gen.pick(12), gen.pick(2) == 0));
    std::string after = mutate(gen, before);
    if (gen.pick(3) == 0) after = mutate(gen, after);
    if (gen.pick(3) == 0) after = with_terms(gen, after);  // the terms change too
    auto a = build({{"a.pd", before}});
    auto b = build({{"b.pd", after}});
    ASSERT_TRUE(a && b);
    ImpactOptions opt;
    opt.max_regions = 100000;
    SymbolicImpact im = symbolic_impact(*a, *b, opt);
    ASSERT_TRUE(im.complete);
    ASSERT_EQ(im.more, 0u);
    for (const ImpactRegion& r : im.regions) {
      EXPECT_TRUE(r.example_differs) << "seed " << seed << " " << r.part << ": " << r.where << "\n" << r.example;
      ++regions;
      terms_regions += r.kind == "terms";
    }
    Space sp(a->vocab);
    for (int k = 0; k < 1500; ++k) {
      Point p = sample(gen, *im.universe, sp);
      Context ca, cb;
      ca.facts = p.side[0];
      cb.facts = p.side[1];
      ca.tariff = cb.tariff = 0;
      bool differs = answer_of(*a, evaluate(*a, ca)) != answer_of(*b, evaluate(*b, cb));
      bool listed = false;
      for (const ImpactRegion& r : im.regions) listed = listed || region_contains(r.region, p.universe);
      differing += differs;
      if (differs) {
        ASSERT_TRUE(listed) << "seed " << seed << " sample " << k << " missed\n" << before << after;
      }
      // Below one unit per percent two shares can round alike (1% and 2% of 0.49).
      if (listed && p.side[0].get(Attr::Amount) >= 100) {
        ASSERT_TRUE(differs) << "seed " << seed << " sample " << k << " listed but unchanged\n" << before << after;
      }
    }
  }
  EXPECT_GT(differing, 1000);
  EXPECT_GT(regions, 50);
  EXPECT_GT(terms_regions, 10);
}

// A routing over four terminals: a decline guard, candidates with random
// conditions and two priorities (weights 1: the eligible set and the order
// are the answer), some terminals with a risk coverage.
std::string routing_domain(RandomDomain& gen) {
  std::string s = testing::kReference;
  s += "adapter a { url \"https://a.example\" }\nprovider p { adapter a }\n";
  for (int t = 0; t < 4; ++t) {
    s += "terminal t" + std::to_string(t) + " { provider p" + (gen.pick(3) == 0 ? "  risk_coverage low" : "") + " }\n";
  }
  s += "routing r {\n";
  if (gen.pick(2) == 0) s += "  when " + gen.condition() + ": decline \"no\"\n";
  std::vector<int> ts = {0, 1, 2, 3};
  std::shuffle(ts.begin(), ts.end(), gen.rng_);
  for (int k = 0, n = 2 + gen.pick(3); k < n; ++k) {
    s += "  candidate t" + std::to_string(ts[static_cast<size_t>(k)]) + " priority " +
         std::to_string(1000 * (1 + gen.pick(2))) + (gen.pick(4) == 0 ? "" : " when " + gen.condition()) + "\n";
  }
  s += "}\ntariff t { routing r }\n";
  return s;
}

// One edit: a candidate's condition or priority, a candidate removed, or a
// terminal switched off.
std::string mutate_routing(RandomDomain& gen, const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::vector<size_t> cands, terms;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("  candidate ", 0) == 0) cands.push_back(i);
    if (lines[i].rfind("terminal ", 0) == 0) terms.push_back(i);
  }
  size_t c = cands[static_cast<size_t>(gen.pick(static_cast<int>(cands.size())))];
  std::string name = lines[c].substr(12, 2);
  switch (gen.pick(4)) {
    case 0: lines[c] = "  candidate " + name + " priority 1000 when " + gen.condition(); break;
    case 1: lines[c] = "  candidate " + name + " priority " + std::to_string(1000 * (1 + gen.pick(3))); break;
    case 2:
      if (cands.size() > 1) lines.erase(lines.begin() + static_cast<long>(c));
      break;
    default: {
      size_t t = terms[static_cast<size_t>(gen.pick(static_cast<int>(terms.size())))];
      lines[t].insert(lines[t].size() - 2, "  disabled");
    }
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(Impact, RoutesMatchBruteForceOnRandomRoutings) {
  int differing = 0, regions = 0;
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    RandomDomain gen(seed);
    std::string before = routing_domain(gen);
    std::string after = mutate_routing(gen, before);
    auto a = build({{"a.pd", before}});
    auto b = build({{"b.pd", after}});
    ASSERT_TRUE(a && b) << before << after;
    ImpactOptions opt;
    opt.max_regions = 100000;
    SymbolicImpact im = symbolic_impact(*a, *b, opt);
    ASSERT_TRUE(im.complete);
    for (const ImpactRegion& r : im.regions) {
      EXPECT_TRUE(r.example_differs) << "seed " << seed << " " << r.where << "\n"
                                     << r.example << "\n"
                                     << before << after;
      ++regions;
    }
    Space sp(a->vocab);
    for (int k = 0; k < 800; ++k) {
      Point p = sample(gen, *im.universe, sp);
      bool differs = false;
      for (int key = 0; key < 16 && !differs; ++key) {
        Context ca, cb;
        ca.facts = p.side[0];
        cb.facts = p.side[1];
        ca.tariff = cb.tariff = 0;
        ca.has_payment_key = cb.has_payment_key = true;
        ca.payment_key = cb.payment_key = "key-" + std::to_string(key);
        differs = answer_of(*a, evaluate(*a, ca)) != answer_of(*b, evaluate(*b, cb));
      }
      bool listed = false;
      for (const ImpactRegion& r : im.regions) listed = listed || region_contains(r.region, p.universe);
      differing += differs;
      ASSERT_EQ(differs, listed) << "seed " << seed << " sample " << k << "\n" << before << after;
    }
  }
  EXPECT_GT(differing, 500);
  EXPECT_GT(regions, 30);
}

TEST(ImpactFormula, SharesAreExactPercentagesOrFractions) {
  EXPECT_EQ(percent_text({3, 250}), "1.2% of amount");
  EXPECT_EQ(percent_text({1, 100}), "1% of amount");
  EXPECT_EQ(percent_text({1, 20}), "5% of amount");
  EXPECT_EQ(percent_text({1, 3}), "1/3 of amount");
  EXPECT_EQ(percent_text({-1, 500}), "-0.2% of amount");
  EXPECT_EQ(percent_text({1, kMaxDenominator}), "0.00000000000000001% of amount");
  // 10^19 / 2^30: the decimal would not fit 128 bits; the fraction is exact.
  EXPECT_EQ(percent_text({kMaxDenominator, __int128{1} << 30}), "10000000000000000000/1073741824 of amount");
}

TEST(Impact, IdenticalRevisionsHaveNoRegions) {
  RandomDomain gen(7);
  std::string text = gen.domain(20, true);
  auto a = build({{"a.pd", text}});
  auto b = build({{"b.pd", "# moved\n\n" + text}});  // other lines, same meaning
  SymbolicImpact im = symbolic_impact(*a, *b);
  EXPECT_TRUE(im.regions.empty());
  EXPECT_TRUE(im.notes.empty());
}

// An edit to a parent tariff changes the payments of every tariff that
// inherits the edited part: each gets its own regions, named with the
// tariff the rules are written in, with an example of its own merchants.
TEST(Impact, InheritedFeesChangeTheChildsPayments) {
  const std::string child = "tariff premium extends standard { hold_lifetime 30 days }\n"
                            "tariff own extends standard { fees { merchant.settlement -> system.settlement : 3% of amount } }\n";
  const std::string standard =
      "tariff standard {\n  currencies [RUB]\n  fees {\n"
      "    when payment_system == mastercard { merchant.settlement -> system.settlement : 1% of amount }\n"
      "    otherwise { merchant.settlement -> system.settlement : 2% of amount }\n  }\n}\n";
  std::string edited = standard;
  edited.replace(edited.find("1% of"), 2, "1.5%");
  auto a = build({{"a.pd", std::string(testing::kReference) + standard + child}});
  auto b = build({{"a.pd", std::string(testing::kReference) + edited + child}});
  SymbolicImpact im = symbolic_impact(*a, *b);
  std::set<std::string> parts;
  for (const ImpactRegion& r : im.regions) {
    parts.insert(r.part);
    EXPECT_TRUE(r.example_differs) << r.part << " " << r.example;
    if (r.object == "tariff:premium") {
      EXPECT_NE(r.example.find("\"tariff\":\"premium\""), std::string::npos) << r.example;
    }
  }
  EXPECT_EQ(parts, (std::set<std::string>{"tariff standard fees", "tariff premium fees (inherited from tariff standard)"}));
}

using testing::acme;

TEST(Impact, AcmeRaiseTheMastercardFee) {
  auto a = build(acme());
  auto b = build(
      acme("tariffs.pd",
           "when payment_system in [maestro, mastercard] {\n      merchant.settlement -> system.settlement : 1% "
           "of amount \"1% processing fee\"",
           "when payment_system in [maestro, mastercard] {\n      merchant.settlement -> system.settlement : "
           "1.2% of amount \"1% processing fee\""));
  SymbolicImpact im = symbolic_impact(*a, *b);
  ASSERT_FALSE(im.regions.empty());
  for (const ImpactRegion& r : im.regions) {
    EXPECT_EQ(r.part, "tariff standard fees");
    EXPECT_TRUE(r.example_differs) << r.where;
    EXPECT_EQ(r.delta, "+0.2% of amount");
    EXPECT_NE(r.before.find("1% of amount"), std::string::npos);
    EXPECT_NE(r.after.find("1.2% of amount"), std::string::npos);
    EXPECT_EQ(r.where.find("payment_tool wallet"), std::string::npos) << r.where;  // wallets keep their rule
  }
}

// A limit kept per terminal takes part in routing: a lower bound shows with
// a payment the route then refuses (per-terminal turnovers, a tariff).
TEST(Impact, AcmeLowerATerminalLimit) {
  const std::string limit =
      "limit yb_daily { scope [terminal] period day amount <= 1000000.00 RUB when currency == RUB }\n";
  auto with = [&](const std::string& l) {
    auto files = acme();
    files.push_back({"terminal_limit.pd", l});
    return build(files);
  };
  auto a = with(limit);
  std::string lower = limit;
  lower.replace(lower.find("1000000.00"), 10, "500000.00");
  auto b = with(lower);
  SymbolicImpact im = symbolic_impact(*a, *b);
  ASSERT_FALSE(im.regions.empty());
  for (const ImpactRegion& r : im.regions) {
    EXPECT_EQ(r.kind, "limit") << r.part;
    EXPECT_TRUE(r.example_differs) << r.where << "\n" << r.example;
    EXPECT_NE(r.example.find("\"yb_3ds\":{\"amount\":"), std::string::npos) << r.example;
  }
}

TEST(Impact, AcmeDisableATerminal) {
  auto a = build(acme());
  auto b = build(acme("providers.pd", "  provider yellowbank\n  risk_coverage low\n}",
                      "  provider yellowbank\n  risk_coverage low\n  disabled\n}"));
  SymbolicImpact im = symbolic_impact(*a, *b);
  ASSERT_FALSE(im.regions.empty());
  for (const ImpactRegion& r : im.regions) {
    EXPECT_EQ(r.kind, "route") << r.part;
    EXPECT_NE(r.before.find("yb_fast"), std::string::npos) << r.before;
    EXPECT_EQ(r.after.find("yb_fast"), std::string::npos) << r.after;
    EXPECT_TRUE(r.example_differs) << r.where << "\n" << r.example;
    EXPECT_NE(r.where.find("risk low"), std::string::npos) << r.where;
  }
}

// A limit's bound, a provider's fee and a tariff's terms: each region's
// example evaluates differently (a turnover between the bounds, a tariff
// whose routing reaches the provider, a category now refused).
TEST(Impact, AcmeLimitProviderAndTerms) {
  auto a = build(acme());
  struct Edit {
    const char* file;
    const char* from;
    const char* to;
    const char* kind;
    const char* part;
  };
  for (const Edit& e :
       {Edit{"limits.pd", "amount <= 150000.00 RUB", "amount <= 100000.00 RUB", "limit", "limit card_daily_rub"},
        Edit{"providers.pd", "1.5% of amount round away_from_zero", "1.4% of amount round away_from_zero",
             "provider fee", "provider yellowbank fees"},
        Edit{"tariffs.pd", "categories [retail, travel, digital_goods", "categories [retail, digital_goods", "terms",
             "tariff standard terms"}}) {
    auto b = build(acme(e.file, e.from, e.to));
    SymbolicImpact im = symbolic_impact(*a, *b);
    ASSERT_FALSE(im.regions.empty()) << e.part;
    for (const ImpactRegion& r : im.regions) {
      EXPECT_EQ(r.kind, e.kind) << r.part << ": " << r.where;
      EXPECT_EQ(r.part, e.part);
      EXPECT_TRUE(r.example_differs) << r.part << ": " << r.where << "\n" << r.example;
    }
  }
}

}  // namespace
}  // namespace paydomain::evaluator

namespace paydomain::evaluator {
namespace {

using testing::read_text;

TEST(Replay, CountsEveryChangedPaymentAndTheMoneyExactly) {
  auto a = build(acme());
  auto b = build(acme("tariffs.pd", "1% of amount \"1% processing fee\"", "1.2% of amount \"1% processing fee\""));
  std::string corpus = read_text(std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme/contexts/batch.jsonl");
  // Many copies: the pool shares the work; the figures must not depend on it.
  std::string big;
  for (int i = 0; i < 50; ++i) big += corpus;
  auto r = replay(*a, *b, big);
  ASSERT_TRUE(r.ok()) << r.error().text();
  // The oracle: one context at a time.
  size_t changed = 0, fee = 0;
  __int128 diff = 0;
  std::istringstream lines(big);
  for (std::string l; std::getline(lines, l);) {
    if (l.empty()) continue;
    auto ca = parse_context(l, *a);
    auto cb = parse_context(l, *b);
    ASSERT_TRUE(ca && cb);
    PaymentAnswer x = answer_of(*a, evaluate(*a, *ca)), y = answer_of(*b, evaluate(*b, *cb));
    changed += x != y;
    fee += fees_differ(x, y);
    for (const auto& p : x.postings)
      diff -= p.from == "merchant.settlement" && p.to == "system.settlement" && p.currency == "RUB" ? p.minor : 0;
    for (const auto& p : y.postings)
      diff += p.from == "merchant.settlement" && p.to == "system.settlement" && p.currency == "RUB" ? p.minor : 0;
  }
  EXPECT_GT(changed, 0u);
  EXPECT_EQ(r->changed, changed);
  EXPECT_EQ(r->fee_changed, fee);
  EXPECT_EQ(r->route_changed, 0u);
  EXPECT_EQ(r->changes.size(), 100u);
  EXPECT_EQ(r->more_changes, changed - 100);
  bool found = false;
  for (const MoneyMoved& m : r->money) {
    if (m.currency == "RUB" && m.from == "merchant.settlement" && m.to == "system.settlement") {
      found = true;
      EXPECT_TRUE(m.after - m.before == diff);
      EXPECT_TRUE(diff > 0);
    }
  }
  EXPECT_TRUE(found);
}

TEST(Replay, ABadLineNamesItsLineAndByte) {
  auto a = build(acme());
  std::string corpus = "{\"tariff\": \"standard\"}\n\n{\"tariff\": \"nope\"}\n";
  auto r = replay(*a, *a, corpus);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().text().find("line 3 (byte 24)"), std::string::npos) << r.error().text();
  EXPECT_NE(r.error().text().find("$.tariff"), std::string::npos) << r.error().text();
  auto bad = replay(*a, *a, "{\"tariff\": \"standard\"}\n{oops\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().text().find("line 2 (byte 23)"), std::string::npos) << bad.error().text();
}

}  // namespace
}  // namespace paydomain::evaluator
