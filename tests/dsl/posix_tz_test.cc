// The tz files' footer rules (dsl/posix_tz.h): the forms RFC 8536 allows,
// and the instants they change at. Against the C library on every zone:
// tests/evaluator/timezone_test.cc.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "dsl/posix_tz.h"

namespace paydomain::dsl {
namespace {

// Seconds since the epoch of a UTC date and time (2026-03-29 01:00 etc.).
int64_t utc(int64_t days, int h, int m = 0) { return days * 86400 + h * 3600 + m * 60; }
constexpr int64_t k2026_03_29 = 20541, k2026_10_25 = 20751, k2026_03_08 = 20520, k2026_11_01 = 20758;

using Changes = std::vector<std::pair<int64_t, int32_t>>;

// `text` parses to these offsets and changes so in 2026.
void expect_rule(const char* text, int32_t std_offset, int32_t dst_offset, const Changes& in_2026) {
  auto tz = parse_posix_tz(text);
  ASSERT_TRUE(tz) << text;
  EXPECT_EQ(tz->std_offset, std_offset) << text;
  EXPECT_EQ(tz->dst_offset, dst_offset) << text;
  EXPECT_EQ(posix_tz_changes(*tz, 2026), in_2026) << text;
}

TEST(PosixTz, BerlinChangesOnTheLastSundaysOfMarchAndOctober) {
  // At 02:00 CET and 03:00 CEST.
  expect_rule("CET-1CEST,M3.5.0,M10.5.0/3", 60, 120, {{utc(k2026_03_29, 1), 120}, {utc(k2026_10_25, 1), 60}});
}

TEST(PosixTz, NewYorkUsesTheDefaultHourAndTime) {
  // Daylight time one hour ahead when not given; at 02:00 EST and 02:00 EDT.
  expect_rule("EST5EDT,M3.2.0,M11.1.0", -300, -240, {{utc(k2026_03_08, 7), -240}, {utc(k2026_11_01, 6), -300}});
}

TEST(PosixTz, SouthernAndNegativeDaylightTimeComeInTimeOrder) {
  // Lord Howe: half an hour, daylight time from October to April.
  auto lh = parse_posix_tz("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  ASSERT_TRUE(lh);
  EXPECT_EQ(lh->std_offset, 630);
  EXPECT_EQ(lh->dst_offset, 660);
  auto c = posix_tz_changes(*lh, 2026);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_LT(c[0].first, c[1].first);
  EXPECT_EQ(c[0].second, 630);  // April: back to standard time
  EXPECT_EQ(c[1].second, 660);
  // Dublin: "standard" is summer time, "daylight" the winter's GMT.
  auto dub = parse_posix_tz("IST-1GMT0,M10.5.0,M3.5.0/1");
  ASSERT_TRUE(dub);
  EXPECT_EQ(dub->std_offset, 60);
  EXPECT_EQ(dub->dst_offset, 0);
  c = posix_tz_changes(*dub, 2026);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], std::make_pair(utc(k2026_03_29, 1), 60));
  EXPECT_EQ(c[1], std::make_pair(utc(k2026_10_25, 1), 0));
}

TEST(PosixTz, ExtendedTimesAndDayForms) {
  // Gaza: hour 50 (two days after the Thursday); Godthab: hour -1.
  auto gaza = parse_posix_tz("EET-2EEST,M3.4.4/50,M10.4.4/50");
  ASSERT_TRUE(gaza);
  EXPECT_EQ(gaza->start.seconds, 50 * 3600);
  auto godthab = parse_posix_tz("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  ASSERT_TRUE(godthab);
  EXPECT_EQ(godthab->start.seconds, -3600);
  EXPECT_EQ(godthab->std_offset, -120);
  // Jn skips February 29; n counts it.
  auto julian = parse_posix_tz("XXX0YYY,J60/0,300/0");
  ASSERT_TRUE(julian);
  auto c = posix_tz_changes(*julian, 2028);  // a leap year
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].first, utc(21244, 0));  // J60: 1 March 2028
  EXPECT_EQ(c[1].first, utc(21184 + 300, -1));  // day 300 from 1 January (day 21184), 00:00 local at +01
  // Without daylight time: no changes.
  auto kolkata = parse_posix_tz("IST-5:30");
  ASSERT_TRUE(kolkata);
  EXPECT_EQ(kolkata->std_offset, 330);
  EXPECT_TRUE(posix_tz_changes(*kolkata, 2050).empty());
}

TEST(PosixTz, MalformedRulesAreRefused) {
  for (const char* bad : {"", "C-1", "CET", "CET-1CEST", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
                          "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J365",
                          "CET-1CEST,M3.5.0/168,M10.5.0", "CET-1:00:30", "<+1>-1", "CET-1CEST,M3.5.0,M10.5.0x",
                          "CET-25"}) {
    EXPECT_FALSE(parse_posix_tz(bad)) << bad;
  }
}

}  // namespace
}  // namespace paydomain::dsl
