#include "dsl/json.h"

#include <nlohmann/json.hpp>

namespace paydomain::dsl {

nlohmann::json to_json(const Diagnostic& d) {
  nlohmann::json j = {{"severity", d.severity == Severity::Error ? "error" : "warning"},
                      {"file", d.file},
                      {"line", d.line},
                      {"column", d.column},
                      {"length", d.length},
                      {"code", d.code},
                      {"message", d.message}};
  if (!d.expected.empty()) j["expected"] = d.expected;
  if (!d.suggestion.empty()) j["suggestion"] = d.suggestion;
  if (!d.object.empty()) j["object"] = d.object;
  return j;
}

nlohmann::json to_json(const std::vector<Diagnostic>& ds) {
  nlohmann::json a = nlohmann::json::array();
  for (const Diagnostic& d : ds) a.push_back(to_json(d));
  return a;
}

}  // namespace paydomain::dsl
