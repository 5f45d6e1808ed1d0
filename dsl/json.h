// JSON shapes of the dsl layer (diagnostics, the schema), shared by the CLI and server.
// nlohmann/json is only included by .cc files that need it.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "dsl/checker.h"
#include "dsl/diagnostics.h"

namespace paydomain::dsl {

// {"severity","file","line","column","length","code","message","expected"?,"suggestion"?,"object"?}
nlohmann::json to_json(const Diagnostic& d);
nlohmann::json to_json(const std::vector<Diagnostic>& ds);

// One use of an id (POST /v1/references): {"file","line","column","length","declaration"};
// `files` names the span's file.
nlohmann::json to_json(const IdUse& u, const std::vector<SourceFile>& files);

// The language's vocabulary for tools (`paydomain schema --json`; the web
// editor's completion and Try-it form are generated from it):
//   {"keywords": [...], "object_kinds": [...],
//    "attributes": [{"name", "path", "type", "ref_kind"?, "values"?, "route_health", "help"}],
//    "context_fields": [{"name", "path", "type", "ref_kind"?, "values"?, "help"}],
//    "accounts": [...],
//    "enums": {"payment_tool_kinds", "risk_levels", "token_providers", "card_types", "card_categories", "limit_scopes",
//              "limit_periods", "duration_units"}}
// Types are the lower-case names of dsl::AttrType / dsl::FieldType ("reference", "money", ...).
nlohmann::json schema_to_json();

}  // namespace paydomain::dsl
