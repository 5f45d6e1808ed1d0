#include "server/compiled_revisions.h"

#include <iostream>

#include "domain_store/working_copy.h"
#include "dsl/checker.h"
#include "evaluator/evaluate.h"
#include "evaluator/program.h"
#include "server/metrics.h"
#include "server/workers.h"

namespace paydomain::server {

namespace {

// Approximate resident size of a revision's object form (impact's LRU): the
// DAGs as the compiler counts them plus everything else (interned names,
// explanation strings, per-rule structures), which scales with the source
// text. The factor is calibrated by bench/server: a 10,000-rule revision of
// 1.96 MB source added ~43 MiB of resident memory (~20x its source, 3 MB DAGs).
size_t approx_bytes(const evaluator::CompiledDomain& d, size_t source_bytes) {
  return sizeof(d) + d.dag_bytes + 20 * source_bytes;
}

void count(Metrics* m, std::atomic<uint64_t> Metrics::*counter) {
  if (m) (m->*counter).fetch_add(1, std::memory_order_relaxed);
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

WorkingCopy compile_revision_files(store::Rev rev, std::vector<dsl::SourceFile> files, std::string source_hash) {
  evaluator::CompileOptions opt;
  opt.revision = static_cast<uint64_t>(rev);
  opt.source_hash = std::move(source_hash);
  return compile_working_copy(std::move(files), opt);
}

store::StoredArtifact stored_artifact(store::Rev rev, const evaluator::Program& p) {
  return {rev, p.format_major(), p.format_minor(), std::string(p.source_hash()), std::string(p.bytes())};
}

namespace {

paydomain::Result<std::shared_ptr<const evaluator::CompiledDomain>, CompileError> compile_revision(
    store::Rev rev, std::vector<dsl::SourceFile> files, std::string source_hash) {
  WorkingCopy w = compile_revision_files(rev, std::move(files), std::move(source_hash));
  if (!w.compiled) {
    std::string why = w.diags.has_errors() ? "the stored revision does not check" : w.compile_error;
    return CompileError{CompileError::Kind::Compile, "cannot compile revision " + std::to_string(rev) + ": " + why,
                        std::nullopt};
  }
  return w.compiled;
}

}  // namespace

std::optional<store::StoredArtifact> build_artifact(store::Rev rev, const std::vector<dsl::SourceFile>& files) {
  auto c = compile_revision(rev, files, store::sources_hash(files));
  if (!c) return std::nullopt;
  return stored_artifact(rev, *(*c)->program);
}

paydomain::Result<std::shared_ptr<const evaluator::Program>, std::string> verify_artifact(
    store::StoredArtifact artifact, const std::string& sources_hash) {
  if (artifact.source_hash != sources_hash) return std::string("it was compiled from other sources");
  const store::Rev rev = artifact.rev;
  auto p = evaluator::Program::load(std::move(artifact.bytes));
  if (!p) return p.error().message;
  if ((*p)->revision() != static_cast<uint64_t>(rev) || (*p)->source_hash() != sources_hash)
    return std::string("its header names another revision or sources");
  return std::move(*p);
}

store::ArtifactVerifier artifact_verifier() {
  return store::ArtifactVerifier{evaluator::pdc::kFormatMajor,
                                 [](const store::StoredArtifact& a, const std::string& sources_hash) {
                                   auto p = verify_artifact(a, sources_hash);
                                   return p ? std::string() : p.error();
                                 }};
}

CompiledRevisions::CompiledRevisions(store::Store& store, Workers& workers, size_t cache_bytes)
    : store_(store), workers_(workers), cache_(cache_bytes), domains_(cache_bytes / 4) {}

CompiledRevisions::Ptr CompiledRevisions::peek(store::Rev rev) {
  Ptr hit = cache_.peek(rev);
  if (hit && metrics_) metrics_->cache_hits.fetch_add(1, std::memory_order_relaxed);
  return hit;
}

// A stored revision's working-copy files and their hash.
struct CompiledRevisions::Source {
  store::Rev rev = 0;
  std::vector<dsl::SourceFile> files;
  std::string hash;
  size_t bytes = 0;
};

paydomain::Result<CompiledRevisions::Source, CompileError> CompiledRevisions::source(store::Rev rev) {
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
  Source s;
  s.rev = rev;
  s.files = store::working_copy_files(objects.value());
  s.hash = store::sources_hash(s.files);
  for (const auto& f : s.files) s.bytes += f.text.size();
  return s;
}

std::shared_ptr<const evaluator::Program> CompiledRevisions::stored_program(const Source& src) {
  auto stored = store_.artifact(src.rev, evaluator::pdc::kFormatMajor, evaluator::pdc::kFormatMinor);
  if (!stored || !*stored) return nullptr;  // none (or the store cannot say): compile
  auto p = verify_artifact(std::move(**stored), src.hash);
  if (p) {
    count(metrics_, &Metrics::artifact_loads);
    return std::move(*p);
  }
  count(metrics_, &Metrics::artifact_rejects);
  std::cerr << "paydomain serve: the stored artifact of revision " << src.rev << " is refused (" << p.error()
            << "); compiling it\n";
  return nullptr;
}

paydomain::Result<CompiledCache<CompiledRevision, CompileError>::Built, CompileError> CompiledRevisions::load(
    store::Rev rev) {
  auto src = source(rev);
  if (!src) return src.error();
  auto c = std::make_shared<CompiledRevision>();
  c->rev = rev;
  c->program = stored_program(*src);
  if (!c->program) {
    count(metrics_, &Metrics::compiles);
    auto d = compile_revision(rev, std::move(src->files), src->hash);
    if (!d) return d.error();
    // Only the program stays: the object form is freed with `d`.
    c->program = (*d)->program;
    // The next replica (or this one, restarted) loads it. A read-only
    // database user cannot write it: then this replica keeps its own copy.
    bool stored = static_cast<bool>(store_.put_artifact(stored_artifact(rev, *c->program)));
    count(metrics_, stored ? &Metrics::artifacts_stored : &Metrics::artifact_store_failures);
  }
  const size_t bytes = c->program->resident_bytes() + sizeof(CompiledRevision);
  return CompiledCache<CompiledRevision, CompileError>::Built{c, bytes};
}

paydomain::Result<CompiledRevisions::Ptr, CompileError> CompiledRevisions::get(store::Rev rev) {
  if (Ptr hit = peek(rev)) return hit;
  bool loaded_here = false;
  auto out = cache_.get(rev, [&] {
    loaded_here = true;
    return load(rev);
  });
  if (metrics_) (loaded_here ? metrics_->cache_misses : metrics_->cache_hits).fetch_add(1, std::memory_order_relaxed);
  return out;
}

paydomain::Result<std::shared_ptr<const evaluator::CompiledDomain>, CompileError> CompiledRevisions::domain(
    store::Rev rev) {
  using Cache = CompiledCache<evaluator::CompiledDomain, CompileError>;
  return domains_.get(rev, [&]() -> paydomain::Result<Cache::Built, CompileError> {
    auto src = source(rev);
    if (!src) return src.error();
    count(metrics_, &Metrics::compiles);
    const size_t source_bytes = src->bytes;
    auto d = compile_revision(rev, std::move(src->files), src->hash);
    if (!d) return d.error();
    return Cache::Built{*d, approx_bytes(**d, source_bytes) + (*d)->program->size()};
  });
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
