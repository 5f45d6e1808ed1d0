// Captures of a hold (docs/language.md, "Captures: taking a hold, in part"):
// to the hold's terminal, never more than the hold, in part only where the
// tariff, the provider and the terminal allow it, not after the tariff's
// hold_lifetime; the fees are the payment's, on the captured amount. The
// artifact walk (the service) and the embedded client's program agree.
#include <gtest/gtest.h>

#include "operation_fixture.h"

namespace paydomain::evaluator {
namespace {

using nlohmann::json;

const char* kCaptureDomain = R"(
currency RUB { numeric 643 exponent 2 }
payment_system visa { }
adapter a { url "https://a.example" }
provider bluebank {
  adapter a
  fees {
    provider.settlement -> merchant.settlement : amount "payment amount to the merchant"
    system.settlement -> provider.settlement : 1.6% of amount round half_even "Blue Bank card fee"
  }
}
provider greybank { adapter a  captures { partial false } }
terminal bb_main { provider bluebank }
terminal bb_moto { provider bluebank  captures { partial false } }
terminal gb_main { provider greybank }
tariff standard {
  currencies [RUB]
  fees { merchant.settlement -> system.settlement : 2.5% of amount round towards_zero "processing fee" }
  hold_lifetime 7 days
  routing main
}
tariff strict extends standard { captures { partial false } }
routing main { candidate gb_main }
)";

const testing::OperationDomain kCapture{"capture.pd", kCaptureDomain};
using testing::eval;
using testing::terminal;

// 1234.57 RUB of a 6000.00 RUB hold on bb_main, two days after it.
json capture() {
  return json::parse(R"({"operation": "capture", "tariff": "standard", "amount": {"amount": 123457, "currency": "RUB"},
                         "payment_amount": {"amount": 600000, "currency": "RUB"}, "original_terminal": "bb_main",
                         "time": "2026-11-22T10:00:00Z", "payment_time": "2026-11-20T10:00:00Z",
                         "payment_tool": {"kind": "bank_card", "payment_system": "visa"}})");
}

TEST(Capture, GoesToTheHoldsTerminalWithThePaymentsFeesOnTheCapturedAmount) {
  auto d = kCapture.compile();
  EvalResult r = eval(*d, capture(), true);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Allowed);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);  // the ruleset would choose gb_main
  EXPECT_EQ(terminal(*d, r.route.terminal), "bb_main");
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined) << r.cash_flow.error;
  ASSERT_EQ(r.cash_flow.postings.size(), 3u);
  // 2.5% of 1234.57 = 30.86425, towards zero: 30.86
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{3086, "RUB"}));
  EXPECT_EQ(r.cash_flow.postings[1].amount, (Money{123457, "RUB"}));
  EXPECT_TRUE(r.cash_flow.postings[1].provider);
  // 1.6% of 1234.57 = 19.75312, half to even: 19.75
  EXPECT_EQ(r.cash_flow.postings[2].amount, (Money{1975, "RUB"}));
  // A capture takes a hold its payment counted: no limit counts it again.
  auto l = kCapture.compile("limit daily { scope [party] period day amount <= 100.00 RUB }");
  EXPECT_EQ(eval(*l, capture()).limits.at(0).status, LimitResult::Status::NotApplies);
}

TEST(Capture, NeverMoreThanTheHold) {
  auto d = kCapture.compile();
  json j = capture();
  j["amount"]["amount"] = 600001;
  EvalResult r = eval(*d, j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  ASSERT_EQ(r.terms.reasons.size(), 1u);
  EXPECT_EQ(r.terms.reasons[0], "the capture of 6000.01 RUB exceeds the authorised 6000.00 RUB");
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Forbidden);
  EXPECT_TRUE(r.cash_flow.postings.empty());
}

TEST(Capture, InPartOnlyWhereTheTariffTheProviderAndTheTerminalAllowIt) {
  auto d = kCapture.compile();
  json j = capture();
  j["tariff"] = "strict";  // inherits hold_lifetime, writes `captures { partial false }`
  EvalResult r = eval(*d, j, true);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  ASSERT_EQ(r.terms.reasons.size(), 1u);
  EXPECT_EQ(r.terms.reasons[0], "partial captures are not allowed by tariff strict (1234.57 of 6000.00 RUB)");
  EXPECT_NE(std::find(r.terms.explain.begin(), r.terms.explain.end(), "tariff strict, captures (line 22)"),
            r.terms.explain.end());
  j["amount"]["amount"] = 600000;  // the whole hold
  EXPECT_EQ(eval(*d, j).terms.verdict, TermsResult::Verdict::Allowed);
  j.erase("payment_amount");  // in full only, and the hold unknown: undetermined
  r = eval(*d, j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
  EXPECT_EQ(missing_names(r.terms.missing), std::vector<std::string>{"payment_amount"});

  j = capture();
  j["original_terminal"] = "bb_moto";
  j["original_revision"] = 41;
  r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Declined);
  EXPECT_EQ(r.route.decline(),
            "partial captures are not allowed by terminal bb_moto (1234.57 of 6000.00 RUB): terminal bb_moto (routed at "
            "revision 41) cannot take the capture");
  j["original_terminal"] = "gb_main";
  r = eval(*d, j, true);
  EXPECT_EQ(r.route.decline(),
            "partial captures are not allowed by provider greybank (1234.57 of 6000.00 RUB): terminal gb_main (routed at "
            "revision 41) cannot take the capture");
  j["amount"]["amount"] = 600000;
  r = eval(*d, j, true);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(r.route.explain, (std::vector<std::string_view>{"terminal gb_main (line 15)",
                                                            "provider greybank, captures (line 12)"}));
}

TEST(Capture, NotAfterTheHoldLifetime) {
  auto d = kCapture.compile();
  json j = capture();
  j["time"] = "2026-11-27T10:00:00Z";  // exactly 7 days: still held
  EXPECT_EQ(eval(*d, j).terms.verdict, TermsResult::Verdict::Allowed);
  j["time"] = "2026-11-28T12:30:00Z";
  EvalResult r = eval(*d, j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  ASSERT_EQ(r.terms.reasons.size(), 1u);
  EXPECT_EQ(r.terms.reasons[0],
            "the hold has expired: tariff standard holds a payment for 7 days; this one comes 8 days 2 hours 30 minutes "
            "after it (the payment was at 2026-11-20T10:00:00Z)");
  j.erase("payment_time");
  r = eval(*d, j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
  EXPECT_EQ(missing_names(r.terms.missing), std::vector<std::string>{"payment_time"});
}

TEST(Capture, WithoutTheHoldsTerminalTheRouteIsUndetermined) {
  auto d = kCapture.compile();
  json j = capture();
  j.erase("original_terminal");
  EvalResult r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(missing_names(r.route.missing), std::vector<std::string>{"original_terminal"});
  EXPECT_EQ(r.route.possible.size(), 3u);  // any terminal may have taken the hold
  j["original_terminal"] = "bb_2019";
  EXPECT_EQ(eval(*d, j).route.decline(),
            "the payment's terminal bb_2019 is not in this revision: the capture has no route");
}

TEST(Capture, TheCheckerTakesOnlyPartialInCapturesAndBoundsTheHoldLifetime) {
  auto check = [](const std::string& extra) { return kCapture.check(extra); };
  EXPECT_NE(check("provider p2 { adapter a  captures { allowed false } }")
                .find("error: 'allowed' is not allowed in captures"),
            std::string::npos);
  EXPECT_NE(check("tariff t2 { captures { fees { } } }").find("error: 'fees' is not allowed in captures"),
            std::string::npos);
  EXPECT_NE(check("tariff t2 { hold_lifetime 40000 days }").find("a hold lifetime is at most 36500 days"),
            std::string::npos);
  EXPECT_NE(check("routing r2 { captures { partial true } }").find("captures"), std::string::npos);
  EXPECT_EQ(check("terminal t2 { provider bluebank  captures { partial true } }"), "");
}

// The artifact carries the terms (2.0 sections) and the embedded client's
// program (loaded from the artifact's bytes) answers as the service.
TEST(Capture, TheArtifactCarriesTheTermsAndAnswersAsTheService) {
  auto d = kCapture.compile();
  const std::string bytes = write_artifact(*d, 1, "");
  auto p = Program::load(bytes);
  ASSERT_TRUE(p.ok()) << p.error().text();
  const Program& prog = **p;
  ASSERT_NE(prog.tariff_captures(1), nullptr);
  EXPECT_EQ(prog.tariff_captures(0)->partial, 1);
  EXPECT_EQ(prog.tariff_captures(1)->partial, 0);
  EXPECT_EQ(prog.provider_captures(1)->partial, 0);
  EXPECT_EQ(prog.terminal_captures(1)->partial, 0);
  EXPECT_EQ(prog.str(prog.provider_captures(1)->explain), "provider greybank, captures (line 12)");
  for (pdc::Sec s : {pdc::Sec::TariffCaptures, pdc::Sec::ProviderCaptures, pdc::Sec::TerminalCaptures})
    testing::expect_refused_without(bytes, s);
  for (const char* t : {"bb_main", "bb_moto", "gb_main"}) {
    for (int64_t amount : {123457, 600000, 600001}) {
      json j = capture();
      j["original_terminal"] = t;
      j["amount"]["amount"] = amount;
      testing::expect_client_answers_as_service(*d, prog, j);
    }
  }
}

}  // namespace
}  // namespace paydomain::evaluator
