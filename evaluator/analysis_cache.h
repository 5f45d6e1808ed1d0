// The analysis warnings of one object, kept across checks so the editor's
// live check (POST /v1/check, one per keystroke pause) analyses only what
// changed. An object's warnings are a function of its own source text, where
// it sits (file, line, column: the warnings name lines) and the domain's
// vocabulary (every name a condition can mention, with its id, and each
// currency's exponent): the key holds all three, so an entry is reused only
// when the analysis would say exactly the same.
//
// Thread-safe (the server's check workers share one). Bounded: the least
// recently used entries go once the entries' bytes pass `max_bytes`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dsl/diagnostics.h"

namespace paydomain::evaluator {

class AnalysisCache {
 public:
  explicit AnalysisCache(size_t max_bytes = size_t{32} << 20) : max_bytes_(max_bytes) {}
  AnalysisCache(const AnalysisCache&) = delete;
  AnalysisCache& operator=(const AnalysisCache&) = delete;

  // The warnings stored under `key`, or nullopt.
  std::optional<std::vector<dsl::Diagnostic>> find(const std::string& key);
  void put(std::string key, std::vector<dsl::Diagnostic> warnings);

  struct Stats {
    size_t entries = 0, bytes = 0;
    uint64_t hits = 0, misses = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    std::vector<dsl::Diagnostic> warnings;
    size_t bytes = 0;
  };
  void evict_locked();

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;                                                    // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;  // views into lru_'s keys
  size_t bytes_ = 0;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace paydomain::evaluator
