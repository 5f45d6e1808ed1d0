// POST /v1/impact (editor): what a change does to payments — the report of
// `paydomain impact` (evaluator/impact_report.h), computed on the worker pool.
//
// Body: {"base": <revision number> | "head",
//        "files": [{"name", "text"}...] (a working copy) | "revision": <number> | "head",
//        "contexts"?: "<JSON lines: one payment context per line>",
//        "max_regions"?: 1..1000 (default 100)}
// Answer: 200 with the report; 404 unknown revision; 422 for a working copy
// that does not check, a bad context line (named), or malformed members.
#pragma once

#include "server/compiled_revisions.h"
#include "server/router.h"
#include "server/workers.h"

namespace paydomain::server {

class ImpactApi {
 public:
  ImpactApi(store::Store& store, CompiledRevisions& compiled, Workers& workers)
      : store_(store), compiled_(compiled), workers_(workers) {}
  void add_routes(Router& router);

 private:
  void post_impact(Request& req, Done done);

  store::Store& store_;
  CompiledRevisions& compiled_;
  Workers& workers_;
};

}  // namespace paydomain::server
