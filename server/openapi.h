// The OpenAPI 3 document of the HTTP API, hand-written in server/openapi.json
// and compiled into the binary.
#pragma once

#include <string_view>

namespace paydomain::server {
std::string_view openapi_json();
}  // namespace paydomain::server
