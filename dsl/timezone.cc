#include "dsl/timezone.h"

#include <algorithm>
#include <chrono>
#include <exception>

#include "date/tz.h"

namespace paydomain::dsl {
namespace {

// The tz database, or nullptr when it cannot be read (no tzdata installed):
// then no IANA name is valid and the checker says so. date/tz reports
// problems by throwing; nothing of that leaves this file.
const date::tzdb* database() {
  static const date::tzdb* db = []() -> const date::tzdb* {
    try {
      return &date::get_tzdb();
    } catch (const std::exception&) {
      return nullptr;
    }
  }();
  return db;
}

const date::time_zone* find_zone(std::string_view name) {
  const date::tzdb* db = database();
  if (!db || name.empty()) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

std::optional<int32_t> fixed_offset_minutes(std::string_view tz) {
  if (tz == "UTC") return 0;
  if (tz.size() != 6 || (tz[0] != '+' && tz[0] != '-') || tz[3] != ':') return std::nullopt;
  for (size_t i : {1, 2, 4, 5}) {
    if (tz[i] < '0' || tz[i] > '9') return std::nullopt;
  }
  int32_t h = (tz[1] - '0') * 10 + (tz[2] - '0');
  int32_t m = (tz[4] - '0') * 10 + (tz[5] - '0');
  if (h > 14 || m >= 60) return std::nullopt;
  return (tz[0] == '-' ? -1 : 1) * (h * 60 + m);
}

bool is_iana_zone(std::string_view name) { return find_zone(name) != nullptr; }

const std::vector<std::string>& iana_zone_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    if (const date::tzdb* db = database()) {
      for (const date::time_zone& z : db->zones) v.emplace_back(z.name());
    }
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  }();
  return names;
}

std::optional<ZoneTransitions> zone_transitions(std::string_view name) {
  const date::time_zone* z = find_zone(name);
  if (!z) return std::nullopt;
  using std::chrono::seconds;
  const date::sys_seconds from = date::sys_days{date::year{kZoneFirstYear} / 1 / 1};
  const date::sys_seconds to = date::sys_days{date::year{kZoneEndYear} / 1 / 1};
  ZoneTransitions out;
  try {
    for (date::sys_seconds t = from; t < to;) {
      date::sys_info info = z->get_info(t);
      auto offset = static_cast<int32_t>(std::chrono::duration_cast<std::chrono::minutes>(info.offset).count());
      // Only a change of offset is a transition (a change of abbreviation or DST flag alone is not).
      if (out.offsets.empty() || out.offsets.back() != offset) {
        out.starts.push_back(std::max(info.begin, from).time_since_epoch().count());
        out.offsets.push_back(offset);
      }
      if (info.end <= t) break;  // the last rule of the zone: no further transition
      t = info.end;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

}  // namespace paydomain::dsl
