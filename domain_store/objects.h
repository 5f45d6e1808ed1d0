// One object's text <-> AST, the way the store keeps objects: each object is
// parsed on its own (spans point into its own canonical text) and stored in
// canonical form.
#pragma once

#include <string>
#include <vector>

#include "domain_store/result.h"
#include "domain_store/types.h"
#include "dsl/ast.h"

namespace paydomain::store {

struct ParsedObject {
  dsl::Object object;      // spans: file 0 = its own text
  std::string canonical;   // dsl::format_object of the text
};

// Parses `text`, which must hold exactly the object `key` (comments allowed).
// Errors are Invalid with diagnostics naming the object.
Result<ParsedObject> parse_object_text(const ObjectKey& key, const std::string& text);

// The default working-copy file of an object whose file is unknown: "tariff.pd".
std::string default_path(dsl::ObjectKind kind);

// Store diagnostics point into an object's own canonical text: the file is
// the object's display name ("tariff standard"), lines count from its start.
void attribute_to_objects(std::vector<dsl::Diagnostic>& diags);

}  // namespace paydomain::store
