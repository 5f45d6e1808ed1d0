// Transport-neutral HTTP request/response values. Handlers, the router and the
// API see only these, so Boost.Beast stays inside transport.cc (compile time on
// small machines, and the API can be tested without sockets).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paydomain::server {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path + query
  std::string path;    // decoded path without query
  std::map<std::string, std::string, std::less<>> query;  // decoded; last value wins
  std::map<std::string, std::string, std::less<>> headers;  // lower-case names
  std::string body;
  std::string request_id;           // X-Request-ID as sent, or generated
  std::vector<std::string> params;  // path parameters, in pattern order

  std::string_view header(std::string_view name) const;  // lower-case name; "" when absent
  const std::string* query_param(std::string_view name) const;  // nullptr when absent
};

struct Response {
  int status = 200;
  std::string_view content_type = "application/json";  // a literal: no allocation per response
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  bool close = false;  // close the connection after writing
  bool omit_body = false;  // HEAD: headers (with the body's Content-Length) only
};

// The one error shape of the API: {"error": {"code", "message", "path"}}
// plus `more` (further members, already JSON: "\"conflicts\":[...]"). `code`
// is a stable machine name ("bad-json", "unknown-revision", ...); `path` is a
// JSON pointer into the request body (or "" when not about one). Message and
// path may carry any bytes from a request: the body stays valid JSON. The
// API's parts build an ApiError (api_error.h); this writes it.
Response error_response(int status, std::string_view code, std::string_view message,
                        std::string_view path = "", std::string_view more = "");

// Conditional GETs of immutable resources: the Cache-Control they carry,
// whether If-None-Match names `etag` (or is "*"), and the 304 answer.
inline constexpr const char* kImmutable = "public, max-age=31536000, immutable";
bool etag_matches(const Request& req, const std::string& etag);
Response not_modified(const std::string& etag);

// Percent-decoding of a path segment or query component ('+' is a space only in queries).
std::string url_decode(std::string_view s, bool plus_is_space);
// Splits "a=1&b=2" into a map; malformed escapes are kept as written.
std::map<std::string, std::string, std::less<>> parse_query(std::string_view q);

}  // namespace paydomain::server
