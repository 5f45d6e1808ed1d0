// Calendar arithmetic for payment times and limit periods, on integer
// seconds since the Unix epoch (proleptic Gregorian, no leap seconds).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "evaluator/result.h"

namespace paydomain::evaluator {

// "2026-11-25T13:20:00Z", optional fraction, "Z" or "+00:00" only (UTC).
Result<int64_t> parse_utc_time(std::string_view text);

namespace detail {
// The date of the last time parse_utc_time read in the usual spelling
// ("2026-11-25T13:20:00Z"), per thread: a day's payments share it. Its ten
// bytes (w0 == 0: none, never a digit's), its day since the epoch and weekday.
struct UsualDate {
  uint64_t w0 = 0;
  uint16_t w1 = 0;
  int32_t weekday = 0;
  int64_t days = 0;
};
inline constinit thread_local UsualDate usual_date;
}  // namespace detail

// A time in the usual spelling whose date is the remembered one (above):
// the instant, and its weekday and minute of the day (weekday_of and
// minute_of_day of it), with no calendar arithmetic and no division. False
// for any other text: parse_utc_time reads it (and remembers a usual
// spelling's date), and answers the same for this one.
inline bool read_usual_utc_time(std::string_view s, int64_t& t, int32_t& weekday, int32_t& minute) {
  if (s.size() != 20 || s[10] != 'T' || s[19] != 'Z') return false;
  uint64_t w0, clock;
  uint16_t w1;
  std::memcpy(&w0, s.data(), 8);
  std::memcpy(&w1, s.data() + 8, 2);
  const detail::UsualDate& date = detail::usual_date;
  if (w0 != date.w0 || w1 != date.w1) return false;
  // "hh:mm:ss" as one word: each byte less its expected '0' or ':' is a
  // digit's value (0..9) or 0 for a colon; the lowest byte that is not
  // (wrapped below, or above 9) has its top bit set in `bad`, borrows and
  // carries reaching only the bytes above it.
  std::memcpy(&clock, s.data() + 11, 8);
  const uint64_t d = clock - 0x30303A30303A3030ULL;
  const uint64_t bad = ((d | (d + 0x7676767676767676ULL)) & 0x8080808080808080ULL) | (d & 0x0000FF0000FF0000ULL);
  if (bad) return false;
  const uint64_t pairs = d * 10 + (d >> 8);  // bytes 0, 3, 6: hh, mm, ss
  const unsigned h = pairs & 0xFF, mi = pairs >> 24 & 0xFF, se = pairs >> 48 & 0xFF;
  if (h > 23 || mi > 59 || se > 60) return false;
  t = date.days * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se);
  weekday = date.weekday;
  minute = static_cast<int32_t>(h * 60 + mi);
  return true;
}
// 2026-11-25T00:00:00+03:00 (or ...Z for offset 0).
std::string format_time(int64_t epoch_seconds, int32_t offset_minutes);
// The same text in a fixed buffer, for the result writer: no allocation;
// memoized per thread (a few recent instants), like period_window below.
struct TimeText {
  char data[48];
  size_t size = 0;
  std::string_view view() const { return {data, size}; }
};
TimeText format_time_text(int64_t epoch_seconds, int32_t offset_minutes);

int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d);

// 0 = Monday ... 6 = Sunday (the order of the `weekday` values).
int32_t weekday_of(int64_t epoch_seconds);
int32_t minute_of_day(int64_t epoch_seconds);

// The calendar period (0 day, 1 week from Monday, 2 month, 3 year) that
// contains `t` in a time zone `offset_minutes` east of UTC: [start, end).
// Memoized per thread by local day, period and offset (no locks).
std::pair<int64_t, int64_t> period_window(int64_t t, int32_t period, int32_t offset_minutes);

// A named time zone as a table (dsl::ZoneTransitions, built when compiled):
// offsets[i] minutes east of UTC hold from starts[i] on (ascending; the first
// offset also before starts[0]). Evaluation reads only this table.
struct ZoneTable {
  std::span<const int64_t> starts;
  std::span<const int32_t> offsets;
};
// The offset at `t` (a binary search).
int32_t zone_offset_at(ZoneTable z, int64_t t);
// period_window in a named zone, DST-correct: the calendar period holding
// `t`'s local date, from the first instant whose local time reaches the
// period's local midnight (a midnight a DST gap skips: the gap's end) to the
// same for the next period.
std::pair<int64_t, int64_t> zone_period_window(int64_t t, int32_t period, ZoneTable z);

// A limit's time zone as evaluation reads it (from CompiledLimit or from an
// artifact's records): a fixed offset, or a named zone's non-empty table.
struct LimitZone {
  int32_t fixed_minutes = 0;
  ZoneTable table;
  // The period window holding `t`.
  std::pair<int64_t, int64_t> window(int64_t t, int32_t period) const {
    return table.offsets.empty() ? period_window(t, period, fixed_minutes) : zone_period_window(t, period, table);
  }
  // The offset at an instant (a window's ends are written each with its own).
  int32_t offset_at(int64_t t) const { return table.offsets.empty() ? fixed_minutes : zone_offset_at(table, t); }
};

}  // namespace paydomain::evaluator
