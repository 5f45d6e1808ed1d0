// The API token table on PostgreSQL (created by the store's schema; only
// SHA-256 hashes are stored). Each call leases its own connection, so
// lookups from many threads run in parallel; a lost connection is replaced
// on the next call.
#include <mutex>
#include <vector>

#include "domain_store/commit_prep.h"
#include "domain_store/postgres/pg_store_impl.h"
#include "domain_store/token_store.h"

namespace paydomain::store {
namespace {

class PgTokenStore final : public TokenStore {
 public:
  explicit PgTokenStore(std::string url) : url_(std::move(url)) {}

  Result<NewToken> create(std::string_view role, std::string_view name) override {
    auto made = make_token(role, name);
    if (!made) return made.take_error();
    NewToken out = std::move(*made);
    auto c = conn();
    if (!c) return c.take_error();
    auto r = (*c)->query(
        "INSERT INTO api_tokens(token_hash, hint, name, role, created_ms) VALUES ($1, $2, $3, $4, $5) RETURNING token_id",
        {pg::P(sha256_hex(out.token)), pg::P(out.info.hint), pg::P(out.info.name), pg::P(out.info.role),
         pg::P(out.info.created_ms)});
    give_back(std::move(*c));
    if (!r) return r.take_error();
    out.info.id = r->i64(0, 0);
    return out;
  }

  Result<std::vector<TokenInfo>> list() override {
    auto c = conn();
    if (!c) return c.take_error();
    auto r = (*c)->query("SELECT token_id, name, role, hint, created_ms, revoked_ms FROM api_tokens ORDER BY token_id");
    give_back(std::move(*c));
    if (!r) return r.take_error();
    std::vector<TokenInfo> out;
    for (int i = 0; i < r->size(); ++i) out.push_back(row(*r, i));
    return out;
  }

  Status revoke(int64_t id) override {
    auto c = conn();
    if (!c) return c.take_error();
    auto r = (*c)->query(
        "UPDATE api_tokens SET revoked_ms = coalesce(revoked_ms, $2) WHERE token_id = $1 RETURNING token_id",
        {pg::P(id), pg::P(now_ms())});
    give_back(std::move(*c));
    if (!r) return r.take_error();
    if (r->empty()) return make_error(ErrorCode::NotFound, "no token with id " + std::to_string(id));
    return Ok{};
  }

  Result<TokenInfo> lookup(std::string_view token) override {
    auto c = conn();
    if (!c) return c.take_error();
    auto r = (*c)->query(
        "SELECT token_id, name, role, hint, created_ms, revoked_ms FROM api_tokens "
        "WHERE token_hash = $1 AND revoked_ms IS NULL",
        {pg::P(sha256_hex(token))});
    give_back(std::move(*c));
    if (!r) return r.take_error();
    if (r->empty()) return make_error(ErrorCode::NotFound, "unknown or revoked token");
    return row(*r, 0);
  }

 private:
  static TokenInfo row(const pg::Rows& r, int i) {
    TokenInfo t;
    t.id = r.i64(i, 0);
    t.name = r.text(i, 1);
    t.role = r.text(i, 2);
    t.hint = r.text(i, 3);
    t.created_ms = r.i64(i, 4);
    if (!r.is_null(i, 5)) t.revoked_ms = r.i64(i, 5);
    return t;
  }

  Result<std::unique_ptr<pg::Conn>> conn() {
    {
      std::lock_guard lock(mu_);
      while (!pool_.empty()) {
        auto c = std::move(pool_.back());
        pool_.pop_back();
        if (!c->broken()) return c;
      }
    }
    return pg::connect_store(url_);
  }
  void give_back(std::unique_ptr<pg::Conn> c) {
    if (c->broken()) return;
    std::lock_guard lock(mu_);
    if (pool_.size() < 4) pool_.push_back(std::move(c));
  }

  std::string url_;
  std::mutex mu_;
  std::vector<std::unique_ptr<pg::Conn>> pool_;
};

}  // namespace

Result<std::unique_ptr<TokenStore>> open_postgres_token_store(const std::string& url) {
  // Opening the store first refuses foreign databases and newer schemas and
  // applies pending migrations (which create the token table).
  auto store = open_postgres_store(url);
  if (!store) return store.take_error();
  return std::unique_ptr<TokenStore>(new PgTokenStore(url));
}

}  // namespace paydomain::store
