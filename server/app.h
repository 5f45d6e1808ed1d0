// The request pipeline in front of every route: request id, routing (404/405),
// bearer-token authentication (401) and roles (403), exception safety (500),
// per-route metrics and one JSON access-log line per request.
#pragma once

#include <atomic>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "server/http.h"
#include "server/metrics.h"
#include "server/router.h"

namespace paydomain::server {

// Resolves a bearer token to its caller; nullopt for unknown/revoked tokens.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual std::optional<Caller> authenticate(std::string_view token) = 0;
};

// One JSON line per request on `out` (stdout by default). Never logs the
// token or the body; logs who called (the token's name), not the credential.
class AccessLog {
 public:
  explicit AccessLog(FILE* out) : out_(out) {}
  struct Entry {
    std::string_view request_id, method, path, route, caller;
    int status = 0;
    double seconds = 0;
    size_t bytes_in = 0, bytes_out = 0;
  };
  void write(const Entry& e);
  // Any other structured event ("listening", "shutdown"), already JSON.
  void event(const std::string& json_object);

 private:
  FILE* out_;
  std::mutex mu_;
};

class App {
 public:
  App(const Router& router, Metrics& metrics, Authenticator& auth, AccessLog* log)
      : router_(router), metrics_(metrics), auth_(auth), log_(log) {}

  // Handles one complete request; `reply` gets exactly one response.
  void handle(Request req, std::function<void(Response)> reply);

 private:
  std::string next_request_id();
  const Router& router_;
  Metrics& metrics_;
  Authenticator& auth_;
  AccessLog* log_;
  std::atomic<uint64_t> counter_{0};
};


}  // namespace paydomain::server
