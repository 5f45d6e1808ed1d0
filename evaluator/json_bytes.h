// Word-at-a-time scanning for the JSON reader and writer (internal): finds
// the first byte of a string that needs attention, eight bytes per step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace paydomain::evaluator::json_bytes {

// The offset of the first byte in p[0, n) that is a control character (< 0x20),
// '"' or '\\' -- or, when `stop_at_non_ascii`, >= 0x80; n when there is none.
inline size_t first_special(const char* p, size_t n, bool stop_at_non_ascii) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const uint64_t high_mask = stop_at_non_ascii ? kHigh : 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    // Per byte: v < 0x20, v == '"', v == '\\' (the classic has-less / has-zero
    // tricks; the lowest flagged byte is exact). Bytes >= 0x80 are masked out
    // of the tests by ~v unless they are wanted.
    uint64_t quote = v ^ (kOnes * '"'), slash = v ^ (kOnes * '\\');
    uint64_t m = ((v - kOnes * 0x20) & ~v) | ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash);
    m = (m & kHigh) | (v & high_mask);
    if (m) return i + static_cast<size_t>(__builtin_ctzll(m)) / 8;
  }
  for (; i < n; ++i) {
    auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == '"' || c == '\\' || (stop_at_non_ascii && c >= 0x80)) return i;
  }
  return n;
}

}  // namespace paydomain::evaluator::json_bytes
