#include "server/run.h"

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>

#include <pthread.h>

#include "json/writer.h"
#include "server/app.h"
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

// Opens the service; on PostgreSQL, retries while the database is
// unreachable, so a replica started during an outage comes up when the
// database returns. Each failed attempt is logged once, then the wait
// doubles (0.2 s up to 5 s). SIGTERM/SIGINT during a wait give up: null
// and *stopped. A SQLite store fails at once (a wrong path is a user error).
std::unique_ptr<Service> open_service(const ServiceConfig& config, bool* stopped) {
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
    }
  }
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
  std::unique_ptr<Service> service = open_service(options.service, &stopped);
  if (!service) return stopped ? 0 : 1;

  Router router;
  service->add_routes(router);
  std::vector<std::string> labels;
  for (const auto& r : router.routes()) labels.push_back(r.method + " " + r.pattern);
  Metrics metrics(labels);
  service->attach_metrics(&metrics);
  AccessLog log(stdout);
  App app(router, metrics, service->authenticator(), options.access_log ? &log : nullptr);

  HttpServer http(options.transport, [&app](Request req, std::function<void(Response)> reply) {
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
