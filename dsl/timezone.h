// Time zones a domain may name: "UTC", a fixed offset ("+03:00"), or an IANA
// zone ("Europe/Moscow") from the system's tz database (Debian's tzdata,
// read through Howard Hinnant's date/tz). The one place that reads the tz
// database: the checker asks whether a name exists, the evaluator's compiler
// turns a zone into a table of UTC instants and offsets once, so evaluation
// (and an embedded client) never needs the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paydomain::dsl {

// A fixed zone's offset in minutes east of UTC: "UTC" -> 0, "+03:00" -> 180,
// "-05:30" -> -330 (hours at most 14); nullopt for anything else.
std::optional<int32_t> fixed_offset_minutes(std::string_view tz);

// Whether `name` is an IANA zone of the tz database ("Europe/Moscow").
bool is_iana_zone(std::string_view name);
// Every IANA zone name, sorted (for "did you mean").
const std::vector<std::string>& iana_zone_names();

// The years a zone table covers: [kZoneFirstYear, kZoneEndYear) UTC. Before
// the range the first offset holds, after it the last. The tz files list
// transitions up to 2037 (some zones further); the later ones come from the
// rule in each file's footer (dsl/posix_tz.h), which date/tz 3.0 (with the
// OS database) does not read.
inline constexpr int kZoneFirstYear = 1970;
inline constexpr int kZoneEndYear = 2100;

// A named zone's UTC offsets over the covered years: offsets[i] (minutes
// east of UTC) holds from starts[i] (seconds since the Unix epoch) until
// starts[i + 1]; starts ascend and starts[0] is the range's beginning.
struct ZoneTransitions {
  std::vector<int64_t> starts;
  std::vector<int32_t> offsets;
};
// nullopt when `name` is not an IANA zone. Built once per zone and process
// (thread-safe).
std::optional<ZoneTransitions> zone_transitions(std::string_view name);

}  // namespace paydomain::dsl
