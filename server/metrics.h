// Prometheus metrics: requests by route and status, latency histograms per
// route, evaluations, compiled-cache hits/misses, head revision. Lock-free
// atomics on the request path (the hot evaluate route runs at tens of
// thousands of requests per second); rendering walks them on demand.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace paydomain::server {

class Metrics {
 public:
  // `routes` are the labels, in route index order; one extra slot, labelled
  // "unmatched", counts requests no route matched (404/405, early errors).
  explicit Metrics(std::vector<std::string> routes);

  size_t unmatched_index() const { return routes_.size() - 1; }
  void observe_request(size_t route, int status, double seconds);

  std::atomic<uint64_t> evaluations{0};       // contexts evaluated
  std::atomic<uint64_t> cache_hits{0};        // compiled revision found in cache
  std::atomic<uint64_t> cache_misses{0};      // compiled on demand
  std::atomic<uint64_t> cache_evictions{0};
  std::atomic<uint64_t> compiles{0};                 // revisions compiled from their source
  std::atomic<uint64_t> artifact_loads{0};           // revisions loaded from their stored artifact
  std::atomic<uint64_t> artifact_rejects{0};         // stored artifacts refused (damaged, stale), then compiled
  std::atomic<uint64_t> artifacts_stored{0};         // artifacts this replica wrote to the store
  std::atomic<uint64_t> artifact_store_failures{0};  // ... or could not (a read-only database user)
  std::atomic<uint64_t> cache_bytes{0};       // gauge
  std::atomic<int64_t> head_revision{-1};     // gauge
  std::atomic<int64_t> open_connections{0};   // gauge
  std::atomic<int64_t> writes_pending{0};     // gauge: commits and reverts queued or running
  std::atomic<int64_t> head_waiters{0};       // gauge: long-polls waiting for a new head
  std::atomic<int64_t> store_unreachable_since_ms{0};  // gauge: 0 while the store answers
  std::atomic<uint64_t> rejected_connections{0};  // over the connection cap (global or per client)
  std::atomic<uint64_t> evicted_connections{0};   // idle ones closed to make room at the cap

  std::string render() const;  // Prometheus text exposition format 0.0.4

  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30};

 private:
  struct PerRoute {
    std::array<std::atomic<uint64_t>, 600> by_status{};  // index = HTTP status
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last = +Inf
    std::atomic<uint64_t> sum_micros{0};
    std::atomic<uint64_t> count{0};
  };
  std::vector<std::string> routes_;
  std::unique_ptr<PerRoute[]> per_route_;
};

}  // namespace paydomain::server
