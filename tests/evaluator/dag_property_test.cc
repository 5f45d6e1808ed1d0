// Property tests: for random domains and contexts, the compiled decision DAG
// answers exactly as the rule-by-rule interpreter (the oracle) — on complete
// contexts the same rule, on partial ones the same set of possible rules
// (computed by brute force over every completion of the missing fields).
#include <gtest/gtest.h>

#include <set>

#include "dsl/checker.h"
#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"
#include "evaluator/json.h"
#include "random_domain.h"

#include <nlohmann/json.hpp>

namespace paydomain::evaluator {
namespace {

using testing::RandomDomain;
using testing::Space;

dsl::Domain load(const std::string& text) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{"random.pd", text}}, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), d.files) << text;
  return d;
}

TEST(DagProperty, SameAnswerAsTheInterpreter) {
  int checked = 0, partial = 0;
  for (uint32_t seed = 1; seed <= 150; ++seed) {
    RandomDomain gen(seed);
    int rules = 1 + gen.pick(25);
    dsl::Domain d = load(gen.domain(rules, gen.pick(2) == 0));
    auto compiled = compile(d);
    ASSERT_TRUE(compiled.ok()) << compiled.error().text();
    const Selector& sel = (*compiled)->tariffs[0].fees->arms;
    ASSERT_FALSE(sel.fallback);
    Space sp((*compiled)->vocab);
    for (int k = 0; k < 200; ++k) {
      Facts f;
      for (Attr a : sp.attrs()) {
        if (sp.count(a) > 0) sp.set(f, a, static_cast<size_t>(gen.pick(static_cast<int>(sp.count(a)))));
      }
      int32_t want = interpret(sel.rules, f);
      ASSERT_EQ(sel.dag.decide(f), want) << "seed " << seed << " context " << k;
      ++checked;
      // Partial: drop one or two attributes (the currency takes the amount with it).
      if (k % 4 != 0) continue;
      std::vector<Attr> missing;
      for (int m = 0, n = 1 + gen.pick(2); m < n; ++m) {
        Attr a = gen.one(sp.attrs());
        if (std::find(missing.begin(), missing.end(), a) == missing.end() && f.has(a)) missing.push_back(a);
      }
      if (std::find(missing.begin(), missing.end(), Attr::Currency) != missing.end() &&
          std::find(missing.begin(), missing.end(), Attr::Amount) == missing.end()) {
        missing.push_back(Attr::Amount);
      }
      Facts pf = f;
      for (Attr a : missing) pf.clear(a);
      std::set<int32_t> expect;
      testing::outcomes_over_completions(sp, sel.rules, pf, missing, expect);
      ASSERT_EQ(expect.count(kUndetermined), 0u);  // every completion is a complete payment
      std::vector<int32_t> got;
      uint32_t miss = 0;
      sel.dag.explore(pf, got, miss);
      ASSERT_EQ(std::vector<int32_t>(expect.begin(), expect.end()), got) << "seed " << seed << " partial " << k;
      int32_t decided = sel.decide(pf);
      if (expect.size() == 1) {
        ASSERT_EQ(decided, *expect.begin());  // every completion agrees: a determined answer
      } else {
        ASSERT_EQ(decided, kUndetermined);
        ASSERT_NE(miss, 0u);
      }
      ++partial;
    }
  }
  EXPECT_GT(checked, 20000);
  EXPECT_GT(partial, 5000);
}

// Over the size budget a selector falls back to interpretation: same answers.
TEST(DagProperty, BudgetFallbackAnswersTheSame) {
  for (uint32_t seed = 500; seed < 540; ++seed) {
    RandomDomain gen(seed);
    dsl::Domain d = load(gen.domain(10 + gen.pick(10), true));
    auto full = compile(d);
    CompileOptions tiny;
    tiny.budget.max_nodes = 3;
    auto small = compile(d, tiny);
    ASSERT_TRUE(full.ok() && small.ok());
    const Selector& a = (*full)->tariffs[0].fees->arms;
    const Selector& b = (*small)->tariffs[0].fees->arms;
    EXPECT_TRUE(b.fallback || a.dag.node_count() <= 3);  // a tiny DAG fits the budget
    Space sp((*full)->vocab);
    for (int k = 0; k < 200; ++k) {
      Facts f;
      for (Attr at : sp.attrs()) {
        if (sp.count(at) > 0) sp.set(f, at, static_cast<size_t>(gen.pick(static_cast<int>(sp.count(at)))));
      }
      ASSERT_EQ(a.decide(f), b.decide(f));
    }
  }
}

// Hash-consing: a decision repeated under many branches is stored once, and
// the depth stays bounded by the number of attributes tested.
TEST(DagProperty, SharedSubtreesAndShallowDepth) {
  std::string s = testing::kReference;
  s += "tariff t { fees {\n";
  const char* ps[] = {"visa", "mastercard", "mir"};
  const char* cats[] = {"retail", "travel", "gaming"};
  for (int i = 0; i < 300; ++i) {
    s += std::string("  when payment_system == ") + ps[i % 3] + " and category == " + cats[(i / 3) % 3] +
         " and amount >= " + std::to_string(i) + ".00 RUB { merchant.settlement -> system.settlement : 1% of amount }\n";
  }
  s += "} }\n";
  dsl::Domain d = load(s);
  auto c = compile(d);
  ASSERT_TRUE(c.ok());
  const Dag& dag = (*c)->tariffs[0].fees->arms.dag;
  EXPECT_LE(dag.depth(), 4u);  // currency, payment_system, category, amount
  EXPECT_LT(dag.node_count(), 60u);
}

// A criterion means its condition: a domain naming criteria decides every
// payment as the same domain with each name replaced by the criterion's
// condition in parentheses (written out by hand), on the DAG and the interpreter.
TEST(DagProperty, CriteriaDecideAsTheirConditionsWrittenOut) {
  int with_criteria = 0;
  for (uint32_t seed = 700; seed < 800; ++seed) {
    RandomDomain gen(seed);
    std::string raw = gen.raw_domain(1 + gen.pick(15), gen.pick(2) == 0);
    with_criteria += raw.find('@') != std::string::npos;
    dsl::Domain named = load(gen.named(raw)), inlined = load(gen.inlined(raw));
    auto a = compile(named);
    auto b = compile(inlined);
    ASSERT_TRUE(a.ok() && b.ok()) << gen.named(raw);
    const Selector& sa = (*a)->tariffs[0].fees->arms;
    const Selector& sb = (*b)->tariffs[0].fees->arms;
    Space sp((*a)->vocab);
    for (Attr at : sp.attrs()) {
      ASSERT_EQ(sp.count(at), Space((*b)->vocab).count(at));
      if (!is_categorical(at)) continue;
      for (int32_t id = 0; id < (*a)->vocab.size(at); ++id)
        ASSERT_EQ((*a)->vocab.name(at, id), (*b)->vocab.name(at, id));
    }
    for (int k = 0; k < 200; ++k) {
      Facts f;
      for (Attr at : sp.attrs()) {
        if (sp.count(at) > 0) sp.set(f, at, static_cast<size_t>(gen.pick(static_cast<int>(sp.count(at)))));
      }
      int32_t want = interpret(sb.rules, f);
      ASSERT_EQ(sa.decide(f), want) << "seed " << seed << "\n" << gen.named(raw);
      ASSERT_EQ(interpret(sa.rules, f), want) << "seed " << seed;
      // A partial payment: both decide alike (determined, or undetermined).
      Attr gone = gen.one(sp.attrs());
      f.clear(gone);
      if (gone == Attr::Currency) f.clear(Attr::Amount);
      ASSERT_EQ(sa.decide(f), sb.decide(f)) << "seed " << seed << " without " << static_cast<int>(gone);
    }
  }
  EXPECT_GT(with_criteria, 30);
}

}  // namespace
}  // namespace paydomain::evaluator
