#include "server/run.h"

#include <charconv>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "json/writer.h"
#include "server/app.h"
#include "server/metrics.h"
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

int serve(const ServeOptions& options) {
  // A client that vanishes mid-response must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto opened = Service::open(options.service);
  if (!opened) {
    std::cerr << "paydomain serve: " << opened.error() << "\n";
    return 1;
  }
  std::unique_ptr<Service> service = std::move(opened).value();

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
