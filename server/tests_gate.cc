#include "server/tests_gate.h"

#include <map>

#include "domain_store/working_copy.h"
#include "evaluator/testing.h"
#include "server/compiled_revisions.h"

namespace paydomain::server {

store::RevisionBuild build_revision(store::Rev rev, const std::vector<store::StoredObject>& objects) {
  std::map<store::ObjectKey, uint32_t> first_lines;
  std::vector<dsl::SourceFile> files = store::working_copy_files(objects, &first_lines);
  std::string hash = store::sources_hash(files);
  WorkingCopy w = compile_revision_files(rev, std::move(files), std::move(hash));
  store::RevisionBuild out;
  if (w.compiled) out.artifact = stored_artifact(rev, *w.compiled->program);
  if (!evaluator::has_tests(w.domain)) return out;
  if (!w.compiled) {
    // The store's checks passed, so only the compiler can refuse it.
    std::string why = w.diags.has_errors() ? "the revision does not check" : w.compile_error;
    out.failing_tests.push_back({"(compile)", {"the domain does not compile: " + why}});
    return out;
  }
  evaluator::TestReport report = evaluator::run_tests(w.domain, *w.compiled, [&](const dsl::Object& test) {
    auto at = first_lines.find(store::key_of(test));
    return at == first_lines.end() ? 1u : at->second;
  });
  for (evaluator::TestCase& t : report.cases) {
    if (!t.passed) out.failing_tests.push_back({std::move(t.name), std::move(t.failures)});
  }
  return out;
}

store::TestsGating commit_gating(std::optional<std::string> failing_tests_allowed) {
  return store::TestsGating{build_revision, std::move(failing_tests_allowed)};
}

}  // namespace paydomain::server
