// A test block's `given` as a payment context: the JSON text of
// context_json.h, each entry at its field's path (dsl::kContextFields), so a
// test runs through the same reader as `paydomain eval`.
#pragma once

#include <string>

#include "dsl/ast.h"

namespace paydomain::evaluator {

// Compact JSON, members in name order; an entry given twice keeps the last.
std::string given_context_json(const dsl::Object& test);

}  // namespace paydomain::evaluator
