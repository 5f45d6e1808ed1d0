#include "server/tests_gate.h"

#include "dsl/checker.h"
#include "evaluator/compiled.h"
#include "evaluator/testing.h"
#include "server/compiled_revisions.h"

namespace paydomain::server {

store::TestsGate tests_gate() {
  return [](const dsl::Domain& domain) {
    std::vector<store::FailingTest> failing;
    if (!evaluator::has_tests(domain)) return failing;
    // The store's cached domain checked only what each commit changed, so
    // the money literals of older objects lack their minor units: a full
    // check of a copy fills them (it passed the checks, so it adds no error).
    dsl::Domain checked = domain;
    dsl::Diagnostics diags;
    dsl::check(checked, diags);
    auto compiled = evaluator::compile(checked);
    if (!compiled) {
      failing.push_back({"(compile)", {"the domain does not compile: " + compiled.error().text()}});
      return failing;
    }
    evaluator::TestReport report = evaluator::run_tests(checked, **compiled);
    for (evaluator::TestCase& t : report.cases) {
      if (!t.passed) failing.push_back({std::move(t.name), std::move(t.failures)});
    }
    return failing;
  };
}

store::TestsGating commit_gating(std::optional<std::string> failing_tests_allowed) {
  return store::TestsGating{tests_gate(), std::move(failing_tests_allowed), build_artifact};
}

}  // namespace paydomain::server
