// The result writer's templates (evaluator/result_shape.h): a result of a
// shape written before is written from that shape's template with its own
// values. Every result here is compared with the reference writer
// (result_json_reference.h) byte for byte: shapes taking turns (more than a
// program keeps), a shape that differs from a written one in one element
// only, values of other lengths and values needing escapes under one shape,
// explanations and programs alternating.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "evaluator/result_json.h"
#include "result_json_reference.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

const std::string kAccount = "ctx-account";  // an account id outside the program, as a context's

void expect_reference(const EvalResult& r, const CompiledDomain& d, bool explain, bool plain, const std::string& what) {
  std::string ours, theirs;
  write_result(r, *d.program, explain, plain, ours);
  reference::write_result(r, d, explain, theirs, plain);
  EXPECT_EQ(ours, theirs) << what;
}

// Payments of several shapes: systems, risks (routes and rejections),
// amounts (postings), turnover given or not (verdicts), a tariff dropped
// (undetermined parts), a missing party (no scope key).
std::vector<nlohmann::json> shaped_payments() {
  std::vector<nlohmann::json> out;
  for (const char* system : {"mastercard", "visa"}) {
    for (const char* risk : {"low", "high", "fatal"}) {
      nlohmann::json c = testing::payment();
      c["payment_tool"]["payment_system"] = system;
      c["risk"] = risk;
      out.push_back(c);
    }
  }
  nlohmann::json c = testing::payment();
  c["turnover"] = {{"card_daily", {{"amount", 1200}, {"currency", "RUB"}}}, {"shop_weekly", 1}};
  out.push_back(c);
  c = testing::payment();
  c.erase("tariff");
  out.push_back(c);
  c = testing::payment();
  c.erase("party");
  out.push_back(c);
  c = testing::payment();
  c["amount"]["amount"] = 250;
  out.push_back(c);
  return out;
}

// Each shape in turn (more than a program's templates), then pairs taking
// turns, each through write_result (plain and escaped) and evaluate_text.
TEST(ResultTemplates, ShapesTakingTurns) {
  const CompiledDomain& d = *testing::compiled();
  const std::vector<nlohmann::json> payments = shaped_payments();
  std::vector<size_t> order;
  for (int round = 0; round < 3; ++round)
    for (size_t i = 0; i < payments.size(); ++i) order.push_back(i);
  for (size_t i = 0; i + 1 < payments.size(); ++i)
    for (int turn = 0; turn < 3; ++turn) {
      order.push_back(i);
      order.push_back(i + 1);
    }
  for (size_t i : order) {
    const nlohmann::json& c = payments[i];
    for (bool explain : {false, true}) {
      EvalResult r = evaluate(d, testing::parse_kept(c, d), {explain});
      for (bool plain : {true, false}) expect_reference(r, d, explain, plain, c.dump());
      std::string text_out, theirs;
      ASSERT_TRUE(evaluate_text(d, c.dump(), explain, text_out).ok());
      reference::write_result(r, d, explain, theirs, true);
      ASSERT_EQ(text_out, theirs) << c.dump();
    }
  }
}

// A result written once (its template recorded), then the same result with
// one element changed to another of the program's texts or statuses: each
// is another shape, written as the reference writes it.
TEST(ResultTemplates, OneElementDiffers) {
  const CompiledDomain& d = *testing::compiled();
  nlohmann::json c = testing::payment();
  c["turnover"] = {{"card_daily", {{"amount", 1200}, {"currency", "RUB"}}}, {"shop_weekly", 1}};
  const EvalResult base = evaluate(d, testing::parse_kept(c, d), {});
  ASSERT_EQ(base.route.status, RouteResult::Status::Chosen);
  ASSERT_GE(base.route.rejected.size(), 2u);
  ASSERT_NE(base.route.rejected[0].reason, base.route.rejected[1].reason);
  ASSERT_GE(base.cash_flow.postings.size(), 2u);
  ASSERT_GE(base.limits.size(), 2u);
  ASSERT_NE(base.limits[0].status, LimitResult::Status::NotApplies);
  ASSERT_TRUE(base.limits[0].has_window);

  struct Edit {
    const char* what;
    void (*edit)(EvalResult&);
  };
  const Edit edits[] = {
      {"a posting's details: another posting's",
       [](EvalResult& r) { r.cash_flow.postings[0].details = r.cash_flow.postings[1].details; }},
      {"a posting's from: another posting's to",
       [](EvalResult& r) { r.cash_flow.postings[0].from = r.cash_flow.postings[0].to; }},
      {"a posting's side", [](EvalResult& r) { r.cash_flow.postings[0].provider = !r.cash_flow.postings[0].provider; }},
      {"a posting's missing bit", [](EvalResult& r) { r.cash_flow.postings[1].missing |= kMissParty; }},
      {"a posting's account absent", [](EvalResult& r) { r.cash_flow.postings[0].from_account = {}; }},
      {"a posting's account: the program's",
       [](EvalResult& r) { r.cash_flow.postings[0].to_account = r.cash_flow.postings[0].from; }},
      {"a posting's account: the context's", [](EvalResult& r) { r.cash_flow.postings[1].from_account = kAccount; }},
      {"a posting fewer", [](EvalResult& r) { r.cash_flow.postings.pop_back(); }},
      {"a rejection's reason: another's",
       [](EvalResult& r) { r.route.rejected[0].reason = r.route.rejected[1].reason; }},
      {"a rejection's terminal", [](EvalResult& r) { std::swap(r.route.rejected[0].terminal, r.route.rejected[1].terminal); }},
      {"a built reason", [](EvalResult& r) { r.route.rejected[1].built = "would exceed card_daily"; }},
      {"the route's provider", [](EvalResult& r) { r.route.provider = -1; }},
      {"the route's missing bit", [](EvalResult& r) { r.route.missing |= kMissRoute; }},
      {"a limit's status", [](EvalResult& r) { r.limits[0].status = LimitResult::Status::Undetermined; }},
      {"a limit not applicable", [](EvalResult& r) { r.limits[0].status = LimitResult::Status::NotApplies; }},
      {"a limit's verdict", [](EvalResult& r) { r.limits[0].verdict = LimitResult::Verdict::Undetermined; }},
      {"a limit's missing bit", [](EvalResult& r) { r.limits[0].missing |= kMissTime; }},
      {"a limit's window", [](EvalResult& r) { r.limits[0].window_end += 3600; }},
      {"a limit without its scope key", [](EvalResult& r) { r.limits[0].has_scope_key = false; }},
      {"the terms' missing bit", [](EvalResult& r) { r.terms.missing |= kMissShop; }},
      {"the cash flow's status", [](EvalResult& r) { r.cash_flow.status = CashFlowResult::Status::Undetermined; }},
  };
  for (const Edit& e : edits) {
    EvalResult r = base;
    e.edit(r);
    for (int turn = 0; turn < 2; ++turn) {  // the edited one after the base, and the base after it
      expect_reference(base, d, false, true, "the base before: " + std::string(e.what));
      expect_reference(r, d, false, true, e.what);
    }
  }
}

// One shape, other values: amounts of other digit counts (the text after
// them moves), accounts and scope key values from a context that was not
// read plain (escaped), turnovers.
TEST(ResultTemplates, ValuesUnderOneShape) {
  const CompiledDomain& d = *testing::compiled();
  nlohmann::json c = testing::payment();
  c["turnover"] = {{"card_daily", {{"amount", 1200}, {"currency", "RUB"}}}, {"shop_weekly", 1}};
  const EvalResult base = evaluate(d, testing::parse_kept(c, d), {});
  ASSERT_GE(base.cash_flow.postings.size(), 2u);
  ASSERT_TRUE(base.limits[0].has_scope_key);
  expect_reference(base, d, false, true, "the base");  // its template recorded
  // Values outside the program (as a context's are), changed between writes.
  std::string account = "acct-1", key = "card-1";
  EvalResult r = base;
  r.cash_flow.postings[0].from_account = account;
  r.cash_flow.postings[1].to_account = account;
  for (size_t s = 0; s < ScopeKey::kScopes; ++s)
    if (!r.limits[0].scope_key.values[s].empty()) r.limits[0].scope_key.values[s] = key;
  const int64_t amounts[] = {5, 123456, -7, 1234567890123, 99, 100};
  const char* accounts[] = {"acct-1", "acct \"2\"", "a\\b", "plain", "tab\there", "x"};
  const char* keys[] = {"card-1", "card \"q\"", "card-3", "\x01", "card-5", "card-66666666"};
  for (size_t i = 0; i < std::size(amounts); ++i) {
    r.cash_flow.postings[0].amount.minor = amounts[i];
    r.cash_flow.postings[1].amount.minor = amounts[(i + 3) % std::size(amounts)];
    r.limits[0].turnover_after = amounts[(i + 1) % std::size(amounts)];
    account.assign(accounts[i]);  // the same views, other texts
    key.assign(keys[i]);
    r.cash_flow.postings[0].from_account = account;
    r.cash_flow.postings[1].to_account = account;
    for (size_t s = 0; s < ScopeKey::kScopes; ++s)
      if (!r.limits[0].scope_key.values[s].empty()) r.limits[0].scope_key.values[s] = key;
    for (bool plain : {true, false}) expect_reference(r, d, false, plain, std::to_string(i));
  }
}

// Results of many postings, about as many words as a shape holds and more:
// each written as the reference writes it, with or without a template.
TEST(ResultTemplates, ManyPostings) {
  const CompiledDomain& d = *testing::compiled();
  const EvalResult base = evaluate(d, testing::parse_kept(testing::payment(), d), {true});
  ASSERT_FALSE(base.cash_flow.postings.empty());
  for (size_t n = 50; n <= 80; ++n) {
    EvalResult r = base;
    r.cash_flow.postings.resize(n, base.cash_flow.postings[0]);
    for (size_t i = 0; i < n; ++i) r.cash_flow.postings[i].amount.minor = static_cast<int64_t>(i * 1001);
    for (bool explain : {false, true})
      for (int turn = 0; turn < 2; ++turn) expect_reference(r, d, explain, true, std::to_string(n));
  }
}

// Explanations and programs alternating on one payment: each pair is two
// shapes (or two programs' templates), never the other's text.
TEST(ResultTemplates, ExplainAndProgramsAlternating) {
  const auto plain = testing::compiled();
  const auto escaped = testing::compiled_with_escapes();
  ASSERT_TRUE(escaped);
  const nlohmann::json c = testing::payment();
  for (int turn = 0; turn < 4; ++turn) {
    for (const auto& d : {plain, escaped}) {
      for (bool explain : {false, true}) {
        EvalResult r = evaluate(*d, testing::parse_kept(c, *d), {explain});
        expect_reference(r, *d, explain, true, "turn " + std::to_string(turn));
        std::string text_out, theirs;
        ASSERT_TRUE(evaluate_text(*d, c.dump(), explain, text_out).ok());
        reference::write_result(r, *d, explain, theirs, true);
        EXPECT_EQ(text_out, theirs);
      }
    }
  }
}

}  // namespace
}  // namespace paydomain::evaluator
