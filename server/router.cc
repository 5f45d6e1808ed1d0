#include "server/router.h"

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

void Router::add(std::string method, std::string pattern, Access access, Handler handler) {
  Route r{std::move(method), std::move(pattern), access, std::move(handler), routes_.size()};
  routes_.push_back(std::move(r));
}

// Segment-wise comparison; "{x}" matches one non-empty segment.
bool Router::match_pattern(std::string_view pattern, std::string_view path,
                           std::vector<std::string>& params) {
  params.clear();
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
      params.push_back(url_decode(sseg, false));
    } else if (pseg != sseg) {
      return false;
    }
    pi = pe, si = se;
  }
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match m;
  std::vector<std::string> params;
  for (const Route& r : routes_) {
    if (!match_pattern(r.pattern, path, params)) continue;
    m.path_known = true;
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += r.method;
    if (!m.route && r.method == method) {
      m.route = &r;
      m.params = params;
    }
  }
  return m;
}

}  // namespace paydomain::server
