// The final cash flow (evaluator/accounts.h): each posting's account ids from
// the context (the merchant's), the payment institution (system.*) and the
// chosen route's provider (provider.settlement); what is missing; an
// evaluation error naming an account a holder lacks; the artifact (1.3)
// carrying the accounts; `expect account` in tests; and, as a property,
// every random payment resolved as a straightforward reading of the
// domain's clauses (the oracle) resolves it.
#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "evaluator/analyze.h"
#include "evaluator/testing.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

using nlohmann::json;
using OK = dsl::ObjectKind;

std::string domain_text() {
  std::string d = testing::kDomain;
  // Yellow Bank models its accounts (RUB and USD, the currencies it accepts);
  // Blue Bank names none (its postings keep their roles only).
  d.replace(d.find("provider yellowbank {\n  adapter a\n"), 34,
            "provider yellowbank {\n  adapter a\n  account RUB 40702810000000001\n  account USD 40702840000000001\n");
  return d + R"(
tariff yen {
  currencies [JPY]
  fees { merchant.settlement -> system.settlement : 1% of amount "yen fee" }
}
payment_institution acme {
  realm live
  default_tariff standard
  account system.settlement RUB 40701810000000000010
  account system.settlement USD 40701840000000000010
}
payment_institution bare { realm test  default_tariff standard }
)";
}

const dsl::Domain& domain() {
  static const dsl::Domain d = [] {
    dsl::Diagnostics diags;
    dsl::Domain x = dsl::load({{"accounts.pd", domain_text()}}, diags);
    EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), x.files);
    return x;
  }();
  return d;
}

const CompiledDomain& compiled() {
  static const std::shared_ptr<const CompiledDomain> c = *compile(domain());
  return *c;
}

// A result views the merchant's accounts in its context (eval_result.h,
// PostingResult): parse_kept keeps the contexts for the test's whole run.
EvalResult eval(const json& j) { return evaluate(compiled(), testing::parse_kept(j, compiled())); }

json paying(const std::string& institution, bool merchant) {
  json j = testing::payment();
  if (!institution.empty()) j["payment_institution"] = institution;
  if (merchant) j["merchant_accounts"] = {{"settlement", "40702810500000012345"}};
  return j;
}

const PostingResult* posting(const EvalResult& r, std::string_view from, std::string_view to) {
  for (const PostingResult& p : r.cash_flow.postings)
    if (p.from == from && p.to == to) return &p;
  return nullptr;
}

TEST(Accounts, EachPostingGetsTheAccountsBehindItsRoles) {
  EvalResult r = eval(paying("acme", true));
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  const PostingResult* fee = posting(r, "merchant.settlement", "system.settlement");
  ASSERT_NE(fee, nullptr);
  EXPECT_EQ(fee->from_account, "40702810500000012345");
  EXPECT_EQ(fee->to_account, "40701810000000000010");
  EXPECT_EQ(fee->missing, 0u);
  const PostingResult* bank = posting(r, "system.settlement", "provider.settlement");
  ASSERT_NE(bank, nullptr);
  EXPECT_EQ(bank->from_account, "40701810000000000010");
  EXPECT_EQ(bank->to_account, "40702810000000001");
  // In JSON: strings, never numbers (20 digits exceed 2^53 and int64).
  json out = testing::result_json(r, compiled(), false);
  const json& p0 = out["cash_flow"]["postings"][0];
  EXPECT_EQ(p0["from_account"], "40702810500000012345");
  EXPECT_EQ(p0["to_account"], "40701810000000000010");
  EXPECT_FALSE(p0.contains("missing"));
  // Dollars: the same tariff posts to the dollar accounts.
  json usd = paying("acme", true);
  usd["amount"] = {{"amount", 10000}, {"currency", "USD"}};
  EvalResult u = eval(usd);
  ASSERT_NE(posting(u, "system.settlement", "provider.settlement"), nullptr);
  EXPECT_EQ(posting(u, "merchant.settlement", "system.settlement")->to_account, "40701840000000000010");
  EXPECT_EQ(posting(u, "system.settlement", "provider.settlement")->to_account, "40702840000000001");
}

TEST(Accounts, WhatTheContextHasNotGivenIsMissingNotGuessed) {
  EvalResult r = eval(paying("", false));
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined);  // the amounts are certain
  const PostingResult* fee = posting(r, "merchant.settlement", "system.settlement");
  ASSERT_NE(fee, nullptr);
  EXPECT_TRUE(fee->from_account.empty());
  EXPECT_TRUE(fee->to_account.empty());
  EXPECT_EQ(missing_names(fee->missing),
            (std::vector<std::string>{"payment_institution", "merchant_accounts.settlement"}));
  json out = testing::result_json(r, compiled(), false);
  EXPECT_EQ(out["cash_flow"]["postings"][0]["missing"],
            json::array({"payment_institution", "merchant_accounts.settlement"}));
  // The provider's account waits for an undetermined route.
  json j = paying("acme", true);
  j.erase("payment_key");
  j["amount"] = {{"amount", 100000}, {"currency", "RUB"}};  // yb_3ds or yb_fast by weight
  EvalResult w = eval(j);
  ASSERT_EQ(w.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(posting(w, "merchant.settlement", "system.settlement")->missing, 0u);
}

TEST(Accounts, AHolderThatNamesNoAccountLeavesItsRolesUnresolved) {
  EvalResult r = eval(paying("bare", true));
  const PostingResult* fee = posting(r, "merchant.settlement", "system.settlement");
  ASSERT_NE(fee, nullptr);
  EXPECT_EQ(fee->from_account, "40702810500000012345");
  EXPECT_TRUE(fee->to_account.empty());
  EXPECT_EQ(fee->missing, 0u);
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined);
  // Blue Bank (visa routes there) names no account: its postings keep their roles.
  json visa = paying("acme", true);
  visa["payment_tool"]["payment_system"] = "visa";
  visa["amount"] = {{"amount", 50000}, {"currency", "RUB"}};
  EvalResult v = eval(visa);
  ASSERT_EQ(v.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(compiled().vocab.object_name(OK::Terminal, v.route.terminal), "bb");
  EXPECT_EQ(v.cash_flow.status, CashFlowResult::Status::Determined);
}

TEST(Accounts, WithNoAccountInTheDomainOnlyTheMerchantsOwnResolve) {
  // The test domain names no account at all: a merchant account the context
  // gives still resolves its side, every other side keeps its role only, and
  // nothing is missing (no holder could give more).
  const std::shared_ptr<const CompiledDomain> plain = testing::compiled();
  for (bool given : {true, false}) {
    json j = testing::payment();
    if (given) j["merchant_accounts"] = {{"settlement", "40702810500000012345"}};
    auto ctx = testing::parse_json(j, *plain);
    ASSERT_TRUE(ctx.ok()) << ctx.error().text();
    const EvalResult r = evaluate(*plain, *ctx);  // views ctx's account: read before ctx goes
    ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined);
    int merchant_sides = 0;
    for (const PostingResult& p : r.cash_flow.postings) {
      for (auto [role, account] : {std::pair{p.from, p.from_account}, std::pair{p.to, p.to_account}}) {
        if (given && role == "merchant.settlement") {
          EXPECT_EQ(account, "40702810500000012345");
          ++merchant_sides;
        } else {
          EXPECT_TRUE(account.empty()) << role;
        }
      }
      EXPECT_EQ(p.missing, 0u);
    }
    EXPECT_EQ(merchant_sides, given ? 1 : 0);  // the 1% fee's; the provider's fees move system money
  }
}

TEST(Accounts, AnAccountTheHolderLacksIsAnEvaluationErrorNamingIt) {
  // acme names accounts, but none in yen; the tariff comes from the context.
  json j = paying("acme", true);
  j["tariff"] = "yen";
  j["amount"] = {{"amount", 5000}, {"currency", "JPY"}};
  j.erase("routing");
  EvalResult r = eval(j);
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Error);
  EXPECT_TRUE(r.cash_flow.postings.empty());
  EXPECT_EQ(r.cash_flow.error.rfind("no system.settlement account in JPY at payment_institution acme (tariff yen", 0), 0u)
      << r.cash_flow.error;
}

TEST(Accounts, TheArtifactCarriesThemAndAClientAnswersAlike) {
  const Program& p = *compiled().program;
  EXPECT_TRUE(p.format_major() > 1 || p.format_minor() >= 3);  // 1.3 brought the accounts section
  EXPECT_EQ(p.count(pdc::Sec::Accounts), 4u);
  auto again = Program::load(std::string(p.bytes()));
  ASSERT_TRUE(again.ok()) << again.error().text();
  auto ctx = testing::parse_json(paying("acme", true), compiled());
  ASSERT_TRUE(ctx.ok());
  EvalResult a, b;
  evaluate(p, *ctx, EvalOptions{true}, a);
  evaluate(**again, *ctx, EvalOptions{true}, b);
  EXPECT_EQ(testing::result_json(a, compiled(), true), testing::result_json(b, compiled(), true));
  EXPECT_EQ(b.cash_flow.postings[0].to_account, "40701810000000000010");
  // A domain naming no account writes an empty section; its results have no account keys.
  EXPECT_EQ(testing::compiled()->program->count(pdc::Sec::Accounts), 0u);
  json plain = testing::result_json(testing::eval(testing::payment()), *testing::compiled(), false);
  EXPECT_FALSE(plain["cash_flow"]["postings"][0].contains("to_account"));
  EXPECT_FALSE(plain["cash_flow"]["postings"][0].contains("missing"));
}

TEST(Accounts, TestsExpectAnAccount) {
  std::string text = domain_text() + R"(
test "resolved" {
  given { tariff standard  payment_institution acme  merchant_settlement "m-1"  amount 6000.00 RUB
          payment_tool bank_card  payment_system mastercard  category retail  risk low  payment_key "k" }
  expect account merchant.settlement "m-1"
  expect account system.settlement 40701810000000000010
  expect account provider.settlement 40702810000000001
}
test "wrong" {
  given { tariff standard  payment_institution acme  amount 6000.00 RUB
          payment_tool bank_card  payment_system mastercard  category retail  risk low  payment_key "k" }
  expect account system.settlement 1
  expect account merchant.settlement "m-1"
}
)";
  TestReport r = testing::run_test_text(text);
  ASSERT_EQ(r.cases.size(), 2u);
  EXPECT_TRUE(r.cases[0].passed) << (r.cases[0].failures.empty() ? "" : r.cases[0].failures[0]);
  ASSERT_EQ(r.cases[1].failures.size(), 2u);
  EXPECT_NE(r.cases[1].failures[0].find("expected account system.settlement 1\n      got system.settlement "
                                        "40701810000000000010, 40701810000000000010"),
            std::string::npos)
      << r.cases[1].failures[0];
  EXPECT_NE(r.cases[1].failures[1].find("got merchant.settlement unresolved (missing merchant_accounts.settlement)"),
            std::string::npos)
      << r.cases[1].failures[1];
}

// ---- property: evaluation resolves as the domain's clauses read ------------------

// The account a holder's clauses name for a role and currency: nullopt when
// the holder names no account at all, "" when it names others only.
std::optional<std::string> clause_account(const dsl::Object& o, std::string_view role, std::string_view currency) {
  bool any = false;
  for (const dsl::Clause& c : o.clauses) {
    if (c.kind != dsl::Clause::Kind::Account) continue;
    any = true;
    std::string r = c.role ? c.role->text() : "provider.settlement";
    if (r == role && c.ref.text == currency) return c.text;
  }
  return any ? std::optional<std::string>("") : std::nullopt;
}

// missing-account for a provider whose `accepts` does not restrict the
// currency (evaluator/provider_accounts.h): found where a route can bring it.
std::vector<dsl::Diagnostic> account_errors(const std::string& text) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{"p.pd", text}}, diags);
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), d.files);
  analyze(d, diags);
  std::vector<dsl::Diagnostic> out;
  for (const dsl::Diagnostic& x : diags.items())
    if (x.code == "missing-account") out.push_back(x);
  return out;
}

TEST(ProviderAccounts, ACurrencyARouteCanBringIsACheckError) {
  std::string d = testing::kDomain;
  const std::string accepts = "accepts currency in [RUB, USD] and payment_tool is bank_card";
  d.replace(d.find(accepts), accepts.size(), "account RUB 40702810000000001\n  accepts payment_tool is bank_card");
  auto errors = account_errors(d);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].severity, dsl::Severity::Error);
  EXPECT_EQ(errors[0].message.rfind("provider yellowbank has no provider.settlement account in USD: tariff standard "
                                    "allows USD and routing main can route its payments to terminal yb_3ds, e.g. ",
                                    0),
            0u)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("currency USD"), std::string::npos) << errors[0].message;
  EXPECT_EQ(errors[0].expected, "account USD <number>");
  // Every dollar payment declined before any candidate: no payment brings dollars.
  const std::string use = "when currency == USD: use usd";
  std::string declined = d;
  declined.replace(declined.find(use), use.size(), "when currency == USD: decline \"no dollars\"");
  EXPECT_TRUE(account_errors(declined).empty());
  // With the account: nothing to report.
  std::string held = d;
  held.replace(held.find("account RUB 40702810000000001"), 29, "account RUB 40702810000000001\n  account USD 1");
  EXPECT_TRUE(account_errors(held).empty());
}

TEST(AccountsProperty, EvaluationResolvesAsTheClausesRead) {
  std::mt19937 rng(1515);
  auto pick = [&](std::vector<std::string> v) { return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)]; };
  int resolved = 0, errors = 0, missing = 0;
  for (int k = 0; k < 600; ++k) {
    json j = testing::payment();
    std::string cur = pick({"RUB", "USD", "JPY"});
    j["tariff"] = cur == "JPY" ? pick({"yen", "standard"}) : pick({"standard", "standard", "yen"});
    j["amount"] = {{"amount", std::uniform_int_distribution<int>(1000, 900000)(rng)}, {"currency", cur}};
    j["payment_tool"]["payment_system"] = pick({"mastercard", "maestro", "visa"});
    j["risk"] = pick({"low", "high"});
    std::string inst = pick({"acme", "acme", "bare", ""});
    if (!inst.empty()) j["payment_institution"] = inst;
    std::string merchant = pick({"", "m-" + std::to_string(k)});
    if (!merchant.empty()) j["merchant_accounts"] = {{"settlement", merchant}};
    if (k % 4 == 0) j.erase("payment_key");
    EvalResult r = eval(j);
    const dsl::Domain& d = domain();
    std::string provider = r.route.status == RouteResult::Status::Chosen
                               ? compiled().vocab.object_name(OK::Provider, r.route.provider)
                               : "";
    // What the oracle expects for one side of a posting: the account, "" when
    // unresolved, or "!" for an account the holder lacks.
    auto want = [&](std::string_view role) -> std::string {
      if (role.starts_with("merchant.")) return merchant;
      const dsl::Object* holder = role.starts_with("provider.")
                                      ? (provider.empty() ? nullptr : d.find(OK::Provider, provider))
                                      : (inst.empty() ? nullptr : d.find(OK::PaymentInstitution, inst));
      if (!holder) return "";
      auto a = clause_account(*holder, role, cur);
      if (!a) return "";
      return a->empty() ? "!" : *a;
    };
    if (r.cash_flow.status == CashFlowResult::Status::Error) {
      // Some posting's account is lacking: the error names it.
      ASSERT_NE(r.cash_flow.error.find("account in " + cur + " at "), std::string::npos) << r.cash_flow.error;
      ++errors;
      continue;
    }
    for (const PostingResult& p : r.cash_flow.postings) {
      for (auto [role, got] : {std::pair{p.from, p.from_account}, std::pair{p.to, p.to_account}}) {
        std::string w = want(role);
        ASSERT_NE(w, "!") << "payment " << k << ": " << role << " lacks an account yet no error\n" << j.dump();
        ASSERT_EQ(std::string(got), w) << "payment " << k << ": " << role << "\n" << j.dump();
        (w.empty() ? missing : resolved)++;
      }
    }
  }
  // The payments exercise each outcome.
  EXPECT_GT(resolved, 100);
  EXPECT_GT(errors, 10);
  EXPECT_GT(missing, 100);
}

}  // namespace
}  // namespace paydomain::evaluator
