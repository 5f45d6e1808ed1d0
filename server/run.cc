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

bool parse_listen(const std::string& text, std::string& host, uint16_t& port, std::string& error) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    error = "--listen wants HOST:PORT, e.g. 127.0.0.1:8080";
    return false;
  }
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  std::string p = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || value > 65535) {
    error = "bad port in --listen '" + text + "'";
    return false;
  }
  port = static_cast<uint16_t>(value);
  return true;
}

int serve(const ServeOptions& options) {
  // A client that vanishes mid-response must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  auto opened = Service::open(options.service);
  if (opened.index() != 0) {
    std::cerr << "paydomain serve: " << std::get<1>(opened) << "\n";
    return 1;
  }
  std::unique_ptr<Service> service = std::move(std::get<0>(opened));

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

  if (auto err = service->start()) {
    std::cerr << "paydomain serve: " << *err << "\n";
    return 1;
  }
  std::string error;
  if (!http.listen(error)) {
    std::cerr << "paydomain serve: " << error << "\n";
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
