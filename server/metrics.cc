#include "server/metrics.h"

#include <cstdio>

namespace paydomain::server {

Metrics::Metrics(std::vector<std::string> routes) : routes_(std::move(routes)) {
  routes_.push_back("unmatched");
  per_route_ = std::make_unique<PerRoute[]>(routes_.size());
}

void Metrics::observe_request(size_t route, int status, double seconds) {
  if (route >= routes_.size()) route = unmatched_index();
  PerRoute& r = per_route_[route];
  if (status < 0 || status >= 600) status = 500;
  r.by_status[status].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  r.buckets[b].fetch_add(1, std::memory_order_relaxed);
  r.sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  r.count.fetch_add(1, std::memory_order_relaxed);
}

namespace {
void line(std::string& out, const char* fmt, auto... args) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, fmt, args...);
  if (n > 0) out.append(buf, static_cast<size_t>(std::min<int>(n, sizeof buf - 1)));
}
}  // namespace

std::string Metrics::render() const {
  std::string out;
  out += "# HELP paydomain_http_requests_total HTTP requests by route pattern and status.\n";
  out += "# TYPE paydomain_http_requests_total counter\n";
  for (size_t i = 0; i < routes_.size(); ++i) {
    for (int s = 0; s < 600; ++s) {
      uint64_t v = per_route_[i].by_status[s].load(std::memory_order_relaxed);
      if (v) line(out, "paydomain_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                  routes_[i].c_str(), s, static_cast<unsigned long long>(v));
    }
  }
  out += "# HELP paydomain_http_request_duration_seconds Time from a complete request to its response.\n";
  out += "# TYPE paydomain_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < routes_.size(); ++i) {
    const PerRoute& r = per_route_[i];
    uint64_t count = r.count.load(std::memory_order_relaxed);
    if (!count) continue;
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += r.buckets[b].load(std::memory_order_relaxed);
      if (b < kBuckets.size())
        line(out, "paydomain_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
             routes_[i].c_str(), kBuckets[b], static_cast<unsigned long long>(cumulative));
      else
        line(out, "paydomain_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
             routes_[i].c_str(), static_cast<unsigned long long>(cumulative));
    }
    line(out, "paydomain_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", routes_[i].c_str(),
         static_cast<double>(r.sum_micros.load(std::memory_order_relaxed)) / 1e6);
    line(out, "paydomain_http_request_duration_seconds_count{route=\"%s\"} %llu\n", routes_[i].c_str(),
         static_cast<unsigned long long>(count));
  }
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    line(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
         static_cast<unsigned long long>(v));
  };
  auto gauge = [&](const char* name, const char* help, long long v) {
    line(out, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help, name, name, v);
  };
  counter("paydomain_evaluations_total", "Payment contexts evaluated.", evaluations.load());
  counter("paydomain_compiled_cache_hits_total", "Evaluations whose compiled revision was cached.", cache_hits.load());
  counter("paydomain_compiled_cache_misses_total", "Compiled revisions built on demand.", cache_misses.load());
  counter("paydomain_compiled_cache_evictions_total", "Compiled revisions evicted by the size bound.", cache_evictions.load());
  counter("paydomain_revision_compiles_total", "Revisions compiled from their source (no usable stored artifact, or impact).",
          compiles.load());
  counter("paydomain_artifact_loads_total", "Revisions loaded from the artifact stored with them.", artifact_loads.load());
  counter("paydomain_artifact_rejects_total", "Stored artifacts refused (damaged or not the revision's), then compiled.",
          artifact_rejects.load());
  counter("paydomain_artifacts_stored_total", "Artifacts this server compiled and stored.", artifacts_stored.load());
  counter("paydomain_artifact_store_failures_total", "Artifacts this server compiled but could not store.",
          artifact_store_failures.load());
  gauge("paydomain_compiled_cache_bytes", "Approximate size of the cached compiled revisions.",
        static_cast<long long>(cache_bytes.load()));
  gauge("paydomain_head_revision", "Head revision as last seen by this server.", head_revision.load());
  gauge("paydomain_open_connections", "Open HTTP connections.", open_connections.load());
  gauge("paydomain_writes_pending", "Commits and reverts queued or running on the write thread.", writes_pending.load());
  gauge("paydomain_head_waiters", "Long-polls (GET /v1/head?wait_after) waiting for a new head.", head_waiters.load());
  const int64_t down_since = store_unreachable_since_ms.load();
  gauge("paydomain_store_up", "1 while the store answers the head watcher, 0 while it cannot be reached.", down_since == 0);
  gauge("paydomain_store_unreachable_since_seconds",
        "Unix time of the first failed store read of the current outage; 0 while the store answers.", down_since / 1000);
  counter("paydomain_rejected_connections_total", "Connections refused over the connection cap.",
          rejected_connections.load());
  counter("paydomain_evicted_connections_total",
          "Connections closed at the connection cap because they had waited longest without sending a request.",
          evicted_connections.load());
  return out;
}

}  // namespace paydomain::server
