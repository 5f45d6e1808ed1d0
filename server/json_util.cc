#include "server/json_util.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace paydomain::server {

using Kind = json::Reader::Kind;

Response json_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

namespace {
ApiError bad_json(const json::Reader& r) {
  return {400, "bad-json",
          "the request body is not valid JSON (at byte " + std::to_string(r.error_offset()) + ": " + r.error() + ")",
          ""};
}

// Past one value whose text the body gate has checked (and whose reader
// checks it again): containers by counting brackets, scalars in full.
bool skip_checked(json::Reader& r) {
  Kind k = r.peek();
  return k == Kind::Object || k == Kind::Array ? r.skip_unchecked() : r.skip();
}
}  // namespace

ApiResult<JsonObject> JsonObject::read(std::string_view text, std::string_view at, std::string_view expected) {
  json::Reader r(text);
  if (r.peek() != Kind::Object) {
    if (r.failed()) return bad_json(r);
    return wrong_type(at, expected);
  }
  JsonObject out;
  r.begin_object();
  std::string_view key;
  while (r.next_key(key)) {
    std::string name(key);
    r.peek();  // past the whitespace before the value
    size_t from = r.offset();
    if (!skip_checked(r)) break;
    out.members_.emplace_back(std::move(name), text.substr(from, r.offset() - from));
  }
  if (r.failed()) return bad_json(r);
  return out;
}

const std::string_view* JsonObject::find(std::string_view name) const {
  for (const auto& [n, text] : members_)
    if (n == name) return &text;
  return nullptr;
}

ApiResult<JsonObject> read_body(std::string_view body, std::string_view expected) {
  if (body.empty()) return ApiError{400, "bad-json", "the request body must be JSON; it is empty", ""};
  // One JSON value: the body gate has checked that much (and its depth and
  // members); what is read from it is checked again where it is read.
  return JsonObject::read(body, "", expected);
}

Kind kind_of(std::string_view text) { return json::Reader(text).peek(); }

ApiResult<std::string> read_string(std::string_view text, std::string_view at, std::string_view expected) {
  json::Reader r(text);
  std::string_view v;
  if (r.peek() != Kind::String || !r.string(v)) return wrong_type(at, expected);
  return std::string(v);
}

ApiResult<int64_t> read_count(std::string_view text, std::string_view at, std::string_view expected) {
  json::Reader r(text);
  std::string_view raw;
  int64_t v = -1;
  if (r.peek() != Kind::Number || !r.number(raw) ||
      json::Reader::to_int64(raw, v) != json::Reader::IntStatus::Integral || v < 0)
    return wrong_type(at, expected);
  return v;
}

ApiResult<std::vector<std::string_view>> read_array(std::string_view text, std::string_view at,
                                                    std::string_view expected) {
  json::Reader r(text);
  if (r.peek() != Kind::Array) return wrong_type(at, expected);
  std::vector<std::string_view> out;
  r.begin_array();
  while (r.next_element()) {
    r.peek();
    size_t from = r.offset();
    if (!skip_checked(r)) break;
    out.push_back(text.substr(from, r.offset() - from));
  }
  if (r.failed()) return bad_json(r);
  return out;
}

ApiResult<std::vector<dsl::SourceFile>> read_files(const JsonObject& body) {
  const std::string_view* files_text = body.find("files");
  if (!files_text)
    return ApiError{422, "missing-field", "\"files\" is required: [{\"name\": ..., \"text\": ...}]", "/files"};
  std::vector<dsl::SourceFile> files;
  if (kind_of(*files_text) == Kind::Object) {  // {"name": "text"}
    auto map = JsonObject::read(*files_text, "/files", "");
    if (!map) return map.take_error();
    for (const auto& [name, text] : map->members()) {
      auto t = read_string(text, "/files/" + name, "a string (the file's text)");
      if (!t) return t.take_error();
      files.push_back({name, std::move(*t)});
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    return files;
  }
  auto list = read_array(*files_text, "/files", "an array of {\"name\", \"text\"}");
  if (!list) return list.take_error();
  for (size_t i = 0; i < list->size(); ++i) {
    std::string at = "/files/" + std::to_string(i);
    auto f = JsonObject::read((*list)[i], at, "an object {\"name\", \"text\"}");
    if (!f) return f.take_error();
    const std::string_view* name = f->find("name");
    const std::string_view* text = f->find("text");
    std::optional<std::string> n;
    if (name) {
      auto s = read_string(*name, at + "/name");
      if (s && !s->empty()) n = std::move(*s);
    }
    if (!n) return wrong_type(at + "/name", "a non-empty string");
    if (!text) return wrong_type(at + "/text", "a string");
    auto t = read_string(*text, at + "/text");
    if (!t) return t.take_error();
    files.push_back({std::move(*n), std::move(*t)});
  }
  return files;
}

ApiResult<std::optional<int64_t>> query_int(const Request& req, std::string_view name) {
  const std::string* v = req.query_param(name);
  if (!v) return std::optional<int64_t>();
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || out < 0)
    return ApiError{400, "bad-parameter", "query parameter '" + std::string(name) + "' must be a non-negative integer",
                    ""};
  return std::optional<int64_t>(out);
}

ApiResult<store::Rev> parse_rev(store::Store& store, const std::string& text, bool allow_head) {
  if (text == "head" && allow_head) {
    auto h = store.head();
    if (!h) return store_error(h.error());
    return *h;
  }
  int64_t rev = -1;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), rev);
  if (ec != std::errc() || p != text.data() + text.size() || rev < 0)
    return ApiError{400, "bad-revision",
                    "'" + text + "' is not a revision (a non-negative integer" +
                        (allow_head ? std::string(" or \"head\")") : std::string(")")),
                    ""};
  return rev;
}

}  // namespace paydomain::server
