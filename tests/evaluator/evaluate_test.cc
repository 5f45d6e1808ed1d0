// Evaluation end to end on a hand-written domain: fees, terms, routing
// (priorities, weights, declines, delegation, health, disabled terminals),
// limits, partial evaluation and explanations.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <list>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "evaluator/analysis_cache.h"
#include "evaluator/time.h"

#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

using testing::eval;
using testing::payment;
using nlohmann::json;

const CompiledDomain& cd() { return *testing::compiled(); }
std::string term(int32_t t) { return cd().vocab.object_name(dsl::ObjectKind::Terminal, t); }

TEST(Evaluate, MastercardPaysOnePercentWithTheRuleNamed) {
  EvalResult r = eval(payment(), true);
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined);
  ASSERT_EQ(r.cash_flow.postings.size(), 2u);
  const PostingResult& fee = r.cash_flow.postings[0];
  EXPECT_EQ(fee.from, "merchant.settlement");
  EXPECT_EQ(fee.to, "system.settlement");
  EXPECT_EQ(fee.amount, (Money{6000, "RUB"}));  // 60.00 RUB
  EXPECT_EQ(fee.details, "1% processing fee");
  ASSERT_EQ(r.cash_flow.explain.size(), 1u);
  EXPECT_EQ(r.cash_flow.explain[0], "tariff standard, fees, rule 1 (line 31)");
  // The provider's posting follows the route: 1.5% of 6000.00 = 90.00.
  const PostingResult& prov = r.cash_flow.postings[1];
  EXPECT_TRUE(prov.provider);
  EXPECT_EQ(prov.amount, (Money{9000, "RUB"}));
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Allowed);
}

TEST(Evaluate, HoldLifetimeForHoldPayments) {
  json j = payment();
  EXPECT_EQ(eval(j).terms.hold_lifetime, 0);  // an instant payment: nothing to say
  j["flow"] = "hold";
  EvalResult r = eval(j);
  EXPECT_EQ(r.terms.hold_lifetime, 3);
  EXPECT_EQ(r.terms.hold_unit, "days");
  EXPECT_EQ(testing::result_json(r, cd(), false)["terms"]["hold_lifetime"], (json{{"count", 3}, {"unit", "days"}}));
}

TEST(Evaluate, ProductsAndRounding) {
  json j = payment();
  j["payment_tool"]["payment_system"] = "visa";
  j["payment_key"] = "k";
  j["amount"]["amount"] = 100000;  // 1000.00: 1.2% = 12.00 < 15.00 -> max gives 15.00
  EvalResult r = eval(j);
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{1500, "RUB"}));
  j["amount"]["amount"] = 200050;  // 2000.50: 1.2% = 24.006 -> 24.01 (half away from zero)
  r = eval(j);
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{2401, "RUB"}));
  j["amount"]["amount"] = 99900;  // 999.00 visa -> otherwise: 2.5% = 24.975 -> half-even 24.98
  r = eval(j);
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{2498, "RUB"}));
  j["amount"]["amount"] = 98100;  // 981.00 -> 24.525 -> half-even 24.52
  r = eval(j);
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{2452, "RUB"}));
}

std::shared_ptr<const CompiledDomain> compile_with(const std::string& from, const std::string& to) {
  std::string text = testing::kDomain;
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  dsl::Diagnostics diags;
  static std::list<dsl::Domain> keep;  // kept alive and in place for the compiled domain
  keep.push_back(dsl::load({{"test.pd", text}}, diags));
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), keep.back().files);
  return *compile(keep.back());
}

// amount x share in 128 bits: 1234567890123456 x 499999 does not fit int64,
// the fee (617.28 kopecks) does.
TEST(Evaluate, LongShareOfAnAmountComputesInsteadOfOverflowing) {
  auto d = compile_with("1% of amount  \"1% processing fee\"", "0.1234567890123456% of amount");
  json j = payment();
  j["amount"]["amount"] = 499999;  // 4999.99 RUB
  auto ctx = testing::parse_json(j, *d);
  ASSERT_TRUE(ctx.ok());
  EvalResult r = evaluate(*d, *ctx);
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined) << r.cash_flow.error;
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{617, "RUB"}));
  // The finest share check accepts (1/10^19) compiles and computes: 0 kopecks
  // by default, 1 when rounded away from zero.
  auto tiny = compile_with("1% of amount  \"1% processing fee\"", "0.00000000000000001% of amount round away_from_zero");
  ASSERT_TRUE(tiny);
  r = evaluate(*tiny, *testing::parse_json(j, *tiny));
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined) << r.cash_flow.error;
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{1, "RUB"}));
}

// turnover + payment beyond int64 is an error, never a clamped number.
TEST(Evaluate, TurnoverAfterIsExactOrAnError) {
  json j = payment();
  j["amount"]["amount"] = 10;
  j["turnover"] = {{"card_daily", {{"amount", INT64_MAX - 10}, {"currency", "RUB"}}}};
  auto limit = [](const EvalResult& r) { return r.limits[0]; };  // card_daily is the first limit
  LimitResult l = limit(eval(j));
  EXPECT_EQ(l.verdict, LimitResult::Verdict::Exceeded);
  EXPECT_EQ(l.turnover_after, INT64_MAX);
  j["turnover"]["card_daily"]["amount"] = INT64_MAX - 9;
  l = limit(eval(j));
  EXPECT_EQ(l.verdict, LimitResult::Verdict::Error);
  EXPECT_EQ(l.error, "turnover + this payment does not fit 64-bit minor units");
  json out = testing::result_json(eval(j), cd(), false);
  EXPECT_EQ(out["limits"][0]["verdict"], "error");
  EXPECT_FALSE(out["limits"][0].contains("turnover_after"));
}

// Limits kept per terminal or per provider take part in routing: a candidate
// whose counter this payment would take past the bound is rejected with the
// figures; one whose counter the context lacks stays in the race, the limit
// listed as undecided.
TEST(Evaluate, RouteScopedLimitsRejectCandidates) {
  auto d = compile_with("limit card_daily {", R"(limit yb_daily { scope [terminal]  period day  amount <= 10000.00 RUB  when category == retail }
limit bb_count { scope [shop, provider]  period day  count < 3 }
limit card_daily {)");
  ASSERT_TRUE(d);
  auto run = [&](const json& j, bool explain = false) { return evaluate(*d, testing::parse_kept(j, *d), {explain}); };
  auto name = [&](int32_t t) { return d->vocab.object_name(dsl::ObjectKind::Terminal, t); };
  auto limit = [&](int32_t l) { return d->vocab.object_name(dsl::ObjectKind::Limit, l); };
  // 6000.00 RUB mastercard: only yb_3ds is a candidate. No turnover: undecided.
  json j = payment();
  EvalResult r = run(j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(name(r.route.terminal), "yb_3ds");
  ASSERT_EQ(r.route.undecided_limits.size(), 2u);  // yb_3ds's counter, and its provider's
  EXPECT_EQ(name(r.route.undecided_limits[0].terminal), "yb_3ds");
  EXPECT_EQ(limit(r.route.undecided_limits[0].limit), "yb_daily");
  EXPECT_EQ(limit(r.route.undecided_limits[1].limit), "bb_count");
  json out = testing::result_json(r, *d, false);
  EXPECT_EQ(out["route"]["undecided_limits"][0]["missing"], "turnover.yb_daily.yb_3ds");
  EXPECT_EQ(out["route"]["undecided_limits"][1]["missing"], "turnover.bb_count.yellowbank");
  // 9000.00 so far + 6000.00 is past 10,000.00: rejected, nothing else eligible.
  j["turnover"]["yb_daily"]["yb_3ds"] = {{"amount", 900000}, {"currency", "RUB"}};
  j["turnover"]["bb_count"]["yellowbank"] = 0;
  r = run(j);
  EXPECT_EQ(r.route.status, RouteResult::Status::NoRoute);
  EXPECT_TRUE(r.route.undecided_limits.empty());
  bool found = false;
  for (const auto& x : r.route.rejected) {
    if (name(x.terminal) != "yb_3ds") continue;
    found = true;
    EXPECT_EQ(x.why(), "terminal yb_3ds: limit yb_daily would be exceeded: 15,000.00 of 10,000.00 RUB");
  }
  EXPECT_TRUE(found);
  out = testing::result_json(r, *d, false);
  EXPECT_NE(out["route"].dump().find("limit yb_daily would be exceeded"), std::string::npos) << out["route"];
  // Reaching the bound exactly is within `<=`: chosen, the limit explained and judged.
  j["turnover"]["yb_daily"]["yb_3ds"]["amount"] = 400000;
  r = run(j, true);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_TRUE(r.route.undecided_limits.empty());
  EXPECT_NE(std::find(r.route.explain.begin(), r.route.explain.end(), d->limits[0].explain), r.route.explain.end());
  EXPECT_EQ(r.limits[0].verdict, LimitResult::Verdict::Within);
  EXPECT_EQ(r.limits[0].turnover_after, 1000000);
  // Over the bound but the limit may not count the payment (category
  // unknown): the candidate is unknown, so the route waits for the category.
  j["turnover"]["yb_daily"]["yb_3ds"]["amount"] = 900000;
  j.erase("category");
  r = run(j);
  EXPECT_EQ(r.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(missing_names(r.route.missing), std::vector<std::string>{"category"});
  // A different category: the limit does not count it, the route is chosen.
  j["category"] = "gaming";
  r = run(j);
  EXPECT_EQ(r.route.status, RouteResult::Status::Chosen);
  // Per provider, a count: visa 500.00 RUB goes to bb (bluebank) first.
  j = payment();
  j["payment_tool"]["payment_system"] = "visa";
  j["amount"]["amount"] = 50000;
  j["turnover"]["yb_daily"]["yb_3ds"] = {{"amount", 0}, {"currency", "RUB"}};
  j["turnover"]["yb_daily"]["yb_fast"] = {{"amount", 0}, {"currency", "RUB"}};
  j["turnover"]["bb_count"]["bluebank"] = 1;
  r = run(j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(name(r.route.terminal), "bb");
  EXPECT_EQ(r.limits[1].verdict, LimitResult::Verdict::Within);  // bb_count on bluebank: 2 < 3
  j["turnover"]["bb_count"]["bluebank"] = 2;  // 3 is not below 3
  r = run(j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_NE(name(r.route.terminal), "bb");
  found = false;
  for (const auto& x : r.route.rejected) {
    if (name(x.terminal) != "bb") continue;
    found = true;
    EXPECT_EQ(x.why(), "provider bluebank: limit bb_count would be exceeded: 3 of fewer than 3 payments");
  }
  EXPECT_TRUE(found);
  // A route-scoped limit's turnover is keyed by terminal (provider), never given flat.
  j["turnover"]["bb_count"] = 2;
  EXPECT_FALSE(testing::parse_json(j, *d).ok());
  j["turnover"]["bb_count"] = {{"yb_3ds", 2}};  // a terminal, not a provider
  EXPECT_FALSE(testing::parse_json(j, *d).ok());
}

// Routing with unknown candidates: one that ranks strictly below a certainly
// eligible candidate cannot win, so the field it needs never hurts; one at
// the same or a higher priority keeps the route undetermined.
TEST(Evaluate, UnknownCandidateBelowACertainOneDoesNotHurt) {
  auto d = compile_with("routing weighted {", R"(routing ranked {
  candidate bb      priority 3000 when category == retail
  candidate yb_3ds  priority 1000 weight 70 when payment_system == visa
  candidate yb_fast priority 1000 weight 30
}
routing level {
  candidate yb_3ds  weight 70 when payment_system == visa
  candidate yb_fast weight 30
}
routing weighted {)");
  auto route = [&](json j) {
    auto ctx = testing::parse_json(j, *d);
    EXPECT_TRUE(ctx.ok()) << ctx.error().text();
    return evaluate(*d, ctx.ok() ? *ctx : Context{}).route;
  };
  auto names = [&](const std::vector<int32_t>& ts) {
    std::set<std::string> out;
    for (int32_t t : ts) out.insert(d->vocab.object_name(dsl::ObjectKind::Terminal, t));
    return out;
  };
  json j = payment();
  j["routing"] = "ranked";
  j["amount"]["amount"] = 50000;
  j["payment_tool"].erase("payment_system");  // yb_3ds unknown, at 1000
  RouteResult r = route(j);                   // bb certainly eligible at 3000: it wins
  ASSERT_EQ(r.status, RouteResult::Status::Chosen);
  EXPECT_EQ(d->vocab.object_name(dsl::ObjectKind::Terminal, r.terminal), "bb");
  EXPECT_EQ(r.missing, 0u);
  EXPECT_EQ(names(r.candidates), (std::set<std::string>{"bb", "yb_fast"}));  // certainly eligible only
  json out = testing::result_json(evaluate(*d, *testing::parse_json(j, *d)), *d, false);
  EXPECT_EQ(out["route"]["status"], "chosen");
  EXPECT_EQ(out["route"]["terminal"], "bb");
  EXPECT_FALSE(out["route"].contains("missing"));

  // The unknown candidate above the certain ones: undetermined, both may win.
  j = payment();
  j["routing"] = "ranked";
  j["amount"]["amount"] = 50000;
  j.erase("category");
  r = route(j);
  ASSERT_EQ(r.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(names(r.possible), (std::set<std::string>{"bb", "yb_fast"}));  // yb_3ds (mastercard) is rejected
  EXPECT_EQ(missing_names(r.missing), std::vector<std::string>{"category"});

  // At the same priority an unknown candidate changes the weighted draw: undetermined.
  j = payment();
  j["routing"] = "level";
  j["payment_tool"].erase("payment_system");
  r = route(j);
  ASSERT_EQ(r.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(names(r.possible), (std::set<std::string>{"yb_3ds", "yb_fast"}));
  EXPECT_EQ(missing_names(r.missing), std::vector<std::string>{"payment_tool.payment_system"});

  // Nothing certainly eligible: every unknown candidate may win.
  j = payment();
  j["routing"] = "ranked";
  j["amount"]["amount"] = 50000;
  j.erase("category");
  j["payment_tool"].erase("payment_system");
  j["health"] = {{"yb_fast", {{"failure_rate", "90%"}}}};  // not excluded: `ranked` has no exclude
  r = route(j);
  ASSERT_EQ(r.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(names(r.possible), (std::set<std::string>{"bb", "yb_fast", "yb_3ds"}));
}

// Property: over random rulesets and partial contexts, a determined route is
// the route of every completion of the missing fields, and an undetermined
// one lists every terminal some completion chooses.
TEST(Evaluate, PartialRoutesAgreeWithEveryCompletion) {
  std::mt19937 rng(1125);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const std::vector<std::string> terminals = {"yb_3ds", "yb_fast", "bb", "off"};
  const std::vector<std::string> whens = {"", "category == retail", "payment_system == visa", "risk == low",
                                          "amount < 500.00 RUB", "payment_system in [visa, maestro] and category == gaming",
                                          "not (category == gaming)"};
  const std::vector<std::string> priorities = {"", " priority 1000", " priority 2000", " priority 3000"};
  std::string rulesets;
  const int kRulesets = 60;
  for (int i = 0; i < kRulesets; ++i) {
    std::vector<std::string> ts = terminals;
    std::shuffle(ts.begin(), ts.end(), rng);
    rulesets += "routing p" + std::to_string(i) + " {\n";
    for (size_t k = 0, n = 1 + pick(4); k < n; ++k) {
      std::string w = whens[pick(whens.size())];
      rulesets += "  candidate " + ts[k] + priorities[pick(priorities.size())] + " weight " +
                  std::to_string(1 + pick(5)) + (w.empty() ? "" : " when " + w) + "\n";
    }
    rulesets += "}\n";
  }
  // Limits kept per terminal and per provider reject candidates too, and a
  // `when` the context cannot decide makes such a candidate unknown.
  rulesets += "limit yb_cap { scope [terminal] period day amount <= 1500.00 RUB when category == retail }\n"
              "limit bank_cap { scope [provider] period day count < 5 when payment_system == visa }\n";
  auto d = compile_with("routing weighted {", rulesets + "routing weighted {");
  struct Field {
    std::string pointer;
    std::vector<json> values;
  };
  const std::vector<Field> fields = {{"/category", {"retail", "gaming"}},
                                     {"/payment_tool/payment_system", {"mastercard", "maestro", "visa"}},
                                     {"/risk", {"low", "high", "fatal"}},
                                     {"/amount/amount", {10000, 90000}}};
  auto outcome = [&](const json& j, RouteResult* out = nullptr) {
    auto ctx = testing::parse_json(j, *d);
    EXPECT_TRUE(ctx.ok()) << ctx.error().text();
    RouteResult r = evaluate(*d, ctx.ok() ? *ctx : Context{}).route;
    if (out) *out = r;
    if (r.status == RouteResult::Status::Chosen) return d->vocab.object_name(dsl::ObjectKind::Terminal, r.terminal);
    return std::string(r.status == RouteResult::Status::NoRoute ? "no route" : "other");
  };
  int determined_with_missing = 0, undetermined = 0;
  for (int round = 0; round < 3000; ++round) {
    json j = {{"routing", "p" + std::to_string(pick(kRulesets))},
              {"amount", {{"amount", 0}, {"currency", "RUB"}}},
              {"payment_tool", {{"kind", "bank_card"}}},
              {"payment_key", "k" + std::to_string(round)}};
    for (const std::string& t : terminals) {  // a counter not given leaves its limit undecided, never rejected
      if (pick(4)) j["turnover"]["yb_cap"][t] = {{"amount", pick(2) ? 100000 : 0}, {"currency", "RUB"}};
    }
    for (const char* p : {"yellowbank", "bluebank"}) {
      if (pick(4)) j["turnover"]["bank_cap"][p] = 3 + pick(2);
    }
    std::vector<const Field*> missing;
    for (const Field& f : fields) {
      if (pick(3) == 0) {
        missing.push_back(&f);
        if (f.pointer == "/amount/amount") j["amount"].erase("amount");
      } else {
        j[json::json_pointer(f.pointer)] = f.values[pick(f.values.size())];
      }
    }
    RouteResult partial;
    std::string got = outcome(j, &partial);
    // Every completion of the missing fields.
    std::set<std::string> completions;
    std::vector<size_t> at(missing.size(), 0);
    while (true) {
      json c = j;
      for (size_t m = 0; m < missing.size(); ++m) c[json::json_pointer(missing[m]->pointer)] = missing[m]->values[at[m]];
      std::string o = outcome(c);
      ASSERT_NE(o, "other") << c.dump();
      completions.insert(o);
      size_t m = 0;
      while (m < missing.size() && ++at[m] == missing[m]->values.size()) at[m++] = 0;
      if (m == missing.size()) break;
    }
    SCOPED_TRACE(j.dump());
    if (partial.status == RouteResult::Status::Undetermined) {
      ++undetermined;
      std::set<std::string> possible;
      for (int32_t t : partial.possible) possible.insert(d->vocab.object_name(dsl::ObjectKind::Terminal, t));
      for (const std::string& o : completions) {
        if (o != "no route") {
          EXPECT_TRUE(possible.count(o)) << o << " is chosen by a completion but not possible";
        }
      }
    } else {
      ASSERT_EQ(completions.size(), 1u) << "determined as " << got;
      EXPECT_EQ(*completions.begin(), got);
      if (!missing.empty()) ++determined_with_missing;
    }
  }
  EXPECT_GT(determined_with_missing, 300);
  EXPECT_GT(undetermined, 100);
}

// Money semantics pinned (docs/evaluation.md, "Cash flow" and "Limits").

// (a) Each posting is rounded on its own; shares do not allocate remainders.
TEST(MoneySemantics, EachPostingIsRoundedOnItsOwn) {
  auto d = compile_with("merchant.settlement -> system.settlement : 1% of amount  \"1% processing fee\"",
                        "merchant.settlement -> system.settlement : 1/3 of amount\n"
                        "      merchant.settlement -> system.subagent : 1/3 of amount\n"
                        "      merchant.settlement -> merchant.payout : 1/3 of amount");
  json j = payment();
  j["amount"]["amount"] = 20000;  // 200.00 RUB: each third is 6666.67 -> 6667 kopecks
  EvalResult r = evaluate(*d, *testing::parse_json(j, *d));
  ASSERT_EQ(r.cash_flow.postings.size(), 4u);  // three thirds and the provider's 1.5%
  int64_t total = 0;
  for (const PostingResult& p : r.cash_flow.postings) {
    if (p.provider) continue;
    EXPECT_EQ(p.amount.minor, 6667);
    total += p.amount.minor;
  }
  EXPECT_EQ(total, 20001);  // the documented rule: per-posting rounding can move more than the amount
  auto floor = compile_with("merchant.settlement -> system.settlement : 1% of amount  \"1% processing fee\"",
                            "merchant.settlement -> system.settlement : 1/3 of amount round towards_zero\n"
                            "      merchant.settlement -> system.subagent : 1/3 of amount round towards_zero\n"
                            "      merchant.settlement -> merchant.payout : 1/3 of amount round towards_zero");
  r = evaluate(*floor, *testing::parse_json(j, *floor));
  total = 0;
  for (const PostingResult& p : r.cash_flow.postings) total += p.provider ? 0 : p.amount.minor;
  EXPECT_EQ(total, 19998);  // towards_zero never moves more than the shares say
}

// (b) A forbidden operation moves nothing.
TEST(MoneySemantics, ForbiddenOperationHasNoPostings) {
  json j = payment();
  j["category"] = "gaming";  // not in the tariff's categories
  EvalResult r = eval(j);
  ASSERT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Forbidden);
  EXPECT_TRUE(r.cash_flow.postings.empty());
  json out = testing::result_json(r, cd(), false);
  EXPECT_EQ(out["cash_flow"]["status"], "forbidden");
  EXPECT_EQ(out["cash_flow"]["postings"], json::array());
  // The same payment in an allowed category has its postings.
  j["category"] = "retail";
  EXPECT_EQ(eval(j).cash_flow.postings.size(), 2u);  // the tariff's 1% and the provider's 1.5%
}

// (c) A cash flow with an error lists no postings, not the ones that did not fail.
TEST(MoneySemantics, ErrorCashFlowHasNoPostings) {
  auto d = compile_with("merchant.settlement -> system.settlement : 1% of amount  \"1% processing fee\"",
                        "merchant.settlement -> system.settlement : 1% of amount\n"
                        "      merchant.settlement -> system.subagent : 1.00 USD");
  json j = payment();
  EvalResult r = evaluate(*d, *testing::parse_json(j, *d));
  ASSERT_EQ(r.cash_flow.status, CashFlowResult::Status::Error);
  EXPECT_TRUE(r.cash_flow.postings.empty());
  EXPECT_NE(r.cash_flow.error.find("a fixed amount in USD cannot apply to a payment in RUB"), std::string::npos)
      << r.cash_flow.error;
}

// (d) Refunds are outside limits that do not ask about the operation.
TEST(MoneySemantics, RefundsDoNotCountTowardsPaymentLimits) {
  auto d = compile_with("limit shop_weekly {", R"(limit refunds_daily { scope [shop]  period day  count < 2  when operation == refund }
limit shop_weekly {)");
  json j = payment();
  j["turnover"] = {{"card_daily", {{"amount", 99000}, {"currency", "RUB"}}}, {"refunds_daily", 1}};
  auto limit = [&](const EvalResult& r, const std::string& name) {
    for (const LimitResult& l : r.limits) {
      if (d->limits[static_cast<size_t>(l.limit)].name == name) return l;
    }
    ADD_FAILURE() << name;
    return LimitResult{};
  };
  EvalResult r = evaluate(*d, *testing::parse_json(j, *d));
  EXPECT_EQ(limit(r, "card_daily").verdict, LimitResult::Verdict::Exceeded);  // 990.00 + 6000.00 > 1000.00
  EXPECT_EQ(limit(r, "refunds_daily").status, LimitResult::Status::NotApplies);
  j["operation"] = "refund";
  j["payment_amount"] = j["amount"];
  r = evaluate(*d, *testing::parse_json(j, *d));
  EXPECT_EQ(limit(r, "card_daily").status, LimitResult::Status::NotApplies);  // a refund adds nothing
  EXPECT_EQ(limit(r, "shop_weekly").status, LimitResult::Status::NotApplies);
  EXPECT_EQ(limit(r, "refunds_daily").status, LimitResult::Status::Applies);  // it asks for refunds
  EXPECT_EQ(limit(r, "refunds_daily").verdict, LimitResult::Verdict::Exceeded);  // 1 + 1 is not < 2
  // A context built without an operation (JSON always has one): whether a
  // payment limit counts it is undetermined, never guessed.
  auto ctx = testing::parse_json(payment(), *d);
  ASSERT_TRUE(ctx.ok());
  ctx->facts.clear(Attr::Operation);
  LimitResult l = limit(evaluate(*d, *ctx), "card_daily");
  EXPECT_EQ(l.status, LimitResult::Status::Undetermined);
  EXPECT_EQ(missing_names(l.missing), std::vector<std::string>{"operation"});
}

TEST(Evaluate, FixedAmountInAnotherCurrencyIsAnError) {
  json j = payment();
  j["payment_tool"]["payment_system"] = "visa";
  j["amount"] = {{"amount", 500000}, {"currency", "USD"}};
  // visa in USD: `amount >= 1000.00 RUB` is false in USD -> otherwise (2.5%), no mixing.
  EvalResult r = eval(j);
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined);
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{12500, "USD"}));
}

TEST(Evaluate, TermsSayWhyNot) {
  json j = payment();
  j["category"] = "gaming";
  j["amount"] = {{"amount", 500}, {"currency", "RUB"}};
  EvalResult r = eval(j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  ASSERT_EQ(r.terms.reasons.size(), 2u);
  EXPECT_EQ(r.terms.reasons[0], "category gaming is not allowed by tariff standard");
  EXPECT_EQ(r.terms.reasons[1], "amount 5.00 RUB is outside 10.00 .. 500000.00 RUB of tariff standard");
  j = payment();
  j["amount"]["currency"] = "JPY";
  r = eval(j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  EXPECT_EQ(r.terms.reasons[0], "currency JPY is not allowed by tariff standard");
}

// `refunds { allowed true partial false }`: a refund is judged against its
// payment's amount; without it, the answer is undetermined, never a guess.
TEST(Evaluate, RefundsInFullOnlyAndNeverAboveThePayment) {
  json j = payment();
  j["operation"] = "refund";
  j["amount"]["amount"] = 250000;
  j["payment_amount"] = {{"amount", 600000}, {"currency", "RUB"}};
  EvalResult r = eval(j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  ASSERT_EQ(r.terms.reasons.size(), 1u);
  EXPECT_EQ(r.terms.reasons[0], "partial refunds are not allowed by tariff standard (2500.00 of 6000.00 RUB)");
  j["amount"]["amount"] = 600000;
  EXPECT_EQ(eval(j).terms.verdict, TermsResult::Verdict::Allowed);
  j["amount"]["amount"] = 600001;
  r = eval(j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  EXPECT_EQ(r.terms.reasons[0], "the refund of 6000.01 RUB exceeds the payment of 6000.00 RUB");
  j.erase("payment_amount");
  r = eval(j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
  EXPECT_EQ(missing_names(r.terms.missing), std::vector<std::string>{"payment_amount"});
  // A payment (not a refund) ignores the field.
  j["operation"] = "payment";
  j["payment_amount"] = {{"amount", 1}, {"currency", "RUB"}};
  EXPECT_EQ(eval(j).terms.verdict, TermsResult::Verdict::Allowed);
}

TEST(Evaluate, RouteByPriorityWithRejections) {
  json j = payment();
  j["payment_tool"]["payment_system"] = "visa";
  j["amount"]["amount"] = 50000;  // 500.00: bluebank accepts (<= 1000.00)
  EvalResult r = eval(j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(term(r.route.terminal), "bb");
  ASSERT_EQ(r.route.candidates.size(), 3u);  // bb, then the yellowbank pair by weight
  EXPECT_EQ(term(r.route.candidates[1]), "yb_3ds");
  ASSERT_FALSE(r.route.rejected.empty());
  EXPECT_EQ(term(r.route.rejected[0].terminal), "off");
  EXPECT_EQ(r.route.rejected[0].reason, "terminal off is disabled");
  // Above bluebank's amount: the provider refuses.
  j["amount"]["amount"] = 200000;
  r = eval(j);
  bool found = false;
  for (const auto& x : r.route.rejected) {
    if (term(x.terminal) == "bb") {
      found = true;
      EXPECT_EQ(x.reason, "provider bluebank (line 17) does not accept this payment");
    }
  }
  EXPECT_TRUE(found);
}

TEST(Evaluate, DeclineDelegateHealthAndCoverage) {
  json j = payment();
  j["risk"] = "fatal";
  EvalResult r = eval(j);
  EXPECT_EQ(r.route.status, RouteResult::Status::Declined);
  EXPECT_EQ(r.route.decline_reason, "risk too high");

  j = payment();
  j["amount"]["currency"] = "USD";
  r = eval(j, true);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(term(r.route.terminal), "yb_3ds");
  EXPECT_EQ(r.route.explain[1], "routing main, rule 2 (line 45): use usd");

  // yb_3ds failing: excluded; a 6000.00 payment is too big for yb_fast -> no route.
  j = payment();
  j["health"] = {{"yb_3ds", {{"failure_rate", "80%"}}}};
  r = eval(j);
  EXPECT_EQ(r.route.status, RouteResult::Status::NoRoute);
  // 69.5% is under the threshold (exact decimal comparison).
  j["health"] = {{"yb_3ds", {{"failure_rate", "69.5%"}}}};
  r = eval(j);
  EXPECT_EQ(r.route.status, RouteResult::Status::Chosen);

  // high risk is above yb_fast's coverage
  j = payment();
  j["risk"] = "high";
  j["amount"]["amount"] = 100000;
  r = eval(j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(term(r.route.terminal), "yb_3ds");
}

TEST(Evaluate, WeightedChoiceIsStableAndDistributedByWeight) {
  json j = payment();
  j["routing"] = "weighted";
  j["amount"]["amount"] = 50000;
  auto ctx = testing::parse_json(j, cd());
  ASSERT_TRUE(ctx.ok());
  std::map<std::string, int> counts;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    ctx->payment_key = "payment-" + std::to_string(i);
    EvalResult r = evaluate(cd(), *ctx);
    ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
    counts[term(r.route.terminal)]++;
    if (i % 1000 == 0) {  // deterministic for the same key
      EXPECT_EQ(evaluate(cd(), *ctx).route.terminal, r.route.terminal);
    }
  }
  // Binomial standard deviations at n = 100000: 0.145%, 0.126%, 0.095%;
  // a 0.75% band is over 5 sigma for each.
  EXPECT_NEAR(counts["yb_3ds"] / double(n), 0.70, 0.0075);
  EXPECT_NEAR(counts["yb_fast"] / double(n), 0.20, 0.0075);
  EXPECT_NEAR(counts["bb"] / double(n), 0.10, 0.0075);
}

// The published test vectors (docs/evaluation.md, "The weighted choice,
// exactly"), read from the doc itself so the two cannot drift apart.
TEST(RouteHash, DocumentedVectors) {
  std::ifstream in(std::string(PAYDOMAIN_SOURCE_DIR) + "/docs/evaluation.md");
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t from = doc.find("<!-- hash-vectors"), to = doc.find("<!-- /hash-vectors -->");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  std::istringstream table(doc.substr(from, to - from));
  // A, B, C of the doc are the `weighted` ruleset's candidates, in source order and weights 70, 20, 10.
  const std::map<std::string, std::string> terminal = {{"A", "yb_3ds"}, {"B", "yb_fast"}, {"C", "bb"}};
  json j = payment();
  j["routing"] = "weighted";
  j["amount"]["amount"] = 50000;
  auto ctx = testing::parse_json(j, cd());
  ASSERT_TRUE(ctx.ok());
  std::string line;
  int rows = 0;
  while (std::getline(table, line)) {
    // | `"key"` | `fnv` | `h` | x | `T` |
    if (line.rfind("| `\"", 0) != 0) continue;
    std::vector<std::string> cells;
    for (size_t at = 1; at < line.size();) {
      size_t bar = line.find(" |", at);
      if (bar == std::string::npos) break;
      std::string c = line.substr(at, bar - at);
      c.erase(0, c.find_first_not_of(' '));
      if (c.size() >= 2 && c.front() == '`' && c.back() == '`') c = c.substr(1, c.size() - 2);
      cells.push_back(c);
      at = bar + 2;
    }
    ASSERT_EQ(cells.size(), 5u) << line;
    std::string key = cells[0].substr(1, cells[0].size() - 2);  // strip the quotes
    SCOPED_TRACE(line);
    EXPECT_EQ(fnv1a_64(key), std::stoull(cells[1], nullptr, 16));
    uint64_t h = payment_key_hash(key);
    EXPECT_EQ(h, std::stoull(cells[2], nullptr, 16));
    EXPECT_EQ(static_cast<uint64_t>((static_cast<unsigned __int128>(h) * 100) >> 64), std::stoull(cells[3]));
    ctx->payment_key = key;
    EvalResult r = evaluate(cd(), *ctx);
    ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
    EXPECT_EQ(term(r.route.terminal), terminal.at(cells[4]));
    ++rows;
  }
  EXPECT_GE(rows, 8);
  // The published FNV-1a-64 values of "" and "a" (the standard offset basis).
  EXPECT_EQ(fnv1a_64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a_64("a"), 0xaf63dc4c8601ec8cull);
}

TEST(Evaluate, PartialEvaluationNeverGuesses) {
  json j = payment();
  j["payment_tool"].erase("payment_system");
  EvalResult r = eval(j);
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Undetermined);
  // Rule 1 (maestro, mastercard) or rule 2 (visa, >= 1000.00); never `otherwise`:
  // every payment system of the domain is taken by rule 1 or 2 at 6000.00 RUB.
  ASSERT_EQ(r.cash_flow.possibilities.size(), 2u);
  EXPECT_EQ(r.cash_flow.possibilities[1], "tariff standard, fees, rule 2 (line 34)");
  auto missing = missing_names(r.cash_flow.missing);
  EXPECT_NE(std::find(missing.begin(), missing.end(), "payment_tool.payment_system"), missing.end());
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
  // The route does not depend on it at 6000.00 RUB: bluebank (the only
  // payment-system-specific candidate) refuses amounts over 1000.00 anyway.
  EXPECT_EQ(r.route.status, RouteResult::Status::Chosen);
  j["amount"]["amount"] = 50000;
  r = eval(j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(r.route.possible.size(), 3u);  // yb_3ds, yb_fast, and bb if it is a visa
  EXPECT_EQ(missing_names(r.route.missing), std::vector<std::string>{"payment_tool.payment_system"});

  // A missing field that no decision needs leaves the answer determined.
  j = payment();
  j.erase("party");
  r = eval(j);
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Determined);
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{6000, "RUB"}));

  // No payment key: both yellowbank terminals remain possible.
  j = payment();
  j.erase("payment_key");
  j["amount"]["amount"] = 100000;
  r = eval(j);
  ASSERT_EQ(r.route.status, RouteResult::Status::Undetermined);
  EXPECT_EQ(r.route.possible.size(), 2u);
  EXPECT_EQ(missing_names(r.route.missing), std::vector<std::string>{"payment_key"});

  // Nothing at all: every part undetermined, nothing crashes.
  r = eval(json::object());
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Undetermined);
  EXPECT_EQ(r.route.status, RouteResult::Status::Undetermined);
}

TEST(Evaluate, LimitsScopeWindowAndVerdict) {
  json j = payment();
  j["amount"]["amount"] = 30000;  // 300.00
  j["turnover"] = {{"card_daily", {{"amount", 70001}, {"currency", "RUB"}}}, {"shop_weekly", 2}};
  EvalResult r = eval(j);
  const LimitResult& card = r.limits[0];
  EXPECT_EQ(card.status, LimitResult::Status::Applies);
  EXPECT_EQ(card.scope_key.text(), "payment_tool=card-1");
  // 22:30 UTC is 01:30 the next day in +03:00.
  EXPECT_EQ(format_time(card.window_start, 180), "2026-11-26T00:00:00+03:00");
  EXPECT_EQ(format_time(card.window_end, 180), "2026-11-27T00:00:00+03:00");
  EXPECT_EQ(card.verdict, LimitResult::Verdict::Exceeded);  // 700.01 + 300.00 > 1000.00
  const LimitResult& shop = r.limits[1];
  EXPECT_EQ(shop.scope_key.text(), "party=acme;shop=web");
  EXPECT_EQ(format_time(shop.window_start, 0), "2026-11-23T00:00:00Z");  // the Monday
  EXPECT_EQ(shop.verdict, LimitResult::Verdict::Exceeded);  // 2 + 1 is not < 3
  j["turnover"]["card_daily"]["amount"] = 70000;  // exactly 1000.00: within `<=`
  j["turnover"]["shop_weekly"] = 1;
  r = eval(j);
  EXPECT_EQ(r.limits[0].verdict, LimitResult::Verdict::Within);
  EXPECT_EQ(r.limits[1].verdict, LimitResult::Verdict::Within);
  // An amount limit in RUB does not count a USD payment.
  j["amount"]["currency"] = "USD";
  j.erase("turnover");
  r = eval(j);
  EXPECT_EQ(r.limits[0].status, LimitResult::Status::NotApplies);
  j["category"] = "gaming";
  r = eval(j);
  EXPECT_EQ(r.limits[1].status, LimitResult::Status::NotApplies);
}

// A scope key is spelled from its parts: each scope of the limit in order
// (an artifact may name one twice) with its value, joined by ';'; the
// values are as the context gave them.
TEST(Evaluate, ScopeKeySpelledFromItsParts) {
  const int32_t scopes[] = {1, 0, 4, 1};
  ScopeKey k;
  k.scopes = scopes;
  k.count = 4;
  k.values[0] = "acme";
  k.values[1] = "a;b=c";
  k.values[4] = "yb_3ds";
  EXPECT_EQ(k.text(), "shop=a;b=c;party=acme;terminal=yb_3ds;shop=a;b=c");
  k.count = 1;
  EXPECT_EQ(k.text(), "shop=a;b=c");
  k.count = 0;
  EXPECT_EQ(k.text(), "");
}

TEST(Evaluate, ResultJsonShape) {
  EvalResult r = eval(payment(), true);
  json out = testing::result_json(r, cd(), true);
  EXPECT_EQ(out["terms"]["status"], "allowed");
  EXPECT_EQ(out["cash_flow"]["postings"][0]["amount"], (json{{"amount", 6000}, {"currency", "RUB"}}));
  EXPECT_EQ(out["cash_flow"]["postings"][0]["rule"],
            "tariff standard, fees, rule 1, posting merchant.settlement -> system.settlement (line 32)");
  EXPECT_EQ(out["route"]["status"], "chosen");
  EXPECT_EQ(out["limits"][0]["window"]["start"], "2026-11-26T00:00:00+03:00");
}

TEST(Evaluate, ThreadsShareOneCompiledDomain) {
  auto c = testing::compiled();
  auto ctx = testing::parse_json(payment(), *c);
  ASSERT_TRUE(ctx.ok());
  std::vector<std::thread> ts;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (evaluate(*c, *ctx).cash_flow.postings[0].amount.minor != 6000) bad++;
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
}

// `code: message` of every finding of analyze() on a domain that checks.
std::vector<std::string> analysis(const char* text, dsl::Diagnostics& diags) {
  dsl::Domain d = dsl::load({{"a.pd", text}}, diags);
  EXPECT_FALSE(diags.has_errors());
  analyze(d, diags);
  std::vector<std::string> msgs;
  for (const auto& x : diags.items()) msgs.push_back(x.code + ": " + x.message);
  diags.set_files(nullptr);  // the domain's files go with it
  return msgs;
}

TEST(Analyze, ShadowedRulesAndUncoveredContexts) {
  const char* text = R"(
currency RUB { numeric 643 exponent 2 }
payment_system visa { }
payment_system mir { }
category retail { }
tariff t {
  fees {
    when payment_system == visa { merchant.settlement -> system.settlement : 1% of amount }
    when payment_system == visa and amount > 100.00 RUB { merchant.settlement -> system.settlement : 2% of amount }
    when amount < 5.00 RUB and amount > 10.00 RUB { merchant.settlement -> system.settlement : 3% of amount }
  }
}
)";
  dsl::Diagnostics diags;
  std::vector<std::string> msgs = analysis(text, diags);
  ASSERT_EQ(msgs.size(), 3u) << ::testing::PrintToString(msgs);
  EXPECT_EQ(msgs[0], "shadowed-rule: tariff t, fees, rule 2 can never apply: rule 1 (line 8) matches every payment it would match");
  EXPECT_EQ(msgs[1], "shadowed-rule: tariff t, fees, rule 3 can never apply: its condition can never hold");
  EXPECT_EQ(msgs[2].rfind("uncovered: tariff t, fees: no rule matches some payments, e.g. payment_system mir", 0), 0u)
      << msgs[2];
  EXPECT_EQ(diags.items()[0].line, 9u);
}

// The money warnings: split-rounding (shares of the whole amount from one
// account, rounded one by one) and fee-above-amount (a minimum fee above a
// payment the tariff allows and that reaches the posting).
TEST(Analyze, MoneyWarnings) {
  const char* text = R"(
currency RUB { numeric 643 exponent 2 }
currency USD { numeric 840 exponent 2 }
category retail { }
category gaming { }
tariff t {
  currencies [RUB]
  amount between 10.00 RUB and 1000.00 RUB
  fees {
    merchant.settlement -> system.settlement : 1/3 of amount
    when category == retail {
      merchant.settlement -> system.subagent : 1/3 of amount
      merchant.settlement -> merchant.payout : 1/3 of amount
    }
    when amount >= 15.00 RUB { merchant.settlement -> system.settlement : max(1% of amount, 15.00 RUB) }
    otherwise { merchant.settlement -> system.settlement : max(1% of amount, 15.00 RUB) }
  }
}
tariff u {
  currencies [RUB]
  amount between 20.00 RUB and 100.00 RUB
  fees {
    merchant.settlement -> system.settlement : max(1% of amount, 15.00 RUB)
    merchant.settlement -> system.settlement : min(15.00 RUB, amount)
  }
}
tariff v {
  fees {
    merchant.settlement -> system.settlement : 0.50 USD + 1% of amount
    merchant.settlement -> system.subagent : 1/2 of amount round towards_zero
    merchant.settlement -> merchant.payout : 1/2 of amount round towards_zero
    system.settlement -> merchant.payout : 1/2 of amount
  }
}
)";
  dsl::Diagnostics diags;
  auto msgs = analysis(text, diags);
  ASSERT_EQ(msgs.size(), 3u) << ::testing::PrintToString(msgs);
  EXPECT_EQ(msgs[0],
            "split-rounding: tariff t, fees: 3 postings from merchant.settlement take shares that add up to the whole "
            "amount, and each is rounded on its own: together they can move more than the amount (3 minor units of "
            "2); write `round towards_zero` on each to never move more");
  EXPECT_EQ(diags.items()[0].line, 13u);  // the posting that completes the whole
  EXPECT_EQ(msgs[1].rfind("fee-above-amount: tariff t, fees, rule 3, posting merchant.settlement -> system.settlement "
                          "(line 16): the fee is at least 15.00 RUB, more than a payment of 10.00 RUB that reaches it "
                          "(amount between 10.00 RUB and 1000.00 RUB)",
                          0),
            0u)
      << msgs[1];
  EXPECT_EQ(msgs[2].rfind("fee-above-amount: tariff v, fees, posting merchant.settlement -> system.settlement (line 29): "
                          "the fee is at least 0.50 USD, more than a payment of 0.01 USD that reaches it "
                          "(no `amount between` for USD)",
                          0),
            0u)
      << msgs[2];
}

// A nested decision is judged on the payments that reach it: the enclosing
// rule's condition, and none of the rules before it.
// negative-margin: Mastercard at 1% routed to a bank charging 1.5% loses
// money on every amount; Visa at 2% routed to one charging 0.5% does not,
// and neither pair that routing never makes (Mastercard to the cheap bank).
std::string margin_domain(const std::string& yellowbank_share) {
  return R"(
currency RUB { numeric 643 exponent 2 }
payment_system mastercard { }
payment_system visa { }
adapter a { url "https://a.example" }
provider yellowbank { adapter a  fees { system.settlement -> provider.settlement : )" +
         yellowbank_share + R"( of amount } }
provider cheap { adapter a  fees { system.settlement -> provider.settlement : 0.5% of amount } }
terminal yb { provider yellowbank }
terminal ch { provider cheap }
routing main {
  candidate yb when payment_system == mastercard
  candidate ch when payment_system == visa
}
tariff standard {
  currencies [RUB]
  amount between 10.00 RUB and 500000.00 RUB
  routing main
  fees {
    when payment_system == mastercard { merchant.settlement -> system.settlement : 1% of amount }
    otherwise { merchant.settlement -> system.settlement : 2% of amount }
  }
}
)";
}

std::vector<std::string> margins(const std::string& text) {
  dsl::Diagnostics diags;
  std::vector<std::string> out;
  for (const std::string& m : analysis(text.c_str(), diags))
    if (m.rfind("negative-margin", 0) == 0) out.push_back(m);
  return out;
}

TEST(Analyze, NegativeMarginInExactlyOneRegion) {
  std::vector<std::string> w = margins(margin_domain("1.5%"));
  ASSERT_EQ(w.size(), 1u) << ::testing::PrintToString(w);
  const std::string& m = w[0];
  EXPECT_NE(m.find("tariff standard: the platform loses money on payments routed to provider yellowbank (via yb)"),
            std::string::npos) << m;
  EXPECT_NE(m.find("tariff standard, fees, rule 1 (line 19) brings in less than provider yellowbank (line 6) takes out"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("for payments of 10.00 RUB to 500000.00 RUB"), std::string::npos) << m;
  EXPECT_NE(m.find("payment_system mastercard"), std::string::npos) << m;
  // The example's figures are exact: 1% and 1.5% of its amount, each rounded.
  size_t at = m.find("amount ");
  ASSERT_NE(at, std::string::npos) << m;
  int64_t units = 0, cents = 0;
  ASSERT_EQ(std::sscanf(m.c_str() + at, "amount %" SCNd64 ".%" SCNd64, &units, &cents), 2) << m;
  int64_t amount = units * 100 + cents;
  auto rub = [](int64_t minor) { return format_minor(minor, 2) + " RUB"; };
  int64_t in = (amount + 50) / 100, out = (amount * 15 + 500) / 1000;  // half away from zero
  EXPECT_NE(m.find("the tariff brings in " + rub(in) + ", the provider takes " + rub(out) + ", a loss of " +
                   rub(out - in)),
            std::string::npos)
      << m;
}

// The warning depends on the tariff and on the provider its route reaches:
// with the live check's cache, a change to the provider alone changes it.
TEST(Analyze, NegativeMarginIsCachedUnderEveryObjectItReads) {
  AnalysisCache cache;
  auto count = [&](const std::string& share) {
    dsl::Diagnostics diags;
    dsl::Domain d = dsl::load({{"a.pd", margin_domain(share)}}, diags);
    auto compiled = compile(d);
    EXPECT_TRUE(compiled.ok());
    if (!compiled.ok()) return size_t{0};
    analyze(d, **compiled, diags, &cache);
    size_t n = 0;
    for (const auto& w : diags.items()) n += w.code == "negative-margin";
    diags.set_files(nullptr);
    return n;
  };
  EXPECT_EQ(count("1.5%"), 1u);
  const size_t entries = cache.stats().entries;
  EXPECT_EQ(count("0.8%"), 0u);  // only the provider changed
  EXPECT_GT(cache.stats().entries, entries);
  const uint64_t hits = cache.stats().hits;
  EXPECT_EQ(count("1.5%"), 1u);  // the tariff's margin from the cache
  EXPECT_GT(cache.stats().hits, hits);
}

TEST(Analyze, NoNegativeMarginWhenTheTariffCoversTheProvider) {
  EXPECT_TRUE(margins(margin_domain("1%")).empty());    // exactly even: no loss
  EXPECT_TRUE(margins(margin_domain("0.8%")).empty());
}

TEST(Analyze, NestedDecisionsAreCheckedOnThePaymentsThatReachThem) {
  const char* text = R"(
currency RUB { numeric 643 exponent 2 }
payment_system visa { }
payment_system mir { }
payment_system mastercard { }
category retail { }
category gaming { }
category travel { }
tariff t {
  fees {
    when payment_system == mir { merchant.settlement -> system.settlement : 0.5% of amount }
    when category == retail {
      when payment_system == visa { merchant.settlement -> system.settlement : 1% of amount }
      when payment_system == mastercard { merchant.settlement -> system.settlement : 1.5% of amount }
    }
    when category == gaming {
      when payment_system == visa { merchant.settlement -> system.settlement : 2% of amount }
      when amount > 100.00 RUB { merchant.settlement -> system.settlement : 3% of amount }
    }
    otherwise { merchant.settlement -> system.settlement : 4% of amount }
  }
}
)";
  dsl::Diagnostics diags;
  std::vector<std::string> msgs = analysis(text, diags);
  // Inside rule 2 every payment is retail and not mir, so visa and
  // mastercard are all the cards left: covered. Inside rule 3 a small
  // mastercard gaming payment is not.
  ASSERT_EQ(msgs.size(), 1u) << ::testing::PrintToString(msgs);
  EXPECT_EQ(msgs[0].rfind("uncovered: tariff t, fees: inside rule 3 (line 16) no rule matches some payments that reach it, e.g. ", 0), 0u)
      << msgs[0];
  EXPECT_NE(msgs[0].find("payment_system mastercard"), std::string::npos) << msgs[0];
  EXPECT_EQ(diags.items()[0].line, 16u);
}

// A rule whose condition names criteria is explained with their names, in a
// fee decision and in routing alike (docs/language.md, "Named conditions").
TEST(Evaluate, ExplanationsNameTheCriteriaARuleUses) {
  std::string text = std::string(testing::kDomain) + "country KZ { }\n" +
                     "criterion domestic { when issuer_country == RU }\n"
                     "criterion big_card { when payment_tool is bank_card and currency == RUB and amount >= 5000.00 RUB }\n";
  const std::string fee_rule = "    when big_card and domestic {", route_rule = "  when big_card and not domestic:";
  text.insert(text.find("    when payment_system in [maestro, mastercard] {"),
              fee_rule + "\n      merchant.settlement -> system.settlement : 2% of amount\n    }\n");
  text.insert(text.find("  when risk == fatal"), route_rule + " decline \"big foreign card\"\n");
  dsl::Diagnostics diags;
  static std::list<dsl::Domain> keep;  // kept alive and in place for the compiled domain
  keep.push_back(dsl::load({{"test.pd", text}}, diags));
  ASSERT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), keep.back().files);
  auto compiled = compile(keep.back());
  ASSERT_TRUE(compiled.ok()) << compiled.error().text();
  auto line_of = [&](const std::string& needle) {
    return std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<long>(text.find(needle)), '\n'));
  };
  auto run = [&](const json& j) { return evaluate(**compiled, testing::parse_kept(j, **compiled), {true}); };

  json j = payment();  // 6000.00 RUB by a Russian Mastercard: big and domestic
  j["payment_tool"]["issuer_country"] = "RU";
  EvalResult r = run(j);
  ASSERT_EQ(r.cash_flow.explain.size(), 1u);
  EXPECT_EQ(r.cash_flow.explain[0],
            "tariff standard, fees, rule 1 (line " + line_of(fee_rule) + ", criterion big_card, domestic)");
  EXPECT_EQ(r.route.status, RouteResult::Status::Chosen);

  j["payment_tool"]["issuer_country"] = "KZ";  // big, not domestic: the next fee rule, and routing declines
  r = run(j);
  ASSERT_EQ(r.cash_flow.explain.size(), 1u);
  EXPECT_EQ(r.cash_flow.explain[0], "tariff standard, fees, rule 2 (line " +
                                        line_of("    when payment_system in [maestro, mastercard]") + ")");
  ASSERT_EQ(r.route.status, RouteResult::Status::Declined);
  ASSERT_FALSE(r.route.explain.empty());
  EXPECT_EQ(r.route.explain.back(), "routing main, rule 1 (line " + line_of(route_rule) +
                                        ", criterion big_card, domestic): decline");
  EXPECT_EQ(r.route.decline_reason, "big foreign card");
}

}  // namespace
}  // namespace paydomain::evaluator
