#include "server/run.h"

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>

#include <pthread.h>

#include <nlohmann/json.hpp>

#include <mutex>
#include <thread>

#include "json/writer.h"
#include "server/api_error.h"
#include "server/app.h"
#include "server/json_util.h"
#include "server/metrics.h"
#include "domain_store/postgres_store.h"
#include "server/router.h"

namespace paydomain::server {

paydomain::Result<ListenAddress, std::string> parse_listen(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::string("--listen wants HOST:PORT, e.g. 127.0.0.1:8080");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  std::string p = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value > 65535)
    return "bad port in --listen '" + text + "'";
  return ListenAddress{host, static_cast<uint16_t>(value)};
}

namespace {

// What answers on the service's address while `serve` waits for its store
// at startup: /healthz 200 (the process is alive), /readyz and every other
// route 503 with the JSON error naming why (an orchestrator keeps the
// replica alive and out of the load balancer). It binds the address the
// service will use and hands its port over (with --listen HOST:0 the
// service keeps the port bound here); stopped before the service listens.
class WaitingServer {
 public:
  explicit WaitingServer(TransportConfig transport) : metrics_({}) {
    transport.threads = 1;
    http_ = std::make_unique<HttpServer>(
        transport, [this](Request req, std::function<void(Response)> reply) { reply(answer(req)); }, &metrics_);
  }
  ~WaitingServer() { stop(); }

  // Listens and serves on a thread of its own; the bound port, or why not.
  paydomain::Result<uint16_t, std::string> start(AccessLog& log) {
    if (auto l = http_->listen(); !l) return l.error();
    thread_ = std::thread([this] { http_->run(); });
    std::string line;
    json::Writer w(line);
    w.begin_object();
    w.field("msg", "waiting for the store");
    w.key("port"), w.integer(http_->port());
    w.end_object();
    log.event(line);
    return http_->port();
  }
  void set_reason(std::string why) {
    std::lock_guard lock(mu_);
    why_ = std::move(why);
  }
  void stop() {
    if (!thread_.joinable()) return;
    http_->stop();
    thread_.join();
  }

 private:
  Response answer(const Request& req) {
    if (req.path == "/healthz") return json_response(200, {{"status", "ok"}});
    std::lock_guard lock(mu_);
    Response r = to_response(ApiError{503, "not-ready", "waiting for the store: " + why_, ""});
    r.headers.emplace_back("Retry-After", "1");
    return r;
  }

  Metrics metrics_;
  std::unique_ptr<HttpServer> http_;
  std::thread thread_;
  std::mutex mu_;
  std::string why_;
};

// Opens the service; on PostgreSQL, retries while the database is
// unreachable, so a replica started during an outage comes up when the
// database returns. Each failed attempt is logged once, then the wait
// doubles (0.2 s up to 5 s); meanwhile a WaitingServer answers on the
// service's address (its port, when it had to pick one, goes to
// *transport). SIGTERM/SIGINT during a wait give up: null and *stopped. A
// SQLite store fails at once (a wrong path is a user error).
std::unique_ptr<Service> open_service(const ServiceConfig& config, TransportConfig* transport, AccessLog& log,
                                      bool* stopped) {
  *stopped = false;
  auto opened = Service::open(config);
  if (opened) return std::move(opened).value();
  std::cerr << "paydomain serve: " << opened.error() << "\n";
  if (!store::is_postgres_url(config.db_path)) return nullptr;

  // The signals wait in sigtimedwait while they are blocked; the transport
  // installs its own handlers once the service is open.
  sigset_t stop_signals, before;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, &before);
  // Started with the signals blocked: its thread leaves them to sigtimedwait.
  WaitingServer waiting(*transport);
  waiting.set_reason(opened.error());
  auto port = waiting.start(log);
  if (!port) {
    std::cerr << "paydomain serve: " << port.error() << "\n";
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    return nullptr;
  }
  transport->port = *port;
  std::unique_ptr<Service> service;
  long wait_ms = 200;
  while (!service) {
    std::cerr << "paydomain serve: retrying in " << wait_ms << " ms\n" << std::flush;
    timespec wait{wait_ms / 1000, (wait_ms % 1000) * 1'000'000};
    if (sigtimedwait(&stop_signals, nullptr, &wait) > 0) {
      *stopped = true;
      break;
    }
    wait_ms = std::min(wait_ms * 2, 5000L);
    auto again = Service::open(config);
    if (again) {
      service = std::move(again).value();
      std::cerr << "paydomain serve: store opened\n";
    } else {
      std::cerr << "paydomain serve: " << again.error() << "\n";
      waiting.set_reason(again.error());
    }
  }
  waiting.stop();
  // A stop request that came in with the last attempt is honoured too.
  timespec now{0, 0};
  if (service && sigtimedwait(&stop_signals, nullptr, &now) > 0) {
    service.reset();
    *stopped = true;
  }
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return service;
}

}  // namespace

int serve(const ServeOptions& options) {
  // A client that vanishes mid-response must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  bool stopped = false;
  AccessLog log(stdout);
  TransportConfig transport = options.transport;
  std::unique_ptr<Service> service = open_service(options.service, &transport, log, &stopped);
  if (!service) return stopped ? 0 : 1;

  Router router;
  service->add_routes(router);
  std::vector<std::string> labels;
  for (const auto& r : router.routes()) labels.push_back(r.method + " " + r.pattern);
  Metrics metrics(labels);
  service->attach_metrics(&metrics);
  App app(router, metrics, service->authenticator(), options.access_log ? &log : nullptr);

  HttpServer http(transport, [&app](Request req, std::function<void(Response)> reply) {
    app.handle(std::move(req), std::move(reply));
  }, &metrics);
  service->set_stopping_probe([&http] { return http.stopping(); });

  if (auto started = service->start(); !started) {
    std::cerr << "paydomain serve: " << started.error() << "\n";
    return 1;
  }
  if (auto listening = http.listen(); !listening) {
    std::cerr << "paydomain serve: " << listening.error() << "\n";
    return 1;
  }
  http.on_shutdown([&service, &log] {
    log.event(R"({"msg":"shutdown","detail":"finishing in-flight requests"})");
    service->begin_shutdown();
  });
  std::string listening;
  {
    json::Writer w(listening);
    w.begin_object();
    w.field("msg", "listening");
    w.key("address"), w.untrusted_string(options.transport.address);
    w.key("port"), w.integer(http.port());
    w.end_object();
  }
  log.event(listening);
  http.run();
  service->finish();
  log.event(R"({"msg":"stopped"})");
  return 0;
}

}  // namespace paydomain::server
