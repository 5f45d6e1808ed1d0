// `paydomain serve` as a library call: wires store, service, router, metrics
// and transport, runs until SIGTERM/SIGINT, returns the process exit code.
#pragma once

#include <string>

#include "server/service.h"
#include "server/transport.h"

namespace paydomain::server {

struct ServeOptions {
  ServiceConfig service;
  TransportConfig transport;
  bool access_log = true;  // one JSON line per request on stdout
};

// Parses "host:port" ("127.0.0.1:8080", "[::1]:0", ":8080" = 127.0.0.1).
bool parse_listen(const std::string& text, std::string& host, uint16_t& port, std::string& error);

// 0 after a graceful stop; 1 when the store cannot be opened or the address
// is unusable (the reason on stderr).
int serve(const ServeOptions& options);

}  // namespace paydomain::server
