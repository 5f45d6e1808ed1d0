// The result writer's pieces of text (evaluator/result_json.cc and the
// program's blocks, evaluator/result_blocks.h): literals, JSON strings
// copied or escaped, integers, rendered blocks. Each writes at a raw cursor
// into room reserved before (at most the bytes sz() and friends say) and
// returns the cursor after what it wrote. Internal to the writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "evaluator/program.h"
#include "json/bytes.h"
#include "json/writer.h"

namespace paydomain::evaluator::result_text {

// A literal: a copy of constant length.
template <size_t N>
char* lit(char* p, const char (&s)[N]) {
  std::memcpy(p, s, N - 1);
  return p + N - 1;
}

// Room for a string written by str(): quotes, and six bytes per byte when
// it may need escapes.
inline size_t sz(std::string_view s, bool plain) { return (plain ? s.size() : 6 * s.size()) + 2; }

// A JSON string. `plain`: a compiled domain's name or prepared text when
// compile() found none needs an escape (CompiledDomain::json_plain), copied
// as it is; anything else is escaped.
// Inline at every call: a call per string cost more than its copy.
[[gnu::always_inline]] inline char* unquoted(char* p, std::string_view s, bool plain) {
  return plain ? json::bytes::copy(p, s.data(), s.size()) : json::Writer::escape_to(p, s);
}
[[gnu::always_inline]] inline char* str(char* p, std::string_view s, bool plain) {
  *p++ = '"';
  p = unquoted(p, s, plain);
  *p++ = '"';
  return p;
}

constexpr size_t kInt = 20;  // digits and sign of an int64
inline char* integer(char* p, int64_t v) { return json::bytes::write_int(p, v); }

// The statuses, periods, sides and window times are our own ASCII: plain.
constexpr size_t kWord = 16;  // room for the longest of those words

// A view into the artifact's bytes: an account id of the program's (its
// strings section, which json_plain covers), not one from the context.
inline bool in_program(const Program& d, std::string_view s) {
  const std::string_view b = d.bytes();
  return s.data() >= b.data() && s.data() + s.size() <= b.data() + b.size();
}

// A rendered block: most are 30 to 250 bytes, copied inline in 16-byte
// moves, the last one overlapping (a call to memcpy costs more than such a copy).
[[gnu::always_inline]] inline char* block(char* p, std::string_view s) {
  const char* q = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  if (n > 32 && n <= 256) {
    auto move16 = [&](size_t at) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p + at), _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + at)));
    };
    for (size_t at = 0; at + 16 < n; at += 16) move16(at);
    move16(n - 16);
    return p + n;
  }
#endif
  return json::bytes::copy(p, q, n);
}

// The same view: the same bytes of the same program (a memo's entry is its
// program's alone, and a program's bytes never change).
inline bool same(std::string_view a, std::string_view b) { return a.data() == b.data() && a.size() == b.size(); }

}  // namespace paydomain::evaluator::result_text
