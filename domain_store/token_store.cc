// SQLite token table. The store's migration list belongs to the domain
// schema; tokens are an add-on of the server, so they keep their own version
// row in `paydomain_extensions` and create their table idempotently under
// BEGIN IMMEDIATE (several processes may open an old store at once).
#include "domain_store/token_store.h"

#include <sys/random.h>

#include <array>
#include <chrono>
#include <cstring>
#include <mutex>

#include "domain_store/sqlite/db.h"
#include "domain_store/sqlite_store.h"

namespace paydomain::store {

// ---- SHA-256 ---------------------------------------------------------------

namespace {

constexpr std::array<uint32_t, 64> kK = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void sha256_block(std::array<uint32_t, 8>& h, const unsigned char* p) {
  uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (uint32_t(p[4 * i]) << 24) | (uint32_t(p[4 * i + 1]) << 16) | (uint32_t(p[4 * i + 2]) << 8) |
           uint32_t(p[4 * i + 3]);
  for (int i = 16; i < 64; ++i) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int i = 0; i < 64; ++i) {
    uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    uint32_t ch = (e & f) ^ (~e & g);
    uint32_t t1 = hh + S1 + ch + kK[i] + w[i];
    uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    uint32_t t2 = S0 + maj;
    hh = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  std::array<uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  size_t n = data.size();
  size_t full = n / 64;
  for (size_t i = 0; i < full; ++i) sha256_block(h, p + 64 * i);
  // Padding: 0x80, zeros, then the bit length big-endian in the last 8 bytes.
  unsigned char tail[128] = {};
  size_t rest = n - 64 * full;
  std::memcpy(tail, p + 64 * full, rest);
  tail[rest] = 0x80;
  size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = static_cast<uint64_t>(n) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  for (size_t off = 0; off < tail_len; off += 64) sha256_block(h, tail + off);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint32_t v : h)
    for (int s = 28; s >= 0; s -= 4) out += hex[(v >> s) & 0xf];
  return out;
}

// ---- the SQLite token table ------------------------------------------------

namespace {

constexpr int64_t kTokensVersion = 1;
constexpr const char* kTokensSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS api_tokens(
  token_id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  hint TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
  created_ms INTEGER NOT NULL,
  revoked_ms INTEGER
);
)sql";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

class SqliteTokenStore final : public TokenStore {
 public:
  explicit SqliteTokenStore(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}

  Status prepare() {
    std::lock_guard lock(mu_);
    if (Status s = db_->exec("PRAGMA synchronous=FULL"); !s) return s;
    sqlite::Txn txn(*db_);
    if (Status s = txn.begin("BEGIN IMMEDIATE"); !s) return s;
    if (Status s = db_->exec("CREATE TABLE IF NOT EXISTS paydomain_extensions(name TEXT PRIMARY KEY, version INTEGER NOT NULL)"); !s)
      return s;
    auto v = db_->scalar("SELECT coalesce(max(version), 0) FROM paydomain_extensions WHERE name = 'tokens'");
    if (!v) return v.take_error();
    if (*v > kTokensVersion)
      return make_error(ErrorCode::SchemaTooNew, "the store's token table has version " + std::to_string(*v) +
                                                     ", newer than this paydomain understands; use a newer paydomain");
    if (*v < 1) {
      if (Status s = db_->exec(kTokensSchemaV1); !s) return s;
      if (Status s = db_->exec("INSERT OR REPLACE INTO paydomain_extensions(name, version) VALUES ('tokens', 1)"); !s)
        return s;
    }
    return txn.commit();
  }

  Result<NewToken> create(std::string_view role, std::string_view name) override {
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
    std::optional<Error> err;
    while (st->step(&err)) out.push_back(row(*st));
    if (err) return *err;
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
    std::optional<Error> err;
    if (st->step(&err)) return row(*st);
    if (err) return *err;
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

}  // namespace paydomain::store
