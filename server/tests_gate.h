// The tests gate and artifact of every commit path: the HTTP write API
// (commits, revert) and the CLI's commit, revert, restore and init pass it
// to the store, which calls it inside the commit's transaction, under its
// write lock, on the exact revision the commit writes (so a concurrent
// commit cannot slip an untested combination in). It lives here, above both
// the store and the evaluator: the store cannot include the evaluator (they
// are siblings over the dsl layer).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain_store/types.h"

namespace paydomain::server {

// Compiles revision `rev` from its objects' working-copy files once (their
// lines are what its explanations name) and gives the store both what that
// compile is for: the failing `test` blocks with their differences (none
// for a domain without tests; a failure's "line N" counts within the test's
// own text) and the artifact written with the revision (nullopt when it
// does not compile). A domain with tests that does not compile (a decision
// DAG beyond its budget) fails as one entry named "(compile)".
store::RevisionBuild build_revision(store::Rev rev, const std::vector<store::StoredObject>& objects);

// What every commit path passes to the store: build_revision and the
// override reason (an admin's --allow-failing-tests / "allow_failing_tests").
store::TestsGating commit_gating(std::optional<std::string> failing_tests_allowed);

}  // namespace paydomain::server
