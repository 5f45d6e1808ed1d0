// The impact report of a change — the symbolic difference (impact.h) and,
// when a corpus was given, its replay (replay.h) — and its two renderings,
// shared by `paydomain impact` and POST /v1/impact: JSON (members in name
// order) and the stable text the CLI prints.
#pragma once

#include <optional>
#include <string>

#include "evaluator/impact.h"
#include "evaluator/replay.h"

namespace paydomain::evaluator {

struct ImpactReport {
  std::string before, after;  // what was compared: "revision 3", "work/"
  SymbolicImpact symbolic;
  std::optional<ReplayReport> replay;
};

// Compact JSON appended to `out`:
// {"after", "before", "complete", "more_regions", "notes": [...],
//  "regions": [{"after", "before", "delta", "example": {context}, "example_differs",
//               "kind", "object", "part", "where"}],
//  "replay"?: {"changed", "changes": [{"after": answer, "before": answer, "context": {..},
//              "line", "parts": ["fee", "route", "terms", "limits"]}], "counts": {"fee", "limits",
//              "route", "terms"}, "money": [{"after", "after_minor", "before", "before_minor",
//              "currency", "difference", "difference_minor", "from", "to"}], "more_changes", "payments"}}
// An answer: {"cash_flow", "limits": [..], "postings": [{"amount", "currency", "details", "from",
// "to"}], "route", "terms"}. *_minor are exact integers of minor units.
void write_impact_json(const ImpactReport& report, std::string& out);

// The text `paydomain impact` prints: one block per part, a region per
// line with its before/after and example, then notes and the replay.
std::string impact_text(const ImpactReport& report);

}  // namespace paydomain::evaluator
