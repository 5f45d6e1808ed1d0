// Whether the store answered the head watcher's last read, and since when
// it has not: what /readyz and /metrics report while the database is away.
// A replica stays ready meanwhile (it evaluates the revisions it compiled);
// writes answer 503 (see store_error).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "domain_store/commit_prep.h"

namespace paydomain::server {

class StoreHealth {
 public:
  // After each store read: false only for "cannot reach the store" (Io).
  void note(bool reachable) {
    if (reachable) {
      since_ms_.store(0);
    } else {
      int64_t none = 0;
      since_ms_.compare_exchange_strong(none, store::now_ms());  // keeps the first failure's time
    }
  }
  // Unix ms of the first failed read of the current outage; nullopt when reachable.
  std::optional<int64_t> unreachable_since_ms() const {
    int64_t v = since_ms_.load();
    return v ? std::optional<int64_t>(v) : std::nullopt;
  }

 private:
  std::atomic<int64_t> since_ms_{0};
};

}  // namespace paydomain::server
