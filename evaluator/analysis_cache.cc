#include "evaluator/analysis_cache.h"

namespace paydomain::evaluator {
namespace {

size_t weight(const std::string& key, const std::vector<dsl::Diagnostic>& ws) {
  size_t b = sizeof(std::string) * 2 + key.size() + 64;  // the entry, its list node and index slot
  for (const dsl::Diagnostic& d : ws) {
    b += sizeof(dsl::Diagnostic) + d.file.size() + d.code.size() + d.message.size() + d.expected.size() +
         d.suggestion.size() + d.object.size();
  }
  return b;
}

}  // namespace

std::optional<std::vector<dsl::Diagnostic>> AnalysisCache::find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->warnings;
}

void AnalysisCache::put(std::string key, std::vector<dsl::Diagnostic> warnings) {
  size_t b = weight(key, warnings);
  if (b > max_bytes_) return;  // would evict everything else for one entry
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {  // another worker analysed the same object meanwhile: same answer
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(Entry{std::move(key), std::move(warnings), b});
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += b;
  evict_locked();
}

void AnalysisCache::evict_locked() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    Entry& e = lru_.back();
    index_.erase(e.key);
    bytes_ -= e.bytes;
    lru_.pop_back();
  }
}

AnalysisCache::Stats AnalysisCache::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {lru_.size(), bytes_, hits_, misses_};
}

}  // namespace paydomain::evaluator
