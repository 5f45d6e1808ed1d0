#include "evaluator/analysis_cache.h"

namespace paydomain::evaluator {

size_t DiagnosticsWeight::operator()(const std::string& key, const std::vector<dsl::Diagnostic>& ws) const {
  size_t b = key.size() + sizeof(std::string);
  for (const dsl::Diagnostic& d : ws) {
    b += sizeof(dsl::Diagnostic) + d.file.size() + d.code.size() + d.message.size() + d.expected.size() +
         d.suggestion.size() + d.object.size();
  }
  return b;
}

}  // namespace paydomain::evaluator
