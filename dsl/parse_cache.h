// Parsed definitions kept across parses of a changing working copy, so the
// editor's live check parses only the definitions an edit touched. A
// definition's AST is a function of its text and where it starts (file
// index, code point offset, line, column: spans record all four), and the
// key holds exactly these. Thread-safe and bounded (base/lru_cache.h).
#pragma once

#include <string>

#include "base/lru_cache.h"
#include "dsl/ast.h"

namespace paydomain::dsl {

// An AST takes several times its source text; the estimate keeps the bound
// meaningful without walking the tree.
struct ObjectWeight {
  size_t operator()(const std::string& key, const Object&) const { return key.size() * 8; }
};

class ParseCache : public LruCache<Object, ObjectWeight> {
 public:
  explicit ParseCache(size_t max_bytes = size_t{64} << 20) : LruCache(max_bytes) {}
};

}  // namespace paydomain::dsl
