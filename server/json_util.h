// Request bodies in, JSON bodies out, for the handlers. A body on a
// Body::Checked route has passed the App's gate (json::structure_error: one
// JSON value, nested at most kMaxBodyDepth, no repeated member) before a
// handler sees it; the handlers then read it once with json::Reader (no
// document tree): JsonObject splits an object into its members' text, and
// each member is read where it is used, into precise 400/422 ApiErrors.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain_store/store.h"
#include "dsl/ast.h"
#include "json/reader.h"
#include "server/api_error.h"
#include "server/http.h"

namespace paydomain::server {

// A 200 (or `status`) answer with a JSON body (the store's shapes are trees).
Response json_response(int status, const nlohmann::json& body);

// The members of one JSON object, each as its (unparsed) JSON text, in
// document order. Names are decoded; member values are not read here.
class JsonObject {
 public:
  using Member = std::pair<std::string, std::string_view>;
  // The object `text` (the value at pointer `at`); wrong_type(at, expected)
  // when it is another kind of value.
  static ApiResult<JsonObject> read(std::string_view text, std::string_view at, std::string_view expected);
  // The member's JSON text; null when absent (a JSON null is present).
  const std::string_view* find(std::string_view name) const;
  const std::vector<Member>& members() const { return members_; }

 private:
  std::vector<Member> members_;
};

// The request body as an object: a 400 "bad-json" when it is empty or not
// JSON, wrong_type("", expected) when it is not an object.
ApiResult<JsonObject> read_body(std::string_view body, std::string_view expected = "an object");

// The kind of the JSON value `text` (from its first byte).
json::Reader::Kind kind_of(std::string_view text);
// A JSON string's decoded text; wrong_type(at, expected) otherwise.
ApiResult<std::string> read_string(std::string_view text, std::string_view at,
                                   std::string_view expected = "a string");
// A JSON non-negative integer; wrong_type(at, expected) otherwise.
ApiResult<int64_t> read_count(std::string_view text, std::string_view at, std::string_view expected);
// The elements of a JSON array, each as its JSON text; wrong_type otherwise.
ApiResult<std::vector<std::string_view>> read_array(std::string_view text, std::string_view at,
                                                    std::string_view expected);

// Working-copy files from the body's "files": [{"name", "text"}...] (or the
// editor's {"name": "text"}, taken in name order); a 422 when missing or malformed.
ApiResult<std::vector<dsl::SourceFile>> read_files(const JsonObject& body);

// A non-negative integer query parameter: nullopt when absent, a 400 when malformed.
ApiResult<std::optional<int64_t>> query_int(const Request& req, std::string_view name);

// A {rev} path parameter: a non-negative integer, or "head" (the store's
// head now) when `allow_head`; a 400 "bad-revision" otherwise.
ApiResult<store::Rev> parse_rev(store::Store& store, const std::string& text, bool allow_head);

}  // namespace paydomain::server
