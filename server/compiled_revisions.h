// Compiled revisions: each stored revision compiled from its canonical
// source alone, once, kept in a bounded LRU (compiled_cache.h) and shared
// read-only by every thread; and the compiled head that evaluations "at
// head" use. A new head is compiled in the background and served once ready,
// so a head change never makes an evaluation wait for a compile.
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
  store::Rev rev = 0;  // -1 for a working copy
  std::shared_ptr<const evaluator::CompiledDomain> domain;
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

class CompiledRevisions {
 public:
  using Ptr = std::shared_ptr<const CompiledRevision>;
  // `workers` compile new heads in the background.
  CompiledRevisions(store::Store& store, Workers& workers, size_t cache_bytes);
  void attach_metrics(Metrics* metrics) { metrics_ = metrics; }  // before any request

  // The compiled revision, compiling it on this thread when it is not cached
  // (concurrent callers wait for one compile).
  paydomain::Result<Ptr, CompileError> get(store::Rev rev);
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
  store::Store& store_;
  Workers& workers_;
  Metrics* metrics_ = nullptr;
  CompiledCache<CompiledRevision, CompileError> cache_;
  mutable std::mutex head_mu_;
  Ptr serving_;                // newest compiled head
  store::Rev compiling_ = -1;  // newest head whose compile has begun
};

}  // namespace paydomain::server
