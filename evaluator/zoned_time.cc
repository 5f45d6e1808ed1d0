#include "evaluator/zoned_time.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/timezone.h"

namespace paydomain::evaluator {
namespace {

constexpr int64_t kDay = 24 * 60;  // minutes
using Ranges = std::vector<std::pair<int64_t, int64_t>>;

Cond atom_cond(Atom a) {
  Cond c;
  c.kind = Cond::Kind::Atom;
  c.atom = std::move(a);
  return c;
}

Cond minutes_in(Ranges r) {
  Atom a;
  a.kind = Atom::Kind::InRanges;
  a.attr = Attr::TimeOfDay;
  a.ranges = std::move(r);
  return atom_cond(std::move(a));
}

// Sorted, overlapping and touching ranges merged.
Ranges merged(Ranges r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (auto [lo, hi] : r) {
    if (!out.empty() && lo <= out.back().second) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

// Local minutes of the day [lo, hi) as UTC minutes of the day: each moved
// back by the offset, modulo a day (a range may wrap past midnight).
Ranges shift_minutes(const Ranges& local, int32_t offset) {
  Ranges out;
  for (auto [lo, hi] : local) {
    int64_t a = lo - offset, b = hi - offset;
    int64_t k = a >= 0 ? a / kDay : -((-a + kDay - 1) / kDay);
    a -= k * kDay;
    b -= k * kDay;
    if (b <= kDay) {
      out.emplace_back(a, b);
    } else {
      out.emplace_back(a, kDay);
      out.emplace_back(0, b - kDay);
    }
  }
  return merged(std::move(out));
}

// Local weekday in `ids` under `offset`: the UTC day of the week is the
// local one, or the one before (after) where the offset carries the UTC
// time of day past midnight. One branch per part of the UTC day.
Cond shift_weekday(const std::vector<int32_t>& ids, int32_t offset) {
  struct Part {
    int64_t lo, hi;
    int32_t days;  // local day = UTC day + days
  };
  std::vector<Part> parts;
  if (offset >= 0) {
    parts.push_back({0, kDay - offset, 0});
    if (offset > 0) parts.push_back({kDay - offset, kDay, 1});
  } else {
    parts.push_back({0, -offset, -1});
    parts.push_back({-offset, kDay, 0});
  }
  Cond any;
  any.kind = Cond::Kind::Or;
  for (const Part& p : parts) {
    Atom day;
    day.kind = Atom::Kind::InSet;
    day.attr = Attr::Weekday;
    for (int32_t w : ids) day.ids.push_back(((w - p.days) % 7 + 7) % 7);
    std::sort(day.ids.begin(), day.ids.end());
    if (p.lo == 0 && p.hi == kDay) return atom_cond(std::move(day));
    any.kids.push_back(cond_all({minutes_in({{p.lo, p.hi}}), atom_cond(std::move(day))}));
  }
  return any;
}

}  // namespace

Cond shift_to_offset(const Atom& utc, int32_t offset) {
  if (offset == 0) return atom_cond(utc);
  if (utc.attr == Attr::TimeOfDay) {
    Atom a = utc;
    a.ranges = shift_minutes(utc.ranges, offset);
    return atom_cond(std::move(a));
  }
  Cond c = shift_weekday(utc.ids, offset);
  return utc.negate ? cond_not(c) : c;
}

Result<Cond> localize(const Atom& utc, std::string_view zone) {
  bool weekday = utc.attr == Attr::Weekday && utc.kind == Atom::Kind::InSet;
  bool minutes = utc.attr == Attr::TimeOfDay && utc.kind == Atom::Kind::InRanges;
  if (!weekday && !minutes) return Error{"", "only weekday and time are read in a time zone"};
  if (auto fixed = dsl::fixed_offset_minutes(zone)) return shift_to_offset(utc, *fixed);
  std::optional<dsl::ZoneTransitions> z = dsl::zone_transitions(zone);  // read once per process
  if (!z || z->offsets.empty()) return Error{"", "unknown time zone '" + std::string(zone) + "'"};
  // The instants each offset holds over: the first offset also before the
  // table, the last after it (dsl/timezone.h).
  auto [first, last] = ordered_domain(Attr::Instant);
  std::map<int32_t, Ranges> held;
  for (size_t i = 0; i < z->offsets.size(); ++i) {
    int64_t lo = i == 0 ? first : z->starts[i];
    int64_t hi = i + 1 < z->offsets.size() ? z->starts[i + 1] : last;
    if (lo < hi) held[z->offsets[i]].emplace_back(lo, hi);
  }
  if (held.size() == 1) return shift_to_offset(utc, held.begin()->first);
  std::vector<Cond> branches;
  for (auto& [offset, ranges] : held) {
    Atom when;
    when.kind = Atom::Kind::InRanges;
    when.attr = Attr::Instant;
    when.ranges = merged(std::move(ranges));
    branches.push_back(cond_all({atom_cond(std::move(when)), shift_to_offset(utc, offset)}));
  }
  return cond_any(std::move(branches));
}

}  // namespace paydomain::evaluator
