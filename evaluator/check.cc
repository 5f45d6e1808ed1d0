#include "evaluator/check.h"

#include <nlohmann/json.hpp>

#include "dsl/checker.h"
#include "dsl/json.h"
#include "evaluator/analyze.h"
#include "evaluator/compiled.h"

namespace paydomain::evaluator {

CheckReport check_sources(std::vector<dsl::SourceFile> files, dsl::Diagnostics diagnostics) {
  CheckReport r;
  r.diagnostics = std::move(diagnostics);
  if (!r.diagnostics.has_errors()) r.domain = dsl::load(std::move(files), r.diagnostics);
  if (!r.diagnostics.has_errors()) {
    auto compiled = compile(r.domain);
    if (!compiled) {
      r.diagnostics.add({dsl::Severity::Error, "", 0, 0, 1, "compile", compiled.error().text(), "", "", ""});
    } else {
      analyze(r.domain, r.diagnostics);
    }
  }
  r.diagnostics.sort();
  return r;
}

nlohmann::json to_json(const CheckReport& r) {
  return nlohmann::json{{"ok", r.ok()},
                        {"errors", r.diagnostics.error_count()},
                        {"warnings", r.diagnostics.warning_count()},
                        {"objects", r.domain.objects.size()},
                        {"diagnostics", dsl::to_json(r.diagnostics.items())}};
}

}  // namespace paydomain::evaluator
