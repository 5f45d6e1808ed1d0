#include "server/app.h"

#include <chrono>
#include <ctime>
#include <memory>
#include <random>

#include "json/reader.h"
#include "json/writer.h"
#include "domain_store/json.h"
#include "server/json_util.h"

namespace paydomain::server {

void AccessLog::write(const Entry& e) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.3f", e.seconds * 1000);
  std::string line;
  {
    json::Writer w(line);
    w.begin_object();
    w.field("ts", store::format_time(ms));
    w.field("msg", "request");
    // What the client sent may be any bytes: logged lines stay valid JSON.
    w.key("request_id"), w.untrusted_string(e.request_id);
    w.key("method"), w.untrusted_string(e.method);
    w.key("path"), w.untrusted_string(e.path);
    w.field("route", e.route);
    w.key("status"), w.integer(e.status);
    w.key("duration_ms"), w.raw(dur);
    w.key("bytes_in"), w.integer(static_cast<int64_t>(e.bytes_in));
    w.key("bytes_out"), w.integer(static_cast<int64_t>(e.bytes_out));
    if (!e.caller.empty()) w.key("caller"), w.untrusted_string(e.caller);
    w.end_object();
  }
  line += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void AccessLog::event(const std::string& json_object) {
  std::lock_guard lock(mu_);
  std::fwrite(json_object.data(), 1, json_object.size(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);
}

std::string App::next_request_id() {
  // A per-process random prefix keeps ids unique across restarts.
  static const std::string prefix = [] {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", rd());
    return std::string(buf);
  }();
  return prefix + "-" + std::to_string(counter_.fetch_add(1) + 1);
}

namespace {
// Accept a client's X-Request-ID only when it is short and printable, so it
// is safe to log and echo.
bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}
}  // namespace

void App::handle(Request req, std::function<void(Response)> reply) {
  auto start = std::chrono::steady_clock::now();
  std::string_view given_id = req.header("x-request-id");
  req.request_id = acceptable_request_id(given_id) ? std::string(given_id) : next_request_id();

  // HEAD is answered as GET without the body; OPTIONS lists the methods.
  bool head = req.method == "HEAD";
  auto match = router_.match(head ? std::string_view("GET") : std::string_view(req.method), req.path);
  const Route* route = match.route;

  // Everything that finishes the request goes through here: the id header,
  // metrics, the log line. Shared so a handler may finish on another thread.
  struct State {
    std::string request_id, method, path, route, caller;
    size_t route_index, bytes_in;
    std::chrono::steady_clock::time_point start;
    std::function<void(Response)> reply;
    std::atomic<bool> done{false};
    bool head = false;
  };
  auto st = std::make_shared<State>();
  st->request_id = req.request_id;
  st->method = req.method;
  st->path = req.path;
  st->route = route ? route->pattern : "unmatched";
  st->route_index = route ? route->index : metrics_.unmatched_index();
  st->bytes_in = req.body.size();
  st->start = start;
  st->reply = std::move(reply);
  st->head = head;
  Metrics* metrics = &metrics_;
  AccessLog* log = log_;
  Done finish = [st, metrics, log](Response res) {
    if (st->done.exchange(true)) return;  // a handler bug must not write twice
    res.headers.emplace_back("X-Request-ID", st->request_id);
    res.omit_body = st->head;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - st->start).count();
    metrics->observe_request(st->route_index, res.status, secs);
    if (log)
      log->write({st->request_id, st->method, st->path, st->route, st->caller, res.status, secs, st->bytes_in,
                  res.body.size()});
    st->reply(std::move(res));
  };

  if (!route) {
    if (req.method == "OPTIONS" && match.path_known) {
      Response r;
      r.status = 204;
      r.headers.emplace_back("Allow", match.allow);
      return finish(std::move(r));
    }
    if (match.path_known) {
      Response r = error_response(405, "method-not-allowed", req.method + " is not allowed on " + req.path);
      r.headers.emplace_back("Allow", match.allow);
      return finish(std::move(r));
    }
    return finish(error_response(404, "not-found", "no such endpoint: " + req.path));
  }
  req.params = std::move(match.params);

  Caller caller;
  if (route->access != Access::Public) {
    std::string_view h = req.header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (h.empty() || h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) {
      Response r = error_response(401, "unauthenticated", "missing 'Authorization: Bearer <token>' header");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return finish(std::move(r));
    }
    auto found = auth_.authenticate(h.substr(kBearer.size()));
    if (!found) {
      Response r = error_response(401, "unauthenticated", "unknown or revoked token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return finish(std::move(r));
    }
    caller = std::move(*found);
    st->caller = caller.name;
    if (caller.role < route->access)
      return finish(error_response(403, "forbidden",
                                   "this endpoint needs the role '" + std::string(to_string(route->access)) +
                                       "'; the token has '" + std::string(to_string(caller.role)) + "'"));
  }
  if (route->body == Body::Checked && !req.body.empty()) {
    std::string pointer;
    std::string problem = json::structure_error(req.body, kMaxBodyDepth, &pointer);
    if (!problem.empty())
      return finish(error_response(400, "bad-json", "the request body is not acceptable JSON: " + problem, pointer));
  }
  try {
    route->handler(req, caller, finish);
  } catch (const std::exception& e) {
    finish(error_response(500, "internal", std::string("internal error: ") + e.what()));
  } catch (...) {
    finish(error_response(500, "internal", "internal error"));
  }
}

}  // namespace paydomain::server
