// Parsing: source text -> AST. Never throws, never crashes, never hangs on
// any input: invalid UTF-8, deep nesting, huge garbage all become diagnostics.
#pragma once

#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostics.h"
#include "dsl/sources.h"  // read_sources: callers read and parse together

namespace paydomain::dsl {

// Limits that keep hostile input cheap. Exceeding one is a diagnostic.
inline constexpr int kMaxNestingDepth = 64;        // (), [], {}, `not` chains
inline constexpr int kMaxSyntaxErrorsPerFile = 50; // then parsing of the file stops

class ParseCache;

// Parses every file of `files` into one Domain (objects in file order).
// Syntax errors go to `diags`; objects that parsed cleanly are still returned
// so later stages can report more than the first problem. With `cache` (the
// live check), a definition whose text and place are there is not parsed
// again (parse_cache.h); the answer is the same either way.
Domain parse(std::vector<SourceFile> files, Diagnostics& diags, ParseCache* cache = nullptr);

}  // namespace paydomain::dsl
