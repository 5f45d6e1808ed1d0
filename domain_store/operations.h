// Revert and restore: new commits computed from history, through the Store
// interface (so every backend gets them, with its own atomicity).
#pragma once

#include <optional>
#include <string>

#include "domain_store/store.h"

namespace paydomain::store {

struct CommitMeta {
  std::string author;
  std::string message;
  std::optional<std::string> idempotency_key;
};

// A new commit with the inverse operations of revision `rev`, made against
// `rev` itself: refused as Conflict (with the later revisions) when any later
// revision touched the same objects, Invalid when the result does not check.
// Both are commits, gated by `tests` like any other (Store::commit): going
// back to a state whose tests fail is refused unless an admin overrides it.
Result<CommitResult> revert_revision(Store& store, Rev rev, const CommitMeta& meta, const TestsGating& tests = {});

// A new commit that makes head equal to revision `rev`; EmptyCommit when it is.
Result<CommitResult> restore_revision(Store& store, Rev rev, const CommitMeta& meta, const TestsGating& tests = {});

}  // namespace paydomain::store
