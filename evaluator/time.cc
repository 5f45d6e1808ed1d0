#include "evaluator/time.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>

namespace paydomain::evaluator {
namespace {

constexpr int64_t kDay = 86400;

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool digits(std::string_view s, size_t at, size_t n, int64_t& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

Result<int64_t> parse_utc_time(std::string_view s) {
  // The usual spelling of a remembered date (time.h): a day's payments share it.
  int64_t t;
  int32_t weekday, minute;
  if (read_usual_utc_time(s, t, weekday, minute)) return t;
  // Built only when needed: a context's time is read on every evaluation.
  auto bad = [] { return Error{"", "expected an ISO 8601 UTC time like \"2026-11-25T13:20:00Z\""}; };
  int64_t y, mo, d, h, mi, se;
  if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return bad();
  }
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return bad();
  }
  std::string_view zone = s.substr(i);
  if (zone != "Z" && zone != "z" && zone != "+00:00") {
    return Error{"", "the time must be in UTC (ending in Z or +00:00)"};
  }
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60) return bad();
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return bad();
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  if (s.size() == 20 && s[10] == 'T' && s[19] == 'Z') {
    detail::UsualDate& date = detail::usual_date;
    std::memcpy(&date.w0, s.data(), 8);
    std::memcpy(&date.w1, s.data() + 8, 2);
    date.days = days;
    date.weekday = weekday_of(days * kDay);
  }
  return days * kDay + h * 3600 + mi * 60 + (se == 60 ? 59 : se);
}

// Digits by hand, not snprintf: limit windows are written for every
// evaluation result.
std::string format_time(int64_t t, int32_t offset_minutes) { return std::string(format_time_text(t, offset_minutes).view()); }

namespace {

// Memos of the two pure functions below, per thread (no locks, nothing
// shared): a result names the same few windows (today's, this month's) for
// every payment of a day, so their calendar arithmetic and digits are done
// once per day rather than per evaluation. Direct-mapped, a few entries.
template <class Key, class Value>
struct Memo {
  struct Entry {
    bool used = false;
    Key key{};
    Value value{};
  };
  static constexpr size_t kSize = 16, kWays = 4;
  Entry entries[kSize];
  unsigned next = 0;  // round-robin victim among a key's ways
  // `hash` picks the first of kWays consecutive entries that may hold the key.
  template <class Compute>
  const Value& get(const Key& k, uint64_t hash, Compute compute) {
    size_t first = static_cast<size_t>(hash >> 60);
    for (size_t w = 0; w < kWays; ++w) {
      Entry& e = entries[(first + w) & (kSize - 1)];
      if (e.used && e.key == k) return e.value;
    }
    Entry& e = entries[(first + (next++ % kWays)) & (kSize - 1)];
    e.value = compute();
    e.key = k;
    e.used = true;
    return e.value;
  }
};

struct TimeKey {
  int64_t t = 0;
  int32_t offset = 0;
  bool operator==(const TimeKey&) const = default;
};

struct WindowKey {
  int64_t days = 0;  // the local day
  int32_t period = 0, offset = 0;
  bool operator==(const WindowKey&) const = default;
};

TimeText compute_time_text(int64_t t, int32_t offset_minutes);
std::pair<int64_t, int64_t> compute_window(int64_t days, int64_t off, int32_t period);
std::pair<int64_t, int64_t> local_period_days(int64_t days, int32_t period);

}  // namespace

TimeText format_time_text(int64_t t, int32_t offset_minutes) {
  thread_local Memo<TimeKey, TimeText> memo;
  uint64_t h = (static_cast<uint64_t>(t) ^ (static_cast<uint64_t>(offset_minutes) << 40)) * 0x9E3779B97F4A7C15ULL;
  return memo.get(TimeKey{t, offset_minutes}, h, [&] { return compute_time_text(t, offset_minutes); });
}

namespace {

TimeText compute_time_text(int64_t t, int32_t offset_minutes) {
  int64_t local = t + int64_t{offset_minutes} * 60;
  int64_t days = floor_div(local, kDay);
  int64_t secs = local - days * kDay;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  TimeText out;
  char* p = out.data;
  auto two = [&p](int64_t v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
  };
  if (y >= 0 && y <= 9999) {
    two(y / 100);
    two(y % 100);
  } else {
    p += std::snprintf(p, 24, "%04lld", static_cast<long long>(y));
  }
  *p++ = '-';
  two(m);
  *p++ = '-';
  two(d);
  *p++ = 'T';
  two(secs / 3600);
  *p++ = ':';
  two(secs / 60 % 60);
  *p++ = ':';
  two(secs % 60);
  if (offset_minutes == 0) {
    *p++ = 'Z';
  } else {
    int32_t a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    *p++ = offset_minutes < 0 ? '-' : '+';
    two(a / 60);
    *p++ = ':';
    two(a % 60);
  }
  out.size = static_cast<size_t>(p - out.data);
  return out;
}

}  // namespace

int32_t weekday_of(int64_t t) {
  int64_t days = floor_div(t, kDay);
  // 1970-01-01 was a Thursday (index 3 from Monday).
  return static_cast<int32_t>(((days % 7) + 7 + 3) % 7);
}

int32_t minute_of_day(int64_t t) {
  int64_t days = floor_div(t, kDay);
  return static_cast<int32_t>((t - days * kDay) / 60);
}

std::pair<int64_t, int64_t> period_window(int64_t t, int32_t period, int32_t offset_minutes) {
  int64_t off = int64_t{offset_minutes} * 60;
  int64_t days = floor_div(t + off, kDay);
  // The window depends on `t` only through its local day.
  thread_local Memo<WindowKey, std::pair<int64_t, int64_t>> memo;
  uint64_t h = ((static_cast<uint64_t>(days) * 4 + static_cast<uint64_t>(period)) ^
                (static_cast<uint64_t>(offset_minutes) << 40)) *
               0x9E3779B97F4A7C15ULL;
  return memo.get(WindowKey{days, period, offset_minutes}, h, [&] { return compute_window(days, off, period); });
}

namespace {

std::pair<int64_t, int64_t> compute_window(int64_t days, int64_t off, int32_t period) {
  auto [start, end] = local_period_days(days, period);
  return {start * kDay - off, end * kDay - off};
}

std::pair<int64_t, int64_t> local_period_days(int64_t days, int32_t period) {
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  int64_t start = days, end = days + 1;
  switch (period) {
    case 1: {  // ISO week, Monday first
      int64_t wd = ((days % 7) + 7 + 3) % 7;
      start = days - wd;
      end = start + 7;
      break;
    }
    case 2:
      start = days_from_civil(y, m, 1);
      end = m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
      break;
    case 3:
      start = days_from_civil(y, 1, 1);
      end = days_from_civil(y + 1, 1, 1);
      break;
    default: break;
  }
  return {start, end};
}

// The index of the offset that holds at `t`.
size_t segment_of(ZoneTable z, int64_t t) {
  // Payments happen now: after a zone's last change (most zones without
  // daylight saving time, Moscow since 2014) no search is needed.
  if (!z.starts.empty() && t >= z.starts.back()) return z.starts.size() - 1;
  auto it = std::upper_bound(z.starts.begin(), z.starts.end(), t);
  return it == z.starts.begin() ? 0 : static_cast<size_t>(it - z.starts.begin()) - 1;
}

// The first instant whose local time is at least `local` (seconds of local
// time since the epoch). Local time rises with UTC inside a segment and jumps
// at its ends; offsets lie within +-18 h, so only segments near `local` count.
int64_t first_instant_at_local(ZoneTable z, int64_t local) {
  constexpr int64_t kMaxOffset = 18 * 3600;
  size_t n = z.offsets.size();
  for (size_t i = segment_of(z, local - kMaxOffset); i < n; ++i) {
    int64_t lo = i == 0 ? INT64_MIN : z.starts[i];
    int64_t hi = i + 1 < n ? z.starts[i + 1] : INT64_MAX;
    int64_t u = std::max(lo, local - int64_t{z.offsets[i]} * 60);
    if (u < hi) return u;  // later segments start after this one's instants
  }
  return local - int64_t{z.offsets[n - 1]} * 60;
}

}  // namespace

int32_t zone_offset_at(ZoneTable z, int64_t t) { return z.offsets.empty() ? 0 : z.offsets[segment_of(z, t)]; }

std::pair<int64_t, int64_t> zone_period_window(int64_t t, int32_t period, ZoneTable z) {
  if (z.offsets.empty()) return period_window(t, period, 0);
  size_t i = segment_of(z, t);
  int32_t off = z.offsets[i];
  // Usually no transition lies near the window: then it is the fixed-offset
  // window (memoized). At or next to a transition, find the ends exactly.
  auto w = period_window(t, period, off);
  bool inside = (i == 0 || z.starts[i] < w.first) && (i + 1 == z.offsets.size() || w.second < z.starts[i + 1]);
  if (inside) return w;
  auto [start, end] = local_period_days(floor_div(t + int64_t{off} * 60, kDay), period);
  return {first_instant_at_local(z, start * kDay), first_instant_at_local(z, end * kDay)};
}

}  // namespace paydomain::evaluator
