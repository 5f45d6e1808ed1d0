// Refunds along their payment's route (evaluator/refund_route.h): the
// original terminal, declines that name why, and the undetermined route
// without one; the JSON and fast context readers agree on the new fields.
#include <gtest/gtest.h>

#include "acme_files.h"
#include "evaluator/testing.h"
#include "operation_fixture.h"

namespace paydomain::evaluator {
namespace {

using nlohmann::json;

const char* kRefundDomain = R"(
currency RUB { numeric 643 exponent 2 }
payment_system visa { }
adapter a { url "https://a.example" }
provider bluebank {
  adapter a
  refunds {
    within 120 days
    fees {
      merchant.settlement -> provider.settlement : amount "refund to the payer"
      system.settlement -> provider.settlement : 10.00 RUB "Blue Bank refund fee"
    }
  }
}
provider greybank { adapter a  account RUB 10002  accepts currency == RUB  refunds { partial false } }
provider oldbank { adapter a  refunds { allowed false } }
terminal bb_main { provider bluebank }
terminal bb_off  { provider bluebank  disabled }
terminal bb_moto { provider bluebank  refunds { allowed false } }
terminal gb_main { provider greybank }
terminal ob_main { provider oldbank }
tariff standard {
  currencies [RUB]
  refunds { allowed true  within 180 days  fees { merchant.settlement -> system.settlement : 1.00 RUB "refund handling" } }
  routing main
  fees { merchant.settlement -> system.settlement : 1% of amount "processing fee" }
}
tariff premium extends standard { refunds { partial false } }
routing main { candidate gb_main }
)";

const testing::OperationDomain kRefund{"refund.pd", kRefundDomain};
using testing::eval;
using testing::terminal;

json refund() {
  return json::parse(R"({"operation": "refund", "tariff": "standard", "amount": {"amount": 10000, "currency": "RUB"},
                         "payment_amount": {"amount": 10000, "currency": "RUB"},
                         "payment_tool": {"kind": "bank_card", "payment_system": "visa"}})");
}

TEST(RefundRoute, GoesBackToTheOriginalTerminalNotTheRoutingsChoice) {
  auto d = kRefund.compile();
  json j = refund();
  j["time"] = "2026-11-25T12:00:00Z";
  j["payment_time"] = "2026-11-20T12:00:00Z";
  j["original_terminal"] = "bb_main";  // the ruleset would choose gb_main
  EvalResult r = eval(*d, j, true);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(terminal(*d, r.route.terminal), "bb_main");
  EXPECT_EQ(d->vocab.object_name(dsl::ObjectKind::Provider, r.route.provider), "bluebank");
  EXPECT_EQ(r.route.candidates, std::vector<int32_t>{r.route.terminal});
  ASSERT_EQ(r.route.explain.size(), 2u);
  EXPECT_EQ(r.route.explain[0], "terminal bb_main (line 17)");
  EXPECT_EQ(r.route.explain[1], "provider bluebank, refunds (line 7)");
  // A disabled terminal stops new payments, not the refunds of its old ones.
  j["original_terminal"] = "bb_off";
  r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(terminal(*d, r.route.terminal), "bb_off");
  // A payment ignores the field: the ruleset routes it.
  j["operation"] = "payment";
  r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(terminal(*d, r.route.terminal), "gb_main");
}

TEST(RefundRoute, AnUnknownTerminalDeclinesNamingItAndTheRevision) {
  auto d = kRefund.compile();
  json j = refund();
  j["original_terminal"] = "bb_2019";
  j["original_revision"] = 41;
  EvalResult r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Declined);
  EXPECT_EQ(r.route.decline(),
            "the payment's terminal bb_2019 (routed at revision 41) is not in this revision: the refund has no route");
  j.erase("original_revision");
  EXPECT_EQ(eval(*d, j).route.decline(),
            "the payment's terminal bb_2019 is not in this revision: the refund has no route");
  // The result JSON carries the built reason, escaped.
  j["original_terminal"] = "bb \"old\"";
  std::string text;
  auto ctx = testing::parse_json(j, *d);
  ASSERT_TRUE(ctx.ok());
  write_result(evaluate(*d, *ctx), *d->program, false, text);
  EXPECT_EQ(json::parse(text)["route"]["decline_reason"],
            "the payment's terminal bb \"old\" is not in this revision: the refund has no route");
}

TEST(RefundRoute, WithoutTheOriginalTerminalTheRouteIsUndetermined) {
  auto d = kRefund.compile();
  json j = refund();
  j["time"] = "2026-11-25T12:00:00Z";
  j["payment_time"] = "2026-11-20T12:00:00Z";
  EvalResult r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(missing_names(r.route.missing), std::vector<std::string>{"original_terminal"});
  // Any terminal that takes refunds may have taken the payment: not bb_moto, not oldbank's.
  std::vector<std::string> possible;
  for (int32_t t : r.route.possible) possible.push_back(terminal(*d, t));
  EXPECT_EQ(possible, (std::vector<std::string>{"bb_main", "bb_off", "gb_main"}));
  // Two of them have provider refund fees: the cash flow waits for the route.
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Undetermined);
  EXPECT_EQ(missing_names(r.cash_flow.missing), (std::vector<std::string>{"original_terminal", "route"}));
}

TEST(RefundRoute, BothContextReadersReadTheNewFields) {
  auto d = kRefund.compile();
  const std::string text =
      R"({"operation": "refund", "amount": {"amount": 1, "currency": "RUB"}, "original_terminal": "gb_main", "original_revision": 7})";
  Context fast, general;
  ASSERT_TRUE(parse_context_into(text, *d->program, fast).ok());
  ASSERT_TRUE(parse_context_general(text, *d->program, general).ok());
  for (const Context* c : {&fast, &general}) {
    EXPECT_TRUE(c->has_original_terminal);
    EXPECT_EQ(terminal(*d, c->original_terminal), "gb_main");
    EXPECT_EQ(c->original_terminal_id, "gb_main");
    EXPECT_TRUE(c->has_original_revision);
    EXPECT_EQ(c->original_revision, 7);
  }
  auto bad = parse_context(std::string_view(R"({"original_revision": -1})"), *d->program);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().text(), "$.original_revision: expected a revision (a whole number) (not negative)");
  bad = parse_context(std::string_view(R"({"original_terminal": 3})"), *d->program);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().text(), "$.original_terminal: expected a string");
}

// The provider's refund terms: the principal goes back through it, plus its
// fee, plus the tariff's refund fee.
TEST(RefundRoute, TheCashFlowMovesThePrincipalBackThroughTheProvider) {
  auto d = kRefund.compile();
  json j = refund();
  j["time"] = "2026-11-25T12:00:00Z";
  j["payment_time"] = "2026-11-20T12:00:00Z";
  j["original_terminal"] = "bb_main";
  EvalResult r = eval(*d, j);
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined) << r.cash_flow.error;
  ASSERT_EQ(r.cash_flow.postings.size(), 3u);
  EXPECT_EQ(r.cash_flow.postings[0].details, "refund handling");
  EXPECT_FALSE(r.cash_flow.postings[0].provider);
  EXPECT_EQ(r.cash_flow.postings[1].from, "merchant.settlement");
  EXPECT_EQ(r.cash_flow.postings[1].to, "provider.settlement");
  EXPECT_EQ(r.cash_flow.postings[1].amount, (Money{10000, "RUB"}));
  EXPECT_TRUE(r.cash_flow.postings[1].provider);
  EXPECT_EQ(r.cash_flow.postings[2].amount, (Money{1000, "RUB"}));
  // A payment through the same terminal takes no refund postings.
  j["operation"] = "payment";
  j["routing"] = "main";
  r = eval(*d, j);
  ASSERT_EQ(r.cash_flow.postings.size(), 1u);
  EXPECT_EQ(r.cash_flow.postings[0].details, "processing fee");
}

TEST(RefundRoute, ATerminalOrProviderThatRefusesRefundsDeclinesThem) {
  auto d = kRefund.compile();
  json j = refund();
  j["original_terminal"] = "bb_moto";
  j["original_revision"] = 41;
  EXPECT_EQ(eval(*d, j).route.decline(),
            "refunds are not allowed by terminal bb_moto: terminal bb_moto (routed at revision 41) cannot take the refund");
  j["original_terminal"] = "ob_main";
  j.erase("original_revision");
  EvalResult r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Declined);
  EXPECT_EQ(r.route.decline(), "refunds are not allowed by provider oldbank: terminal ob_main cannot take the refund");
}

TEST(RefundRoute, AProviderThatRefundsInFullOnlyDeclinesAPartOrWaitsForThePayment) {
  auto d = kRefund.compile();
  json j = refund();
  j["original_terminal"] = "gb_main";
  EXPECT_EQ(eval(*d, j).route.status, RouteResult::Status::Chosen);  // 100.00 of 100.00
  j["amount"]["amount"] = 4000;
  EXPECT_EQ(eval(*d, j).route.decline(),
            "partial refunds are not allowed by provider greybank (40.00 of 100.00 RUB): terminal gb_main cannot take "
            "the refund");
  j.erase("payment_amount");
  EvalResult r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(missing_names(r.route.missing), std::vector<std::string>{"payment_amount"});
  ASSERT_EQ(r.route.possible.size(), 1u);
  EXPECT_EQ(terminal(*d, r.route.possible[0]), "gb_main");
}

// `within`: the tariff forbids a late refund, the provider declines one; a
// missing time is never a guess.
TEST(RefundRoute, RefundWindowsOfTheTariffAndTheProvider) {
  auto d = kRefund.compile();
  json j = refund();
  j["original_terminal"] = "bb_main";
  j["time"] = "2026-11-25T12:00:00Z";
  j["payment_time"] = "2026-07-25T11:00:00Z";  // 123 days 1 hour before: inside 180, outside 120
  EvalResult r = eval(*d, j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Allowed);
  ASSERT_EQ(r.route.status, RouteResult::Status::Declined);
  EXPECT_EQ(r.route.decline(),
            "provider bluebank takes refunds within 120 days of the payment; this one comes 123 days 1 hour after it "
            "(the payment was at 2026-07-25T11:00:00Z): terminal bb_main cannot take the refund");
  j["payment_time"] = "2026-05-25T11:59:00Z";  // 184 days 1 minute before
  r = eval(*d, j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  ASSERT_EQ(r.terms.reasons.size(), 1u);
  EXPECT_EQ(r.terms.reasons[0],
            "tariff standard takes refunds within 180 days of the payment; this one comes 184 days 1 minute after it "
            "(the payment was at 2026-05-25T11:59:00Z)");
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Forbidden);
  // Exactly at the end of the window is inside it.
  j["payment_time"] = "2026-05-29T12:00:00Z";
  j["original_terminal"] = "gb_main";
  EXPECT_EQ(eval(*d, j).terms.verdict, TermsResult::Verdict::Allowed);
  // The child inherits the window item by item (it writes only `partial`).
  j["tariff"] = "premium";
  j["payment_time"] = "2026-05-25T11:59:00Z";
  EXPECT_EQ(eval(*d, j).terms.reasons.at(0).substr(0, 44), "tariff premium takes refunds within 180 days");
  // Without the payment's time: undetermined, naming it.
  j.erase("payment_time");
  r = eval(*d, j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
  EXPECT_EQ(missing_names(r.terms.missing), std::vector<std::string>{"payment_time"});
  j["original_terminal"] = "bb_main";
  r = eval(*d, j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(missing_names(r.route.missing), std::vector<std::string>{"payment_time"});
  // A payment has no window.
  j["operation"] = "payment";
  EXPECT_EQ(eval(*d, j).terms.verdict, TermsResult::Verdict::Allowed);
}

TEST(RefundRoute, TheCheckerKeepsFeesAndWindowsOffTerminals) {
  auto check = [](const std::string& extra) { return kRefund.check(extra); };
  EXPECT_NE(check("terminal t2 { provider bluebank  refunds { within 3 days } }")
                .find("error: 'within' is not allowed in a terminal's refunds"),
            std::string::npos);
  EXPECT_NE(check("terminal t2 { provider bluebank  refunds { fees { } } }")
                .find("error: 'fees' is not allowed in a terminal's refunds"),
            std::string::npos);
  EXPECT_NE(check("provider p2 { adapter a  refunds { within 0 days } }").find("a refund window must be positive"),
            std::string::npos);
  EXPECT_NE(check("provider p2 { adapter a  refunds { within 40000 days } }").find("at most 36500 days"),
            std::string::npos);
  EXPECT_NE(check("provider p2 { adapter a  refunds { within 3 weeks } }").find("time unit"), std::string::npos);
  EXPECT_EQ(check("provider p2 { adapter a  refunds { within 72 hours } }"), "");
}

// The artifact carries the terms, one record per object, and reads them back.
TEST(RefundRoute, TheArtifactCarriesTheTerms) {
  auto d = kRefund.compile();
  const std::string bytes = write_artifact(*d, 1, "");
  auto p = Program::load(bytes);
  ASSERT_TRUE(p.ok()) << p.error().text();
  const Program& prog = **p;
  ASSERT_NE(prog.provider_refunds(0), nullptr);
  EXPECT_EQ(prog.str(prog.provider_refunds(0)->within), "120 days");
  EXPECT_EQ(prog.provider_refunds(0)->within_seconds, 120 * 86400);
  EXPECT_NE(prog.provider_refunds(0)->fees, pdc::kNone);
  EXPECT_EQ(prog.provider_refunds(1)->partial, 0);
  EXPECT_EQ(prog.provider_refunds(2)->allowed, 0);
  EXPECT_EQ(prog.terminal_refunds(2)->allowed, 0);
  EXPECT_EQ(prog.terminal_refunds(0)->allowed, 1);
  EXPECT_EQ(prog.tariff_refunds(0)->within_seconds, 180 * 86400);
  for (pdc::Sec s : {pdc::Sec::TariffRefunds, pdc::Sec::ProviderRefunds, pdc::Sec::TerminalRefunds})
    testing::expect_refused_without(bytes, s);
}

// examples/acme's refunds along their route, captures and chargebacks (and every other test of it) pass.
TEST(RefundRoute, AcmeTestsPass) {
  dsl::Diagnostics diags;
  dsl::Domain dom = dsl::load(testing::acme(), diags);
  ASSERT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), dom.files);
  auto c = compile(dom);
  ASSERT_TRUE(c.ok());
  TestReport r = run_tests(dom, **c);
  EXPECT_EQ(r.cases.size(), 56u);
  for (const TestCase& t : r.cases) EXPECT_TRUE(t.passed) << t.name << ": " << (t.failures.empty() ? "" : t.failures[0]);
}

}  // namespace
}  // namespace paydomain::evaluator
