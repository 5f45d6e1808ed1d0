// The SQLite Store: one writer connection (behind a mutex, with the head
// cache) and a pool of reader connections, so reads run in parallel with
// each other and with a commit (WAL).
#pragma once

#include <mutex>
#include <vector>

#include "domain_store/commit_prep.h"
#include "domain_store/head_cache.h"
#include "domain_store/sqlite/db.h"
#include "domain_store/sqlite_store.h"

namespace paydomain::store::sqlite {

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<Db> writer);

  Result<Rev> head() override;
  Result<RevisionInfo> revision(Rev rev) override;
  Result<std::vector<RevisionInfo>> revisions_after(Rev after, int64_t limit) override;
  Result<std::vector<RevisionInfo>> revisions_before(Rev before, int64_t limit) override;
  Result<std::vector<OpRecord>> revision_ops(Rev rev) override;
  Result<std::vector<ObjectHistoryEntry>> object_history(const ObjectKey& key, Rev before, int64_t limit) override;
  Result<std::vector<StoredObject>> checkout(Rev rev) override;
  Result<StoredObject> checkout_object(Rev rev, const ObjectKey& key) override;
  Result<std::vector<ObjectChange>> changes(Rev from, Rev to) override;
  Result<CommitResult> commit(const CommitRequest& request, const TestsGating& tests = {}) override;
  Result<std::optional<StoredArtifact>> artifact(Rev rev, uint16_t format_major, uint16_t format_minor) override;
  Status put_artifact(const StoredArtifact& artifact) override;
  Result<std::vector<ArtifactKey>> artifact_keys() override;
  Result<FsckReport> fsck(const FsckOptions& options) override;
  Status backup(const std::string& dest_path) override;

 private:
  // A pooled read connection, returned to the pool when it goes out of scope.
  class Lease {
   public:
    Lease(SqliteStore* owner, std::unique_ptr<Db> db) : owner_(owner), db_(std::move(db)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Db& operator*() { return *db_; }
    Db* operator->() { return db_.get(); }

   private:
    SqliteStore* owner_;
    std::unique_ptr<Db> db_;
  };
  Result<Lease> reader();

  Result<CommitResult> try_commit(const CommitRequest& request, const TestsGating& tests, std::vector<PreparedOp>& ops,
                                  const std::string& hash);
  Status refresh_cache(Db& db, Rev head);
  void announce_commit();  // tells file watchers a new revision is visible

  std::string path_;
  SqliteOptions options_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Db>> pool_;
  std::mutex write_mu_;
  std::unique_ptr<Db> writer_;
  HeadCache cache_;
};

// Queries shared by reads, commit and fsck (each runs on the given connection).
Result<Rev> read_head(Db& db);
Result<RevisionInfo> read_revision(Db& db, Rev rev);
Result<std::vector<StoredObject>> read_objects_at(Db& db, Rev rev);
Result<std::optional<StoredObject>> read_object_at(Db& db, Rev rev, const ObjectKey& key);
Result<std::vector<ObjectChange>> read_changes(Db& db, Rev from, Rev to);
// The object's row id, or 0 when the store has never seen it.
Result<int64_t> read_object_id(Db& db, const ObjectKey& key);
Result<dsl::ObjectKind> kind_from_db(const std::string& keyword);
// Inside a commit's transaction, after its revision is written: writes the
// revision's artifact under a savepoint; a failure leaves it without one.
void write_commit_artifact(Db& db, const StoredArtifact& artifact);

}  // namespace paydomain::store::sqlite
