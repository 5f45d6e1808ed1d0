#include "server/router.h"

#include <algorithm>
#include <cstdlib>

namespace paydomain::server {

std::string_view to_string(Access a) {
  switch (a) {
    case Access::Public: return "public";
    case Access::Reader: return "reader";
    case Access::Editor: return "editor";
    case Access::Admin: return "admin";
  }
  return "public";
}

bool access_from_string(std::string_view s, Access& out) {
  if (s == "reader") out = Access::Reader;
  else if (s == "editor") out = Access::Editor;
  else if (s == "admin") out = Access::Admin;
  else return false;
  return true;
}

void Router::add(std::string method, std::string pattern, Access access, Handler handler, Body body) {
  if (static_cast<size_t>(std::count(pattern.begin(), pattern.end(), '{')) > kMaxParams) std::abort();  // a programming error
  Route r{std::move(method), std::move(pattern), access, std::move(handler), routes_.size(), body};
  routes_.push_back(std::move(r));
}

// Segment-wise comparison; "{x}" matches one non-empty segment.
bool Router::match_pattern(std::string_view pattern, std::string_view path, std::string_view* params,
                           size_t& count) {
  count = 0;
  size_t pi = 0, si = 0;
  while (true) {
    bool pend = pi >= pattern.size(), send = si >= path.size();
    if (pend || send) return pend && send;
    if (pattern[pi] != '/' || path[si] != '/') return false;
    ++pi, ++si;
    size_t pe = pattern.find('/', pi), se = path.find('/', si);
    if (pe == std::string_view::npos) pe = pattern.size();
    if (se == std::string_view::npos) se = path.size();
    std::string_view pseg = pattern.substr(pi, pe - pi), sseg = path.substr(si, se - si);
    if (!pseg.empty() && pseg.front() == '{') {
      if (sseg.empty()) return false;
      params[count++] = sseg;
    } else if (pseg != sseg) {
      return false;
    }
    pi = pe, si = se;
  }
}

namespace {
// "GET, POST" plus what the server answers for any known path: HEAD where
// GET is served, and OPTIONS.
void add_method(std::string& allow, std::string_view method) {
  std::string_view rest = allow;
  while (!rest.empty()) {
    size_t comma = rest.find(", ");
    if (rest.substr(0, comma) == method) return;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 2);
  }
  if (!allow.empty()) allow += ", ";
  allow += method;
}
}  // namespace

// The first route of the method whose pattern matches; only when there is
// none, the methods the path allows (for 405 and OPTIONS).
Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  std::string_view params[kMaxParams];
  size_t count = 0;
  bool any = path == "*";  // OPTIONS *: the server as a whole
  if (!any) {
    for (const Route& r : routes_) {
      if (r.method != method || !match_pattern(r.pattern, path, params, count)) continue;
      m.route = &r;
      m.path_known = true;
      m.params.reserve(count);
      for (size_t i = 0; i < count; ++i) m.params.push_back(url_decode(params[i], false));
      return m;
    }
  }
  bool get = false;
  for (const Route& r : routes_) {
    if (!any && !match_pattern(r.pattern, path, params, count)) continue;
    m.path_known = true;
    add_method(m.allow, r.method);
    get = get || r.method == "GET";
  }
  if (m.path_known) {
    if (get) add_method(m.allow, "HEAD");
    add_method(m.allow, "OPTIONS");
  }
  return m;
}

}  // namespace paydomain::server
