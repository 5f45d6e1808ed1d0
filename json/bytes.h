// Byte-level helpers of the JSON reader and writer (and the evaluator's name
// lookups): word-at-a-time scanning for the first byte of a string that needs
// attention, UTF-8 sequence validation, short loads and comparisons.
#pragma once

#include <cstddef>
#include <bit>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace paydomain::json::bytes {

namespace detail {
// The bytes of one 8-byte word that need attention, as their high bits: per
// byte v < 0x20, v == '"', v == '\\' (the classic has-less / has-zero tricks).
// Only the lowest flagged byte is exact (a borrow can flag bytes above a true
// match, never below one). Bytes >= 0x80 are masked out of the tests by ~v,
// and flagged on their own when wanted.
inline uint64_t word_mask(uint64_t v, bool stop_at_non_ascii) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  uint64_t quote = v ^ (kOnes * '"'), slash = v ^ (kOnes * '\\');
  uint64_t m = ((v - kOnes * 0x20) & ~v) | ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash);
  return (m & kHigh) | (v & (stop_at_non_ascii ? kHigh : 0));
}

inline uint64_t load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// 8 bytes a step from `i`; the last partial word is read again overlapping
// bytes already checked (they hold no match, so the lowest flag is exact);
// a text shorter than 8 bytes byte by byte. Never reads outside p[0, n).
inline size_t first_special_words(const char* p, size_t n, bool stop_at_non_ascii, size_t i = 0) {
  for (; i + 8 <= n; i += 8) {
    if (uint64_t m = word_mask(load8(p + i), stop_at_non_ascii)) return i + static_cast<size_t>(__builtin_ctzll(m)) / 8;
  }
  if (i == n) return n;
  if (n >= 8) {
    uint64_t m = word_mask(load8(p + n - 8), stop_at_non_ascii);
    return m ? n - 8 + static_cast<size_t>(__builtin_ctzll(m)) / 8 : n;
  }
  for (; i < n; ++i) {
    auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == '"' || c == '\\' || (stop_at_non_ascii && c >= 0x80)) return i;
  }
  return n;
}

#if defined(__SSE2__)
// The bytes of one 16-byte block that need attention, as a bit mask.
inline unsigned special_mask(__m128i v, bool stop_at_non_ascii) {
  __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  // Signed v < 0x20 flags controls and every byte >= 0x80; unsigned v <= 0x1F controls only.
  __m128i low = stop_at_non_ascii ? _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))
                                  : _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, slash), low)));
}
#endif
}  // namespace detail

// The offset of the first byte in p[0, n) that is a control character (< 0x20),
// '"' or '\\' -- or, when `stop_at_non_ascii`, >= 0x80; n when there is none.
// Sixteen bytes per step (SSE2, every x86-64), the rest in 8-byte words
// (an overlapping last word rather than a copied tail: copying a few bytes
// and loading them as one block stalls on store forwarding). Never reads
// outside p[0, n).
inline size_t first_special(const char* p, size_t n, bool stop_at_non_ascii) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    unsigned m = detail::special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)), stop_at_non_ascii);
    if (m) return i + static_cast<size_t>(__builtin_ctz(m));
  }
#endif
  return detail::first_special_words(p, n, stop_at_non_ascii, i);
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

// The n < 8 bytes at p as one word, in at most two loads that may overlap
// (so not their plain value, but the same word exactly when the same bytes,
// for one n): never a call to memcpy of a variable length, never a read
// outside p[0, n).
inline uint64_t load_short(const char* p, size_t n) {
  auto load = [p](size_t at, auto w) {
    std::memcpy(&w, p + at, sizeof w);
    return static_cast<uint64_t>(w);
  };
  if (n >= 4) return load(0, uint32_t{}) | load(n - 4, uint32_t{}) << 32;
  if (n >= 2) return load(0, uint16_t{}) | load(n - 2, uint16_t{}) << 16;
  return n ? static_cast<unsigned char>(p[0]) : 0;
}

// a[0, n) == b[0, n) inline, in 8-byte words (the last one overlapping):
// keys and names are short, and a call to memcmp costs as much as a hash.
inline bool equal(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8)
      if (detail::load8(a + i) != detail::load8(b + i)) return false;
    return detail::load8(a + n - 8) == detail::load8(b + n - 8);
  }
  return load_short(a, n) == load_short(b, n);
}

// s[0, n) to p for 16 <= n <= 32: two 16-byte blocks, the last overlapping,
// both loaded before either is stored (one load and one store each where
// SSE2 is, every x86-64).
inline void copy_16_to_32(char* p, const char* s, size_t n) {
#if defined(__SSE2__)
  __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + n - 16));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), a);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p + n - 16), b);
#else
  std::memcpy(p, s, n);
#endif
}

// Copies s[0, n) to p inline for n <= 32 (two overlapping loads and
// stores), with memcpy beyond: writers copy many short names, and a call
// to memcpy of a variable length costs more than the copy. Returns p + n.
inline char* copy(char* p, const char* s, size_t n) {
  auto two = [&](auto w) {
    constexpr size_t k = sizeof w;
    decltype(w) a, b;
    std::memcpy(&a, s, k);
    std::memcpy(&b, s + n - k, k);
    std::memcpy(p, &a, k);
    std::memcpy(p + n - k, &b, k);
  };
  if (n >= 8) {
    if (n > 32) {
      std::memcpy(p, s, n);
    } else if (n > 16) {
      copy_16_to_32(p, s, n);  // account ids, reasons
    } else {
      two(uint64_t{});
    }
  } else if (n >= 4) {
    two(uint32_t{});
  } else if (n >= 2) {
    two(uint16_t{});
  } else if (n == 1) {
    *p = *s;
  }
  return p + n;
}

// The decimal digits of v (with a '-' when negative) at p, which has room
// for 20 bytes; returns the end. Two digits a step from a table, written
// in place (std::to_chars costs about twice as much for a money amount).
inline char* write_int(char* p, int64_t v) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  uint64_t u = static_cast<uint64_t>(v);
  if (v < 0) {
    *p++ = '-';
    u = ~u + 1;  // the magnitude, INT64_MIN included
  }
  // The digit count from the bit width (log10(2) ~ 1233 / 4096), corrected
  // by one compare: no division per digit.
  static constexpr uint64_t kPow10[20] = {1ULL,
                                          10ULL,
                                          100ULL,
                                          1000ULL,
                                          10000ULL,
                                          100000ULL,
                                          1000000ULL,
                                          10000000ULL,
                                          100000000ULL,
                                          1000000000ULL,
                                          10000000000ULL,
                                          100000000000ULL,
                                          1000000000000ULL,
                                          10000000000000ULL,
                                          100000000000000ULL,
                                          1000000000000000ULL,
                                          10000000000000000ULL,
                                          100000000000000000ULL,
                                          1000000000000000000ULL,
                                          10000000000000000000ULL};
  const size_t bits = static_cast<size_t>(std::bit_width(u | 1));  // 1..64
  size_t n = (bits * 1233) >> 12;                                   // digits - 1 or digits
  n += u >= kPow10[n] ? 1 : 0;
  n = n ? n : 1;
  char* end = p + n;
  char* q = end;
  while (u >= 100) {
    const size_t r = static_cast<size_t>(u % 100) * 2;
    u /= 100;
    q -= 2;
    q[0] = kPairs[r];
    q[1] = kPairs[r + 1];
  }
  if (u >= 10) {
    q[-2] = kPairs[u * 2];
    q[-1] = kPairs[u * 2 + 1];
  } else {
    q[-1] = static_cast<char>('0' + u);
  }
  return end;
}

}  // namespace paydomain::json::bytes
