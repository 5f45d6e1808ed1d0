#include "server/static_files.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "server/editor_assets.h"

namespace paydomain::server {
namespace {

std::string_view content_type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json") || ends(".map")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f(item) for each comma-separated item of a header value, trimmed.
template <class F>
void each_item(std::string_view list, F f) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    f(trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

Response from_dir(const std::string& dir, const std::string& name) {
  std::ifstream in(dir + "/" + name, std::ios::binary);
  if (!in) return error_response(404, "not-found", "no such file: " + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r;
  r.content_type = content_type_of(name);
  r.body = ss.str();
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  bool ok = false;
  each_item(accept_encoding, [&](std::string_view item) {
    size_t semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    if (!iequals(coding, "gzip") && coding != "*") return;
    bool zero = false;
    if (semi != std::string_view::npos) {
      std::string_view params = trim(item.substr(semi + 1));
      if (params.size() >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
        std::string_view q = trim(params.substr(2));
        zero = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (!zero) ok = true;
  });
  return ok;
}

bool none_match(std::string_view if_none_match, std::string_view etag) {
  bool hit = false;
  each_item(if_none_match, [&](std::string_view tag) {
    if (tag == "*") hit = true;
    if (tag.size() > 2 && tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) hit = true;
  });
  return hit;
}

Response editor_file(const Request& req, std::string name, const std::string& editor_dir) {
  if (name.empty()) name = "index.html";
  // One path segment of safe characters: no traversal out of the directory.
  bool safe = name[0] != '.';
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) safe = false;
  if (!safe) return error_response(404, "not-found", "no such file");
  if (!editor_dir.empty()) return from_dir(editor_dir, name);
  auto assets = editor_assets();
  if (assets.empty())
    return error_response(404, "not-found", "this binary was built without the web editor (serve it with --editor DIR)");
  const EditorAsset* a = nullptr;
  for (const auto& x : assets)
    if (x.name == name) a = &x;
  if (!a) return error_response(404, "not-found", "no such file: " + name);
  bool gz = accepts_gzip(req.header("accept-encoding"));
  std::string_view etag = gz ? a->gzip_etag : a->etag;
  Response r;
  r.content_type = content_type_of(name);
  r.headers.emplace_back("ETag", std::string(etag));
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (none_match(req.header("if-none-match"), etag)) {
    r.status = 304;
    return r;
  }
  if (gz) r.headers.emplace_back("Content-Encoding", "gzip");
  r.body = std::string(gz ? a->gzip : a->body);
  return r;
}

}  // namespace paydomain::server
