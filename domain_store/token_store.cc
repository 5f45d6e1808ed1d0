// The API tokens over SQLite (the table itself: sqlite/token_table.h), making
// a token, its JSON shape, and opening the token store of either backend.
#include "domain_store/token_store.h"

#include <sys/random.h>

#include <array>
#include <chrono>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "domain_store/commit_prep.h"
#include "domain_store/json.h"
#include "domain_store/sha256.h"
#include "domain_store/sqlite/db.h"
#include "domain_store/sqlite/token_table.h"
#include "domain_store/sqlite_store.h"
#include "domain_store/store_factory.h"

namespace paydomain::store {

// ---- JSON ------------------------------------------------------------------

nlohmann::json to_json(const TokenInfo& t) {
  nlohmann::json j = {{"id", t.id}, {"name", t.name}, {"role", t.role}, {"hint", t.hint},
                      {"created", format_time(t.created_ms)}};
  j["revoked"] = t.revoked_ms ? nlohmann::json(format_time(*t.revoked_ms)) : nlohmann::json(nullptr);
  return j;
}

// ---- new tokens ------------------------------------------------------------

namespace {

// 32 random bytes from the kernel, base64url without padding: "pd_" + 43 chars.
Result<std::string> random_token() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t r = getrandom(bytes + got, sizeof bytes - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::Io, std::string("getrandom failed: ") + std::strerror(errno));
    }
    got += static_cast<size_t>(r);
  }
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out = "pd_";
  uint32_t acc = 0;
  int nbits = 0;
  for (unsigned char b : bytes) {
    acc = (acc << 8) | b;
    nbits += 8;
    while (nbits >= 6) {
      out += b64[(acc >> (nbits - 6)) & 63];
      nbits -= 6;
    }
  }
  if (nbits > 0) out += b64[(acc << (6 - nbits)) & 63];
  return out;
}

}  // namespace

Result<NewToken> make_token(std::string_view role, std::string_view name) {
  if (role != "reader" && role != "editor" && role != "admin")
    return make_error(ErrorCode::InvalidArgument, "role must be reader, editor or admin, not '" + std::string(role) + "'");
  if (name.empty() || name.size() > 200)
    return make_error(ErrorCode::InvalidArgument, "a token needs a name of 1 to 200 bytes");
  auto token = random_token();
  if (!token) return token.take_error();
  NewToken out;
  out.token = std::move(token.value());
  out.info.name = std::string(name);
  out.info.role = std::string(role);
  out.info.hint = out.token.substr(0, 7);
  out.info.created_ms = now_ms();
  return out;
}

// ---- the SQLite token table ------------------------------------------------

namespace {

class SqliteTokenStore final : public TokenStore {
 public:
  explicit SqliteTokenStore(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}

  Status prepare() {
    std::lock_guard lock(mu_);
    if (Status s = db_->exec("PRAGMA synchronous=FULL"); !s) return s;
    return sqlite::prepare_token_table(*db_);
  }

  Result<NewToken> create(std::string_view role, std::string_view name) override {
    auto made = make_token(role, name);
    if (!made) return made.take_error();
    NewToken out = std::move(*made);
    std::lock_guard lock(mu_);
    auto st = db_->prepare("INSERT INTO api_tokens(token_hash, hint, name, role, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) return st.take_error();
    st->bind(1, sha256_hex(out.token)).bind(2, out.info.hint).bind(3, out.info.name).bind(4, out.info.role);
    st->bind(5, out.info.created_ms);
    if (Status s = st->run(); !s) return s.take_error();
    out.info.id = sqlite3_last_insert_rowid(db_->raw());
    return out;
  }

  Result<std::vector<TokenInfo>> list() override {
    std::lock_guard lock(mu_);
    auto st = db_->prepare("SELECT token_id, name, role, hint, created_ms, revoked_ms FROM api_tokens ORDER BY token_id");
    if (!st) return st.take_error();
    std::vector<TokenInfo> out;
    Result<bool> ready = false;
    while ((ready = st->step()) && *ready) out.push_back(row(*st));
    if (!ready) return ready.take_error();
    return out;
  }

  Status revoke(int64_t id) override {
    std::lock_guard lock(mu_);
    auto st = db_->prepare("UPDATE api_tokens SET revoked_ms = coalesce(revoked_ms, ?2) WHERE token_id = ?1");
    if (!st) return st.take_error();
    st->bind(1, id).bind(2, now_ms());
    if (Status s = st->run(); !s) return s;
    if (sqlite3_changes(db_->raw()) == 0) return make_error(ErrorCode::NotFound, "no token with id " + std::to_string(id));
    return Ok{};
  }

  Result<TokenInfo> lookup(std::string_view token) override {
    std::string hash = sha256_hex(token);
    std::lock_guard lock(mu_);
    auto st = db_->prepare(
        "SELECT token_id, name, role, hint, created_ms, revoked_ms FROM api_tokens WHERE token_hash = ?1 AND revoked_ms IS NULL");
    if (!st) return st.take_error();
    st->bind(1, hash);
    auto ready = st->step();
    if (!ready) return ready.take_error();
    if (*ready) return row(*st);
    return make_error(ErrorCode::NotFound, "unknown or revoked token");
  }

 private:
  static TokenInfo row(const sqlite::Stmt& st) {
    TokenInfo t;
    t.id = st.i64(0);
    t.name = st.text(1);
    t.role = st.text(2);
    t.hint = st.text(3);
    t.created_ms = st.i64(4);
    if (!st.is_null(5)) t.revoked_ms = st.i64(5);
    return t;
  }

  std::mutex mu_;  // one connection, used by one thread at a time
  std::unique_ptr<sqlite::Db> db_;
};

}  // namespace

Result<std::unique_ptr<TokenStore>> open_sqlite_token_store(const std::string& path) {
  // Opening the domain store first refuses foreign files and newer schemas
  // and applies pending migrations; only then is the file ours to write.
  auto store = open_sqlite_store(path);
  if (!store) return store.take_error();
  auto db = sqlite::Db::open(path, false, 5000);
  if (!db) return db.take_error();
  auto ts = std::make_unique<SqliteTokenStore>(std::move(db.value()));
  if (Status s = ts->prepare(); !s) return s.take_error();
  return std::unique_ptr<TokenStore>(std::move(ts));
}

Result<std::unique_ptr<TokenStore>> open_token_store(const std::string& url_or_path) {
  return is_postgres_url(url_or_path) ? open_postgres_token_store(url_or_path) : open_sqlite_token_store(url_or_path);
}

}  // namespace paydomain::store
