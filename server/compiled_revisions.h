// Compiled revisions: each stored revision's artifact (docs/artifact.md),
// loaded from the store when one is stored with it (docs/store.md,
// "Compiled artifacts") and compiled from its canonical source otherwise
// (then stored, so the next replica loads it), kept in a bounded LRU
// (compiled_cache.h) and shared read-only by every thread; and the compiled
// head that evaluations "at head" use. A cached revision is its program
// alone, evaluated in place: the object form (CompiledDomain) that impact
// needs is compiled on demand and kept in a smaller LRU of its own. A new
// head is compiled in the background and served once ready, so a head
// change never makes an evaluation wait for a compile.
// Nothing here is HTTP: the API turns a CompileError into its answer.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "domain_store/store.h"
#include "dsl/ast.h"
#include "dsl/diagnostics.h"
#include "evaluator/compiled.h"
#include "server/compiled_cache.h"

namespace paydomain::server {

class Metrics;
class Workers;

struct CompiledRevision {
  store::Rev rev = 0;
  std::shared_ptr<const evaluator::Program> program;  // what evaluation walks
};

// Why a revision has no compiled form.
struct CompileError {
  enum class Kind {
    UnknownRevision,  // no such revision (the message names head)
    Store,            // the store failed (`store` says how)
    Compile,          // the stored source does not check or compile
  };
  Kind kind = Kind::Compile;
  std::string message;
  std::optional<store::Error> store;  // Kind::Store
};

// A working copy loaded (parsed + checked) and, when it checks, compiled.
struct WorkingCopy {
  dsl::Domain domain;
  dsl::Diagnostics diags;  // sorted
  std::shared_ptr<const evaluator::CompiledDomain> compiled;  // null when it does not check or compile
  std::string compile_error;  // the compiler's message when it checks but does not compile
};
WorkingCopy compile_working_copy(std::vector<dsl::SourceFile> files, const evaluator::CompileOptions& options = {});

// Revision `rev`'s working-copy files (whose hash is `source_hash`) loaded
// and compiled, the revision and hash written into its artifact's header:
// GET /v1/revisions/{rev}/compiled serves these very bytes, and a loader
// checks them against the revision it asked for.
WorkingCopy compile_revision_files(store::Rev rev, std::vector<dsl::SourceFile> files, std::string source_hash);
// A compiled revision's program as the store keeps it.
store::StoredArtifact stored_artifact(store::Rev rev, const evaluator::Program& program);

// The artifact of revision `rev` whose working-copy files are `files`, as
// the store keeps it; nullopt when they do not check or compile: what fsck
// --repair-artifacts writes. A commit builds its own with its tests gate
// (tests_gate.h), from the same compile.
std::optional<store::StoredArtifact> build_artifact(store::Rev rev, const std::vector<dsl::SourceFile>& files);

// A stored artifact checked against its revision (docs/store.md, "Compiled
// artifacts"): its row's source hash must be `sources_hash` (the revision's
// files as checked out now), its bytes must load (checksum, format, every
// offset and reference), and its header must name the row's revision and
// the same sources. The program, or why the artifact is refused. What a
// service does before using one, and what fsck does to each.
paydomain::Result<std::shared_ptr<const evaluator::Program>, std::string> verify_artifact(
    store::StoredArtifact artifact, const std::string& sources_hash);
// verify_artifact as the store's fsck and copy take it: "" when accepted.
store::ArtifactVerifier artifact_verifier();

class CompiledRevisions {
 public:
  using Ptr = std::shared_ptr<const CompiledRevision>;
  // `workers` compile new heads in the background.
  CompiledRevisions(store::Store& store, Workers& workers, size_t cache_bytes);
  void attach_metrics(Metrics* metrics) { metrics_ = metrics; }  // before any request

  // The compiled revision, loading or compiling it on this thread when it is
  // not cached (concurrent callers wait for one).
  paydomain::Result<Ptr, CompileError> get(store::Rev rev);
  // The revision's object form, for impact: compiled on this thread unless
  // one is cached.
  paydomain::Result<std::shared_ptr<const evaluator::CompiledDomain>, CompileError> domain(store::Rev rev);
  // The cached revision without compiling; null when absent.
  Ptr peek(store::Rev rev);

  // The newest compiled head; null before start_head.
  Ptr head() const;
  // Compiles `rev` on this thread and serves it as head (at startup).
  paydomain::Result<Ptr, CompileError> start_head(store::Rev rev);
  // A newer head exists: compile it in the background, serve it when ready.
  void advance_head(store::Rev rev);

  using Stats = CompiledCache<CompiledRevision, CompileError>::Stats;
  Stats stats() const { return cache_.stats(); }

 private:
  struct Source;
  paydomain::Result<Source, CompileError> source(store::Rev rev);
  paydomain::Result<CompiledCache<CompiledRevision, CompileError>::Built, CompileError> load(store::Rev rev);
  // The stored artifact of `source`, when there is one and it loads and
  // belongs to it; null otherwise (the caller compiles).
  std::shared_ptr<const evaluator::Program> stored_program(const Source& source);

  store::Store& store_;
  Workers& workers_;
  Metrics* metrics_ = nullptr;
  CompiledCache<CompiledRevision, CompileError> cache_;
  CompiledCache<evaluator::CompiledDomain, CompileError> domains_;
  mutable std::mutex head_mu_;
  Ptr serving_;                // newest compiled head
  store::Rev compiling_ = -1;  // newest head whose compile has begun
};

}  // namespace paydomain::server
