// Read endpoints: head (with long-poll), history, one revision, one object,
// diff. Revisions are immutable, so what is addressed by number is cacheable
// forever (ETag + Cache-Control: immutable).
#pragma once

#include <functional>

#include "domain_store/store.h"
#include "server/api_error.h"
#include "server/head_tracker.h"
#include "server/router.h"
#include "server/service_config.h"
#include "server/workers.h"

namespace paydomain::server {

class ReadApi {
 public:
  ReadApi(const ServiceConfig& config, store::Store& store, HeadTracker& head, Workers& workers,
          const std::function<bool()>& stopping)
      : config_(config), store_(store), head_(head), workers_(workers), stopping_(stopping) {}
  void add_routes(Router& router);

  // GET /v1/head's answer at `rev` (also what a long-poll is answered with).
  Response head_answer(store::Rev rev);

 private:
  void get_head(Request& req, Done done);
  ApiResult<Response> get_revisions(const Request& req);
  ApiResult<Response> get_revision(const Request& req);
  ApiResult<Response> get_object(const Request& req);
  void get_diff(Request& req, Done done);

  const ServiceConfig& config_;
  store::Store& store_;
  HeadTracker& head_;
  Workers& workers_;
  const std::function<bool()>& stopping_;
};

}  // namespace paydomain::server
