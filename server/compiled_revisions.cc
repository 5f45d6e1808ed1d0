#include "server/compiled_revisions.h"

#include "domain_store/working_copy.h"
#include "dsl/checker.h"
#include "evaluator/evaluate.h"
#include "evaluator/program.h"
#include "server/metrics.h"
#include "server/workers.h"

namespace paydomain::server {

namespace {
// Approximate resident size of a compiled revision, for the cache bound: the
// DAGs as the compiler counts them plus everything else (interned names,
// explanation strings, per-rule structures), which scales with the source
// text. The factor is calibrated by bench/server: a 10,000-rule revision of
// 1.96 MB source adds ~43 MiB of resident memory (~20x its source, 3 MB DAGs);
// plus the artifact form that evaluation walks (evaluator/program.h).
size_t approx_bytes(const evaluator::CompiledDomain& d, size_t source_bytes) {
  return sizeof(d) + d.dag_bytes + 20 * source_bytes + d.program->size();
}
}  // namespace

WorkingCopy compile_working_copy(std::vector<dsl::SourceFile> files, const evaluator::CompileOptions& options) {
  WorkingCopy out;
  out.domain = dsl::load(std::move(files), out.diags);
  out.diags.sort();
  if (out.diags.has_errors()) return out;
  auto c = evaluator::compile(out.domain, options);
  if (!c) out.compile_error = c.error().text();
  else out.compiled = c.value();
  return out;
}

CompiledRevisions::CompiledRevisions(store::Store& store, Workers& workers, size_t cache_bytes)
    : store_(store), workers_(workers), cache_(cache_bytes) {}

CompiledRevisions::Ptr CompiledRevisions::peek(store::Rev rev) {
  Ptr hit = cache_.peek(rev);
  if (hit && metrics_) metrics_->cache_hits.fetch_add(1, std::memory_order_relaxed);
  return hit;
}

paydomain::Result<CompiledRevisions::Ptr, CompileError> CompiledRevisions::get(store::Rev rev) {
  if (Ptr hit = peek(rev)) return hit;
  using Cache = CompiledCache<CompiledRevision, CompileError>;
  bool compiled_here = false;
  auto out = cache_.get(rev, [&]() -> paydomain::Result<Cache::Built, CompileError> {
    compiled_here = true;
    auto objects = store_.checkout(rev);
    if (!objects) {
      if (objects.error().code == store::ErrorCode::NotFound) {
        auto h = store_.head();
        return CompileError{CompileError::Kind::UnknownRevision,
                            "revision " + std::to_string(rev) + " does not exist" +
                                (h ? " (head is " + std::to_string(*h) + ")" : std::string()),
                            std::nullopt};
      }
      return CompileError{CompileError::Kind::Store, objects.error().message, objects.error()};
    }
    auto files = store::working_copy_files(objects.value());
    size_t source_bytes = 0;
    for (const auto& f : files) source_bytes += f.text.size();
    // The revision and source hash go into the program's artifact header:
    // GET /v1/revisions/{rev}/compiled serves these very bytes.
    evaluator::CompileOptions opt;
    opt.revision = static_cast<uint64_t>(rev);
    opt.source_hash = store::sources_hash(files);
    WorkingCopy w = compile_working_copy(std::move(files), opt);
    if (!w.compiled) {
      std::string why = w.diags.has_errors() ? "the stored revision does not check" : w.compile_error;
      return CompileError{CompileError::Kind::Compile, "cannot compile revision " + std::to_string(rev) + ": " + why,
                          std::nullopt};
    }
    auto c = std::make_shared<CompiledRevision>();
    c->rev = rev;
    c->domain = w.compiled;
    return Cache::Built{c, approx_bytes(*w.compiled, source_bytes)};
  });
  if (metrics_) (compiled_here ? metrics_->cache_misses : metrics_->cache_hits).fetch_add(1, std::memory_order_relaxed);
  return out;
}

CompiledRevisions::Ptr CompiledRevisions::head() const {
  std::lock_guard lock(head_mu_);
  return serving_;
}

paydomain::Result<CompiledRevisions::Ptr, CompileError> CompiledRevisions::start_head(store::Rev rev) {
  auto c = get(rev);
  if (!c) return c;
  std::lock_guard lock(head_mu_);
  serving_ = *c;
  compiling_ = std::max(compiling_, rev);
  return c;
}

// Evaluations "at head" keep using the previous compiled head until the new
// one is ready.
void CompiledRevisions::advance_head(store::Rev rev) {
  {
    std::lock_guard lock(head_mu_);
    if (compiling_ >= rev) return;
    compiling_ = rev;
  }
  workers_.submit([this, rev] {
    auto c = get(rev);
    if (!c) return;  // reported to the next request that needs it
    std::lock_guard lock(head_mu_);
    if (!serving_ || serving_->rev < rev) serving_ = *c;
  });
}

}  // namespace paydomain::server
