// Payment institutions and the tariff binding in the language: parsed with
// positions, checked (references with suggestions, realms, one binding,
// rules after `otherwise`), formatted canonically, and named part by part
// for diffs.
#include <gtest/gtest.h>

#include "dsl/formatter.h"
#include "dsl/parser.h"
#include "tests/dsl/test_util.h"

namespace paydomain::dsl {
namespace {

using testing::load_text;

const std::string kBinding = R"(
tariff premium { currencies [RUB] }
payment_institution acme_ru { name "Acme Russia" realm live residences [RUS] default_tariff standard }
payment_institution sandbox { realm test default_tariff standard routing main }
tariff_binding who {
  when payment_institution == sandbox: tariff standard
  when party in ["big-1", "big-2"] and category == retail: tariff premium
  otherwise: tariff standard
}
test "bound" {
  given { payment_institution acme_ru party "big-1" category retail amount 10.00 RUB }
  expect tariff premium
}
)";

testing::Loaded with(const std::string& from, const std::string& to) {
  return testing::load_replaced(std::string(testing::kBaseDomain) + kBinding, from, to);
}

TEST(Binding, ParsesIntoRulesInOrder) {
  auto l = with("", "");
  ASSERT_FALSE(l.diags.has_errors()) << l.rendered();
  const Object* b = l.domain.find(ObjectKind::TariffBinding, "who");
  ASSERT_NE(b, nullptr);
  std::vector<std::string> rules;
  for (const Clause& c : b->clauses) {
    ASSERT_EQ(c.kind, Clause::Kind::BindingRule);
    rules.push_back((c.binding->otherwise ? "otherwise" : format_condition(*c.binding->condition)) + " -> " +
                    c.binding->tariff.text);
  }
  EXPECT_EQ(rules, (std::vector<std::string>{"payment_institution == sandbox -> standard",
                                             "party in [\"big-1\", \"big-2\"] and category == retail -> premium",
                                             "otherwise -> standard"}));
  const Object* pi = l.domain.find(ObjectKind::PaymentInstitution, "acme_ru");
  ASSERT_NE(pi, nullptr);
  EXPECT_EQ(pi->find(Clause::Kind::Realm)->ref.text, "live");
  EXPECT_EQ(pi->find(Clause::Kind::DefaultTariff)->ref.text, "standard");
  EXPECT_EQ(pi->find(Clause::Kind::Residences)->list.items.size(), 1u);
  const Object* t = l.domain.find(ObjectKind::Test, "bound");
  ASSERT_NE(t, nullptr);
  bool expect_tariff = false;
  for (const Clause& c : t->clauses)
    expect_tariff = expect_tariff || (c.expect && c.expect->kind == Expectation::Kind::Tariff && c.expect->target.text == "premium");
  EXPECT_TRUE(expect_tariff);
}

TEST(Binding, UnknownTariffInstitutionAndCountryGetSuggestions) {
  // The rule names a tariff that does not exist.
  auto rule = with("and category == retail: tariff premium", "and category == retail: tariff premum");
  const Diagnostic* d = rule.first("unknown-reference");
  ASSERT_NE(d, nullptr) << rule.rendered();
  EXPECT_EQ(d->suggestion, "premium");
  EXPECT_EQ(d->object, "tariff_binding who");
  EXPECT_GT(d->line, 0u);
  EXPECT_GT(d->column, 0u);

  auto inst = with("payment_institution == sandbox", "payment_institution == sandbx");
  d = inst.first("unknown-reference");
  ASSERT_NE(d, nullptr) << inst.rendered();
  EXPECT_EQ(d->suggestion, "sandbox");

  auto country = with("residences [RUS]", "residences [RUZ]");
  d = country.first("unknown-reference");
  ASSERT_NE(d, nullptr) << country.rendered();
  EXPECT_EQ(d->suggestion, "RUS");

  auto given = with("given { payment_institution acme_ru", "given { payment_institution acme_rus");
  d = given.first("unknown-reference");
  ASSERT_NE(d, nullptr) << given.rendered();
  EXPECT_EQ(d->suggestion, "acme_ru");

  auto expect = with("expect tariff premium", "expect tariff premiun");
  d = expect.first("unknown-reference");
  ASSERT_NE(d, nullptr) << expect.rendered();
  EXPECT_EQ(d->suggestion, "premium");

  auto wrong = with("default_tariff standard routing", "default_tariff main routing");
  EXPECT_TRUE(wrong.has("wrong-kind")) << wrong.rendered();
}

TEST(Binding, RealmIsRequiredAndOneOfTestOrLive) {
  auto bad = with("realm live", "realm liv");
  const Diagnostic* d = bad.first("unknown-value");
  ASSERT_NE(d, nullptr) << bad.rendered();
  EXPECT_EQ(d->suggestion, "live");
  auto missing = with("realm test ", "");
  EXPECT_TRUE(missing.has("missing-clause")) << missing.rendered();
  auto misplaced = with("realm test ", "realm test disabled ");
  EXPECT_TRUE(misplaced.has("misplaced-clause")) << misplaced.rendered();
}

TEST(Binding, RulesAfterOtherwiseAreUnreachableAndOneBindingPerDomain) {
  auto after = with("  otherwise: tariff standard\n", "  otherwise: tariff standard\n  when risk == low: tariff premium\n");
  const Diagnostic* d = after.first("unreachable");
  ASSERT_NE(d, nullptr) << after.rendered();
  EXPECT_EQ(d->severity, Severity::Warning);
  EXPECT_FALSE(after.diags.has_errors()) << after.rendered();

  auto two = with("test \"bound\"", "tariff_binding other { otherwise: tariff premium }\ntest \"bound\"");
  d = two.first("duplicate-binding");
  ASSERT_NE(d, nullptr) << two.rendered();
  EXPECT_EQ(d->object, "tariff_binding other");

  auto health = with("when payment_institution == sandbox:", "when health.failure_rate > 10%:");
  EXPECT_TRUE(health.has("health-outside-exclude")) << health.rendered();
  auto empty = with("tariff_binding who {", "tariff_binding empty { }\ntariff_binding who {");
  EXPECT_TRUE(empty.has("missing-clause")) << empty.rendered();
}

// A rule for an institution that serves none of the residences it names
// never applies to a payment that institution serves (a warning).
TEST(Binding, ARuleForResidencesItsInstitutionDoesNotServeIsAWarning) {
  auto with = [](const std::string& from, const std::string& to) {
    return testing::load_replaced(std::string(testing::kBaseDomain) + "country USA { }\n" + kBinding, from, to);
  };
  auto unserved = with("when payment_institution == sandbox: tariff standard",
                       "when payment_institution == acme_ru and residence == USA: tariff standard");
  const Diagnostic* d = unserved.first("unserved-residence");
  ASSERT_NE(d, nullptr) << unserved.rendered();
  EXPECT_EQ(d->severity, Severity::Warning);
  EXPECT_EQ(d->message,
            "this rule never applies to a payment its institution serves: it names residence USA, but "
            "payment_institution acme_ru serves merchants residing in RUS");
  EXPECT_FALSE(unserved.diags.has_errors()) << unserved.rendered();
  // A served residence, or an institution serving any country: no warning.
  EXPECT_FALSE(with("when payment_institution == sandbox: tariff standard",
                    "when payment_institution == acme_ru and residence in [USA, RUS]: tariff standard")
                   .has("unserved-residence"));
  EXPECT_FALSE(with("when payment_institution == sandbox: tariff standard",
                    "when payment_institution == sandbox and residence == USA: tariff standard")
                   .has("unserved-residence"));
  // An unknown residence in a condition is an error with the closest country.
  auto unknown = with("when payment_institution == sandbox: tariff standard",
                      "when residence == RUZ: tariff standard");
  d = unknown.first("unknown-reference");
  ASSERT_NE(d, nullptr) << unknown.rendered();
  EXPECT_EQ(d->suggestion, "RUS");
}

TEST(Binding, SyntaxErrorsSayWhatFits) {
  auto l = load_text("tariff_binding b { when party == \"x\" tariff t }\n");
  const Diagnostic* d = l.first("syntax");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_EQ(d->line, 1u);
  auto kind = load_text("payment_institutio p { realm live }\n");
  d = kind.first("syntax");
  ASSERT_NE(d, nullptr) << kind.rendered();
  EXPECT_EQ(d->suggestion, "payment_institution");
  auto clause = load_text("payment_institution p { relm live }\n");
  d = clause.first("syntax");
  ASSERT_NE(d, nullptr) << clause.rendered();
  EXPECT_EQ(d->suggestion, "realm");
}

TEST(Binding, FormatsCanonicallyAndRoundTrips) {
  const std::string messy = R"(payment_institution p {realm live
   residences [RUS,  KZ]   default_tariff t }
tariff_binding b {   # who gets what
  when   party=="a"   :   tariff t   # big one
  otherwise :tariff t
}
)";
  Diagnostics diags;
  Domain d = parse({SourceFile{"a.pd", messy}}, diags);
  ASSERT_FALSE(diags.has_errors()) << render_all(diags.items(), d.files);
  std::string once = format_file(d, 0);
  EXPECT_EQ(once, R"(payment_institution p { realm live  residences [RUS, KZ]  default_tariff t }

tariff_binding b {  # who gets what
  when party == "a": tariff t  # big one
  otherwise: tariff t
}
)");
  Diagnostics again_diags;
  Domain again = parse({SourceFile{"a.pd", once}}, again_diags);
  ASSERT_FALSE(again_diags.has_errors());
  EXPECT_EQ(format_file(again, 0), once);
  for (size_t i = 0; i < d.objects.size(); ++i) EXPECT_EQ(dump_semantic(d.objects[i]), dump_semantic(again.objects[i]));
}

TEST(Binding, PartsNameEachRuleForDiffs) {
  Diagnostics diags;
  Domain d = parse({SourceFile{"a.pd", "tariff_binding b { when party == \"a\": tariff t\n otherwise: tariff u }\n"
                                       "payment_institution p { realm test default_tariff t }\n"}},
                   diags);
  ASSERT_FALSE(diags.has_errors());
  using Parts = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(object_parts(d, d.objects[0]),
            (Parts{{"binding rule 1", "when party == \"a\": tariff t"}, {"binding rule 2", "otherwise: tariff u"}}));
  EXPECT_EQ(object_parts(d, d.objects[1]), (Parts{{"realm", "realm test"}, {"default_tariff", "default_tariff t"}}));
}

}  // namespace
}  // namespace paydomain::dsl
