// Names -> ids: the open-addressing index of the vocabulary (power-of-two
// slots, linear probing, -1 empty, at most half full), looked up by
// string_view with no copy and one cheap hash. Shared by evaluator/vocab.h
// (built at compile) and an artifact's name tables (evaluator/program.h), so
// an artifact stores the very slots the compiler built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "json/bytes.h"

namespace paydomain::evaluator {

inline uint64_t name_hash(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    h = (h ^ paydomain::json::bytes::detail::load8(s.data() + i)) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 32;
  }
  // The last bytes: an overlapping word (the size is in h already), or
  // loads of the short rest (no memcpy call of a variable length).
  uint64_t tail = i == s.size() ? 0
                  : s.size() >= 8 ? paydomain::json::bytes::detail::load8(s.data() + s.size() - 8)
                                  : paydomain::json::bytes::load_short(s.data(), s.size());
  h = (h ^ tail) * 0xC4CEB9FE1A85EC53ULL;
  return h ^ (h >> 29);
}

// The id of `s`, or -1. `slot_count` a power of two with at least one empty
// slot (so the probe ends); `name_at(id)` a string_view.
template <class NameAt>
int32_t name_table_find(const int32_t* slots, size_t slot_count, NameAt name_at, std::string_view s) {
  if (slot_count == 0) return -1;
  size_t mask = slot_count - 1;
  for (size_t i = name_hash(s) & mask;; i = (i + 1) & mask) {
    int32_t id = slots[i];
    if (id < 0) return -1;
    std::string_view name = name_at(id);
    if (name.size() == s.size() && paydomain::json::bytes::equal(name.data(), s.data(), s.size())) return id;
  }
}

}  // namespace paydomain::evaluator
