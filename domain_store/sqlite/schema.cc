#include "domain_store/sqlite/schema.h"

#include <string>

#include "domain_store/artifact_sql.h"

namespace paydomain::store::sqlite {

const std::vector<Migration>& migrations() {
  static const std::string artifacts = artifacts_table_sql(kSqliteTypes);  // domain_store/artifact_sql.h
  static const std::vector<Migration> list = {
      {"revisions, objects, object versions, operations",
       R"sql(
CREATE TABLE revisions(
  rev INTEGER PRIMARY KEY CHECK (rev >= 0),
  base INTEGER NOT NULL CHECK (base >= 0 AND (base < rev OR rev = 0)),
  author TEXT NOT NULL,
  message TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  op_count INTEGER NOT NULL,
  idempotency_key TEXT UNIQUE,
  request_hash TEXT
);
INSERT INTO revisions(rev, base, author, message, time_ms, op_count)
  VALUES (0, 0, '', 'empty domain', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 0);
CREATE TABLE objects(
  object_id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (kind, name)
);
-- Version [rev_from, rev_to) of an object; rev_to = 2^63-1 while live, so
-- "objects live at N" is one range scan on (rev_to, rev_from).
CREATE TABLE object_versions(
  object_id INTEGER NOT NULL REFERENCES objects(object_id),
  rev_from INTEGER NOT NULL REFERENCES revisions(rev),
  rev_to INTEGER NOT NULL,
  path TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (object_id, rev_from),
  CHECK (rev_from < rev_to)
);
CREATE INDEX object_versions_live ON object_versions(rev_to, rev_from);
CREATE INDEX object_versions_from ON object_versions(rev_from);
CREATE TABLE ops(
  rev INTEGER NOT NULL REFERENCES revisions(rev),
  seq INTEGER NOT NULL,
  object_id INTEGER NOT NULL REFERENCES objects(object_id),
  op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'remove')),
  PRIMARY KEY (rev, seq)
);
CREATE INDEX ops_object ON ops(object_id, rev);
)sql"},
      {"the override reason of a commit whose tests failed",
       R"sql(
ALTER TABLE revisions ADD COLUMN failing_tests_allowed TEXT;
)sql"},
      {"compiled artifacts stored with their revisions", artifacts.c_str()},
  };
  return list;
}

namespace {

Result<int64_t> pragma(Db& db, const char* name) { return db.scalar(std::string("PRAGMA ") + name); }

}  // namespace

Status prepare_schema(Db& db, bool create) {
  // Reading the header is the first thing that fails on a non-database.
  auto app = pragma(db, "application_id");
  if (!app) return app.take_error();
  auto tables = db.scalar("SELECT count(*) FROM sqlite_master");
  if (!tables) return tables.take_error();
  const int64_t latest = static_cast<int64_t>(migrations().size());

  if (*app == 0 && *tables == 0) {
    if (!create) return make_error(ErrorCode::NotAStore, "the file is an empty database, not a paydomain store (run `paydomain init`)");
  } else if (*app != kApplicationId) {
    char hex[32];
    snprintf(hex, sizeof hex, "0x%08llx", static_cast<unsigned long long>(*app));
    return make_error(ErrorCode::NotAStore, std::string("the file is an SQLite database of another application (application_id ") + hex + "), not a paydomain store");
  } else if (create) {
    return make_error(ErrorCode::InvalidArgument, "a paydomain store already exists there");
  }

  // Now it is ours (or empty): switch to WAL before the first write.
  if (Status s = db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"); !s) return s;

  auto version = pragma(db, "user_version");
  if (!version) return version.take_error();
  if (*version > latest) {
    return make_error(ErrorCode::SchemaTooNew, "the store has schema version " + std::to_string(*version) +
                                                   ", newer than this paydomain understands (" +
                                                   std::to_string(latest) + "); use a newer paydomain");
  }
  if (*version == latest) return Ok{};

  Txn txn(db);
  if (Status s = txn.begin("BEGIN IMMEDIATE"); !s) return s;
  // Re-read under the lock: another process may have migrated meanwhile.
  version = pragma(db, "user_version");
  if (!version) return version.take_error();
  if (*version == 0) {
    if (Status s = db.exec(("PRAGMA application_id=" + std::to_string(kApplicationId)).c_str()); !s) return s;
  }
  for (int64_t v = *version; v < latest; ++v) {
    if (Status s = db.exec(migrations()[static_cast<size_t>(v)].sql); !s) return s;
  }
  if (Status s = db.exec(("PRAGMA user_version=" + std::to_string(latest)).c_str()); !s) return s;
  return txn.commit();
}

}  // namespace paydomain::store::sqlite
