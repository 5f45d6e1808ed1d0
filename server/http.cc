#include "server/http.h"

#include "json/writer.h"

namespace paydomain::server {

std::string_view Request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view{} : std::string_view{it->second};
}

const std::string* Request::query_param(std::string_view name) const {
  auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

Response error_response(int status, std::string_view code, std::string_view message,
                        std::string_view path, std::string_view more) {
  Response r;
  r.status = status;
  {
    json::Writer w(r.body);
    w.begin_object();
    w.key("error");
    w.begin_object();
    w.field("code", code);
    w.key("message"), w.untrusted_string(message);
    w.key("path"), w.untrusted_string(path);
    w.end_object();
    w.end_object();
  }
  if (!more.empty()) {
    r.body.pop_back();  // the closing '}'
    r.body.append(",").append(more).append("}");
  }
  return r;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool etag_matches(const Request& req, const std::string& etag) {
  std::string_view inm = req.header("if-none-match");
  return !inm.empty() && (inm == "*" || inm.find(etag) != std::string_view::npos);
}

Response not_modified(const std::string& etag) {
  Response r;
  r.status = 304;
  r.content_type = "application/json";
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", kImmutable);
  return r;
}

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::map<std::string, std::string, std::less<>> parse_query(std::string_view q) {
  std::map<std::string, std::string, std::less<>> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string key = url_decode(part.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1), true);
    out[std::move(key)] = std::move(value);
  }
  return out;
}

}  // namespace paydomain::server
