// Named IANA time zones for limit windows: the table a zone compiles into
// (dsl::zone_transitions) and the DST-correct windows the evaluator computes
// from it alone, checked at known transitions and, over many instants and
// zones, against date/tz's own local -> UTC conversion.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>

#include "date/tz.h"
#include "dsl/timezone.h"
#include "evaluator/compiled.h"
#include "evaluator/time.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

int64_t at(const char* iso) { return *parse_utc_time(iso); }

struct Zone {
  dsl::ZoneTransitions t;
  ZoneTable table() const { return ZoneTable{t.starts, t.offsets}; }
};

Zone zone(const char* name) {
  auto t = dsl::zone_transitions(name);
  EXPECT_TRUE(t.has_value()) << name;
  return Zone{t ? std::move(*t) : dsl::ZoneTransitions{}};
}

// The window's ends as the result JSON writes them (each in its own offset).
std::pair<std::string, std::string> window(const Zone& z, const char* iso, int32_t period) {
  auto [s, e] = zone_period_window(at(iso), period, z.table());
  return {format_time(s, zone_offset_at(z.table(), s)), format_time(e, zone_offset_at(z.table(), e))};
}

TEST(TimeZones, NamesAndFixedOffsets) {
  EXPECT_EQ(dsl::fixed_offset_minutes("UTC"), 0);
  EXPECT_EQ(dsl::fixed_offset_minutes("+03:00"), 180);
  EXPECT_EQ(dsl::fixed_offset_minutes("-05:30"), -330);
  EXPECT_FALSE(dsl::fixed_offset_minutes("+15:00"));
  EXPECT_FALSE(dsl::fixed_offset_minutes("Europe/Moscow"));
  EXPECT_TRUE(dsl::is_iana_zone("Europe/Moscow"));
  EXPECT_TRUE(dsl::is_iana_zone("America/New_York"));
  EXPECT_FALSE(dsl::is_iana_zone("Europe/Moskow"));
  EXPECT_FALSE(dsl::is_iana_zone(""));
  EXPECT_FALSE(dsl::zone_transitions("Mars/Olympus"));
  const auto& names = dsl::iana_zone_names();
  EXPECT_TRUE(std::binary_search(names.begin(), names.end(), "Europe/Berlin"));
}

TEST(TimeZones, BerlinSwitchesTwiceAYearThroughTheCoveredYears) {
  Zone z = zone("Europe/Berlin");
  ASSERT_FALSE(z.t.offsets.empty());
  EXPECT_EQ(zone_offset_at(z.table(), at("2026-01-15T12:00:00Z")), 60);
  EXPECT_EQ(zone_offset_at(z.table(), at("2026-07-15T12:00:00Z")), 120);
  // The switch itself: 01:00 UTC on the last Sunday of March and October.
  EXPECT_EQ(zone_offset_at(z.table(), at("2026-03-29T00:59:59Z")), 60);
  EXPECT_EQ(zone_offset_at(z.table(), at("2026-03-29T01:00:00Z")), 120);
  EXPECT_EQ(zone_offset_at(z.table(), at("2026-10-25T00:59:59Z")), 120);
  EXPECT_EQ(zone_offset_at(z.table(), at("2026-10-25T01:00:00Z")), 60);
  // Past the tz file's listed transitions (2037), its footer's rule...
  EXPECT_EQ(zone_offset_at(z.table(), at("2037-07-15T12:00:00Z")), 120);
  EXPECT_EQ(zone_offset_at(z.table(), at("2090-01-15T12:00:00Z")), 60);
  EXPECT_EQ(zone_offset_at(z.table(), at("2090-07-15T12:00:00Z")), 120);
  EXPECT_EQ(zone_offset_at(z.table(), at("2099-10-25T00:59:59Z")), 120);  // last Sunday of October 2099
  EXPECT_EQ(zone_offset_at(z.table(), at("2099-10-25T01:00:00Z")), 60);
  // ...to the end of the covered years (dsl::kZoneEndYear), then the last offset holds.
  EXPECT_LT(z.t.starts.back(), at("2100-01-01T00:00:00Z"));
  EXPECT_EQ(zone_offset_at(z.table(), at("2100-07-15T12:00:00Z")), 60);
}

// The C library reads the tz files' footers itself (glibc's tzfile.c), so
// it is an independent oracle for the years after the listed transitions:
// every zone, instants from 2030 to 2099 and next to each of its table's
// transitions there.
TEST(TimeZones, EveryZoneAgreesWithTheCLibraryTo2099) {
  const char* saved = std::getenv("TZ");
  const std::string restore = saved ? saved : "";
  std::mt19937_64 rng(2099);
  std::uniform_int_distribution<int64_t> any(at("2030-01-01T00:00:00Z"), at("2099-12-31T00:00:00Z"));
  int zones = 0, changes_after_2038 = 0;
  for (const std::string& name : dsl::iana_zone_names()) {
    if (name.rfind("posix", 0) == 0 || name.rfind("right", 0) == 0) continue;
    auto t = dsl::zone_transitions(name);
    ASSERT_TRUE(t.has_value()) << name;
    const ZoneTable table{t->starts, t->offsets};
    setenv("TZ", (":" + name).c_str(), 1);
    tzset();
    auto offset = [](int64_t when) {
      std::time_t tt = static_cast<std::time_t>(when);
      std::tm tm{};
      localtime_r(&tt, &tm);
      return static_cast<int32_t>(tm.tm_gmtoff / 60);
    };
    for (int i = 0; i < 40; ++i) {
      int64_t when = any(rng);
      ASSERT_EQ(zone_offset_at(table, when), offset(when)) << name << " " << format_time(when, 0);
    }
    for (int64_t s : t->starts) {
      if (s < at("2030-01-01T00:00:00Z")) continue;
      changes_after_2038 += s >= at("2038-01-01T00:00:00Z");
      for (int64_t d : {-1, 0}) ASSERT_EQ(zone_offset_at(table, s + d), offset(s + d)) << name << " " << format_time(s + d, 0);
    }
    ++zones;
  }
  if (saved) setenv("TZ", restore.c_str(), 1); else unsetenv("TZ");
  tzset();
  EXPECT_GT(zones, 300);
  EXPECT_GT(changes_after_2038, 10000);  // the footers' rules are applied
}

TEST(TimeZones, DaysAcrossBerlinTransitionsLast23And25Hours) {
  Zone z = zone("Europe/Berlin");
  EXPECT_EQ(window(z, "2026-03-29T12:00:00Z", 0),
            std::make_pair(std::string("2026-03-29T00:00:00+01:00"), std::string("2026-03-30T00:00:00+02:00")));
  auto [s, e] = zone_period_window(at("2026-03-29T12:00:00Z"), 0, z.table());
  EXPECT_EQ(e - s, 23 * 3600);
  EXPECT_EQ(window(z, "2026-10-25T12:00:00Z", 0),
            std::make_pair(std::string("2026-10-25T00:00:00+02:00"), std::string("2026-10-26T00:00:00+01:00")));
  std::tie(s, e) = zone_period_window(at("2026-10-25T12:00:00Z"), 0, z.table());
  EXPECT_EQ(e - s, 25 * 3600);
  // Late evening UTC is already the next local day.
  EXPECT_EQ(window(z, "2026-07-14T22:30:00Z", 0).first, "2026-07-15T00:00:00+02:00");
}

TEST(TimeZones, NewYorkMonthAndWeekSpanTheSwitch) {
  Zone z = zone("America/New_York");
  EXPECT_EQ(window(z, "2026-03-20T12:00:00Z", 2),
            std::make_pair(std::string("2026-03-01T00:00:00-05:00"), std::string("2026-04-01T00:00:00-04:00")));
  // The ISO week of Sunday 8 March 2026 (the switch day) starts Monday 2 March.
  EXPECT_EQ(window(z, "2026-03-08T12:00:00Z", 1),
            std::make_pair(std::string("2026-03-02T00:00:00-05:00"), std::string("2026-03-09T00:00:00-04:00")));
  EXPECT_EQ(window(z, "2026-11-01T12:00:00Z", 0),
            std::make_pair(std::string("2026-11-01T00:00:00-04:00"), std::string("2026-11-02T00:00:00-05:00")));
}

TEST(TimeZones, MoscowHistory) {
  Zone z = zone("Europe/Moscow");
  EXPECT_EQ(zone_offset_at(z.table(), at("2010-01-15T12:00:00Z")), 180);  // winter time
  EXPECT_EQ(zone_offset_at(z.table(), at("2010-07-15T12:00:00Z")), 240);  // summer time
  EXPECT_EQ(zone_offset_at(z.table(), at("2012-01-15T12:00:00Z")), 240);  // 2011-2014: +04 all year
  EXPECT_EQ(zone_offset_at(z.table(), at("2013-07-15T12:00:00Z")), 240);
  EXPECT_EQ(zone_offset_at(z.table(), at("2015-01-15T12:00:00Z")), 180);  // since 26 October 2014: +03
  EXPECT_EQ(zone_offset_at(z.table(), at("2026-07-15T12:00:00Z")), 180);
  // 26 October 2014, 02:00 +04 became 01:00 +03: a 25-hour day.
  EXPECT_EQ(window(z, "2014-10-26T12:00:00Z", 0),
            std::make_pair(std::string("2014-10-26T00:00:00+04:00"), std::string("2014-10-27T00:00:00+03:00")));
  // The limit's window in a year of the permanent +04.
  EXPECT_EQ(window(z, "2012-12-31T21:00:00Z", 3),
            std::make_pair(std::string("2013-01-01T00:00:00+04:00"), std::string("2014-01-01T00:00:00+04:00")));
}

// date/tz's own answer: the first instant of the local date's period (a
// midnight inside a DST gap maps to the gap's end).
std::pair<int64_t, int64_t> oracle(const date::time_zone* z, int64_t t, int32_t period) {
  using namespace date;
  auto local = floor<days>(z->to_local(sys_seconds{std::chrono::seconds{t}}));
  year_month_day ymd{local};
  local_days start = local, end = local + days{1};
  if (period == 1) {
    weekday wd{local};
    start = local - (wd - Monday);
    end = start + days{7};
  } else if (period == 2) {
    start = local_days{ymd.year() / ymd.month() / 1};
    end = local_days{(ymd.year() / ymd.month() / 1) + months{1}};
  } else if (period == 3) {
    start = local_days{ymd.year() / 1 / 1};
    end = local_days{(ymd.year() + years{1}) / 1 / 1};
  }
  auto sys = [&](local_days d) { return z->to_sys(local_seconds{d}, choose::earliest).time_since_epoch().count(); };
  return {sys(start), sys(end)};
}

TEST(TimeZones, WindowsAgreeWithTheTzLibraryEverywhere) {
  // Lord Howe shifts by 30 minutes; Havana and Santiago switch at midnight
  // (a local day that starts at 01:00); Kolkata never switches.
  const char* names[] = {"Europe/Berlin",    "America/New_York",    "Europe/Moscow", "America/Havana",
                         "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata",  "Pacific/Apia"};
  std::mt19937_64 rng(15);
  int checked = 0;
  for (const char* name : names) {
    Zone z = zone(name);
    const date::time_zone* tz = date::locate_zone(name);
    auto check = [&](int64_t t) {
      for (int32_t p = 0; p < 4; ++p) {
        ASSERT_EQ(zone_period_window(t, p, z.table()), oracle(tz, t, p))
            << name << " " << format_time(t, 0) << " " << p;
        ++checked;
      }
    };
    std::uniform_int_distribution<int64_t> any(at("1971-01-01T00:00:00Z"), at("2037-06-01T00:00:00Z"));
    for (int i = 0; i < 1500; ++i) check(any(rng));
    // Around every transition in 2000-2040: the instants next to it.
    for (size_t i = 0; i < z.t.starts.size(); ++i) {
      int64_t s = z.t.starts[i];
      if (s < at("2000-01-01T00:00:00Z") || s > at("2037-06-01T00:00:00Z")) continue;
      for (int64_t d : {-86400, -3601, -1, 0, 1, 3600, 86399}) check(s + d);
    }
  }
  EXPECT_GT(checked, 40000);
}

TEST(TimeZones, CompiledLimitUsesTheTable) {
  CompiledLimit l;
  l.period = 0;
  Zone z = zone("Europe/Berlin");
  l.tz_starts = z.t.starts;
  l.tz_offsets = z.t.offsets;
  EXPECT_EQ(l.window(at("2026-03-29T12:00:00Z")), zone_period_window(at("2026-03-29T12:00:00Z"), 0, z.table()));
  EXPECT_EQ(l.offset_at(at("2026-07-01T00:00:00Z")), 120);
  CompiledLimit fixed;
  fixed.tz_offset_minutes = 180;
  EXPECT_EQ(fixed.offset_at(at("2026-07-01T00:00:00Z")), 180);
  EXPECT_EQ(fixed.window(at("2026-07-01T22:00:00Z")).first, at("2026-07-01T21:00:00Z"));
}

// End to end: a limit in a named zone compiles its table and writes each end
// of the window with the offset that holds there.
TEST(TimeZones, LimitWindowInTheResult) {
  std::string source = testing::kDomain;
  const std::string fixed = "timezone \"+03:00\"";
  source.replace(source.find(fixed), fixed.size(), "timezone \"Europe/Berlin\"");
  dsl::Diagnostics diags;
  dsl::Domain dom = dsl::load({{"test.pd", source}}, diags);
  ASSERT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), dom.files);
  auto d = compile(dom);
  ASSERT_TRUE(d.ok()) << d.error().text();
  ASSERT_FALSE((*d)->limits[0].tz_offsets.empty());
  auto j = testing::payment();
  j["time"] = "2026-03-29T12:00:00Z";
  auto ctx = testing::parse_json(j, **d);
  ASSERT_TRUE(ctx.ok()) << ctx.error().text();
  auto out = testing::result_json(evaluate(**d, *ctx), **d, false);
  ASSERT_EQ(out["limits"][0]["limit"], "card_daily");
  EXPECT_EQ(out["limits"][0]["timezone"], "Europe/Berlin");
  EXPECT_EQ(out["limits"][0]["window"]["start"], "2026-03-29T00:00:00+01:00");
  EXPECT_EQ(out["limits"][0]["window"]["end"], "2026-03-30T00:00:00+02:00");
}

}  // namespace
}  // namespace paydomain::evaluator
