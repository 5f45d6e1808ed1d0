// Payment contexts from JSON: every malformed input gets a precise error
// naming the JSON path; valid ones fill the slots the evaluator reads.
#include <gtest/gtest.h>

#include "evaluator/time.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  auto r = testing::parse_json(j, *testing::compiled());
  return r.ok() ? "ok" : r.error().text();
}

json with(const char* path, json value) {
  json j = testing::payment();
  j[json::json_pointer(path)] = std::move(value);
  return j;
}

TEST(Context, MalformedInputsNameTheJsonPath) {
  EXPECT_EQ(error_of(testing::payment()), "ok");
  EXPECT_EQ(error_of(json::array()), "$: expected a JSON object (the payment context)");
  EXPECT_EQ(error_of(with("/amount/amount", 60.5)), "$.amount.amount: expected an integer number of minor units");
  EXPECT_EQ(error_of(with("/amount/amount", "600")), "$.amount.amount: expected an integer number of minor units");
  EXPECT_EQ(error_of(with("/amount/amount", -1)),
            "$.amount.amount: expected an integer number of minor units (not negative)");
  EXPECT_EQ(error_of(with("/amount/currency", "XXX")), "$.amount.currency: unknown currency 'XXX'");
  EXPECT_EQ(error_of(with("/amount", json{{"amount", 1}})), "$.amount.currency: missing currency");
  EXPECT_EQ(error_of(with("/amount", 100)), "$.amount: expected {\"amount\": <minor units>, \"currency\": \"RUB\"}");
  EXPECT_EQ(error_of(with("/category", "toys")), "$.category: unknown category 'toys' (expected one of retail, gaming)");
  EXPECT_EQ(error_of(with("/risk", "medium")), "$.risk: unknown risk 'medium' (expected one of low, high, fatal)");
  EXPECT_EQ(error_of(with("/tariff", "gold")), "$.tariff: unknown tariff 'gold'");
  EXPECT_EQ(error_of(with("/payment_tool/payment_system", "discover")),
            "$.payment_tool.payment_system: unknown payment_system 'discover' (expected one of mastercard, maestro, visa)");
  EXPECT_EQ(error_of(with("/payment_tool/bin", "42x")), "$.payment_tool.bin: expected a BIN: 1 to 19 digits as a string");
  EXPECT_EQ(error_of(with("/payment_tool/colour", "red")).rfind("$.payment_tool.colour: unknown payment_tool field", 0), 0u);
  EXPECT_EQ(error_of(with("/time", "2026-11-25 13:20")),
            "$.time: expected an ISO 8601 UTC time like \"2026-11-25T13:20:00Z\"");
  EXPECT_EQ(error_of(with("/time", "2026-11-25T13:20:00+03:00")), "$.time: the time must be in UTC (ending in Z or +00:00)");
  EXPECT_EQ(error_of(with("/time", "2026-02-30T13:20:00Z")),
            "$.time: expected an ISO 8601 UTC time like \"2026-11-25T13:20:00Z\"");
  EXPECT_EQ(error_of(with("/health", json{{"nope", {{"failure_rate", "1%"}}}})),
            "$.health.nope: unknown terminal or provider 'nope'");
  EXPECT_EQ(error_of(with("/health", json{{"yb_3ds", {{"failure_rate", 0.8}}}})),
            "$.health.yb_3ds.failure_rate: expected a percentage string like \"80%\" or \"12.5%\"");
  EXPECT_EQ(error_of(with("/health", json{{"yb_3ds", {{"failure_rate", "101%"}}}})),
            "$.health.yb_3ds.failure_rate: a failure rate cannot exceed 100%");
  EXPECT_EQ(error_of(with("/turnover", json{{"card_daily", {{"amount", 1}, {"currency", "USD"}}}})),
            "$.turnover.card_daily.currency: limit card_daily counts RUB, not USD");
  EXPECT_EQ(error_of(with("/turnover", json{{"shop_weekly", "3"}})),
            "$.turnover.shop_weekly: expected a whole number (the count so far)");
  EXPECT_EQ(error_of(with("/colour", "red")).rfind("$.colour: unknown context field", 0), 0u);
  EXPECT_EQ(error_of(with("/party", 42)), "$.party: expected a string");
  EXPECT_EQ(error_of(with("/payment_amount", json{{"currency", "RUB"}})), "$.payment_amount.amount: missing amount");
  EXPECT_EQ(error_of(with("/payment_amount", json{{"amount", 1}, {"currency", "USD"}})),
            "$.payment_amount.currency: the payment was in USD; a refund of it is in the same currency, not RUB");
  EXPECT_EQ(parse_context(std::string_view("{not json"), *testing::compiled()).error().text(),
            "$: not valid JSON (at byte 1: expected a member name or '}')");
}

std::string text_error(std::string_view text) {
  auto r = parse_context(text, *testing::compiled());
  return r.ok() ? "ok" : r.error().text();
}

// A repeated member is an error naming its path, at every level: never "the
// last one wins" (a second currency must not turn a ruble payment into dollars).
TEST(Context, RepeatedMembersAreErrorsAtEveryLevel) {
  const std::string repeated = ": repeated member (each member may appear once)";
  EXPECT_EQ(text_error(R"({"amount": {"amount": 100, "currency": "RUB", "currency": "USD"}})"),
            "$.amount.currency" + repeated);
  EXPECT_EQ(text_error(R"({"amount": {"amount": 100, "amount": 100, "currency": "RUB"}})"), "$.amount.amount" + repeated);
  EXPECT_EQ(text_error(R"({"risk": "low", "risk": "high"})"), "$.risk" + repeated);
  EXPECT_EQ(text_error(R"({"risk": null, "risk": "high"})"), "$.risk" + repeated);  // null is "absent", still a member
  EXPECT_EQ(text_error(R"({"risk": "low", "ri\u0073k": "high"})"), "$.risk" + repeated);
  EXPECT_EQ(text_error(R"({"payment_tool": {"kind": "bank_card", "bin": "4", "bin": "5"}})"),
            "$.payment_tool.bin" + repeated);
  EXPECT_EQ(text_error(R"({"payment_amount": {"amount": 1, "currency": "RUB", "currency": "RUB"}})"),
            "$.payment_amount.currency" + repeated);
  EXPECT_EQ(text_error(R"({"turnover": {"card_daily": {"amount": 1, "currency": "RUB"},
                                        "card_daily": {"amount": 99999, "currency": "RUB"}}})"),
            "$.turnover.card_daily" + repeated);
  EXPECT_EQ(text_error(R"({"turnover": {"shop_weekly": 1, "shop_\u0077eekly": 2}})"), "$.turnover.shop_weekly" + repeated);
  EXPECT_EQ(text_error(R"({"turnover": {"card_daily": {"amount": 1, "amount": 2, "currency": "RUB"}}})"),
            "$.turnover.card_daily.amount" + repeated);
  EXPECT_EQ(text_error(R"({"health": {"yb_3ds": {"failure_rate": "1%"}, "yb_3ds": {"latency_ms": 5}}})"),
            "$.health.yb_3ds" + repeated);
  EXPECT_EQ(text_error(R"({"health": {"yellowbank": {"latency_ms": 1}, "yellowbank": {"latency_ms": 5}}})"),
            "$.health.yellowbank" + repeated);
  EXPECT_EQ(text_error(R"({"health": {"yb_3ds": {"failure_rate": "1%", "failure_rate": "90%"}}})"),
            "$.health.yb_3ds.failure_rate" + repeated);
  // The same names in different objects are not repeats; a terminal and its provider are different keys.
  EXPECT_EQ(text_error(R"({"amount": {"amount": 1, "currency": "RUB"}, "payment_amount": {"amount": 1, "currency": "RUB"},
                           "health": {"yb_3ds": {"latency_ms": 1}, "yellowbank": {"latency_ms": 1}, "yb_fast": {"latency_ms": 1}},
                           "turnover": {"card_daily": {"amount": 1, "currency": "RUB"}, "shop_weekly": 1}})"),
            "ok");
  // A repeat is reported even when the rest of the text is fine, and a
  // syntax error later in the text still wins (as for any shape error).
  EXPECT_EQ(text_error(R"({"risk": "low", "risk": "low"} x)").rfind("$: not valid JSON", 0), 0u);
}

TEST(Context, SlotsAndDerivedTime) {
  auto c = testing::parse_json(testing::payment(), *testing::compiled());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->facts.get(Attr::Amount), 600000);
  EXPECT_TRUE(c->facts.has(Attr::Operation));  // defaults to payment
  EXPECT_EQ(c->facts.get(Attr::TimeOfDay), 22 * 60 + 30);
  EXPECT_EQ(c->facts.get(Attr::Weekday), 2);  // 2026-11-25 is a Wednesday
  // A party no condition mentions interns to the "other" id.
  EXPECT_EQ(c->facts.get(Attr::Party), testing::compiled()->vocab.size(Attr::Party) - 1);
}

// The vocabulary's open-addressing index, well past its first growth.
TEST(Vocab, FindsEveryNameAfterTheIndexGrows) {
  std::string text = "currency RUB { numeric 643 exponent 2 }\n";
  for (int i = 0; i < 300; ++i) text += "category c" + std::to_string(i) + " { }\n";
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{"v.pd", text}}, diags);
  ASSERT_FALSE(diags.has_errors());
  auto c = compile(d);
  ASSERT_TRUE(c.ok());
  const Vocab& v = (*c)->vocab;
  EXPECT_EQ(v.object_count(dsl::ObjectKind::Category), 300);
  for (int i = 0; i < 300; ++i) {
    std::string name = "c" + std::to_string(i);
    int32_t id = v.object(dsl::ObjectKind::Category, name);
    ASSERT_GE(id, 0) << name;
    EXPECT_EQ(v.object_name(dsl::ObjectKind::Category, id), name);
    EXPECT_EQ(v.find(Attr::Category, name), id);
  }
  EXPECT_EQ(v.object(dsl::ObjectKind::Category, "c300"), -1);
  EXPECT_EQ(v.object(dsl::ObjectKind::Category, ""), -1);
  EXPECT_EQ(v.find(Attr::Category, "C1"), -1);
}

TEST(Time, CalendarWindows) {
  int64_t t = *parse_utc_time("2024-02-29T23:59:59Z");
  auto [ds, de] = period_window(t, 0, 0);
  EXPECT_EQ(format_time(ds, 0), "2024-02-29T00:00:00Z");
  EXPECT_EQ(format_time(de, 0), "2024-03-01T00:00:00Z");
  auto [ms, me] = period_window(t, 2, 180);  // already March 1st in +03:00
  EXPECT_EQ(format_time(ms, 180), "2024-03-01T00:00:00+03:00");
  EXPECT_EQ(format_time(me, 180), "2024-04-01T00:00:00+03:00");
  auto [ys, ye] = period_window(t, 3, -300);
  EXPECT_EQ(format_time(ys, -300), "2024-01-01T00:00:00-05:00");
  EXPECT_EQ(format_time(ye, -300), "2025-01-01T00:00:00-05:00");
  auto [ws, we] = period_window(*parse_utc_time("2026-11-29T10:00:00Z"), 1, 0);  // a Sunday
  EXPECT_EQ(format_time(ws, 0), "2026-11-23T00:00:00Z");
  EXPECT_EQ(format_time(we, 0), "2026-11-30T00:00:00Z");
  EXPECT_EQ(weekday_of(*parse_utc_time("1970-01-01T00:00:00Z")), 3);  // Thursday
  EXPECT_EQ(*parse_utc_time("1970-01-01T00:00:01.250Z"), 1);
}

}  // namespace
}  // namespace paydomain::evaluator
