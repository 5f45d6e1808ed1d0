#include "evaluator/check.h"

#include <nlohmann/json.hpp>

#include "dsl/checker.h"
#include "dsl/json.h"
#include "evaluator/analyze.h"
#include "evaluator/compiled.h"
#include "evaluator/testing.h"
#include "json/writer.h"

namespace paydomain::evaluator {

CheckReport check_sources(std::vector<dsl::SourceFile> files, dsl::Diagnostics diagnostics, CheckCaches* caches,
                          CheckUse use) {
  CheckReport r;
  r.diagnostics = std::move(diagnostics);
  if (!r.diagnostics.has_errors()) r.domain = dsl::load(std::move(files), r.diagnostics, caches ? &caches->parse : nullptr);
  if (!r.diagnostics.has_errors()) {
    CompileOptions options;
    options.cache = caches ? &caches->compile : nullptr;
    options.program = use == CheckUse::Evaluation || (use == CheckUse::Tests && has_tests(r.domain));
    auto compiled = compile(r.domain, options);
    if (!compiled) {
      r.diagnostics.add({dsl::Severity::Error, "", 0, 0, 1, "compile", compiled.error().text(), "", "", ""});
    } else {
      r.compiled = std::move(*compiled);
      analyze(r.domain, *r.compiled, r.diagnostics, caches ? &caches->analysis : nullptr);  // the DAGs just compiled, not a second compile
    }
  }
  r.diagnostics.sort();
  return r;
}

LiveCheck live_check(std::vector<dsl::SourceFile> files, CheckCaches* caches) {
  LiveCheck c;
  c.report = check_sources(std::move(files), dsl::Diagnostics(), caches, CheckUse::Tests);
  if (c.report.ok() && c.report.compiled) c.tests = run_tests(c.report.domain, *c.report.compiled);
  if (c.tests && c.tests->cases.empty()) c.tests.reset();
  return c;
}

void write_check_report(const CheckReport& r, std::string& out, const TestReport* tests) {
  json::Writer w(out);
  w.begin_object();
  w.key("diagnostics");
  // dsl/json.h: the diagnostics' one writer (invalid UTF-8 replaced, as the server does)
  w.raw(dsl::to_json(r.diagnostics.items()).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  w.key("errors");
  w.integer(static_cast<int64_t>(r.diagnostics.error_count()));
  w.key("objects");
  w.integer(static_cast<int64_t>(r.domain.objects.size()));
  w.key("ok");
  w.boolean(r.ok());
  if (tests) {
    std::string rendered;  // its own writer: a Writer owns the end of `out` while it lives
    write_test_report(*tests, rendered);
    w.key("tests");
    w.raw(rendered);
  }
  w.key("warnings");
  w.integer(static_cast<int64_t>(r.diagnostics.warning_count()));
  w.end_object();
}

}  // namespace paydomain::evaluator
