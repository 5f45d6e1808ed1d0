// The store's vocabulary: revisions, objects, operations, history records.
// Plain values, shared by every backend and by the server.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::store {

// Revisions are dense: 0 is the empty domain, each commit adds exactly one.
using Rev = int64_t;

// An object's identity: its kind and its id (a test's id is its title).
struct ObjectKey {
  dsl::ObjectKind kind = dsl::ObjectKind::Currency;
  std::string id;

  auto operator<=>(const ObjectKey&) const = default;
  std::string str() const;      // "tariff:standard"
  std::string display() const;  // "tariff standard"
};
// Parses "kind:id"; nullopt when the kind is unknown or the id empty.
std::optional<ObjectKey> parse_object_key(std::string_view text);
ObjectKey key_of(const dsl::Object& object);

enum class OpType { Insert, Update, Remove };
std::string_view to_string(OpType type);
std::optional<OpType> op_type_from_string(std::string_view s);

// One change of a commit. `text` (insert/update) is the object's source; the
// store keeps its canonical form. `path` is the working-copy file the object
// lives in (relative, '/'-separated); empty means "keep / default by kind".
struct Op {
  OpType type = OpType::Update;
  ObjectKey key;
  std::string text;
  std::string path;
  std::optional<int64_t> ordinal;  // position within the file; default: after the others
};

// A domain `test` that fails on a commit's resulting domain: its title and
// one readable difference (expected vs actual) per failed expectation, each
// prefixed "line N:" counted within the test's own text (as stored: canonical).
struct FailingTest {
  std::string name;
  std::vector<std::string> failures;
};

// A compiled revision's artifact as the store keeps it beside the revision
// (docs/store.md, "Compiled artifacts"): the bytes of docs/artifact.md's
// format, opaque to the store, keyed by revision and format major.minor,
// with the hash of the sources they were compiled from (working_copy.h
// sources_hash) so a reader can tell they still belong to the revision.
struct StoredArtifact {
  Rev rev = 0;
  uint16_t format_major = 0, format_minor = 0;
  std::string source_hash;
  std::string bytes;
};

// What a store holds of one artifact, without its bytes (fsck, copy).
struct ArtifactKey {
  Rev rev = 0;
  uint16_t format_major = 0, format_minor = 0;
  std::string source_hash;
  int64_t size = 0;  // bytes
};

// A revision's artifact built from its working-copy files (exactly what a
// checkout of it gives); nullopt when they do not check or compile. What
// fsck's repair passes (FsckOptions::repair).
using ArtifactBuilder = std::function<std::optional<StoredArtifact>(Rev rev, const std::vector<dsl::SourceFile>& files)>;

// What one compile of a commit's new revision gives the store: the domain's
// `test` blocks run on it, and its artifact.
struct RevisionBuild {
  std::vector<FailingTest> failing_tests;
  // nullopt: the revision does not compile (then it is written without one).
  std::optional<StoredArtifact> artifact;
};
struct StoredObject;
// Called by a commit inside its transaction, after the language's checks
// passed and the revision's rows are written, with the revision's number and
// its objects exactly as a checkout of it reads them. The store cannot
// compile or run tests itself (the evaluator sits beside it, not below), so
// the layer above passes this in: server/tests_gate.h. It compiles the
// revision once, for the tests and the artifact alike.
using RevisionBuilder = std::function<RevisionBuild(Rev rev, const std::vector<StoredObject>& objects)>;

// How a commit is gated by the domain's tests and given its artifact
// (Store::commit's second argument; the default builds neither). Failing
// tests refuse the commit (TestsFailed, with the list; the transaction is
// rolled back, nothing is written) unless `failing_tests_allowed` holds a
// reason (an admin's override), which is then recorded in the revision; it
// is dropped when every test passes, so a clean commit never shows one. The
// artifact is written in the same transaction, under a savepoint: a failed
// write leaves the revision whole and without one (a commit never fails
// because of its artifact).
struct TestsGating {
  RevisionBuilder build;
  std::optional<std::string> failing_tests_allowed;
};

struct CommitRequest {
  Rev base = 0;  // the revision the change was made against
  std::string author;
  std::string message;
  std::vector<Op> ops;
  std::optional<std::string> idempotency_key;  // a retry with the same key returns the first result
  std::optional<int64_t> time_ms;              // default: now (Unix ms)
};

struct RevisionInfo {
  Rev rev = 0;
  Rev base = 0;  // what the author saw; rev - 1 unless rebased
  std::string author;
  std::string message;
  int64_t time_ms = 0;
  int64_t op_count = 0;
  std::optional<std::string> idempotency_key;
  std::optional<std::string> failing_tests_allowed;  // the override's reason; absent when tests passed
};

struct CommitResult {
  RevisionInfo revision;
  bool rebased = false;   // base was behind head, and nothing touched had changed
  bool replayed = false;  // the idempotency key matched an earlier identical commit
  std::vector<dsl::Diagnostic> warnings;
};

// An object as stored at some revision.
struct StoredObject {
  ObjectKey key;
  std::string text;   // canonical source
  std::string path;   // working-copy file
  int64_t ordinal = 0;  // position within its file
  Rev since = 0;      // the revision that wrote this version
};

// A recorded operation of a revision.
struct OpRecord {
  Rev rev = 0;
  OpType type = OpType::Update;
  ObjectKey key;
};

struct ObjectHistoryEntry {
  RevisionInfo revision;
  OpType type = OpType::Update;
};

// A touched object changed since the commit's base, by these revisions.
struct Conflict {
  ObjectKey key;
  std::vector<Rev> revisions;
};

// An object that differs between two revisions: before/after absent when the
// object did not exist on that side.
struct ObjectChange {
  ObjectKey key;
  std::optional<StoredObject> before;
  std::optional<StoredObject> after;
};

struct FsckReport {
  Rev head = 0;
  int64_t revisions = 0;
  int64_t objects = 0;          // live at head
  int64_t revisions_checked = 0;  // revisions whose domain was checked
  int64_t artifacts_checked = 0;  // stored artifacts verified (FsckOptions::verify_artifact)
  int64_t artifacts_other_format = 0;  // stored artifacts of another format major, not verified
  std::vector<std::string> problems;
  std::vector<std::string> repaired;  // stored artifacts found damaged and replaced (not problems any more)
  bool ok() const { return problems.empty(); }
};

}  // namespace paydomain::store
