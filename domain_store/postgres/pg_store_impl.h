// The PostgreSQL Store: one writer connection (behind a mutex, with the head
// cache) and a pool of reader connections. Cross-process writers serialise
// on a table lock taken at the start of each commit, so head cannot move
// between a commit's reads and its writes: dense numbers, no lost commit.
#pragma once

#include <mutex>
#include <vector>

#include "domain_store/commit_prep.h"
#include "domain_store/head_cache.h"
#include "domain_store/postgres/pg.h"
#include "domain_store/postgres_store.h"

namespace paydomain::store::pg {

class PgStore final : public Store {
 public:
  PgStore(std::string url, PostgresOptions options, std::unique_ptr<Conn> writer);

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
  // Writes a consistent copy as a new SQLite store file (see copy.h).
  Status backup(const std::string& dest_path) override;

 private:
  // A pooled read connection, back to the pool when it goes out of scope
  // (unless it broke: the next lease connects afresh).
  class Lease {
   public:
    Lease(PgStore* owner, std::unique_ptr<Conn> c) : owner_(owner), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Conn& operator*() { return *c_; }
    Conn* operator->() { return c_.get(); }

   private:
    PgStore* owner_;
    std::unique_ptr<Conn> c_;
  };
  Result<Lease> reader();
  Status ensure_writer();  // reconnects a writer lost with the database

  Result<CommitResult> try_commit(const CommitRequest& request, const TestsGating& tests, std::vector<PreparedOp>& ops, const std::string& hash);
  Status refresh_cache(Conn& c, Rev head);

  std::string url_;
  PostgresOptions options_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Conn>> pool_;
  std::mutex write_mu_;
  std::unique_ptr<Conn> writer_;
  HeadCache cache_;
};

// Queries shared by reads, commit and fsck (each runs on the given connection).
Result<Rev> read_head(Conn& c);
Result<RevisionInfo> read_revision(Conn& c, Rev rev);
Result<dsl::ObjectKind> kind_from_db(const std::string& keyword);
// Every object live at `rev`, ordered by (path, ordinal, key) (Store::checkout).
Result<std::vector<StoredObject>> read_objects_at(Conn& c, Rev rev);
// Inside a commit's transaction, after its revision is written: writes the
// revision's artifact under a savepoint; a failure leaves it without one.
void write_commit_artifact(Conn& c, const StoredArtifact& artifact);
// The connection settings of every store connection.
Result<std::unique_ptr<Conn>> connect_store(const std::string& url);
// The session settings of the writer connection (adds the lock timeout).
std::string writer_settings(const PostgresOptions& options);

}  // namespace paydomain::store::pg
