// Runs a domain's `test` blocks: each `given` becomes a payment context (the
// same JSON shape as `paydomain eval`), each `expect` is checked against the
// evaluation, and a failure says what was expected and what came out.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "evaluator/compiled.h"

namespace paydomain::evaluator {

struct TestCase {
  std::string name;  // the test's title
  std::string file;
  uint32_t line = 0;
  bool passed = false;
  std::vector<std::string> failures;  // one readable difference per failed expectation
};

struct TestReport {
  std::vector<TestCase> cases;
  size_t passed = 0, failed = 0;
};

// Where a test's own text begins in its file (a line, from 1).
using TestTextStart = std::function<uint32_t(const dsl::Object& test)>;

// `compiled` must have its program (CompileOptions::program) when the domain
// has tests. A failure's "line N" is its file's line, or with `text_start`
// the line within the test's own text (the store keeps one text per object:
// a commit's tests gate).
TestReport run_tests(const dsl::Domain& domain, const CompiledDomain& compiled, const TestTextStart& text_start = {});
// Whether the domain holds any `test` (run_tests then evaluates).
bool has_tests(const dsl::Domain& domain);

// The report as compact JSON appended to `out` (`paydomain test --json`),
// members in name order: {"failed", "passed", "tests": [{"failures", "file",
// "line", "name", "passed"}]}.
void write_test_report(const TestReport& report, std::string& out);

}  // namespace paydomain::evaluator
