// Byte-level helpers of the JSON reader and writer (internal): word-at-a-time
// scanning for the first byte of a string that needs attention, eight bytes
// per step, and UTF-8 sequence validation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace paydomain::json::bytes {

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

// Length of the valid UTF-8 sequence starting at s[0] (a byte >= 0x80), or 0.
inline size_t utf8_sequence(const unsigned char* s, size_t left) {
  unsigned char c = s[0];
  size_t n;
  uint32_t min;
  if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
  else return 0;
  if (left < n) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}


}  // namespace paydomain::json::bytes
