// Bearer-token authentication and the token endpoints. A token resolves to
// its caller through the token store, cached by the token's hash (never in
// clear) for token_cache_ttl, so the hot evaluate path does not query
// SQLite; a revocation through this server takes effect at once, one through
// another process within that time.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "domain_store/token_store.h"
#include "server/app.h"
#include "server/router.h"

namespace paydomain::server {

class TokenAuth : public Authenticator {
 public:
  TokenAuth(store::TokenStore& tokens, std::chrono::milliseconds ttl) : tokens_(tokens), ttl_(ttl) {}
  std::optional<Caller> authenticate(std::string_view token) override;
  void forget_all();  // after a revocation through this server: effective at once

  // GET /v1/whoami, GET/POST /v1/tokens, DELETE /v1/tokens/{id}.
  void add_routes(Router& router);

 private:
  struct Cached {
    std::optional<Caller> caller;
    std::chrono::steady_clock::time_point expires;
  };
  using Digest = std::array<unsigned char, 32>;  // the token's SHA-256
  static std::optional<Digest> digest(std::string_view token);  // nullopt: libcrypto failed
  store::TokenStore& tokens_;
  const std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::map<Digest, Cached> cache_;
};

}  // namespace paydomain::server
