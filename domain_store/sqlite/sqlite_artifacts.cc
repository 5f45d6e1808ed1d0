// Compiled artifacts stored with their revisions (docs/store.md, "Compiled
// artifacts"): the commit's in-transaction write and the read/replace of one.
#include "domain_store/artifact_sql.h"
#include "domain_store/sqlite/sqlite_store_impl.h"

namespace paydomain::store::sqlite {

namespace {

// One artifact row, replacing the same format's and older minors' of its major.
Status write_artifact_row(Db& db, const StoredArtifact& a) {
  auto older = db.prepare(artifact_sql::kDeleteOlder);
  if (!older) return older.take_error();
  older->bind(1, a.rev).bind(2, int64_t{a.format_major}).bind(3, int64_t{a.format_minor});
  if (Status s = older->run(); !s) return s;
  auto st = db.prepare(artifact_sql::kUpsert);
  if (!st) return st.take_error();
  st->bind(1, a.rev).bind(2, int64_t{a.format_major}).bind(3, int64_t{a.format_minor}).bind(4, a.source_hash);
  st->bind_blob(5, a.bytes);
  return st->run();
}

}  // namespace

void write_commit_artifact(Db& db, const StoredArtifact& artifact) {
  // A savepoint, so a failed write leaves the revision whole, only without
  // its artifact (the first service to need it compiles and stores it).
  if (Status s = db.exec("SAVEPOINT artifact"); !s) return;
  if (!write_artifact_row(db, artifact)) (void)db.exec("ROLLBACK TO SAVEPOINT artifact");
  (void)db.exec("RELEASE SAVEPOINT artifact");
}

Result<std::optional<StoredArtifact>> SqliteStore::artifact(Rev rev, uint16_t format_major, uint16_t format_minor) {
  auto db = reader();
  if (!db) return db.take_error();
  auto st = (*db)->prepare(artifact_sql::kSelect);
  if (!st) return st.take_error();
  st->bind(1, rev).bind(2, int64_t{format_major}).bind(3, int64_t{format_minor});
  auto row = st->step();
  if (!row) return row.take_error();
  if (!*row) return std::optional<StoredArtifact>();
  return std::optional<StoredArtifact>(StoredArtifact{rev, format_major, format_minor, st->text(0), st->blob(1)});
}

Result<std::vector<ArtifactKey>> SqliteStore::artifact_keys() {
  auto db = reader();
  if (!db) return db.take_error();
  auto st = (*db)->prepare(artifact_sql::kKeys);
  if (!st) return st.take_error();
  std::vector<ArtifactKey> out;
  Result<bool> row = false;
  while ((row = st->step()) && *row) {
    out.push_back({st->i64(0), static_cast<uint16_t>(st->i64(1)), static_cast<uint16_t>(st->i64(2)), st->text(3),
                   st->i64(4)});
  }
  if (!row) return row.take_error();
  return out;
}

Status SqliteStore::put_artifact(const StoredArtifact& a) {
  std::lock_guard lock(write_mu_);
  Db& db = *writer_;
  Txn txn(db);
  if (Status s = txn.begin("BEGIN IMMEDIATE"); !s) return s;
  auto head = read_head(db);
  if (!head) return head.take_error();
  if (a.rev < 0 || a.rev > *head) return make_error(ErrorCode::NotFound, "no revision " + std::to_string(a.rev));
  if (Status s = write_artifact_row(db, a); !s) return s;
  return txn.commit();
}

}  // namespace paydomain::store::sqlite
