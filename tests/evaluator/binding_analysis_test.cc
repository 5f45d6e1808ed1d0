// The tariff binding in analysis: a binding rule earlier rules cover is a
// shadowed-rule warning like any other first-match rule's, and impact
// analysis lists the payments (naming no tariff) whose bound tariff a
// change moves, with the fee differences that follow, each region with an
// example that evaluates differently at both sides.
#include <gtest/gtest.h>

#include "dsl/checker.h"
#include "evaluator/analyze.h"
#include "evaluator/compiled.h"
#include "evaluator/impact.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

const std::string kInstitutions = std::string(testing::kDomain) + R"(
tariff gold {
  currencies [RUB]
  fees { merchant.settlement -> system.settlement : 0.5% of amount "gold fee" }
}
payment_institution acme { realm live  residences [RU]  default_tariff standard }
payment_institution sandbox { realm test  default_tariff gold }
)";

dsl::Domain load(const std::string& text) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{"b.pd", text}}, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), d.files);
  return d;
}

std::vector<std::string> warnings(const std::string& text) {
  dsl::Domain d = load(text);
  dsl::Diagnostics diags(&d.files);
  analyze(d, diags);
  std::vector<std::string> out;
  for (const dsl::Diagnostic& w : diags.items()) out.push_back(w.code + ": " + w.message);
  return out;
}

TEST(BindingAnalysis, ARuleEarlierRulesCoverIsShadowed) {
  auto w = warnings(kInstitutions + R"(
tariff_binding who {
  when category == retail: tariff gold
  when party == "big": tariff standard
  when category == retail and party == "big": tariff standard
  when category == gaming and category == retail: tariff gold
  otherwise: tariff standard
}
)");
  std::vector<std::string> shadowed;
  for (const std::string& s : w)
    if (s.rfind("shadowed-rule", 0) == 0) shadowed.push_back(s);
  ASSERT_EQ(shadowed.size(), 2u) << ::testing::PrintToString(w);
  EXPECT_NE(shadowed[0].find("tariff_binding who, rule 3 can never apply: rule"), std::string::npos) << shadowed[0];
  EXPECT_NE(shadowed[1].find("tariff_binding who, rule 4 can never apply: its condition can never hold"),
            std::string::npos)
      << shadowed[1];
}

TEST(BindingAnalysis, ABindingWithLiveRulesIsQuiet) {
  auto w = warnings(kInstitutions + R"(
tariff_binding who {
  when party == "big": tariff gold
  when payment_institution == sandbox: tariff standard
}
)");
  for (const std::string& s : w) EXPECT_NE(s.rfind("shadowed-rule", 0), 0u) << s;
}

std::shared_ptr<const CompiledDomain> build(const std::string& text) {
  auto c = compile(load(text));
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : nullptr;
}

TEST(BindingImpact, AChangedRuleListsTheMovedPaymentsAndTheirFees) {
  const std::string before = kInstitutions + R"(
tariff_binding who {
  when party == "big": tariff gold
}
)";
  std::string after = before;
  after.replace(after.find("tariff gold\n}"), 11, "tariff standard");
  auto a = build(before), b = build(after);
  ASSERT_TRUE(a && b);
  SymbolicImpact im = symbolic_impact(*a, *b);
  ASSERT_TRUE(im.complete);
  std::vector<const ImpactRegion*> moved, fees;
  for (const ImpactRegion& r : im.regions) {
    if (r.part == "tariff_binding who") moved.push_back(&r);
    if (r.part.rfind("tariff_binding who fees", 0) == 0) fees.push_back(&r);
  }
  // The big party moves from gold to standard, at either institution.
  ASSERT_FALSE(moved.empty());
  for (const ImpactRegion* r : moved) {
    EXPECT_EQ(r->kind, "tariff");
    EXPECT_EQ(r->object, "tariff_binding:who");
    EXPECT_EQ(r->before, "tariff gold");
    EXPECT_EQ(r->after, "tariff standard");
    EXPECT_NE(r->where.find("party \"big\""), std::string::npos) << r->where;
    EXPECT_NE(r->example.find("\"payment_institution\""), std::string::npos) << r->example;
    EXPECT_EQ(r->example.find("\"tariff\""), std::string::npos) << r->example;
    EXPECT_TRUE(r->example_differs) << r->example;
  }
  ASSERT_FALSE(fees.empty());
  for (const ImpactRegion* r : fees) {
    EXPECT_EQ(r->part, "tariff_binding who fees (tariff gold -> standard)");
    EXPECT_EQ(r->kind, "fee");
    EXPECT_NE(r->before.find("0.5% of amount"), std::string::npos) << r->before;
    EXPECT_TRUE(r->example_differs) << r->example;
  }
  // Nothing else changed.
  EXPECT_EQ(im.regions.size(), moved.size() + fees.size());
}

TEST(BindingImpact, AChangedDefaultTariffAndAnUnchangedBindingAreSeen) {
  const std::string before = kInstitutions + "tariff_binding who { when party == \"big\": tariff gold }\n";
  std::string after = before;
  after.replace(after.find("realm test  default_tariff gold"), 31, "realm test  default_tariff standard");
  auto a = build(before), b = build(after);
  ASSERT_TRUE(a && b);
  SymbolicImpact im = symbolic_impact(*a, *b);
  size_t moved = 0;
  for (const ImpactRegion& r : im.regions) {
    if (r.kind != "tariff") continue;
    ++moved;
    EXPECT_NE(r.where.find("payment_institution sandbox"), std::string::npos) << r.where;
    EXPECT_EQ(r.before, "tariff gold");
    EXPECT_EQ(r.after, "tariff standard");
  }
  EXPECT_EQ(moved, 1u);
  // The same revision twice: no region.
  EXPECT_TRUE(symbolic_impact(*a, *a).regions.empty());
}

}  // namespace
}  // namespace paydomain::evaluator
