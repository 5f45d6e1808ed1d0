// A thread-safe map from text keys to values, bounded by an estimate of its
// bytes: the least recently used entries go once the total passes
// `max_bytes`. The live check's caches (parsed objects, compiled objects,
// analysis warnings) are all this one shape; `Weigh(key, value)` says what
// an entry costs.
//
// A hit shares the stored value (shared_ptr<const V>), so a lookup copies
// nothing under the lock and the entry may be evicted while the caller still
// reads it; a caller that needs its own value copies it outside the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace paydomain {

template <class V, class Weigh>
class LruCache {
 public:
  explicit LruCache(size_t max_bytes) : max_bytes_(max_bytes) {}
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value stored under `key` (shared, immutable), or null.
  std::shared_ptr<const V> find(std::string_view key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  // Stores `value` under `key` unless an entry is there already (another
  // thread computed the same answer) or it alone would pass the bound.
  void put(std::string key, V value) {
    size_t b = Weigh{}(key, value) + sizeof(Entry) + 64;  // the entry, its list node and index slot
    if (b > max_bytes_) return;
    auto shared = std::make_shared<const V>(std::move(value));  // allocated outside the lock
    std::list<Entry> evicted;  // freed after the lock is released
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return;
    }
    lru_.push_front(Entry{std::move(key), std::move(shared), b});
    index_.emplace(lru_.front().key, lru_.begin());
    bytes_ += b;
    while (bytes_ > max_bytes_ && !lru_.empty()) {
      Entry& e = lru_.back();
      index_.erase(e.key);
      bytes_ -= e.bytes;
      evicted.splice(evicted.begin(), lru_, std::prev(lru_.end()));
    }
  }

  struct Stats {
    size_t entries = 0, bytes = 0;
    uint64_t hits = 0, misses = 0;
  };
  Stats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {lru_.size(), bytes_, hits_, misses_};
  }

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const V> value;
    size_t bytes = 0;
  };

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;                                                    // most recently used first
  std::unordered_map<std::string_view, typename std::list<Entry>::iterator> index_;  // views into lru_'s keys
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace paydomain
