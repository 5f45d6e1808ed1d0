// Weekday and time-of-day conditions read in a time zone:
// `time("Europe/Moscow") between 09:00 and 18:00`, `weekday("+03:00") in [sat, sun]`.
//
// A zone's offset is constant over ranges of instants (between two of its
// transitions, dsl/timezone.h), and under a constant offset a local time of
// day or weekday is a plain condition on the UTC time of day and weekday.
// So a zoned comparison compiles to plain atoms over UTC facts: one branch
// per offset the zone takes, `instant in <when it holds> and <the shifted
// test>`. Decision DAGs, the interpreter, the artifact and the embedded
// client then evaluate it with no notion of zones, and DST is exact for the
// years the zone tables cover (dsl/timezone.h: before them the first offset
// holds, after them the last).
#pragma once

#include <cstdint>
#include <string_view>

#include "evaluator/condition.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

// The UTC atom of a weekday (InSet on Weekday) or time (InRanges on
// TimeOfDay) comparison, as compiled with no zone, read in `zone` ("UTC",
// "+03:00", or an IANA name): the condition over UTC facts that holds
// exactly when the payment's local weekday / time of day satisfies it.
// An error for an unknown zone or another attribute.
Result<Cond> localize(const Atom& utc, std::string_view zone);

// The same under a fixed offset (minutes east of UTC, |offset| < 24 h).
Cond shift_to_offset(const Atom& utc, int32_t offset_minutes);

}  // namespace paydomain::evaluator
