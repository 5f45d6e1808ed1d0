#include "dsl/timezone.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>

#include "date/tz.h"
#include "dsl/posix_tz.h"

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

// The rule of a zone's tz file footer (dsl/posix_tz.h): what holds after
// its last listed transition. nullopt when the file has none (version 1) or
// it cannot be read; then the last offset holds.
std::optional<PosixTz> footer_rule(const std::string& zone) {
  if (zone.empty() || zone.find("..") != std::string::npos) return std::nullopt;
  std::ifstream in("/usr/share/zoneinfo/" + zone, std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 6 || file.compare(0, 4, "TZif") != 0 || file[4] < '2' || file.back() != '\n') return std::nullopt;
  const size_t open = file.rfind('\n', file.size() - 2);
  if (open == std::string::npos) return std::nullopt;
  return parse_posix_tz(std::string_view(file).substr(open + 1, file.size() - open - 2));
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

namespace {

// The table of zone `name`, built from date/tz and the zone file's footer.
std::optional<ZoneTransitions> build_transitions(std::string_view name) {
  const date::time_zone* z = find_zone(name);
  if (!z) return std::nullopt;
  using std::chrono::seconds;
  const date::sys_seconds from = date::sys_days{date::year{kZoneFirstYear} / 1 / 1};
  const date::sys_seconds to = date::sys_days{date::year{kZoneEndYear} / 1 / 1};
  ZoneTransitions out;
  auto add = [&](int64_t start, int32_t offset) {
    // Only a change of offset is a transition (a change of abbreviation or DST flag alone is not).
    if (!out.offsets.empty() && out.offsets.back() == offset) return;
    if (!out.starts.empty() && out.starts.back() == start) {  // two changes at one instant: the later holds
      out.starts.pop_back();
      out.offsets.pop_back();
      if (!out.offsets.empty() && out.offsets.back() == offset) return;
    }
    out.starts.push_back(start);
    out.offsets.push_back(offset);
  };
  try {
    for (date::sys_seconds t = from; t < to;) {
      date::sys_info info = z->get_info(t);
      add(std::max(info.begin, from).time_since_epoch().count(),
          static_cast<int32_t>(std::chrono::duration_cast<std::chrono::minutes>(info.offset).count()));
      if (info.end <= t) break;
      if (info.end >= to) {
        // The file lists no transition after info.begin: its footer's rule
        // makes the later ones (date/tz 3.0 does not read it).
        if (info.end < date::sys_days{date::year{9999} / 1 / 1}) break;
        auto rule = footer_rule(z->name());
        if (!rule) break;
        const int64_t listed = info.begin.time_since_epoch().count();
        const int first = static_cast<int>(date::year_month_day{date::floor<date::days>(info.begin)}.year());
        for (int year = std::max(first, kZoneFirstYear); year < kZoneEndYear; ++year) {
          for (const auto& [at, offset] : posix_tz_changes(*rule, year)) {
            if (at > listed && at < to.time_since_epoch().count()) add(at, offset);
          }
        }
        break;
      }
      t = info.end;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<ZoneTransitions> zone_transitions(std::string_view name) {
  // Built once per zone and process: every compile of a zoned limit or
  // condition asks, and building reads the zone's file.
  static std::mutex mu;
  static std::map<std::string, std::optional<ZoneTransitions>, std::less<>> built;
  std::lock_guard<std::mutex> lock(mu);
  auto it = built.find(name);
  if (it == built.end()) it = built.emplace(std::string(name), build_transitions(name)).first;
  return it->second;
}

}  // namespace paydomain::dsl
