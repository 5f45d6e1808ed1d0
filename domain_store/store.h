// The store interface: everything above it (CLI, server, working copies,
// diff, revert) speaks only this; backends (SQLite now, PostgreSQL later)
// implement it. Every method is safe to call from many threads at once and
// returns errors as values.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain_store/result.h"
#include "domain_store/types.h"

namespace paydomain::store {

// Why a stored artifact does not belong to its revision, or "" when it does:
// given the row and the hash of the revision's files as checked out now. The
// store cannot read artifacts (they are opaque to it); the caller that can
// (the CLI, with the evaluator) verifies them.
// It reads one format major (the program's): rows of another major, kept for
// the replicas still reading it, are counted and left unverified.
struct ArtifactVerifier {
  uint16_t format_major = 0;
  std::function<std::string(const StoredArtifact& artifact, const std::string& sources_hash)> check;
  explicit operator bool() const { return static_cast<bool>(check); }
  std::string operator()(const StoredArtifact& a, const std::string& sources_hash) const { return check(a, sources_hash); }
};

struct FsckOptions {
  explicit FsckOptions(bool every_revision = true) : check_every_revision(every_revision) {}
  bool check_every_revision = true;  // re-check each revision's domain (slow on long histories)
  // When set, every stored artifact is verified with it (docs/store.md,
  // "Compiled artifacts"): a refused one is a problem, unless `repair`
  // builds its revision's artifact again, which then replaces it.
  ArtifactVerifier verify_artifact;
  ArtifactBuilder repair;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<Rev> head() = 0;
  virtual Result<RevisionInfo> revision(Rev rev) = 0;
  // Revisions with number > after, oldest first, at most `limit` (paging forward).
  virtual Result<std::vector<RevisionInfo>> revisions_after(Rev after, int64_t limit) = 0;
  // Revisions with number < before (before < 0: from head), newest first (a log).
  virtual Result<std::vector<RevisionInfo>> revisions_before(Rev before, int64_t limit) = 0;
  virtual Result<std::vector<OpRecord>> revision_ops(Rev rev) = 0;
  // Revisions that touched the object, newest first, number < before (before < 0: all).
  virtual Result<std::vector<ObjectHistoryEntry>> object_history(const ObjectKey& key, Rev before,
                                                                  int64_t limit) = 0;

  // Every object live at `rev`, ordered by (path, ordinal, key).
  virtual Result<std::vector<StoredObject>> checkout(Rev rev) = 0;
  // One object at `rev`; NotFound when it does not exist there.
  virtual Result<StoredObject> checkout_object(Rev rev, const ObjectKey& key) = 0;
  // Objects that differ between `from` and `to` (either order), sorted by key.
  virtual Result<std::vector<ObjectChange>> changes(Rev from, Rev to) = 0;

  // Applies the request atomically as revision head+1: validated (the
  // resulting domain passes the language's checks), rebased when the base is
  // behind head and no touched object changed since, otherwise Conflict;
  // then gated by the domain's tests when `tests` holds a gate (TestsFailed).
  virtual Result<CommitResult> commit(const CommitRequest& request, const TestsGating& tests = {}) = 0;

  // The stored artifact of `rev` in format major.minor exactly; nullopt when
  // none is stored (docs/store.md, "Compiled artifacts").
  virtual Result<std::optional<StoredArtifact>> artifact(Rev rev, uint16_t format_major, uint16_t format_minor) = 0;
  // Stores an artifact of an existing revision, replacing one of the same
  // format and any of an older minor of its major (a newer minor stays: a
  // newer replica reads it). Read-only database users get the error.
  virtual Status put_artifact(const StoredArtifact& artifact) = 0;
  // Every stored artifact's key, by revision and format.
  virtual Result<std::vector<ArtifactKey>> artifact_keys() = 0;

  virtual Result<FsckReport> fsck(const FsckOptions& options) = 0;
  // A consistent copy of the store at `dest_path` taken while it stays online.
  virtual Status backup(const std::string& dest_path) = 0;
};

// A running watch on a store (watch_store in store_factory.h); destroying it
// stops the watch (and waits for a callback in progress).
class StoreWatch {
 public:
  virtual ~StoreWatch() = default;
};

}  // namespace paydomain::store
