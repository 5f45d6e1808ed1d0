#include "domain_store/sqlite/token_table.h"

#include <string>

namespace paydomain::store::sqlite {
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

}  // namespace

Status prepare_token_table(Db& db) {
  Txn txn(db);
  if (Status s = txn.begin("BEGIN IMMEDIATE"); !s) return s;
  if (Status s = db.exec(
          "CREATE TABLE IF NOT EXISTS paydomain_extensions(name TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      !s)
    return s;
  auto v = db.scalar("SELECT coalesce(max(version), 0) FROM paydomain_extensions WHERE name = 'tokens'");
  if (!v) return v.take_error();
  if (*v > kTokensVersion)
    return make_error(ErrorCode::SchemaTooNew, "the store's token table has version " + std::to_string(*v) +
                                                   ", newer than this paydomain understands; use a newer paydomain");
  if (*v < 1) {
    if (Status s = db.exec(kTokensSchemaV1); !s) return s;
    if (Status s = db.exec("INSERT OR REPLACE INTO paydomain_extensions(name, version) VALUES ('tokens', 1)"); !s)
      return s;
  }
  return txn.commit();
}

}  // namespace paydomain::store::sqlite
