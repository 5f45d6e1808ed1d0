// `paydomain serve` as a library call: wires store, service, router, metrics
// and transport, runs until SIGTERM/SIGINT, returns the process exit code.
#pragma once

#include <string>

#include "base/result.h"

#include "server/service.h"
#include "server/transport.h"

namespace paydomain::server {

struct ServeOptions {
  ServiceConfig service;
  TransportConfig transport;
  bool access_log = true;  // one JSON line per request on stdout
};

// Parses "host:port" ("127.0.0.1:8080", "[::1]:0", ":8080" = 127.0.0.1);
// a message saying what is wrong otherwise.
struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};
paydomain::Result<ListenAddress, std::string> parse_listen(const std::string& text);

// 0 after a graceful stop; 1 when the store cannot be opened or the address
// is unusable (the reason on stderr). A PostgreSQL store that cannot be
// opened is retried with backoff until it opens (a replica started during
// an outage comes up when the database returns) or SIGTERM/SIGINT arrives
// (exit 0); a SQLite store fails at once.
int serve(const ServeOptions& options);

}  // namespace paydomain::server
