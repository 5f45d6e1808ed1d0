// A bounded LRU cache of compiled revisions, shared between threads: the
// server (and later the embedded client) compiles a revision once and hands
// the same immutable CompiledDomain to every request that pins it.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "evaluator/compiled.h"

namespace paydomain::evaluator {

class CompiledCache {
 public:
  using Ptr = std::shared_ptr<const CompiledDomain>;
  using Builder = std::function<Result<Ptr>()>;

  explicit CompiledCache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The cached revision, or nullptr.
  Ptr find(int64_t revision);
  // The cached revision, or builds it with `build` (outside the lock, so a
  // slow compile does not block readers of other revisions) and caches it.
  // Two threads missing the same revision may both build; one result wins.
  Result<Ptr> get(int64_t revision, const Builder& build);
  size_t size() const;

 private:
  void insert_locked(int64_t revision, Ptr p);
  size_t capacity_;
  mutable std::mutex mu_;
  std::list<std::pair<int64_t, Ptr>> lru_;  // most recently used first
  std::unordered_map<int64_t, std::list<std::pair<int64_t, Ptr>>::iterator> index_;
};

}  // namespace paydomain::evaluator
