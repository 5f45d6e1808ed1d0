#include "server/api_error.h"

#include <nlohmann/json.hpp>

#include "domain_store/json.h"

namespace paydomain::server {

Response to_response(const ApiError& e) {
  Response r = error_response(e.status, e.code, e.message, e.path, e.more);
  if (e.retry_after) r.headers.emplace_back("Retry-After", "1");
  return r;
}

ApiError wrong_type(std::string_view pointer, std::string_view expected) {
  return {422, "wrong-type", std::string(pointer) + ": expected " + std::string(expected), std::string(pointer)};
}

ApiError store_error(const store::Error& e, std::string_view path) {
  using store::ErrorCode;
  int status = 500;
  switch (e.code) {
    case ErrorCode::InvalidArgument: status = 422; break;
    case ErrorCode::NotFound: status = 404; break;
    case ErrorCode::EmptyCommit: status = 422; break;
    case ErrorCode::Invalid: status = 422; break;
    case ErrorCode::TestsFailed: status = 422; break;
    case ErrorCode::Conflict: status = 409; break;
    case ErrorCode::IdempotencyMismatch: status = 409; break;
    case ErrorCode::Busy: status = 503; break;
    case ErrorCode::Io: status = 503; break;  // the store is unreachable (the database is down): retry later
    default: status = 500;
  }
  // The store's own writer of its error (shared with the CLI) gives the
  // members; "error" itself is written by the edge like every other error.
  nlohmann::json j = store::to_json(e, path);
  ApiError out(status, j["error"]["code"].get<std::string>(), e.message, std::string(path));
  out.retry_after = status == 503;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "error") continue;
    if (!out.more.empty()) out.more += ',';
    out.more += nlohmann::json(it.key()).dump() + ":" +
                it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return out;
}

}  // namespace paydomain::server
