#include "domain_store/postgres/pg_schema.h"

#include <string>

#include "domain_store/artifact_sql.h"

namespace paydomain::store::pg {
namespace {

// pg_advisory_xact_lock key of schema changes ("PDS1", as SQLite's application_id).
constexpr int64_t kMigrationLock = 0x50445331;

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::string artifacts = artifacts_table_sql(kPostgresTypes);  // domain_store/artifact_sql.h
  static const std::vector<Migration> list = {
      {"revisions, objects, object versions, operations, API tokens",
       R"sql(
CREATE TABLE revisions(
  rev bigint PRIMARY KEY CHECK (rev >= 0),
  base bigint NOT NULL CHECK (base >= 0 AND (base < rev OR rev = 0)),
  author text NOT NULL,
  message text NOT NULL,
  time_ms bigint NOT NULL,
  op_count bigint NOT NULL,
  idempotency_key text UNIQUE,
  request_hash text
);
INSERT INTO revisions(rev, base, author, message, time_ms, op_count)
  VALUES (0, 0, '', 'empty domain', (extract(epoch FROM clock_timestamp()) * 1000)::bigint, 0);
CREATE TABLE objects(
  object_id bigserial PRIMARY KEY,
  kind text NOT NULL,
  name text NOT NULL,
  UNIQUE (kind, name)
);
-- Version [rev_from, rev_to) of an object; rev_to = 2^63-1 while live.
CREATE TABLE object_versions(
  object_id bigint NOT NULL REFERENCES objects(object_id),
  rev_from bigint NOT NULL REFERENCES revisions(rev),
  rev_to bigint NOT NULL,
  path text NOT NULL,
  ordinal bigint NOT NULL,
  text text NOT NULL,
  PRIMARY KEY (object_id, rev_from),
  CHECK (rev_from < rev_to)
);
CREATE INDEX object_versions_live ON object_versions(rev_to, rev_from);
CREATE INDEX object_versions_from ON object_versions(rev_from);
CREATE TABLE ops(
  rev bigint NOT NULL REFERENCES revisions(rev),
  seq bigint NOT NULL,
  object_id bigint NOT NULL REFERENCES objects(object_id),
  op text NOT NULL CHECK (op IN ('insert', 'update', 'remove')),
  PRIMARY KEY (rev, seq)
);
CREATE INDEX ops_object ON ops(object_id, rev);
CREATE TABLE api_tokens(
  token_id bigserial PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  hint text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
  created_ms bigint NOT NULL,
  revoked_ms bigint
);
)sql"},
      {"the override reason of a commit whose tests failed",
       R"sql(
ALTER TABLE revisions ADD COLUMN failing_tests_allowed text;
)sql"},
      {"compiled artifacts stored with their revisions", artifacts.c_str()},
  };
  return list;
}

Status prepare_schema(Conn& c, bool create) {
  const int64_t latest = static_cast<int64_t>(migrations().size());
  auto read_state = [&](bool& ours, int64_t& tables, int64_t& version) -> Status {
    auto r = c.query(
        "SELECT to_regclass('paydomain_meta') IS NOT NULL, "
        "(SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema())");
    if (!r) return r.take_error();
    ours = r->boolean(0, 0);
    tables = r->i64(0, 1);
    version = 0;
    if (!ours) return Ok{};
    auto v = c.query("SELECT key, value FROM paydomain_meta WHERE key IN ('application', 'schema_version')");
    if (!v) return v.take_error();
    std::string app;
    for (int i = 0; i < v->size(); ++i) {
      if (v->text(i, 0) == "application") app = v->text(i, 1);
      if (v->text(i, 0) == "schema_version") version = std::stoll(v->text(i, 1));
    }
    if (app != "paydomain") return make_error(ErrorCode::NotAStore, "the database's paydomain_meta is not a paydomain store's");
    return Ok{};
  };

  bool ours = false;
  int64_t tables = 0, version = 0;
  if (Status s = read_state(ours, tables, version); !s) return s;
  if (!ours && tables == 0 && !create) {
    return make_error(ErrorCode::NotAStore, "the database is empty, not a paydomain store (run `paydomain init`)");
  }
  if (!ours && tables > 0) {
    return make_error(ErrorCode::NotAStore, "the database holds " + std::to_string(tables) +
                                                " table(s) of something else, not a paydomain store");
  }
  if (ours && create) return make_error(ErrorCode::InvalidArgument, "a paydomain store already exists there");
  if (version > latest) {
    return make_error(ErrorCode::SchemaTooNew, "the store has schema version " + std::to_string(version) +
                                                   ", newer than this paydomain understands (" +
                                                   std::to_string(latest) + "); use a newer paydomain");
  }
  if (ours && version == latest) return Ok{};

  Txn txn(c);
  if (Status s = txn.begin(); !s) return s;
  if (Status s = c.run("SELECT pg_advisory_xact_lock($1)", {P(kMigrationLock)}); !s) return s;
  // Re-read under the lock: another process may have created or migrated meanwhile.
  bool was_ours = ours;
  if (Status s = read_state(ours, tables, version); !s) return s;
  if (ours && !was_ours && create) return make_error(ErrorCode::InvalidArgument, "a paydomain store already exists there");
  if (!ours) {
    if (Status s = c.script("CREATE TABLE paydomain_meta(key text PRIMARY KEY, value text NOT NULL);"
                            "INSERT INTO paydomain_meta VALUES ('application', 'paydomain'), ('schema_version', '0');");
        !s)
      return s;
  }
  for (int64_t v = version; v < latest; ++v) {
    if (Status s = c.script(migrations()[static_cast<size_t>(v)].sql); !s) return s;
  }
  if (Status s = c.run("UPDATE paydomain_meta SET value = $1 WHERE key = 'schema_version'", {P(latest)}); !s) return s;
  return txn.commit();
}

}  // namespace paydomain::store::pg
