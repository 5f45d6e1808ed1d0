// The rule a TZif file's footer states for the instants after its last
// listed transition (RFC 8536 §3.3: a POSIX TZ string with its extensions),
// e.g. "CET-1CEST,M3.5.0,M10.5.0/3". The tz files list transitions only up
// to 2037; a zone's later daylight-saving changes are this rule's. Internal
// to dsl/timezone.cc (the one place that reads the tz database).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace paydomain::dsl {

struct PosixTz {
  // One end of daylight saving time: a day of the year and a local time.
  struct When {
    enum class Kind { Julian1, Zero, MonthWeekDay } kind = Kind::MonthWeekDay;  // Jn, n, Mm.w.d
    int day = 0, month = 0, week = 0;  // Jn/n: day; Mm.w.d: month, week (5: last), day (0: Sunday)
    int32_t seconds = 7200;            // local time of day, -167 to 167 hours
  };
  int32_t std_offset = 0;  // minutes east of UTC
  bool has_dst = false;
  int32_t dst_offset = 0;
  When start, end;  // local standard time for start, local daylight time for end
};

// The footer string parsed; nullopt when it is malformed or names an offset
// with seconds (the zone tables hold minutes).
std::optional<PosixTz> parse_posix_tz(std::string_view text);

// The changes of offset `tz` makes in `year` (UTC seconds since the epoch,
// the offset from then on, in minutes east), in time order; none without
// daylight saving time.
std::vector<std::pair<int64_t, int32_t>> posix_tz_changes(const PosixTz& tz, int year);

}  // namespace paydomain::dsl
