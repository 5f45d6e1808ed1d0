// The analysis warnings of one object, kept across checks so the editor's
// live check (POST /v1/check, one per keystroke pause) analyses only what
// changed. An object's warnings are a function of its own source text, where
// it sits (file, line, column: the warnings name lines) and the domain's
// vocabulary (every name a condition can mention, with its id, and each
// currency's exponent): the key holds all three, so an entry is reused only
// when the analysis would say exactly the same.
//
// Thread-safe (the server's check workers share one); bounded (base/lru_cache.h).
#pragma once

#include <string>
#include <vector>

#include "base/lru_cache.h"
#include "dsl/diagnostics.h"

namespace paydomain::evaluator {

struct DiagnosticsWeight {
  size_t operator()(const std::string& key, const std::vector<dsl::Diagnostic>& ws) const;
};

class AnalysisCache : public LruCache<std::vector<dsl::Diagnostic>, DiagnosticsWeight> {
 public:
  explicit AnalysisCache(size_t max_bytes = size_t{32} << 20) : LruCache(max_bytes) {}
};

}  // namespace paydomain::evaluator
