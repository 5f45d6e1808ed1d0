// JSON helpers shared by the handlers: parsing request bodies into precise
// 400/422 errors, and the JSON shapes of store values.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "domain_store/result.h"
#include "domain_store/types.h"
#include "dsl/ast.h"
#include "server/http.h"

namespace paydomain::server {

Response json_response(int status, const nlohmann::json& body);

// The body as JSON; a 400 "bad-json" error (with the parser's position) when
// it is not, or when it is empty.
std::optional<nlohmann::json> parse_body(const Request& req, Response& error);

// 422 "wrong-type" naming the JSON pointer of the offending member.
Response wrong_type(std::string_view pointer, std::string_view expected);

// Store values as JSON.
// A store error as the API's error shape, with the HTTP status that fits
// (404 unknown, 409 conflict with "conflicts", 422 invalid with "diagnostics").
Response store_error(const store::Error& e, std::string_view path = "");

// Working-copy files from {"files": [{"name", "text"}...]} (or the editor's
// {"files": {"name": "text"}}); nullopt with a 422 when malformed.
std::optional<std::vector<dsl::SourceFile>> read_files(const nlohmann::json& body, Response& error);

// A non-negative integer query parameter; nullopt when absent; a 400 when malformed.
std::optional<int64_t> query_int(const Request& req, std::string_view name, Response& error, bool& bad);

}  // namespace paydomain::server
