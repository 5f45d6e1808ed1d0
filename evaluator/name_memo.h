// A per-thread memo of the context readers' vocabulary lookups: the id a
// program gives a short name (a currency, a tariff, a payment system...),
// remembered by the program's load id, the table and the name's bytes. A
// core sends the same few currencies, tools, categories and tariffs over and
// over, and a hit is four word compares, where the program's own lookup
// (Program::find / object) walks its sections, hashes and compares the text.
// Exact: a name of up to 16 bytes is two words and its length, and a program
// never changes once loaded (load ids are never reused). Internal to the
// evaluator.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "json/bytes.h"

namespace paydomain::evaluator::name_memo {

// The table a name is looked up in: a condition attribute (its Attr index)
// or an object kind (kObjectTable + its ObjectKind index).
inline constexpr uint32_t kObjectTable = 64;

// The id `find()` gives `name` in table `table` of the program `program`
// (its load id, never 0); `find` runs only when not remembered. Names longer
// than 16 bytes are not remembered.
template <class Find>
int32_t find(uint64_t program, uint32_t table, std::string_view name, Find&& find_in_program) {
  const size_t n = name.size();
  if (n > 16) return find_in_program();
  namespace b = paydomain::json::bytes;
  const uint64_t w0 = n >= 8 ? b::detail::load8(name.data()) : b::load_short(name.data(), n);
  const uint64_t w1 = n > 8 ? b::detail::load8(name.data() + n - 8) : 0;
  const uint64_t tag = (program << 16) | (static_cast<uint64_t>(table) << 8) | n;
  struct Entry {
    uint64_t tag, w0, w1;
    int32_t id;
  };
  constexpr unsigned kBits = 9;  // 512 entries, 16 KB a thread: a context's ten names rarely collide
  thread_local std::array<Entry, size_t{1} << kBits> memo;  // zeros: tag 0 is no program's
  const uint64_t h = (w0 * 0x9E3779B97F4A7C15ULL) ^ (w1 * 0xC2B2AE3D27D4EB4FULL) ^ (tag * 0x165667B19E3779F9ULL);
  Entry& e = memo[h >> (64 - kBits)];
  if (e.tag == tag && e.w0 == w0 && e.w1 == w1) return e.id;
  const int32_t id = find_in_program();
  e = {tag, w0, w1, id};
  return id;
}

}  // namespace paydomain::evaluator::name_memo
