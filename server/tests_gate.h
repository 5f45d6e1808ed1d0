// The tests gate of every commit path: the HTTP write API (commits, revert)
// and the CLI's commit, revert and restore pass it to the store, which runs
// it on the exact domain the commit would produce, under its write lock (so
// a concurrent commit cannot slip an untested combination in). It lives here,
// above both the store and the evaluator: the store cannot include the
// evaluator (they are siblings over the dsl layer).
#pragma once

#include <optional>
#include <string>

#include "domain_store/types.h"

namespace paydomain::server {

// Compiles the domain and runs its `test` blocks (evaluator::run_tests);
// returns the failing ones with their differences. A domain without tests
// costs nothing; one with tests costs a full check and a compile per commit
// (the store's own check looks only at what changed). A domain that passes the checks but does not compile (a
// decision DAG beyond its budget) fails as one entry named "(compile)".
store::TestsGate tests_gate();

// What every commit path passes to the store: the tests gate, the override
// reason (an admin's --allow-failing-tests / "allow_failing_tests"), and the
// artifact written with the revision (compiled_revisions.h build_artifact).
// A domain with tests is compiled twice per commit: the gate compiles the
// store's cached domain before anything is written, the artifact the
// revision's files as a checkout gives them (their explanations name the
// files' lines).
store::TestsGating commit_gating(std::optional<std::string> failing_tests_allowed);

}  // namespace paydomain::server
