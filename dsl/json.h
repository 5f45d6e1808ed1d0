// JSON shapes of the dsl layer (diagnostics), shared by the CLI and server.
// nlohmann/json is only included by .cc files that need it.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "dsl/diagnostics.h"

namespace paydomain::dsl {

// {"severity","file","line","column","length","code","message","expected"?,"suggestion"?,"object"?}
nlohmann::json to_json(const Diagnostic& d);
nlohmann::json to_json(const std::vector<Diagnostic>& ds);

}  // namespace paydomain::dsl
