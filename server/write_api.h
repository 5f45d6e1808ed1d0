// Write endpoints: commits (a working copy or explicit operations), revert
// and restore. Store writes run on the write thread (Workers::write), never on the
// I/O threads, so evaluations keep flowing while a commit validates; each
// landed commit wakes the head tracker at once.
#pragma once

#include <vector>

#include "domain_store/store.h"
#include "server/api_error.h"
#include "server/head_tracker.h"
#include "server/router.h"
#include "server/service_config.h"
#include "server/workers.h"

namespace paydomain::server {

class WriteApi {
 public:
  WriteApi(const ServiceConfig& config, store::Store& store, HeadTracker& head, Workers& workers)
      : config_(config), store_(store), head_(head), workers_(workers) {}
  void add_routes(Router& router);

 private:
  void post_commit(Request& req, const Caller& caller, Done done);
  enum class HistoryOp { Revert, Restore };
  // A new commit computed from history: the inverse of {rev}, or head made equal to {rev}.
  void post_history(Request& req, const Caller& caller, Done done, HistoryOp op);
  // Queues the commit on the write thread; 201 (200 when replayed) + Location.
  void write_commit(Done done, store::CommitRequest cr, store::TestsGating tests);
  // A 413 when `ops` exceed max_commit_objects / max_commit_bytes.
  std::optional<ApiError> commit_too_large(const std::vector<store::Op>& ops) const;

  const ServiceConfig& config_;
  store::Store& store_;
  HeadTracker& head_;
  Workers& workers_;
};

}  // namespace paydomain::server
