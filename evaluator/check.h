// One check of a working copy, run alike by `paydomain check` and
// POST /v1/check: parse, resolve names and types (dsl::load), compile the
// decision DAGs, then, when nothing failed, the analysis warnings (shadowed
// rules, uncovered payments, split rounding, fees above the amount). A
// compile failure is an error diagnostic (code "compile").
#pragma once

#include <string>
#include <vector>

#include <memory>
#include <optional>

#include "dsl/ast.h"
#include "dsl/diagnostics.h"
#include "dsl/parse_cache.h"
#include "evaluator/analysis_cache.h"
#include "evaluator/compile_cache.h"
#include "evaluator/compiled.h"
#include "evaluator/testing.h"

namespace paydomain::evaluator {

struct CheckReport {
  dsl::Domain domain;
  dsl::Diagnostics diagnostics;  // sorted
  std::shared_ptr<const CompiledDomain> compiled;  // null unless it checked and compiled
  bool ok() const { return !diagnostics.has_errors(); }
};

// What the live check keeps across checks of one working copy as it is
// edited: parsed definitions, compiled objects, analysis warnings, each
// keyed by an object's text and place (and the vocabulary where that
// matters), so a one-object edit parses, compiles and analyses that object
// only. Thread-safe; each bounded.
struct CheckCaches {
  dsl::ParseCache parse;
  CompileCache compile;
  AnalysisCache analysis;
};

// What the report's compiled domain is used for: only its DAGs read by the
// analysis (`paydomain check`), the domain's tests run on it when it has
// some (the live check), or payments evaluated (impact). Only the last two
// need the program evaluation walks (CompileOptions::program).
enum class CheckUse { Analysis, Tests, Evaluation };

// `diagnostics` may hold what reading the files found (an unreadable file);
// the check adds to it. With `caches` (the server's live check) the answer
// is the same, only cheaper.
CheckReport check_sources(std::vector<dsl::SourceFile> files, dsl::Diagnostics diagnostics = dsl::Diagnostics(),
                          CheckCaches* caches = nullptr, CheckUse use = CheckUse::Analysis);

// The editor's live check (POST /v1/check): check_sources with the server's
// analysis cache, then, once the working copy checks and compiles, the
// domain's tests (the commit gate runs the same ones); `tests` only when the
// domain has some, so a domain without tests answers what `paydomain check
// --json` prints. bench_check times exactly this.
struct LiveCheck {
  CheckReport report;
  std::optional<TestReport> tests;
};
LiveCheck live_check(std::vector<dsl::SourceFile> files, CheckCaches* caches);

// The one JSON shape of a check, compact, appended to `out`, members in name
// order: {"diagnostics": [...], "errors", "objects", "ok", "tests"?,
// "warnings"}; "tests" (write_test_report's shape) when `tests` is given:
// the editor's live check (POST /v1/check) runs the domain's tests with it.
void write_check_report(const CheckReport& report, std::string& out, const TestReport* tests = nullptr);

}  // namespace paydomain::evaluator
