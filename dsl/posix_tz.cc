#include "dsl/posix_tz.h"

#include <algorithm>
#include <cctype>

#include "date/date.h"

namespace paydomain::dsl {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool digit() const { return i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; }
  // Digits, at most 3 (hours up to 167, days up to 365).
  std::optional<int> number() {
    if (!digit()) return std::nullopt;
    int n = 0;
    for (int k = 0; k < 3 && digit(); ++k) n = n * 10 + (s_[i_++] - '0');
    return n;
  }
  // A zone abbreviation: three or more letters, or <...> of letters, digits, + and -.
  bool name() {
    size_t from = i_;
    if (eat('<')) {
      while (i_ < s_.size() && s_[i_] != '>') {
        char c = s_[i_];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-') return false;
        ++i_;
      }
      return eat('>') && i_ - from >= 5;
    }
    while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
    return i_ - from >= 3;
  }
  // [+-]hh[:mm[:ss]] in seconds, hours up to `max_hours`.
  std::optional<int32_t> time(int max_hours) {
    int sign = eat('-') ? -1 : (eat('+'), 1);
    auto h = number();
    if (!h || *h > max_hours) return std::nullopt;
    int32_t t = *h * 3600;
    for (int32_t unit : {60, 1}) {
      if (!eat(':')) break;
      auto v = number();
      if (!v || *v > 59) return std::nullopt;
      t += *v * unit;
    }
    return sign * t;
  }
  // A POSIX offset (west positive) as minutes east; nullopt with seconds.
  std::optional<int32_t> offset() {
    auto t = time(24);
    if (!t || *t % 60 != 0) return std::nullopt;
    return -*t / 60;
  }
  std::optional<PosixTz::When> when() {
    PosixTz::When w;
    using K = PosixTz::When::Kind;
    if (eat('M')) {
      w.kind = K::MonthWeekDay;
      auto m = number();
      if (!m || !eat('.')) return std::nullopt;
      auto wk = number();
      if (!wk || !eat('.')) return std::nullopt;
      auto d = number();
      if (!d || *m < 1 || *m > 12 || *wk < 1 || *wk > 5 || *d > 6) return std::nullopt;
      w.month = *m;
      w.week = *wk;
      w.day = *d;
    } else {
      w.kind = eat('J') ? K::Julian1 : K::Zero;
      auto d = number();
      if (!d || (w.kind == K::Julian1 ? (*d < 1 || *d > 365) : *d > 365)) return std::nullopt;
      w.day = *d;
    }
    if (eat('/')) {
      auto t = time(167);
      if (!t) return std::nullopt;
      w.seconds = *t;
    }
    return w;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// Days since the epoch of the rule's day in `year`.
int64_t day_of(const PosixTz::When& w, int year) {
  using namespace date;
  const sys_days jan1 = sys_days{date::year{year} / January / 1};
  switch (w.kind) {
    case PosixTz::When::Kind::Zero:
      return (jan1 + days{w.day}).time_since_epoch().count();
    case PosixTz::When::Kind::Julian1: {
      // 1 to 365, February 29 never counted.
      int doy = w.day - 1 + (date::year{year}.is_leap() && w.day >= 60 ? 1 : 0);
      return (jan1 + days{doy}).time_since_epoch().count();
    }
    case PosixTz::When::Kind::MonthWeekDay: {
      const year_month ym = date::year{year} / month{static_cast<unsigned>(w.month)};
      const sys_days first = sys_days{ym / 1};
      const int lead = (w.day - static_cast<int>(weekday{first}.c_encoding()) + 7) % 7;
      int day = 1 + lead + 7 * (w.week - 1);
      const int last = static_cast<int>(static_cast<unsigned>((ym / last_spec{}).day()));
      while (day > last) day -= 7;  // week 5: the last such weekday
      return (first + days{day - 1}).time_since_epoch().count();
    }
  }
  return 0;
}

}  // namespace

std::optional<PosixTz> parse_posix_tz(std::string_view text) {
  Reader r(text);
  PosixTz tz;
  if (!r.name()) return std::nullopt;
  auto std_offset = r.offset();
  if (!std_offset) return std::nullopt;
  tz.std_offset = *std_offset;
  if (r.done()) return tz;
  if (!r.name()) return std::nullopt;
  tz.has_dst = true;
  tz.dst_offset = tz.std_offset + 60;  // one hour ahead unless given
  if (r.done()) return std::nullopt;  // daylight saving time without rules: POSIX leaves them to the system
  if (!r.eat(',')) {
    auto dst = r.offset();
    if (!dst || !r.eat(',')) return std::nullopt;
    tz.dst_offset = *dst;
  }
  auto start = r.when();
  if (!start || !r.eat(',')) return std::nullopt;
  auto end = r.when();
  if (!end || !r.done()) return std::nullopt;
  tz.start = *start;
  tz.end = *end;
  return tz;
}

std::vector<std::pair<int64_t, int32_t>> posix_tz_changes(const PosixTz& tz, int year) {
  std::vector<std::pair<int64_t, int32_t>> out;
  if (!tz.has_dst) return out;
  // The start is given in standard time, the end in daylight time.
  const int64_t start = day_of(tz.start, year) * 86400 + tz.start.seconds - int64_t{tz.std_offset} * 60;
  const int64_t end = day_of(tz.end, year) * 86400 + tz.end.seconds - int64_t{tz.dst_offset} * 60;
  out.emplace_back(start, tz.dst_offset);
  out.emplace_back(end, tz.std_offset);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace paydomain::dsl
