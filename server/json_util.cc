#include "server/json_util.h"

#include <charconv>
#include <ctime>

#include "domain_store/json.h"
#include "dsl/json.h"

namespace paydomain::server {

using nlohmann::json;

Response json_response(int status, const json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

std::optional<json> parse_body(const Request& req, Response& error) {
  if (req.body.empty()) {
    error = error_response(400, "bad-json", "the request body must be JSON; it is empty");
    return std::nullopt;
  }
  try {
    return json::parse(req.body);
  } catch (const json::parse_error& e) {
    error = error_response(400, "bad-json",
                           "the request body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
    return std::nullopt;
  }
}

Response wrong_type(std::string_view pointer, std::string_view expected) {
  return error_response(422, "wrong-type", std::string(pointer) + ": expected " + std::string(expected), pointer);
}

Response store_error(const store::Error& e, std::string_view path) {
  using store::ErrorCode;
  int status = 500;
  switch (e.code) {
    case ErrorCode::InvalidArgument: status = 422; break;
    case ErrorCode::NotFound: status = 404; break;
    case ErrorCode::EmptyCommit: status = 422; break;
    case ErrorCode::Invalid: status = 422; break;
    case ErrorCode::Conflict: status = 409; break;
    case ErrorCode::IdempotencyMismatch: status = 409; break;
    case ErrorCode::Busy: status = 503; break;
    case ErrorCode::Io: status = 503; break;  // the store is unreachable (the database is down): retry later
    default: status = 500;
  }
  Response r = json_response(status, store::to_json(e, path));
  if (status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

std::optional<std::vector<dsl::SourceFile>> read_files(const json& body, Response& error) {
  if (!body.is_object()) {
    error = wrong_type("", "an object");
    return std::nullopt;
  }
  auto it = body.find("files");
  if (it == body.end()) {
    error = error_response(422, "missing-field", "\"files\" is required: [{\"name\": ..., \"text\": ...}]", "/files");
    return std::nullopt;
  }
  std::vector<dsl::SourceFile> files;
  if (it->is_object()) {  // {"name": "text"}
    for (auto f = it->begin(); f != it->end(); ++f) {
      if (!f.value().is_string()) {
        error = wrong_type("/files/" + f.key(), "a string (the file's text)");
        return std::nullopt;
      }
      files.push_back({f.key(), f.value().get<std::string>()});
    }
    return files;
  }
  if (!it->is_array()) {
    error = wrong_type("/files", "an array of {\"name\", \"text\"}");
    return std::nullopt;
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const json& f = (*it)[i];
    std::string at = "/files/" + std::to_string(i);
    if (!f.is_object()) {
      error = wrong_type(at, "an object {\"name\", \"text\"}");
      return std::nullopt;
    }
    auto name = f.find("name");
    auto text = f.find("text");
    if (name == f.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
      error = wrong_type(at + "/name", "a non-empty string");
      return std::nullopt;
    }
    if (text == f.end() || !text->is_string()) {
      error = wrong_type(at + "/text", "a string");
      return std::nullopt;
    }
    files.push_back({name->get<std::string>(), text->get<std::string>()});
  }
  return files;
}

std::optional<int64_t> query_int(const Request& req, std::string_view name, Response& error, bool& bad) {
  const std::string* v = req.query_param(name);
  if (!v) return std::nullopt;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < 0) {
    bad = true;
    error = error_response(400, "bad-parameter",
                           "query parameter '" + std::string(name) + "' must be a non-negative integer");
    return std::nullopt;
  }
  return out;
}

}  // namespace paydomain::server
