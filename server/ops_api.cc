#include "server/ops_api.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "domain_store/json.h"
#include "server/json_util.h"
#include "server/metrics.h"
#include "server/openapi.h"
#include "server/static_files.h"

namespace paydomain::server {

using nlohmann::json;

void OpsApi::get_static(Request& req, Done done) {
  done(editor_file(req, req.params.empty() ? "" : req.params[0], config_.editor_dir));
}

// GET /v1/contexts: the sample payment contexts of --contexts DIR (the
// editor offers them in its try-it panel), as [{"name", "context"}].
void OpsApi::get_contexts(Done done) {
  json list = json::array();
  if (!config_.contexts_dir.empty()) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(config_.contexts_dir, ec))
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      json ctx = json::parse(ss.str(), nullptr, false);
      if (ctx.is_object()) list.push_back({{"name", f.stem().string()}, {"context", ctx}});
    }
  }
  done(json_response(200, {{"contexts", list}}));
}

void OpsApi::add_routes(Router& r) {
  r.add("GET", "/healthz", Access::Public, [](Request&, const Caller&, Done d) {
    d(json_response(200, {{"status", "ok"}}));
  });
  r.add("GET", "/readyz", Access::Public, [this](Request&, const Caller&, Done d) {
    if (stopping_ && stopping_()) return d(error_response(503, "stopping", "the server is shutting down"));
    if (!compiled_.head()) return d(error_response(503, "not-ready", "the head revision is not compiled yet"));
    // Still ready without the store: compiled revisions keep evaluating.
    nlohmann::json store = {{"reachable", true}};
    if (auto since = head_.store_health().unreachable_since_ms())
      store = {{"reachable", false}, {"since", store::format_time(*since)}};
    d(json_response(200, {{"status", "ready"}, {"head", head_.head()}, {"store", store}}));
  });
  r.add("GET", "/metrics", Access::Public, [this](Request&, const Caller&, Done d) {
    Response res;
    if (metrics_) {
      auto st = compiled_.stats();
      metrics_->cache_bytes.store(st.bytes);
      metrics_->cache_evictions.store(st.evictions);
      metrics_->writes_pending.store(workers_.writes_pending());
      metrics_->head_waiters.store(static_cast<int64_t>(head_.waiting()));
      metrics_->store_unreachable_since_ms.store(head_.store_health().unreachable_since_ms().value_or(0));
      res.body = metrics_->render();
    }
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    d(std::move(res));
  });
  r.add("GET", "/openapi.json", Access::Public, [](Request&, const Caller&, Done d) {
    Response res;
    res.body = std::string(openapi_json());
    d(std::move(res));
  });
  r.add("GET", "/v1/contexts", Access::Reader, [this](Request&, const Caller&, Done d) { get_contexts(std::move(d)); });
}

void OpsApi::add_static_routes(Router& r) {
  r.add("GET", "/", Access::Public, [this](Request& req, const Caller&, Done d) { get_static(req, std::move(d)); });
  r.add("GET", "/{file}", Access::Public, [this](Request& req, const Caller&, Done d) { get_static(req, std::move(d)); });
}

}  // namespace paydomain::server
