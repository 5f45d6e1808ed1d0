// Compiled objects kept across compiles of a changing working copy, so the
// editor's live check compiles only the objects an edit touched (a
// 3,000-rule tariff's decision DAGs take tens of milliseconds). A compiled
// object is a function of its source text, its line (explanations name
// lines), the vocabulary (vocabulary_digest: ids of every name and object,
// exponents) and the DAG budget: the key holds all of them.
// Thread-safe and bounded (base/lru_cache.h).
#pragma once

#include <string>
#include <variant>

#include "base/lru_cache.h"
#include "evaluator/compiled.h"

namespace paydomain::evaluator {

// One compiled object and what it added to CompiledDomain's counters.
struct CompiledObject {
  std::variant<CompiledTariff, CompiledRouting, CompiledTerminal, CompiledProvider, CompiledLimit> value;
  size_t selectors = 0, fallbacks = 0, dag_nodes = 0, dag_bytes = 0;
};

// The DAGs' bytes plus the rules' conditions and strings, estimated from
// the source text.
struct CompiledObjectWeight {
  size_t operator()(const std::string& key, const CompiledObject& o) const { return key.size() * 4 + o.dag_bytes; }
};

class CompileCache : public LruCache<CompiledObject, CompiledObjectWeight> {
 public:
  explicit CompileCache(size_t max_bytes = size_t{64} << 20) : LruCache(max_bytes) {}
};

}  // namespace paydomain::evaluator
