#include "evaluator/cache.h"

namespace paydomain::evaluator {

CompiledCache::Ptr CompiledCache::find(int64_t revision) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(revision);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

Result<CompiledCache::Ptr> CompiledCache::get(int64_t revision, const Builder& build) {
  if (Ptr p = find(revision)) return p;
  Result<Ptr> built = build();
  if (!built) return built;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(revision);
  if (it != index_.end()) {  // another thread was faster: share its result
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second;
  }
  insert_locked(revision, *built);
  return built;
}

void CompiledCache::insert_locked(int64_t revision, Ptr p) {
  lru_.emplace_front(revision, std::move(p));
  index_[revision] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

size_t CompiledCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace paydomain::evaluator
