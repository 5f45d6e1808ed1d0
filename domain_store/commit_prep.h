// The backend-independent half of a commit: argument checks, parsing and
// canonicalising each object (outside any lock: it is the costly part), the
// request hash that makes idempotent retries recognisable, the ordinal of an
// appended object and the conflict message. Every backend's commit uses it,
// so their answers cannot drift.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain_store/head_cache.h"
#include "domain_store/result.h"
#include "domain_store/types.h"
#include "dsl/ast.h"

namespace paydomain::store {

struct PreparedOp {
  Op op;                              // text is canonical ("" for a removal)
  std::optional<dsl::Object> object;  // parsed, for insert/update
  int64_t object_id = 0;              // the backend's id, filled inside its transaction
};

struct PreparedCommit {
  std::vector<PreparedOp> ops;
  std::string hash;  // identifies "the same commit" for an idempotency key
};

// EmptyCommit / InvalidArgument for a malformed request, Invalid (with
// diagnostics) when an object's text does not parse.
Result<PreparedCommit> prepare_commit(const CommitRequest& request);

// An object's live version at head, as the backend stores it.
struct CurrentVersion {
  std::string text, path;
  int64_t ordinal = 0;
};
// Reads the live version of an object the backend knows (PreparedOp::object_id
// filled); Corrupt when a live object has none.
using CurrentVersionReader = std::function<Result<CurrentVersion>(const PreparedOp&)>;

// The operations that change something, each checked against the object's
// state at head (insert of a live object, update/remove of a missing one are
// errors); an update to the same canonical text drops out, and an update
// that stays keeps its file and place (`kept_place`, by object id).
// EmptyCommit when nothing is left.
struct EffectiveOps {
  std::vector<PreparedOp*> ops;
  std::map<int64_t, std::pair<std::string, int64_t>> kept_place;  // object_id -> (path, ordinal)
};
Result<EffectiveOps> effective_ops(const HeadCache& cache, std::vector<PreparedOp>& ops, Rev head,
                                   const CurrentVersionReader& current);

// The new revision `rev`, checked before anything is written: stages the
// ops that change something in `cache`, runs the language's checks (Invalid
// with the errors) on the resulting domain, refuses a blank override reason,
// and fills the revision's record (without failing_tests_allowed:
// build_revision decides it). On failure the cache is rolled back; on
// success it holds the staged domain until the backend settles it (or rolls
// it back when its write fails).
struct ValidatedCommit {
  RevisionInfo info;
  std::vector<dsl::Diagnostic> warnings;
};
Result<ValidatedCommit> validate_commit(HeadCache& cache, const std::vector<PreparedOp*>& effective,
                                        const CommitRequest& request, const TestsGating& tests, Rev rev);

// The one compile of revision `rev`, once its rows are written (inside the
// transaction): tests.build on its objects as `read_objects` reads them back.
// TestsFailed listing the failing tests (sorted by name) when some fail and
// no override reason was given (the backend then rolls back: nothing is
// written); otherwise the reason to record (nullopt when every test passes,
// so a clean commit never shows one) and the artifact to write. Without a
// builder nothing is read or built.
struct BuiltRevision {
  std::optional<std::string> failing_tests_allowed;
  std::optional<StoredArtifact> artifact;
};
Result<BuiltRevision> build_revision(const TestsGating& tests, Rev rev,
                                     const std::function<Result<std::vector<StoredObject>>()>& read_objects);

// "2 object(s) changed since revision 4: terminal a (by 5) ..."
std::string conflict_message(Rev base, const std::vector<Conflict>& conflicts);

// Where an object inserted (or moved) by revision `rev` as its seq-th
// operation goes in its file: after every existing object, in commit order
// (2^22 per revision, so a big commit never interleaves with the next).
inline int64_t appended_ordinal(Rev rev, int64_t seq) { return (int64_t{1} << 40) + rev * (int64_t{1} << 22) + seq; }

int64_t now_ms();  // Unix milliseconds

}  // namespace paydomain::store
