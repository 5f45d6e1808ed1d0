// A bounded, single-flight LRU cache of compiled revisions. Revisions are
// immutable, so a cached value never goes stale; the bound is the sum of the
// values' reported sizes. Many concurrent requests for a revision that is not
// cached wait for one compilation (single flight). Values are shared
// read-only: an evicted revision lives on while a request still holds it.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>

#include "base/result.h"

namespace paydomain::server {

template <class V, class E>
class CompiledCache {
 public:
  using Ptr = std::shared_ptr<const V>;
  struct Built {
    Ptr value;
    size_t bytes = 0;
  };
  using Outcome = paydomain::Result<Ptr, E>;
  using Loader = std::function<paydomain::Result<Built, E>()>;

  struct Stats {
    uint64_t hits = 0, misses = 0, evictions = 0;
    size_t bytes = 0, entries = 0;
  };

  explicit CompiledCache(size_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The cached value, without waiting and without compiling; null if absent.
  Ptr peek(int64_t key) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || !it->second.ready) return nullptr;
    touch(it->second);
    ++stats_.hits;
    return it->second.value;
  }

  // The value for `key`, compiling it with `load` when absent. Failures are
  // returned to every waiter and not cached (the next call retries).
  Outcome get(int64_t key, const Loader& load) {
    std::unique_lock lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (it->second.ready) {
        touch(it->second);
        ++stats_.hits;
        return it->second.value;
      }
      auto fut = it->second.pending;
      ++stats_.hits;  // coalesced onto the compilation in flight
      lock.unlock();
      return fut.get();
    }
    ++stats_.misses;
    std::promise<Outcome> promise;
    Entry& e = entries_[key];
    e.pending = promise.get_future().share();
    lock.unlock();

    paydomain::Result<Built, E> built = [&]() -> paydomain::Result<Built, E> {
      try {
        return load();
      } catch (...) {
        // Waiters must never hang on a broken promise; rethrow after waking them.
        lock.lock();
        entries_.erase(key);
        lock.unlock();
        promise.set_exception(std::current_exception());
        throw;
      }
    }();

    Outcome out = built ? Outcome(built->value) : Outcome(built.error());
    lock.lock();
    if (built) {
      Entry& done = entries_[key];
      done.ready = true;
      done.value = built->value;
      done.bytes = built->bytes;
      done.pending = {};
      lru_.push_front(key);
      done.pos = lru_.begin();
      stats_.bytes += done.bytes;
      evict();
    } else {
      entries_.erase(key);
    }
    lock.unlock();
    promise.set_value(out);
    return out;
  }

  Stats stats() const {
    std::lock_guard lock(mu_);
    Stats s = stats_;
    s.entries = entries_.size();
    return s;
  }

 private:
  struct Entry {
    bool ready = false;
    Ptr value;
    size_t bytes = 0;
    std::shared_future<Outcome> pending;
    std::list<int64_t>::iterator pos;
  };

  void touch(Entry& e) { lru_.splice(lru_.begin(), lru_, e.pos); }

  // Oldest first, but never the newest entry: one revision larger than the
  // whole budget is still served (and replaced by the next one).
  void evict() {
    while (stats_.bytes > capacity_ && lru_.size() > 1) {
      int64_t victim = lru_.back();
      lru_.pop_back();
      auto it = entries_.find(victim);
      stats_.bytes -= it->second.bytes;
      entries_.erase(it);
      ++stats_.evictions;
    }
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::map<int64_t, Entry> entries_;
  std::list<int64_t> lru_;  // ready entries, most recently used first
  Stats stats_;
};

}  // namespace paydomain::server
