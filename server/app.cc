#include "server/app.h"

#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>
#include <random>

#include "json/reader.h"
#include "json/writer.h"
#include "domain_store/json.h"

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
    std::snprintf(buf, sizeof buf, "%08x-", rd());
    return std::string(buf);
  }();
  char buf[32];
  std::memcpy(buf, prefix.data(), prefix.size());
  char* end = std::to_chars(buf + prefix.size(), buf + sizeof buf, counter_.fetch_add(1) + 1).ptr;
  return std::string(buf, end);
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

void App::handle(Request request, std::function<void(Response)> reply) {
  // Everything that finishes the request goes through `finish`: the id
  // header, metrics, the log line. The state (the request itself included,
  // which the handler reads) is shared so a handler may finish on another
  // thread; it is one allocation per request.
  struct State {
    Request req;
    std::string caller;
    const Route* route = nullptr;
    size_t bytes_in = 0;
    std::chrono::steady_clock::time_point start;
    std::function<void(Response)> reply;
    Metrics* metrics = nullptr;
    AccessLog* log = nullptr;
    std::atomic<bool> done{false};
    bool head = false;
  };
  auto st = std::make_shared<State>();
  st->start = std::chrono::steady_clock::now();
  st->req = std::move(request);
  Request& req = st->req;
  std::string_view given_id = req.header("x-request-id");
  req.request_id = acceptable_request_id(given_id) ? std::string(given_id) : next_request_id();

  // HEAD is answered as GET without the body; OPTIONS lists the methods.
  st->head = req.method == "HEAD";
  auto match = router_.match(st->head ? std::string_view("GET") : std::string_view(req.method), req.path);
  const Route* route = match.route;
  st->route = route;
  st->bytes_in = req.body.size();
  st->reply = std::move(reply);
  st->metrics = &metrics_;
  st->log = log_;
  Done finish = [st](Response res) {
    if (st->done.exchange(true)) return;  // a handler bug must not write twice
    const Request& rq = st->req;
    res.omit_body = st->head;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - st->start).count();
    st->metrics->observe_request(st->route ? st->route->index : st->metrics->unmatched_index(), res.status, secs);
    if (st->log)
      st->log->write({rq.request_id, rq.method, rq.path, st->route ? std::string_view(st->route->pattern) : "unmatched",
                      st->caller, res.status, secs, st->bytes_in, res.body.size()});
    res.headers.emplace_back("X-Request-ID", rq.request_id);
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
