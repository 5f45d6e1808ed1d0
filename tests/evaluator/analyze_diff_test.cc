// The analysis rebuilt to scale (evaluator/analyze.cc) against the one it
// replaced (analyze_reference.cc, the oracle): on random domains from the
// property-test generator, flat and nested, with money postings, and on
// examples/acme, every warning the old analysis gives the new one gives too.
// The new one adds only rules that are dead where they sit (an enclosing
// rule or the flow's operation rules them out), which the old one missed.
// Also: those new warnings, and the per-object cache (hits, invalidation).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "dsl/checker.h"
#include "dsl/parser.h"
#include "evaluator/analysis_cache.h"
#include "evaluator/analyze.h"
#include "evaluator/compiled.h"
#include "random_domain.h"
#include "tests/evaluator/analyze_reference.h"

namespace paydomain::evaluator {
namespace {

using testing::RandomDomain;

// A warning as the user sees it. An uncovered warning's example context is
// one of many: the new analysis leaves out earlier rules that cannot match
// the same payments when it builds a nested decision's path, which may pick
// a different (equally valid) example, so it is compared up to "e.g.".
std::string shown(const dsl::Diagnostic& d, bool whole_example) {
  std::string m = d.message;
  if (!whole_example && d.code == "uncovered") m = m.substr(0, m.find(", e.g. "));
  return d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + " " + d.code + " [" + d.object +
         "] " + m;
}

struct Both {
  std::vector<dsl::Diagnostic> old_ws, new_ws;
};

Both analyse_both(const std::vector<dsl::SourceFile>& files) {
  Both b;
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load(files, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), d.files);
  if (diags.has_errors()) return b;
  dsl::Diagnostics o, n;
  testing::analyze_reference(d, o);
  analyze(d, n);
  b.old_ws = o.items();
  // negative-margin came after the oracle (tested in evaluate_test.cc, Analyze.*Margin*).
  for (const dsl::Diagnostic& w : n.items())
    if (w.code != "negative-margin") b.new_ws.push_back(w);
  return b;
}

// Every old warning is among the new ones; returns the new ones the old
// analysis did not give.
std::vector<dsl::Diagnostic> extras(const Both& b, bool whole_example, const std::string& text) {
  std::multiset<std::string> fresh;
  for (const auto& d : b.new_ws) fresh.insert(shown(d, whole_example));
  for (const auto& d : b.old_ws) {
    auto it = fresh.find(shown(d, whole_example));
    EXPECT_NE(it, fresh.end()) << "the new analysis misses: " << shown(d, true) << "\n" << text;
    if (it != fresh.end()) fresh.erase(it);
  }
  std::vector<dsl::Diagnostic> out;
  for (const auto& d : b.new_ws) {
    if (fresh.count(shown(d, whole_example))) out.push_back(d);
  }
  return out;
}

TEST(AnalyzeDiff, FlatRandomDomainsGiveTheSameWarnings) {
  size_t warnings = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    RandomDomain g(seed);
    g.operations_ = false;
    std::string text = g.domain(2 + g.pick(10), g.pick(3) == 0);
    Both b = analyse_both({{"random.pd", text}});
    // No nesting and no operation in the conditions: nothing new to find.
    EXPECT_TRUE(extras(b, true, text).empty()) << text;
    EXPECT_EQ(b.old_ws.size(), b.new_ws.size()) << text;
    warnings += b.old_ws.size();
  }
  EXPECT_GT(warnings, 100u);  // the domains do exercise the warnings
}

// Nested decisions (with and without `otherwise`), postings with a fixed
// minimum under amount conditions (fee-above-amount along nested paths),
// and shares of the whole split across levels (split-rounding).
std::string nested_domain(RandomDomain& g) {
  std::string s = testing::kReference;
  s += "tariff t {\n";
  if (g.pick(2)) s += "  amount between 1.00 RUB and 5000.00 RUB\n";
  s += "  fees {\n";
  if (g.pick(3) == 0) s += "    merchant.settlement -> system.subagent : 1/2 of amount\n";
  int rules = 2 + g.pick(5);
  for (int i = 0; i < rules; ++i) {
    bool last = i + 1 == rules && g.pick(2);
    s += last ? "    otherwise {\n" : "    when " + g.condition() + " {\n";
    int inner = g.pick(4);
    s += "      merchant.settlement -> system.settlement : " + std::string(g.pick(2) ? "15.00 RUB" : "2% of amount") +
         "\n";
    for (int k = 0; k < inner; ++k) {
      bool inner_last = k > 0 && k + 1 == inner && g.pick(2);
      s += inner_last ? "      otherwise {" : "      when " + g.condition() + " {";
      switch (g.pick(3)) {
        case 0: s += " merchant.settlement -> system.settlement : max(1% of amount, 10.00 RUB) }\n"; break;
        case 1: s += " merchant.settlement -> system.settlement : 1/2 of amount }\n"; break;
        default: s += " merchant.settlement -> system.settlement : " + std::to_string(k + 1) + "% of amount }\n";
      }
    }
    s += "    }\n";
  }
  s += "  }\n}\n";
  return s;
}

TEST(AnalyzeDiff, NestedRandomDomainsGiveEveryOldWarning) {
  size_t warnings = 0, found = 0;
  for (uint32_t seed = 1; seed <= 250; ++seed) {
    RandomDomain g(seed * 7919);
    g.operations_ = false;  // as above
    std::string text = nested_domain(g);
    Both b = analyse_both({{"nested.pd", text}});
    warnings += b.old_ws.size();
    for (const dsl::Diagnostic& d : extras(b, false, text)) {
      // What is new is a rule dead inside its enclosing rule.
      EXPECT_EQ(d.code, "shadowed-rule") << shown(d, true) << "\n" << text;
      EXPECT_NE(d.message.find(" it (inside rule "), std::string::npos) << shown(d, true) << "\n" << text;
      ++found;
    }
  }
  EXPECT_GT(warnings, 100u);
  EXPECT_GT(found, 0u);  // and the generator does produce such rules
}

TEST(AnalyzeDiff, ExamplesAcmeGivesTheSameWarnings) {
  dsl::Diagnostics read;
  auto files = dsl::read_sources({std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme"}, read);
  ASSERT_FALSE(read.has_errors());
  Both b = analyse_both(files);
  EXPECT_TRUE(extras(b, true, "examples/acme").empty());
  EXPECT_EQ(b.old_ws.size(), b.new_ws.size());
}

std::vector<std::string> messages(const char* text) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{"a.pd", text}}, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), d.files);
  dsl::Diagnostics out;
  analyze(d, out);
  out.sort();
  std::vector<std::string> m;
  for (const auto& x : out.items()) m.push_back(std::to_string(x.line) + " " + x.code + ": " + x.message);
  return m;
}

// A rule behind a condition its context makes always true takes every
// payment, so the rules after it are dead: in fees every payment is a
// payment, in refund fees a refund, and inside `when category == retail`
// every payment is retail. The old analysis judged each decision on its own:
// it said nothing of them, and offered a refund as an example of a payment
// the fees do not cover.
TEST(AnalyzeDiff, RulesBehindAnAlwaysTrueConditionAreShadowed) {
  const char* text = R"(currency RUB { numeric 643 exponent 2 }
payment_system visa { }
payment_system mir { }
category retail { }
category gaming { }
category travel { }
tariff t {
  refunds {
    allowed true
    fees {
      when operation == refund { merchant.settlement -> system.settlement : 1% of amount }
      otherwise { merchant.settlement -> system.settlement : 2% of amount }
    }
  }
  fees {
    when category == retail {
      when category == retail { merchant.settlement -> system.settlement : 2% of amount }
      when payment_system == visa { merchant.settlement -> system.settlement : 3% of amount }
      when category == gaming { merchant.settlement -> system.settlement : 4% of amount }
    }
    when operation in [payment, capture] { merchant.settlement -> system.settlement : 1% of amount }
    when category == gaming { merchant.settlement -> system.settlement : 5% of amount }
  }
}
)";
  std::vector<std::string> m = messages(text);
  std::vector<std::string> want = {
      "12 shadowed-rule: tariff t, refund fees, rule 2 can never apply: rule 1 (line 11) matches every payment that "
      "reaches it (operation is always refund here)",
      "18 shadowed-rule: tariff t, fees, rule 2 can never apply: rule 1 (line 17) matches every payment that reaches "
      "it (inside rule 1 (line 16))",
      "19 shadowed-rule: tariff t, fees, rule 3 can never apply: its condition never holds for the payments that "
      "reach it (inside rule 1 (line 16))",
      "22 shadowed-rule: tariff t, fees, rule 3 can never apply: rule 2 (line 21) matches every payment that reaches "
      "it (operation is payment or capture here)",
  };
  EXPECT_EQ(m, want) << ::testing::PrintToString(m);
  // The old analysis saw none of them; its one warning was a refund offered
  // as a payment the fees miss.
  dsl::Diagnostics diags, old;
  dsl::Domain d = dsl::load({{"a.pd", text}}, diags);
  testing::analyze_reference(d, old);
  ASSERT_EQ(old.items().size(), 1u);
  EXPECT_EQ(old.items()[0].message.rfind("tariff t, fees: no rule matches some payments, e.g. ", 0), 0u)
      << old.items()[0].message;
  EXPECT_NE(old.items()[0].message.find("operation refund"), std::string::npos) << old.items()[0].message;
}

std::vector<std::string> cached(const std::vector<dsl::SourceFile>& files, AnalysisCache& cache) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load(files, diags);
  EXPECT_FALSE(diags.has_errors());
  auto c = compile(d);
  EXPECT_TRUE(c.ok());
  dsl::Diagnostics out;
  analyze(d, **c, out, &cache);
  out.sort();
  std::vector<std::string> m;
  for (const auto& x : out.items()) m.push_back(shown(x, true));
  return m;
}

// The cache answers what a fresh analysis answers, analyses again only the
// objects whose text, place or vocabulary changed, and stays in its bound.
TEST(AnalysisCache, ReusesUnchangedObjectsOnly) {
  std::string ref = "currency RUB { numeric 643 exponent 2 }\npayment_system visa { }\npayment_system mir { }\n";
  auto tariff = [](const std::string& name, const std::string& cond) {
    return "tariff " + name + " {\n  fees {\n    when " + cond +
           " { merchant.settlement -> system.settlement : 1% of amount }\n    when payment_system == visa { "
           "merchant.settlement -> system.settlement : 2% of amount }\n  }\n}\n";
  };
  std::string a = tariff("a", "payment_system == visa"), b = tariff("b", "payment_system == mir");
  AnalysisCache cache;
  auto fresh = [](const std::vector<dsl::SourceFile>& files) {
    AnalysisCache own;
    return cached(files, own);
  };
  std::vector<dsl::SourceFile> v1{{"ref.pd", ref}, {"t.pd", a + b}};
  EXPECT_EQ(cached(v1, cache), fresh(v1));
  EXPECT_EQ(cache.stats().misses, 2u);
  EXPECT_EQ(cache.stats().entries, 2u);
  EXPECT_EQ(cached(v1, cache), fresh(v1));
  EXPECT_EQ(cache.stats().hits, 2u);

  // Tariff b edited on its own line: a is reused, b analysed again.
  std::vector<dsl::SourceFile> v2{{"ref.pd", ref}, {"t.pd", a + tariff("b", "payment_system == visa")}};
  EXPECT_EQ(cached(v2, cache), fresh(v2));
  EXPECT_EQ(cache.stats().hits, 3u);
  EXPECT_EQ(cache.stats().misses, 3u);
  ASSERT_EQ(fresh(v2).size(), 4u);  // both tariffs now shadow their rule 2 and miss mir

  // A new payment system changes what "uncovered" can find for every
  // object: nothing is reused.
  std::vector<dsl::SourceFile> v3{{"ref.pd", ref + "payment_system maestro { }\n"}, v2[1]};
  EXPECT_EQ(cached(v3, cache), fresh(v3));
  EXPECT_EQ(cache.stats().hits, 3u);
  EXPECT_EQ(cache.stats().misses, 5u);

  // Moved down a line, an object's warnings name other lines: analysed again.
  std::vector<dsl::SourceFile> v4{v3[0], {"t.pd", "\n" + v3[1].text}};
  EXPECT_EQ(cached(v4, cache), fresh(v4));
  EXPECT_EQ(cache.stats().misses, 7u);

  // A tariff naming a criterion: editing the criterion (in another file)
  // changes what the tariff's rules mean, so nothing is reused.
  std::vector<dsl::SourceFile> v5{{"ref.pd", ref + "criterion cheap { when payment_system == visa }\n"},
                                  {"t.pd", tariff("a", "cheap")}};
  EXPECT_EQ(cached(v5, cache), fresh(v5));
  ASSERT_EQ(fresh(v5).size(), 2u);  // rule 2 is shadowed by `cheap`, mir is uncovered
  uint64_t misses = cache.stats().misses;
  std::vector<dsl::SourceFile> v6{{"ref.pd", ref + "criterion cheap { when payment_system == mir }\n"}, v5[1]};
  EXPECT_EQ(cached(v6, cache), fresh(v6));
  EXPECT_EQ(cache.stats().misses, misses + 1);
  EXPECT_NE(fresh(v5), fresh(v6));

  // Bounded: a cache one byte too small for both entries keeps one.
  AnalysisCache both;
  cached(v1, both);
  ASSERT_EQ(both.stats().entries, 2u);
  AnalysisCache tiny(both.stats().bytes - 1);
  EXPECT_EQ(cached(v1, tiny), fresh(v1));
  EXPECT_LT(tiny.stats().bytes, both.stats().bytes);
  EXPECT_EQ(tiny.stats().entries, 1u);
}

}  // namespace
}  // namespace paydomain::evaluator
