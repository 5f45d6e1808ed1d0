#include <gtest/gtest.h>

#include <algorithm>

#include "dsl/parser.h"
#include "tests/dsl/test_util.h"

namespace paydomain::dsl {
namespace {

using testing::load_text;

// The base domain with one textual replacement applied.
testing::Loaded with(const std::string& from, const std::string& to) {
  return testing::load_replaced(testing::kBaseDomain, from, to);
}

TEST(Checker, MisspelledTerminalGetsSuggestion) {
  auto l = with("candidate yb_fast", "candidate yb_fsat");
  const Diagnostic* d = l.first("unknown-reference");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_EQ(d->suggestion, "yb_fast");
  EXPECT_EQ(d->object, "routing main");
  EXPECT_NE(l.rendered().find("did you mean 'yb_fast'?"), std::string::npos);
  EXPECT_NE(l.rendered().find("^~~~~~~"), std::string::npos) << l.rendered();
}

// A provider's `account CUR NUMBER`: a currency that must exist, digits,
// one per currency (tests/dsl/accounts_test.cc has the rest of the rules).
TEST(Checker, ProviderAccountsNeedAKnownCurrencyAndOnePerCurrency) {
  auto twice = with("account RUB 10001", "account RUB 10001\n  account RUB 10002");
  const Diagnostic* dup = twice.first("duplicate-account");
  ASSERT_NE(dup, nullptr) << twice.rendered();
  EXPECT_EQ(dup->object, "provider yellowbank");
  auto unknown = with("account RUB 10001", "account XYZ 10001");
  const Diagnostic* d = unknown.first("unknown-reference");
  ASSERT_NE(d, nullptr) << unknown.rendered();
  EXPECT_EQ(d->object, "provider yellowbank");
  EXPECT_TRUE(with("account RUB 10001", "account RUB \"10001\"").has("syntax"));
}

// Find references and rename read the checker's own resolution: every place
// it reads as terminal yb_3ds (declaration, candidates of both rulesets, the
// test's expectation), and nothing in a comment or of another kind.
TEST(Checker, IdUsesAreTheCheckersReferences) {
  std::string text = std::string(testing::kBaseDomain) + "# yb_3ds in a comment\ncategory yb_3ds { name \"yb_3ds\" }\n";
  Diagnostics diags;
  Domain d = parse({SourceFile{"a.pd", text}}, diags);
  ASSERT_FALSE(diags.has_errors());
  std::vector<IdUse> uses = id_uses(d, diags);
  std::vector<std::string> found;
  for (const IdUse& u : uses) {
    if (u.id != "yb_3ds" || u.kind != ObjectKind::Terminal) continue;
    EXPECT_EQ(text.substr(u.span.offset, u.span.end_offset - u.span.offset), "yb_3ds");
    std::string line = text.substr(0, u.span.offset);
    line = line.substr(line.rfind('\n') + 1);
    found.push_back(line + (u.declaration ? " (declaration)" : ""));
  }
  EXPECT_EQ(found, (std::vector<std::string>{"terminal  (declaration)", "  candidate ", "routing usd { candidate ", "  expect route "}));
  size_t categories = 0;
  for (const IdUse& u : uses) categories += u.id == "yb_3ds" && u.kind == ObjectKind::Category;
  EXPECT_EQ(categories, 1u);  // its own declaration only: the string and the comment are not uses
}

TEST(Checker, WrongKindOfReference) {
  auto l = with("payment_system in [mastercard]", "payment_system in [RUB]");
  const Diagnostic* d = l.first("wrong-kind");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_NE(d->message.find("is a currency, not a payment system"), std::string::npos) << d->message;
}

TEST(Checker, UnknownAttributeAndOperator) {
  auto l = with("when payment_system in", "when payment_sytem in");
  EXPECT_EQ(l.first("unknown-attribute")->suggestion, "payment_system");
  auto m = with("when risk == fatal", "when category > retail");
  EXPECT_TRUE(m.has("operator")) << m.rendered();
}

// 100 x 10^17 overflowed int64: a tiny share was "more than 100%".
TEST(Checker, TinySharesAreNotOverAHundredPercent) {
  auto fee = with("1% of amount \"1% processing fee\"", "0.00000000000000001% of amount");
  EXPECT_FALSE(fee.has("share-too-large")) << fee.rendered();
  EXPECT_FALSE(fee.diags.has_errors()) << fee.rendered();
  // Numbers have at most 18 digits: the finest scale next to 100%.
  EXPECT_TRUE(with("1% of amount \"1% processing fee\"", "100.00000000000001% of amount").has("share-too-large"));
  EXPECT_FALSE(with("1% of amount \"1% processing fee\"", "99.999999999999999% of amount").diags.has_errors());
  EXPECT_FALSE(with("1% of amount \"1% processing fee\"", "100.000000000000000% of amount").diags.has_errors());
  auto rate = with("health.failure_rate >= 70%", "health.failure_rate >= 0.00000000000000001%");
  EXPECT_FALSE(rate.diags.has_errors()) << rate.rendered();
  EXPECT_TRUE(with("health.failure_rate >= 70%", "health.failure_rate >= 100.1%").has("type"));
}

TEST(Checker, AmountsNeedKnownCurrencyAndPrecision) {
  EXPECT_TRUE(with("amount < 3000.00 RUB", "amount < 3000.00 EUR").has("unknown-reference"));
  EXPECT_TRUE(with("amount < 3000.00 RUB", "amount < 3000.005 RUB").has("too-precise"));
  EXPECT_TRUE(with("amount < 3000.00 RUB", "amount < 3000").has("type"));
  EXPECT_TRUE(with("10.00 RUB and 500000.00 RUB", "10.00 RUB and 500000.00 USD").has("currency-mismatch"));
  EXPECT_TRUE(with("10.00 RUB and 500000.00 RUB", "600000.00 RUB and 500000.00 RUB").has("empty-range"));
}

TEST(Checker, ExponentZeroCurrency) {
  auto l = with("amount < 3000.00 RUB", "amount < 3000 JPY");
  EXPECT_FALSE(l.diags.has_errors()) << l.rendered();
  EXPECT_TRUE(with("amount < 3000.00 RUB", "amount < 3000.5 JPY").has("too-precise"));
}

TEST(Checker, ZeroDenominatorAndMixedCurrencies) {
  EXPECT_TRUE(with(": 1% of amount", ": 1/0 of amount").has("zero-denominator"));
  EXPECT_FALSE(with(": 1% of amount", ": 1/3 of amount").diags.has_errors());
  EXPECT_TRUE(with("max(2.5% of amount, 10.00 RUB)", "max(1.00 USD, 10.00 RUB)").has("currency-mismatch"));
}

TEST(Checker, TerminalNeedsExistingProvider) {
  auto l = with("terminal yb_3ds { provider yellowbank", "terminal yb_3ds { provider yelowbank");
  const Diagnostic* d = l.first("unknown-reference");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->suggestion, "yellowbank");
  EXPECT_TRUE(with("terminal yb_3ds { provider yellowbank risk_coverage high }", "terminal yb_3ds { }")
                  .has("missing-clause"));
}

TEST(Checker, RoutingCycle) {
  auto l = with("routing usd { candidate yb_3ds }", "routing usd { use main }");
  const Diagnostic* d = l.first("routing-cycle");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_NE(d->message.find("main -> usd -> main"), std::string::npos) << d->message;
}

// Named conditions: resolved like references, checked where they are defined,
// and never in a cycle.
testing::Loaded with_criteria(const std::string& criteria, const std::string& limit_when) {
  std::string text = std::string(testing::kBaseDomain) + criteria;
  const std::string from = "when category == retail }";
  text.replace(text.find(from), from.size(), "when " + limit_when + " }");
  return load_text(text);
}

TEST(Checker, CriteriaResolveByName) {
  auto ok = with_criteria(
      "criterion big { when amount >= 1000.00 RUB }\n"
      "criterion big_retail { name \"Big retail\" when big and category == retail }\n",
      "big_retail or not (big and card_type is prepaid)");
  EXPECT_FALSE(ok.diags.has_errors()) << ok.rendered();
  auto typo = with_criteria("criterion big_retail { when category == retail }\n", "big_retial");
  const Diagnostic* d = typo.first("unknown-reference");
  ASSERT_NE(d, nullptr) << typo.rendered();
  EXPECT_EQ(d->suggestion, "big_retail");
  EXPECT_NE(d->message.find("unknown criterion 'big_retial'"), std::string::npos) << d->message;
  EXPECT_EQ(d->object, "limit card_daily");
  auto kind = with_criteria("", "mastercard");
  d = kind.first("wrong-kind");
  ASSERT_NE(d, nullptr) << kind.rendered();
  EXPECT_NE(d->message.find("is a payment system, not a criterion"), std::string::npos) << d->message;
}

TEST(Checker, CriteriaAreTypeCheckedWhereDefined) {
  auto l = with_criteria("criterion odd { when card_type == gold and amount >= 10 and issuer_bank == sber }\n", "odd");
  EXPECT_EQ(l.diags.error_count(), 3u) << l.rendered();
  const Diagnostic* d = l.first("unknown-value");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_EQ(d->object, "criterion odd");
  EXPECT_TRUE(l.has("type"));
  EXPECT_TRUE(
      with_criteria("criterion sick { when health.failure_rate >= 50% }\n", "sick").has("health-outside-exclude"));
  EXPECT_TRUE(with_criteria("criterion empty { name \"x\" }\n", "category == retail").has("missing-clause"));
}

TEST(Checker, CriterionCyclesAreNamed) {
  auto l = with_criteria(
      "criterion a { when b and currency == RUB }\ncriterion b { when c }\ncriterion c { when a or risk == low }\n",
      "category == retail");
  const Diagnostic* d = l.first("criterion-cycle");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_NE(d->message.find("a -> b -> c -> a"), std::string::npos) << d->message;
  EXPECT_EQ(l.diags.error_count(), 1u) << l.rendered();
  EXPECT_TRUE(with_criteria("criterion self { when self }\n", "category == retail").has("criterion-cycle"));
  // check_objects (a one-object commit) finds a cycle a changed criterion closes.
  Diagnostics diags;
  Domain dom = load_text(std::string(testing::kBaseDomain) + "criterion a { when b }\ncriterion b { when a }\n").domain;
  check_objects(dom, {dom.objects.size() - 1}, diags);
  EXPECT_TRUE(diags.has_errors());
}

// `tariff premium extends standard`: the parent is a tariff reference
// (unknown with a suggestion, wrong kind named, a use for find references),
// only tariffs extend, and cycles are named at the `extends` that closes them.
TEST(Checker, TariffInheritance) {
  auto ok = with("routing main {", "tariff premium extends standard { hold_lifetime 30 days }\nrouting main {");
  EXPECT_EQ(ok.diags.error_count(), 0u) << ok.rendered();

  auto unknown = with("routing main {", "tariff premium extends standrd { }\nrouting main {");
  const Diagnostic* d = unknown.first("unknown-reference");
  ASSERT_NE(d, nullptr) << unknown.rendered();
  EXPECT_EQ(d->message, "unknown tariff 'standrd'");
  EXPECT_EQ(d->suggestion, "standard");
  EXPECT_EQ(d->object, "tariff premium");

  auto kind = with("routing main {", "tariff premium extends usd { }\nrouting main {");
  ASSERT_NE(kind.first("wrong-kind"), nullptr) << kind.rendered();
  EXPECT_EQ(kind.first("wrong-kind")->message, "'usd' is a routing, not a tariff");

  auto routing = with("routing usd {", "routing usd extends main {");
  const Diagnostic* m = routing.first("misplaced-clause");
  ASSERT_NE(m, nullptr) << routing.rendered();
  EXPECT_EQ(m->message, "'extends' is not allowed in a routing");

  auto cycle = load_text(std::string(testing::kBaseDomain) +
                         "tariff a extends c { }\ntariff b extends a { }\ntariff c extends b { }\ntariff d extends c { }\n");
  const Diagnostic* c = cycle.first("inheritance-cycle");
  ASSERT_NE(c, nullptr) << cycle.rendered();
  EXPECT_EQ(c->message, "tariffs extend each other in a cycle: a -> c -> b -> a") << cycle.rendered();
  EXPECT_EQ(cycle.diags.error_count(), 1u) << cycle.rendered();  // d only leads into the cycle
  EXPECT_NE(cycle.rendered().find("test.pd:"), std::string::npos);
  EXPECT_TRUE(load_text(std::string(testing::kBaseDomain) + "tariff self extends self { }\n").has("inheritance-cycle"));

  // check_objects (a one-object commit) finds a cycle a changed tariff closes.
  Diagnostics diags;
  Domain dom = load_text(std::string(testing::kBaseDomain) + "tariff a extends standard { }\n").domain;
  dom.objects.back().parent->text = "a";
  check_objects(dom, {dom.objects.size() - 1}, diags);
  EXPECT_TRUE(diags.has_errors());

  // Find references: the parent is a use of the tariff.
  Diagnostics ud;
  Domain p = parse({SourceFile{"a.pd", std::string(testing::kBaseDomain) + "tariff premium extends standard { }\n"}}, ud);
  std::vector<IdUse> uses = id_uses(p, ud);
  EXPECT_TRUE(std::any_of(uses.begin(), uses.end(), [](const IdUse& u) {
    return u.kind == ObjectKind::Tariff && u.id == "standard" && !u.declaration && u.span.column == 24;
  }));
}

// A long `extends` chain checks without deep recursion.
TEST(Checker, LongTariffChains) {
  std::string chain;
  for (int i = 1; i < 3000; ++i) chain += "tariff t" + std::to_string(i) + " extends t" + std::to_string(i - 1) + " { }\n";
  auto ok = load_text(std::string(testing::kBaseDomain) + "tariff t0 extends standard { }\n" + chain);
  EXPECT_FALSE(ok.diags.has_errors()) << ok.rendered().substr(0, 2000);
  auto loop = load_text(std::string(testing::kBaseDomain) + "tariff t0 extends t2999 { }\n" + chain);
  EXPECT_EQ(loop.diags.error_count(), 1u) << loop.rendered().substr(0, 2000);
}

// A chain of thousands of criteria checks without deep recursion; each
// naming the previous one twice would expand beyond any bound and is refused.
TEST(Checker, LongCriterionChains) {
  std::string chain = "criterion c0 { when risk == low }\n";
  for (int i = 1; i < 3000; ++i) {
    chain += "criterion c" + std::to_string(i) + " { when c" + std::to_string(i - 1) + " }\n";
  }
  auto ok = with_criteria(chain, "c2999");
  EXPECT_FALSE(ok.diags.has_errors()) << ok.rendered().substr(0, 2000);
  std::string doubling = "criterion d0 { when risk == low }\n";
  for (int i = 1; i < 20; ++i) {
    std::string p = "d" + std::to_string(i - 1);
    doubling += "criterion d" + std::to_string(i) + " { when " + p + " or " + p + " }\n";
  }
  auto big = with_criteria(doubling, "d19");
  const Diagnostic* d = big.first("criterion-too-large");
  ASSERT_NE(d, nullptr) << big.rendered();
  EXPECT_NE(d->message.find("criterion 'd"), std::string::npos) << d->message;
}

TEST(Checker, TimeZones) {
  EXPECT_FALSE(with("timezone \"+03:00\"", "timezone \"Europe/Moscow\"").diags.has_errors());
  EXPECT_FALSE(with("timezone \"+03:00\"", "timezone \"America/New_York\"").diags.has_errors());
  auto l = with("timezone \"+03:00\"", "timezone \"Europe/Moskow\"");
  const Diagnostic* d = l.first("timezone");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_EQ(d->suggestion, "Europe/Moscow");
  EXPECT_TRUE(with("timezone \"+03:00\"", "timezone \"+15:00\"").has("timezone"));
}

TEST(Checker, DuplicateIdsWithinKindOnly) {
  auto l = load_text(std::string(testing::kBaseDomain) + "category retail { }\ncategory visa { }\n");
  EXPECT_EQ(l.diags.error_count(), 1u) << l.rendered();
  EXPECT_TRUE(l.has("duplicate-id"));
}

TEST(Checker, MisplacedAndDuplicateClauses) {
  EXPECT_TRUE(with("terminal yb_3ds { provider yellowbank", "terminal yb_3ds { url \"x\" provider yellowbank")
                  .has("misplaced-clause"));
  EXPECT_TRUE(with("hold_lifetime 7 days", "hold_lifetime 7 days hold_lifetime 2 days").has("duplicate-clause"));
  EXPECT_TRUE(with("hold_lifetime 7 days", "hold_lifetime 7 weeks").has("unknown-value"));
}

TEST(Checker, HealthOnlyInExclude) {
  EXPECT_TRUE(with("when risk == fatal: decline", "when health.failure_rate > 10%: decline").has("health-outside-exclude"));
}

TEST(Checker, EnumsAccountsAndBins) {
  EXPECT_EQ(with("risk == fatal", "risk == fatl").first("unknown-value")->suggestion, "fatal");
  EXPECT_EQ(with("merchant.settlement -> system.settlement : 1%", "merchant.setlement -> system.settlement : 1%")
                .first("unknown-account")
                ->suggestion,
            "merchant.settlement");
  EXPECT_FALSE(with("when risk == fatal", "when bin starts_with [\"4276\", \"5469\"]").diags.has_errors());
  EXPECT_TRUE(with("when risk == fatal", "when bin starts_with \"42x\"").has("type"));
  EXPECT_TRUE(with("payment_methods [bank_card(visa)", "payment_methods [bank_card(qiwi)").has("wrong-kind"));
}

TEST(Checker, CurrencyRules) {
  auto l = load_text("currency rub { numeric 643 exponent 2 }\ncurrency EUR { numeric 1000 exponent 2 }\n");
  EXPECT_TRUE(l.has("currency-code"));
  EXPECT_TRUE(l.has("range"));
}

TEST(Checker, TestBlocks) {
  EXPECT_TRUE(with("given { tariff standard", "given { tarif standard").has("unknown-field"));
  EXPECT_TRUE(with("given { tariff standard", "given { tariff premium").has("unknown-reference"));
  EXPECT_TRUE(with("expect route yb_3ds", "expect route yb_3d").has("unknown-reference"));
  EXPECT_TRUE(with("expect route yb_3ds", "expect limit card_daily applies").diags.items().empty());
  // A refund's original payment is money.
  EXPECT_FALSE(with("given { tariff standard", "given { tariff standard payment_amount 6000.00 RUB").diags.has_errors());
  EXPECT_TRUE(with("given { tariff standard", "given { tariff standard payment_amount 12").has("type"));
  // Every given line at most once: a field, a health metric of a terminal, a limit's turnover.
  EXPECT_TRUE(with("given { tariff standard", "given { tariff standard risk low").has("duplicate-field"));
  auto health = with("given { tariff standard",
                     "given { tariff standard health yb_3ds failure_rate 10% health yb_3ds failure_rate 90%");
  ASSERT_TRUE(health.first("duplicate-field"));
  EXPECT_EQ(health.first("duplicate-field")->message, "'health yb_3ds failure_rate' is given twice");
  EXPECT_FALSE(with("given { tariff standard",
                    "given { tariff standard health yb_3ds failure_rate 10% health yb_3ds latency_ms 9 "
                    "health yb_fast failure_rate 10%")
                   .diags.has_errors());
  auto turnover = with("given { tariff standard",
                       "given { tariff standard turnover card_daily 1.00 RUB turnover card_daily 99999.00 RUB");
  ASSERT_TRUE(turnover.first("duplicate-field"));
  EXPECT_EQ(turnover.first("duplicate-field")->message, "'turnover card_daily' is given twice");
}

// A limit kept per terminal (or provider) has one counter per terminal: a
// test's turnover names which, and only such a limit's does.
TEST(Checker, RouteScopedTurnoverNamesItsTerminal) {
  auto route_limit = [](const std::string& given) {
    std::string text = testing::kBaseDomain;
    text += "limit yb_daily { scope [shop, terminal] period day count <= 10 }\n"
            "limit yb_bank { scope [provider] period day count <= 10 }\n";
    text.replace(text.find("given { tariff standard"), 23, "given { tariff standard " + given);
    return testing::load_text(text);
  };
  EXPECT_FALSE(route_limit("turnover yb_daily yb_3ds 3 turnover yb_daily yb_fast 4 turnover yb_bank yellowbank 1")
                   .diags.has_errors());
  auto flat = route_limit("turnover yb_daily 3");
  ASSERT_TRUE(flat.first("type"));
  EXPECT_EQ(flat.first("type")->message, "limit yb_daily keeps one counter per terminal: say which");
  EXPECT_TRUE(route_limit("turnover yb_bank yb_3ds 1").has("wrong-kind"));  // a terminal, not a provider
  EXPECT_TRUE(route_limit("turnover yb_daily yb_3dz 1").has("unknown-reference"));
  auto twice = route_limit("turnover yb_daily yb_3ds 3 turnover yb_daily yb_3ds 4");
  ASSERT_TRUE(twice.first("duplicate-field"));
  EXPECT_EQ(twice.first("duplicate-field")->message, "'turnover yb_daily yb_3ds' is given twice");
  auto keyed = with("given { tariff standard", "given { tariff standard turnover card_daily yb_3ds 1.00 RUB");
  ASSERT_TRUE(keyed.first("type"));
  EXPECT_EQ(keyed.first("type")->message, "limit card_daily is not kept per terminal or provider");
}

TEST(Checker, UnknownRoundingModeDoesNotHideOtherErrors) {
  std::string text = testing::kBaseDomain;
  text.replace(text.find("round half_even"), 15, "round half_evn");
  text.replace(text.find("candidate yb_fast"), 17, "candidate yb_fsat");
  auto l = load_text(text);
  ASSERT_NE(l.first("unknown-rounding"), nullptr) << l.rendered();
  EXPECT_EQ(l.first("unknown-rounding")->suggestion, "half_even");
  EXPECT_TRUE(l.has("unknown-reference"));
}

TEST(Checker, ReportsManyErrorsAtOnce) {
  std::string text = testing::kBaseDomain;
  text += "terminal t1 { provider nobody }\nterminal t2 { provider nobody2 }\nrouting r { candidate none }\n";
  auto l = load_text(text);
  EXPECT_GE(l.diags.error_count(), 3u);
}

TEST(Checker, ExamplesAreClean) {
  Diagnostics diags;
  auto files = read_sources({PAYDOMAIN_SOURCE_DIR "/examples/acme"}, diags);
  ASSERT_GE(files.size(), 3u);
  Domain d = load(files, diags);
  EXPECT_EQ(diags.items().size(), 0u) << render_all(diags.items(), files);
}

}  // namespace
}  // namespace paydomain::dsl
