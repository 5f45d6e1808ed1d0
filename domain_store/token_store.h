// API tokens of the HTTP service: bearer tokens with a role and a name (the
// commit author). Only a SHA-256 of each token is stored; the token itself is
// shown once, at creation. Lives in the store layer so that nothing above it
// speaks SQL; kept in the same database file as the domain it guards. Its own
// library, paydomain_tokens, above paydomain_store (which keeps what `store
// copy` needs: the SHA-256 and the SQLite table's creation).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "domain_store/result.h"
#include "domain_store/sha256.h"  // tokens are stored as their SHA-256

namespace paydomain::store {

struct TokenInfo {
  int64_t id = 0;
  std::string name;  // who uses it; becomes the author of commits made with it
  std::string role;  // "reader" | "editor" | "admin"
  std::string hint;  // the token's first characters, to tell tokens apart in lists
  int64_t created_ms = 0;
  std::optional<int64_t> revoked_ms;
};

struct NewToken {
  TokenInfo info;
  std::string token;  // the secret; not recoverable later
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // role must be reader, editor or admin; name non-empty, at most 200 bytes.
  virtual Result<NewToken> create(std::string_view role, std::string_view name) = 0;
  virtual Result<std::vector<TokenInfo>> list() = 0;  // oldest first, revoked included
  // Revokes by id; NotFound for an unknown id; revoking twice is fine.
  virtual Status revoke(int64_t id) = 0;
  // The active token whose hash matches; NotFound for unknown or revoked.
  virtual Result<TokenInfo> lookup(std::string_view token) = 0;
};

// Opens the token table of the paydomain store at `path` (which must exist:
// it is opened with open_sqlite_store first, so foreign files and newer
// schemas are refused the same way), creating the table on first use.
Result<std::unique_ptr<TokenStore>> open_sqlite_token_store(const std::string& path);

// The token table in the PostgreSQL store at `url` (the store must exist).
Result<std::unique_ptr<TokenStore>> open_postgres_token_store(const std::string& url);

// The token table in the store at `url_or_path`: PostgreSQL for a
// postgresql:// URL, else the SQLite file (see open_store in store_factory.h).
Result<std::unique_ptr<TokenStore>> open_token_store(const std::string& url_or_path);

// A new token before it is stored (id 0): checks role and name as create()
// does, draws 32 random bytes from the kernel ("pd_" + 43 base64url chars).
// Shared by the backends.
Result<NewToken> make_token(std::string_view role, std::string_view name);

// The one JSON shape of a token (CLI `token list --json` and the HTTP API):
// {"id","name","role","hint","created","revoked": time or null}; never the secret.
nlohmann::json to_json(const TokenInfo& t);

}  // namespace paydomain::store
