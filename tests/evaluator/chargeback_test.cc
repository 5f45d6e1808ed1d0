// Chargebacks (docs/language.md, "Chargebacks"): back along the payment's
// route; the tariff's terms (allowed, the merchant's fees such as a levy, the
// reserve held while the dispute is open) and the provider's (allowed, the
// principal back through it), inherited item by item; the artifact walk and
// a program loaded from the artifact's bytes (the embedded client's) agree.
#include <gtest/gtest.h>

#include "operation_fixture.h"

namespace paydomain::evaluator {
namespace {

using nlohmann::json;

const char* kChargebackDomain = R"(
currency RUB { numeric 643 exponent 2 }
payment_system visa { }
adapter a { url "https://a.example" }
provider bluebank {
  adapter a
  chargebacks {
    fees {
      system.settlement -> provider.settlement : amount "the principal back to the issuer"
      system.settlement -> provider.settlement : 0.5% of amount round towards_zero "Blue Bank chargeback fee"
    }
  }
}
provider greybank { adapter a  chargebacks { allowed false } }
terminal bb_main { provider bluebank  disabled }
terminal gb_main { provider greybank }
tariff standard {
  currencies [RUB]
  chargebacks {
    allowed true
    fees { merchant.settlement -> system.settlement : 500.00 RUB "chargeback levy" }
    reserve { merchant.settlement -> merchant.guarantee : amount "held while the dispute is open" }
  }
  routing main
}
tariff premium extends standard { chargebacks { fees { merchant.settlement -> system.settlement : 250.00 RUB "levy" } } }
tariff basic { currencies [RUB] }
routing main { candidate gb_main }
)";

const testing::OperationDomain kChargeback{"chargeback.pd", kChargebackDomain};
using testing::eval;

// A chargeback of a whole 1234.57 RUB payment taken by bb_main.
json chargeback() {
  return json::parse(R"({"operation": "chargeback", "tariff": "standard", "amount": {"amount": 123457, "currency": "RUB"},
                         "payment_amount": {"amount": 123457, "currency": "RUB"}, "original_terminal": "bb_main",
                         "payment_tool": {"kind": "bank_card", "payment_system": "visa"}})");
}

TEST(Chargeback, TheLevyTheReserveAndThePrincipalBackThroughTheProvider) {
  auto d = kChargeback.compile();
  EvalResult r = eval(*d, chargeback(), true);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Allowed);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);  // the payment's terminal, disabled since
  EXPECT_EQ(d->vocab.object_name(dsl::ObjectKind::Terminal, r.route.terminal), "bb_main");
  EXPECT_EQ(r.route.explain, (std::vector<std::string_view>{"terminal bb_main (line 15)",
                                                            "provider bluebank, chargebacks (line 7)"}));
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined) << r.cash_flow.error;
  ASSERT_EQ(r.cash_flow.postings.size(), 4u);
  const auto& p = r.cash_flow.postings;
  auto is = [&](size_t i, std::string_view from, std::string_view to, int64_t minor) {
    EXPECT_EQ(p[i].from, from) << i;
    EXPECT_EQ(p[i].to, to) << i;
    EXPECT_EQ(p[i].amount, (Money{minor, "RUB"})) << i;
  };
  is(0, "merchant.settlement", "system.settlement", 50000);
  EXPECT_EQ(p[0].rule.rfind("tariff standard, chargeback fees, posting", 0), 0u) << p[0].rule;
  is(1, "merchant.settlement", "merchant.guarantee", 123457);
  EXPECT_EQ(p[1].rule.rfind("tariff standard, chargeback reserve, posting", 0), 0u) << p[1].rule;
  EXPECT_FALSE(p[1].provider);
  is(2, "system.settlement", "provider.settlement", 123457);
  EXPECT_TRUE(p[2].provider);
  EXPECT_EQ(p[3].amount, (Money{617, "RUB"}));  // 0.5% of 1234.57 = 6.17285, towards zero
  // A payment through the same provider takes none of it.
  json j = chargeback();
  j["operation"] = "payment";
  EXPECT_EQ(eval(*d, j).route.status, RouteResult::Status::Chosen);
  EXPECT_TRUE(eval(*d, j).cash_flow.postings.empty());
}

TEST(Chargeback, TermsOfTheTariffInheritedItemByItem) {
  auto d = kChargeback.compile();
  json j = chargeback();
  j["tariff"] = "premium";  // its own levy, standard's `allowed` and reserve
  EvalResult r = eval(*d, j, true);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Allowed);
  ASSERT_EQ(r.cash_flow.postings.size(), 4u);
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{25000, "RUB"}));
  EXPECT_EQ(r.cash_flow.postings[1].rule.rfind("tariff standard, chargeback reserve, posting", 0), 0u);
  EXPECT_NE(r.cash_flow.postings[1].rule.find("inherited by tariff premium"), std::string_view::npos);
  EXPECT_NE(std::find_if(r.terms.explain.begin(), r.terms.explain.end(),
                         [](std::string_view e) {
                           return e.rfind("tariff premium, chargebacks (line 26); allowed: tariff standard", 0) == 0;
                         }),
            r.terms.explain.end());
  // No chargeback terms: none allowed, nothing moves.
  j["tariff"] = "basic";
  r = eval(*d, j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  EXPECT_EQ(r.terms.reasons, std::vector<std::string>{"chargebacks are not allowed by tariff basic"});
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Forbidden);
  // Never more than the payment.
  j["tariff"] = "standard";
  j["amount"]["amount"] = 123458;
  EXPECT_EQ(eval(*d, j).terms.reasons,
            std::vector<std::string>{"the chargeback of 1234.58 RUB exceeds the payment of 1234.57 RUB"});
}

TEST(Chargeback, AProviderThatTakesNoneDeclinesAndWithoutTheTerminalTheRouteWaits) {
  auto d = kChargeback.compile();
  json j = chargeback();
  j["original_terminal"] = "gb_main";
  j["original_revision"] = 12;
  EvalResult r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Declined);
  EXPECT_EQ(r.route.decline(),
            "chargebacks are not allowed by provider greybank: terminal gb_main (routed at revision 12) cannot take the "
            "chargeback");
  j.erase("original_terminal");
  r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(missing_names(r.route.missing), std::vector<std::string>{"original_terminal"});
  ASSERT_EQ(r.route.possible.size(), 1u);  // greybank takes none
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Undetermined);  // bluebank's principal waits for the route
}

TEST(Chargeback, TheCheckerKeepsEachItemWhereItBelongs) {
  auto check = [](const std::string& extra) { return kChargeback.check(extra); };
  EXPECT_NE(check("tariff t2 { chargebacks { partial false } }").find("error: 'partial' is not allowed in chargebacks"),
            std::string::npos);
  EXPECT_NE(check("provider p2 { adapter a  chargebacks { reserve { } } }")
                .find("error: 'reserve' is not allowed in a provider's chargebacks"),
            std::string::npos);
  EXPECT_NE(check("tariff t2 { refunds { reserve { } } }").find("error: 'reserve' is not allowed in refunds"),
            std::string::npos);
  EXPECT_NE(check("terminal t2 { provider bluebank  chargebacks { allowed false } }").find("chargebacks"),
            std::string::npos);
  // A posting's currency is checked as in any cash flow.
  EXPECT_NE(check("tariff t2 { chargebacks { fees { merchant.settlement -> system.settlement : 5.00 RUR } } }")
                .find("did you mean 'RUB'"),
            std::string::npos);
  EXPECT_EQ(check("tariff t2 { chargebacks { allowed true  reserve { merchant.settlement -> merchant.guarantee : amount } } }"),
            "");
}

TEST(Chargeback, TheArtifactCarriesTheTermsAndAnswersAsTheService) {
  auto d = kChargeback.compile();
  const std::string bytes = write_artifact(*d, 1, "");
  auto p = Program::load(bytes);
  ASSERT_TRUE(p.ok()) << p.error().text();
  const Program& prog = **p;
  ASSERT_NE(prog.tariff_chargebacks(0), nullptr);
  EXPECT_EQ(prog.tariff_chargebacks(0)->allowed, 1);
  EXPECT_NE(prog.tariff_chargebacks(0)->reserve, pdc::kNone);
  EXPECT_EQ(prog.tariff_chargebacks(2)->allowed, 0);
  EXPECT_NE(prog.provider_chargebacks(0)->fees, pdc::kNone);
  EXPECT_EQ(prog.provider_chargebacks(1)->allowed, 0);
  for (pdc::Sec s : {pdc::Sec::TariffChargebacks, pdc::Sec::ProviderChargebacks}) testing::expect_refused_without(bytes, s);
  for (const char* tariff : {"standard", "premium", "basic"}) {
    for (const char* t : {"bb_main", "gb_main", "bb_2019"}) {
      json j = chargeback();
      j["tariff"] = tariff;
      j["original_terminal"] = t;
      testing::expect_client_answers_as_service(*d, prog, j);
    }
  }
}

}  // namespace
}  // namespace paydomain::evaluator
