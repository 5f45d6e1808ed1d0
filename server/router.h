// A small router: method + path pattern ("/v1/revisions/{rev}/objects/{kind}/{id}")
// -> handler and the role it needs. Routes are fixed at startup, so matching
// needs no lock; the route list is also what the OpenAPI test compares with.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http.h"

namespace paydomain::server {

// Who may call a route. Roles are ordered: admin > editor > reader.
enum class Access { Public = 0, Reader = 1, Editor = 2, Admin = 3 };
std::string_view to_string(Access a);
bool access_from_string(std::string_view s, Access& out);  // reader|editor|admin

// The authenticated caller; `name` becomes the commit author.
struct Caller {
  std::string name;
  Access role = Access::Public;
};

// Handlers answer through `done`, exactly once, from any thread; this lets
// long-polls and compile-bound work leave the I/O threads free.
using Done = std::function<void(Response)>;
using Handler = std::function<void(Request& req, const Caller& caller, Done done)>;

// How a route's request body reaches it. Checked: the App admits a
// non-empty body only when it is one JSON value nested at most
// kMaxBodyDepth deep with no repeated member (400 "bad-json" naming the
// offender's JSON pointer otherwise), before the handler or any recursive
// code sees it. Streamed: the handler reads the body with the bounded,
// duplicate-rejecting json::Reader itself (the evaluate hot path, which must
// not pay for a second pass).
enum class Body { Checked, Streamed };
inline constexpr size_t kMaxBodyDepth = 256;

struct Route {
  std::string method;
  std::string pattern;  // also the metrics label
  Access access = Access::Public;
  Handler handler;
  size_t index = 0;  // position in routes(), for per-route metrics
  Body body = Body::Checked;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Access access, Handler handler, Body body = Body::Checked);

  struct Match {
    const Route* route = nullptr;     // null: no route for this method
    bool path_known = false;          // some method matches the path (-> 405)
    std::string allow;                // when no route matched: the path's methods, "GET, POST, HEAD, OPTIONS"
    std::vector<std::string> params;  // decoded path parameters
  };
  // The route for method + path. Path "*" (OPTIONS *) matches no route but
  // is known, with every method of the server in `allow`.
  Match match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  static constexpr size_t kMaxParams = 8;
  // Segment-wise comparison without allocating; the raw {param} segments in `params`.
  static bool match_pattern(std::string_view pattern, std::string_view path, std::string_view* params,
                            size_t& count);
  std::vector<Route> routes_;
};

}  // namespace paydomain::server
