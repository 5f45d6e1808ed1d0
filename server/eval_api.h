// Evaluate endpoints: the product's hot path (POST /v1/revisions/{rev}/evaluate),
// the compiled revision itself for embedded evaluators (GET
// /v1/revisions/{rev}/compiled, docs/artifact.md),
// and the editor's check and try-it on a working copy (POST /v1/check,
// POST /v1/evaluate), and its formatter (POST /v1/format: one file's text
// as `paydomain fmt` writes it). Revisions come compiled from CompiledRevisions.
//
// The hot path never builds a JSON tree: one pass over the body finds each
// context's text (the whole body for one context); contexts are then read,
// evaluated and written as text (evaluator::evaluate_text / evaluate_batch),
// a big batch on every core. A malformed context fails the whole request
// with 422 naming its JSON pointer, so a batch is answered all or nothing.
#pragma once

#include <string_view>

#include "evaluator/check.h"
#include "server/api_error.h"
#include "server/compiled_revisions.h"
#include "server/router.h"
#include "server/service_config.h"
#include "server/workers.h"

namespace paydomain::server {

class Metrics;

// A compiled revision's absence as the API's answer: 404 unknown-revision,
// the store's error, 500 compile-failed.
ApiError to_api_error(const CompileError& e);

class EvaluateApi {
 public:
  EvaluateApi(const ServiceConfig& config, store::Store& store, CompiledRevisions& compiled, Workers& workers)
      : config_(config), store_(store), compiled_(compiled), workers_(workers) {}
  void attach_metrics(Metrics* metrics) { metrics_ = metrics; }  // before any request
  void add_routes(Router& router);

  // Evaluates `body` (one context, or {"contexts": [...], "explain"?}) against
  // `rev`: {"revision", "result"} or {"revision", "results": [...]}.
  ApiResult<Response> evaluate(const CompiledRevision& rev, const std::string& body, bool explain);

 private:
  void post_evaluate_at(Request& req, Done done);
  void post_evaluate_working(Request& req, Done done);
  void post_check(Request& req, Done done);
  void get_compiled(Request& req, Done done);
  // The compiled revision `rev` (-1: the store's head), compiling it on this
  // thread when it is not cached (run it on the workers).
  ApiResult<CompiledRevisions::Ptr> compile_for(store::Rev rev);
  void post_references(Request& req, Done done);
  void post_format(Request& req, Done done);

  // The result(s) of `contexts` against `domain`, appended to `out` as
  // "result":{..} (one context) or "results":[..]; error paths are JSON
  // pointers starting with `at` ("" or "/context"; "/contexts/<i>" for a batch).
  ApiResult<size_t> write_results(const evaluator::Program& program, bool batch,
                                  const std::vector<std::string_view>& contexts, bool explain,
                                  std::string_view at, std::string& out);

  const ServiceConfig& config_;
  store::Store& store_;
  CompiledRevisions& compiled_;
  Workers& workers_;
  Metrics* metrics_ = nullptr;
  // Per-object parses, compiles and warnings shared by every live check
  // (thread-safe, bounded): an edit redoes only the objects it changed.
  evaluator::CheckCaches check_caches_;
};

}  // namespace paydomain::server
