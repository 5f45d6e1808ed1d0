// The API's error as a value. Handlers and the parts below them return
// ApiResult<T> (paydomain::Result with ApiError); only the edge -- a route
// answering through Done, the App, the transport -- turns an ApiError into a
// Response, with to_response, the one writer of the error shape:
//   {"error": {"code", "message", "path"}, <more>?}
// `code` is a stable machine name ("bad-json", "unknown-revision", ...);
// `path` is a JSON pointer into the request body ("" when not about one);
// `more` carries further members beside "error" (a store conflict's
// "conflicts", a working copy's "diagnostics").
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "domain_store/result.h"
#include "server/http.h"
#include "server/router.h"

namespace paydomain::server {

struct ApiError {
  ApiError(int status_, std::string code_, std::string message_, std::string path_ = "", std::string more_ = "")
      : status(status_), code(std::move(code_)), message(std::move(message_)), path(std::move(path_)),
        more(std::move(more_)) {}
  int status = 500;
  std::string code;
  std::string message;
  std::string path;
  std::string more;          // rendered members, e.g. "\"diagnostics\":[...]"; "" for none
  bool retry_after = false;  // adds "Retry-After: 1" (a busy store)
};

template <class T>
using ApiResult = paydomain::Result<T, ApiError>;

// The one place an ApiError becomes an HTTP answer.
Response to_response(const ApiError& e);

// Answers a route through `done`: the response, or the error's.
inline void answer(const Done& done, ApiResult<Response> r) {
  done(r ? std::move(r).value() : to_response(r.error()));
}

// 422 "wrong-type" naming the JSON pointer of the offending member.
ApiError wrong_type(std::string_view pointer, std::string_view expected);

// A store error with the HTTP status that fits (404 unknown, 409 conflict
// with "conflicts", 422 invalid with "diagnostics", 422 tests-failed with
// "failing_tests", 503 busy with Retry-After).
ApiError store_error(const store::Error& e, std::string_view path = "");

}  // namespace paydomain::server
