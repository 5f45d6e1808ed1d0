// The API over the store and the evaluator, as one owner that wires its parts:
//   HeadTracker        head, long-poll waiters, the watcher thread, the store file watch
//   CompiledRevisions  the compiled-revision cache, compiling, the compiled head
//   Workers            the worker pool and the write thread
//   TokenAuth          bearer tokens -> callers; /v1/whoami, /v1/tokens
//   ReadApi            head, revisions, objects, diff
//   EvaluateApi        evaluate (at a revision, on a working copy), check
//   WriteApi           commits, revert
//   OpsApi             health, readiness, metrics, OpenAPI, sample contexts, the editor's files
// Each API registers its own routes. Errors inside are ApiErrors
// (api_error.h); a Response is made only where a route answers.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "domain_store/store.h"
#include "domain_store/token_store.h"
#include "server/app.h"
#include "server/compiled_revisions.h"
#include "server/eval_api.h"
#include "server/head_tracker.h"
#include "server/impact_api.h"
#include "server/ops_api.h"
#include "server/read_api.h"
#include "server/router.h"
#include "server/service_config.h"
#include "server/token_auth.h"
#include "server/workers.h"
#include "server/write_api.h"

namespace paydomain::server {

class Service {
 public:
  // Opens the store and its token table; a message on failure.
  static paydomain::Result<std::unique_ptr<Service>, std::string> open(const ServiceConfig& config);
  ~Service();

  void add_routes(Router& router);  // every route of the API
  void attach_metrics(Metrics* metrics);  // before start()
  void set_stopping_probe(std::function<bool()> probe) { stopping_ = std::move(probe); }
  // Reads head and compiles it, so the first evaluation does not wait; then
  // starts following head. A message on failure.
  paydomain::Result<Ok, std::string> start();
  // Answers every long-poll now (with the current head) and stops following
  // head; called when a graceful stop begins. Queued work still completes.
  void begin_shutdown();
  // Waits for queued work (commits in progress) to finish.
  void finish();

  Authenticator& authenticator() { return *auth_; }

 private:
  explicit Service(const ServiceConfig& config) : config_(config) {}

  ServiceConfig config_;
  std::function<bool()> stopping_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::TokenStore> tokens_;
  std::unique_ptr<Workers> workers_;
  std::unique_ptr<CompiledRevisions> compiled_;
  std::unique_ptr<HeadTracker> head_;
  std::unique_ptr<TokenAuth> auth_;
  std::unique_ptr<ReadApi> read_;
  std::unique_ptr<EvaluateApi> evaluate_;
  std::unique_ptr<WriteApi> write_;
  std::unique_ptr<OpsApi> ops_;
  std::unique_ptr<ImpactApi> impact_;
};

}  // namespace paydomain::server
