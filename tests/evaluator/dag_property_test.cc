// Property tests: for random domains and contexts, the compiled decision DAG
// answers exactly as the rule-by-rule interpreter (the oracle) — on complete
// contexts the same rule, on partial ones the same set of possible rules
// (computed by brute force over every completion of the missing fields).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "dsl/checker.h"
#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"
#include "evaluator/json.h"
#include "random_domain.h"
#include "random_inheritance.h"

#include <nlohmann/json.hpp>

namespace paydomain::evaluator {
namespace {

using testing::RandomDomain;
using testing::Space;

dsl::Domain load(const std::string& text) { return testing::load_checked(text); }

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

// A provider's refund and chargeback fees (`refunds { fees { ... } }`,
// `chargebacks { fees { ... } }`) and a tariff's chargeback reserve are
// decisions like a tariff's fees: the same random decision, moved there,
// compiles to a DAG that answers as the interpreter, on complete and partial
// contexts.
TEST(DagProperty, ProviderRefundFeesAnswerAsTheInterpreter) {
  int checked = 0;
  const char* places[] = {"provider p {\n  adapter a\n  refunds { fees {\n",
                          "provider p {\n  adapter a\n  chargebacks { fees {\n",
                          "tariff t {\n  chargebacks { reserve {\n"};
  for (uint32_t seed = 900; seed < 960; ++seed) {
    RandomDomain gen(seed);
    std::string text = gen.domain(1 + gen.pick(20), gen.pick(2) == 0);
    const std::string tariff = "tariff t {\n  fees {\n";
    size_t at = text.find(tariff);
    ASSERT_NE(at, std::string::npos);
    const int place = static_cast<int>(seed % 3);
    text.replace(at, tariff.size(), std::string("adapter a { url \"https://a.example\" }\n") + places[place]);
    text += "}\n";  // the object's closing brace (the tariff's closes the terms block)
    dsl::Domain d = load(text);
    auto compiled = compile(d);
    ASSERT_TRUE(compiled.ok()) << compiled.error().text();
    const std::optional<CompiledCashFlow>& cf = place == 0   ? (*compiled)->providers[0].refunds.fees
                                                : place == 1 ? (*compiled)->providers[0].chargebacks.fees
                                                             : (*compiled)->tariffs[0].chargebacks.reserve;
    ASSERT_TRUE(cf.has_value()) << text;
    const Selector& sel = cf->arms;
    Space sp((*compiled)->vocab);
    for (int k = 0; k < 200; ++k) {
      Facts f;
      for (Attr a : sp.attrs()) {
        if (sp.count(a) > 0) sp.set(f, a, static_cast<size_t>(gen.pick(static_cast<int>(sp.count(a)))));
      }
      ASSERT_EQ(sel.dag.decide(f), interpret(sel.rules, f)) << "seed " << seed << " context " << k;
      ++checked;
      // Partial: one attribute dropped (the currency takes the amount with it).
      Attr a = gen.one(sp.attrs());
      if (!f.has(a)) continue;
      std::vector<Attr> missing{a};
      if (a == Attr::Currency) missing.push_back(Attr::Amount);
      Facts pf = f;
      for (Attr m : missing) pf.clear(m);
      std::set<int32_t> expect;
      testing::outcomes_over_completions(sp, sel.rules, pf, missing, expect);
      std::vector<int32_t> got;
      uint32_t miss = 0;
      sel.dag.explore(pf, got, miss);
      ASSERT_EQ(std::vector<int32_t>(expect.begin(), expect.end()), got) << "seed " << seed << " partial " << k;
    }
  }
  EXPECT_GT(checked, 10000);
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

// Inheritance is resolved when compiled: the last tariff of a random
// `extends` chain answers every payment exactly as the same tariff written
// out whole by hand (testing::RandomInheritance flattens independently of
// dsl/inheritance.cc); its inherited decisions' DAGs answer as the
// interpreter; and its explanations name the tariff each inherited rule is
// written in, then the child ("inherited by tariff t3 through t2").
TEST(DagProperty, InheritedTariffsDecideAsWrittenOut) {
  int inherited_fees = 0, compared = 0;
  for (uint32_t seed = 900; seed < 1000; ++seed) {
    RandomDomain gen(seed);
    testing::RandomInheritance family(gen);
    testing::RandomChain chain = family.chain(2 + gen.pick(3));
    dsl::Domain d = load(std::string(testing::kReference) + testing::kInheritanceRoutings + chain.text);
    auto c = compile(d);
    ASSERT_TRUE(c.ok()) << c.error().text();
    const CompiledDomain& cd = **c;
    const int32_t child = cd.vocab.object(dsl::ObjectKind::Tariff, chain.child);
    const int32_t flat = cd.vocab.object(dsl::ObjectKind::Tariff, "flat");
    ASSERT_GE(child, 0);
    ASSERT_GE(flat, 0);
    const CompiledTariff& ct = cd.tariffs[static_cast<size_t>(child)];
    // ", inherited by tariff t3 through t2, t1" for a part written in t{k}.
    auto note = [&](int k) {
      std::string s = ", inherited by tariff " + chain.child;
      for (int j = chain.levels - 2; j > k; --j) s += (j == chain.levels - 2 ? " through t" : ", t") + std::to_string(j);
      return s;
    };
    auto fees_from = chain.origin.find("fees");
    inherited_fees += fees_from != chain.origin.end();
    Space sp(cd.vocab);
    for (int k = 0; k < 200; ++k) {
      Facts f;
      for (Attr a : sp.attrs()) {
        if (sp.count(a) > 0) sp.set(f, a, static_cast<size_t>(gen.pick(static_cast<int>(sp.count(a)))));
      }
      for (const auto* cf : {ct.fees ? &*ct.fees : nullptr, ct.refund_fees ? &*ct.refund_fees : nullptr,
                             ct.chargebacks.fees ? &*ct.chargebacks.fees : nullptr,
                             ct.chargebacks.reserve ? &*ct.chargebacks.reserve : nullptr}) {
        if (cf && !cf->arms.fallback) {
          ASSERT_EQ(cf->arms.dag.decide(f), interpret(cf->arms.rules, f)) << "seed " << seed;
        }
      }
      Context x;
      x.facts = f;
      x.tariff = child;
      EvalResult a = evaluate(cd, x, EvalOptions{true});
      x.tariff = flat;
      EvalResult b = evaluate(cd, x, EvalOptions{true});
      const std::string where = "seed " + std::to_string(seed) + " context " + std::to_string(k) + "\n" + chain.text;
      ASSERT_EQ(a.terms.verdict, b.terms.verdict) << where;
      ASSERT_EQ(a.terms.reasons.size(), b.terms.reasons.size()) << where;
      for (size_t i = 0; i < a.terms.reasons.size(); ++i) {
        std::string r = a.terms.reasons[i];
        for (size_t at; (at = r.find("tariff " + chain.child)) != std::string::npos;) r.replace(at, 7 + chain.child.size(), "tariff flat");
        ASSERT_EQ(r, b.terms.reasons[i]) << where;
      }
      ASSERT_EQ(a.terms.missing, b.terms.missing) << where;
      ASSERT_EQ(a.terms.hold_lifetime, b.terms.hold_lifetime) << where;
      ASSERT_EQ(a.cash_flow.status, b.cash_flow.status) << where;
      ASSERT_EQ(a.cash_flow.missing, b.cash_flow.missing) << where;
      // The same error, naming its rule where each tariff has it.
      ASSERT_EQ(a.cash_flow.error.substr(0, a.cash_flow.error.find(" (tariff ")),
                b.cash_flow.error.substr(0, b.cash_flow.error.find(" (tariff ")))
          << where;
      ASSERT_EQ(a.cash_flow.possibilities.size(), b.cash_flow.possibilities.size()) << where;
      ASSERT_EQ(a.cash_flow.postings.size(), b.cash_flow.postings.size()) << where;
      for (size_t i = 0; i < a.cash_flow.postings.size(); ++i) {
        const PostingResult &p = a.cash_flow.postings[i], &q = b.cash_flow.postings[i];
        ASSERT_EQ(std::tie(p.from, p.to, p.amount.minor, p.amount.currency), std::tie(q.from, q.to, q.amount.minor, q.amount.currency))
            << where;
        // The decision a posting comes from (a capture pays the payment's fees).
        std::string part = "fees", what = ", fees";
        if (f.get(Attr::Operation) == kOperationRefund) part = "refunds.fees", what = ", refund fees";
        if (f.get(Attr::Operation) == kOperationChargeback) {
          const bool reserve = p.rule.find(", chargeback reserve") != std::string_view::npos;
          part = reserve ? "chargebacks.reserve" : "chargebacks.fees";
          what = reserve ? ", chargeback reserve" : ", chargeback fees";
        }
        auto origin = chain.origin.find(part);
        if (origin == chain.origin.end()) {
          ASSERT_EQ(p.rule.rfind("tariff " + chain.child + ", ", 0), 0u) << p.rule;
        } else {
          const std::string head = "tariff t" + std::to_string(origin->second) + what;
          ASSERT_EQ(p.rule.rfind(head, 0), 0u) << p.rule << "\n" << where;
          const std::string tail = note(origin->second);
          ASSERT_TRUE(p.rule.size() > tail.size() && p.rule.compare(p.rule.size() - tail.size(), tail.size(), tail) == 0)
              << p.rule << " should end with " << tail;
        }
      }
      ASSERT_EQ(a.route.status, b.route.status) << where;
      ASSERT_EQ(a.route.decline(), b.route.decline()) << where;
      ASSERT_EQ(a.route.missing, b.route.missing) << where;
      // The terms explanation names where an inherited list is written.
      for (const char* part : {"currencies", "categories", "payment_methods"}) {
        auto origin = chain.origin.find(part);
        if (origin == chain.origin.end()) continue;
        const std::string head = "tariff t" + std::to_string(origin->second) + ", " + part + " (";
        bool named = std::any_of(a.terms.explain.begin(), a.terms.explain.end(), [&](std::string_view e) {
          return e.rfind(head, 0) == 0 && e.find(note(origin->second)) != std::string_view::npos;
        });
        ASSERT_TRUE(named) << head << "\n" << where;
      }
      ++compared;
    }
  }
  EXPECT_GT(inherited_fees, 20);
  EXPECT_EQ(compared, 100 * 200);
}

}  // namespace
}  // namespace paydomain::evaluator
