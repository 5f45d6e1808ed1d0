// Operational routes (/healthz, /readyz, /metrics, /openapi.json), the
// sample contexts of --contexts (GET /v1/contexts), and the web editor's
// files at "/" -- added last (add_static_routes), as "/{file}" would match
// any one-segment path.
#pragma once

#include <functional>

#include "server/compiled_revisions.h"
#include "server/head_tracker.h"
#include "server/router.h"
#include "server/service_config.h"
#include "server/workers.h"

namespace paydomain::server {

class Metrics;

class OpsApi {
 public:
  OpsApi(const ServiceConfig& config, CompiledRevisions& compiled, HeadTracker& head, Workers& workers,
         const std::function<bool()>& stopping)
      : config_(config), compiled_(compiled), head_(head), workers_(workers), stopping_(stopping) {}
  void attach_metrics(Metrics* metrics) { metrics_ = metrics; }  // before any request
  void add_routes(Router& router);
  void add_static_routes(Router& router);

 private:
  void get_static(Request& req, Done done);
  void get_contexts(Done done);

  const ServiceConfig& config_;
  CompiledRevisions& compiled_;
  HeadTracker& head_;
  Workers& workers_;
  const std::function<bool()>& stopping_;
  Metrics* metrics_ = nullptr;
};

}  // namespace paydomain::server
