// Weekday and time conditions in a named time zone, `time("Europe/Moscow")`:
// parsed with the zone and its position, checked (unknown zones with the
// closest name, zones only on weekday and time), and formatted canonically
// (the formatter's round trip keeps the zone; a zone is part of the meaning).
#include <gtest/gtest.h>

#include "dsl/formatter.h"
#include "tests/dsl/test_util.h"

namespace paydomain::dsl {
namespace {

const std::string kZoned = R"(
tariff night {
  currencies [RUB]
  fees {
    when time("Europe/Moscow") between 22:00 and 06:00 and weekday( "Europe/Moscow" ) in [sat, sun] {
      merchant.settlement -> system.settlement : 2% of amount
    }
    when time("+05:00") >= 18:00 or weekday == mon {
      merchant.settlement -> system.settlement : 1% of amount
    }
  }
}
)";

testing::Loaded with(const std::string& from, const std::string& to) {
  return testing::load_replaced(std::string(testing::kBaseDomain) + kZoned, from, to);
}

const Condition& first_arm(const testing::Loaded& l) {
  const Object* t = l.domain.find(ObjectKind::Tariff, "night");
  EXPECT_NE(t, nullptr);
  return t->find(Clause::Kind::Fees)->cash_flow->arms[0].condition;
}

TEST(ZonedCondition, ParsesTheZoneWithItsPosition) {
  auto l = with("", "");
  ASSERT_FALSE(l.diags.has_errors()) << l.rendered();
  const Condition& c = first_arm(l);
  ASSERT_EQ(c.kind, Condition::Kind::And);
  const Condition& time = c.children[0];
  EXPECT_EQ(time.attribute.text, "time");
  ASSERT_TRUE(time.zone.has_value());
  EXPECT_EQ(time.zone->text, "Europe/Moscow");
  EXPECT_EQ(time.zone->span.column, time.attribute.span.column + 5);  // time("
  EXPECT_EQ(time.attribute.span.end_offset - time.attribute.span.offset, 4u);
  EXPECT_EQ(c.children[1].zone->text, "Europe/Moscow");
}

TEST(ZonedCondition, FormatsCanonicallyAndRoundTrips) {
  auto l = with("", "");
  ASSERT_FALSE(l.diags.has_errors()) << l.rendered();
  EXPECT_EQ(format_condition(first_arm(l)),
            "time(\"Europe/Moscow\") between 22:00 and 06:00 and weekday(\"Europe/Moscow\") in [sat, sun]");
  std::string once = format_file(l.domain, 0);
  auto again = testing::load_text(once);
  ASSERT_FALSE(again.diags.has_errors()) << again.rendered();
  EXPECT_EQ(format_file(again.domain, 0), once);
  EXPECT_EQ(dump_semantic(again.domain), dump_semantic(l.domain));
}

TEST(ZonedCondition, TheZoneIsPartOfTheMeaning) {
  auto moscow = with("", "");
  auto berlin = with("time(\"Europe/Moscow\") between", "time(\"Europe/Berlin\") between");
  auto utc = with("time(\"Europe/Moscow\") between", "time between");
  ASSERT_FALSE(berlin.diags.has_errors() || utc.diags.has_errors());
  EXPECT_NE(dump_semantic(moscow.domain), dump_semantic(berlin.domain));
  EXPECT_NE(dump_semantic(moscow.domain), dump_semantic(utc.domain));
}

TEST(ZonedCondition, AnUnknownZoneIsAnErrorWithTheClosestName) {
  auto l = with("time(\"Europe/Moscow\")", "time(\"Europe/Moskow\")");
  const Diagnostic* d = l.first("timezone");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_EQ(d->message, "unknown time zone 'Europe/Moskow'");
  EXPECT_EQ(d->suggestion, "Europe/Moscow");
  auto offset = with("time(\"+05:00\")", "time(\"+25:00\")");
  EXPECT_TRUE(offset.has("timezone")) << offset.rendered();
}

TEST(ZonedCondition, OnlyWeekdayAndTimeTakeAZone) {
  auto l = with("weekday == mon", "amount(\"Europe/Moscow\") >= 10.00 RUB");
  const Diagnostic* d = l.first("timezone");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_NE(d->message.find("only weekday and time"), std::string::npos) << d->message;
}

TEST(ZonedCondition, TheDerivedInstantIsNoAttributeAnAnalystWrites) {
  auto l = with("weekday == mon", "instant >= 10");
  EXPECT_TRUE(l.has("unknown-attribute")) << l.rendered();
}

}  // namespace
}  // namespace paydomain::dsl
