#include "dsl/json.h"

#include <nlohmann/json.hpp>

#include "dsl/lexer.h"
#include "dsl/schema.h"

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

nlohmann::json to_json(const IdUse& u, const std::vector<SourceFile>& files) {
  return {{"file", u.span.file < files.size() ? files[u.span.file].path : std::string()},
          {"line", u.span.line},
          {"column", u.span.column},
          {"length", u.span.end_offset - u.span.offset},
          {"declaration", u.declaration}};
}

namespace {

nlohmann::json names(Names v) {
  nlohmann::json a = nlohmann::json::array();
  for (std::string_view s : v) a.push_back(s);
  return a;
}

}  // namespace

nlohmann::json schema_to_json() {
  using nlohmann::json;
  json kinds = json::array();
  for (int k = 0; k < kObjectKindCount; ++k) kinds.push_back(to_string(static_cast<ObjectKind>(k)));
  json attrs = json::array();
  for (const AttributeInfo& a : attributes()) {
    if (a.derived) continue;
    json j = {{"name", a.name}, {"path", a.path}, {"type", to_string(a.type)}};
    if (a.type == AttrType::Reference) j["ref_kind"] = to_string(a.ref_kind);
    if (a.type == AttrType::Enum) j["values"] = names(a.values);
    j["route_health"] = a.route_health;
    j["help"] = a.help;
    attrs.push_back(std::move(j));
  }
  json fields = json::array();
  for (const ContextField& f : context_fields()) {
    json j = {{"name", f.name}, {"path", f.path}, {"type", to_string(f.type)}};
    if (f.type == FieldType::Reference) j["ref_kind"] = to_string(f.ref_kind);
    if (f.type == FieldType::Enum) j["values"] = names(f.values);
    j["help"] = f.help;
    fields.push_back(std::move(j));
  }
  return json{{"keywords", keyword_list()},
              {"object_kinds", std::move(kinds)},
              {"attributes", std::move(attrs)},
              {"context_fields", std::move(fields)},
              {"accounts", account_names()},
              {"enums",
               {{"payment_tool_kinds", names(kPaymentToolKinds)},
                {"risk_levels", names(kRiskLevels)},
                {"token_providers", names(kTokenProviders)},
                {"card_types", names(kCardTypes)},
                {"card_categories", names(kCardCategories)},
                {"limit_scopes", names(kLimitScopes)},
                {"limit_periods", names(kLimitPeriods)},
                {"duration_units", names(kDurationUnits)},
                {"realms", names(kRealms)}}}};
}

}  // namespace paydomain::dsl
