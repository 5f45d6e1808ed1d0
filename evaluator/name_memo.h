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
#include <cstring>
#include <string_view>

#include "json/bytes.h"

namespace paydomain::evaluator::name_memo {

// The table a name is looked up in: a condition attribute (its Attr index)
// or an object kind (kObjectTable + its ObjectKind index).
inline constexpr uint32_t kObjectTable = 64;

// A name of up to 16 bytes as two words: its first eight bytes (fewer
// zero-extended) and, past eight, its last eight; the same bytes give the
// same words. A reader whose text is padded (context_fast.cc) computes them
// from two plain loads; `words` reads no byte outside the name.
struct Words {
  uint64_t w0 = 0, w1 = 0;
};
inline Words words(const char* p, size_t n) {
  namespace b = paydomain::json::bytes;
  if (n >= 8) return {b::detail::load8(p), n > 8 ? b::detail::load8(p + n - 8) : 0};
  // Two loads that may overlap, each shifted to its own bytes' place: the
  // overlap holds the same bytes in both, so the OR is the plain value.
  auto load = [p](size_t at, auto w) {
    std::memcpy(&w, p + at, sizeof w);
    return static_cast<uint64_t>(w) << (8 * at);
  };
  if (n >= 4) return {load(0, uint32_t{}) | load(n - 4, uint32_t{}), 0};
  if (n >= 2) return {load(0, uint16_t{}) | load(n - 2, uint16_t{}), 0};
  return {n ? static_cast<unsigned char>(p[0]) : uint64_t{0}, 0};
}

// The id `find_in_program()` gives the name of `n` <= 16 bytes whose words
// are `w` in table `table` of the program `program` (its load id, never 0);
// `find_in_program` runs only when not remembered.
template <class Find>
int32_t find(uint64_t program, uint32_t table, size_t n, Words w, Find&& find_in_program) {
  const uint64_t tag = (program << 16) | (static_cast<uint64_t>(table) << 8) | n;
  struct Entry {
    uint64_t tag, w0, w1;
    int32_t id;
  };
  constexpr unsigned kBits = 9;  // 512 entries, 16 KB a thread: a context's ten names rarely collide
  thread_local std::array<Entry, size_t{1} << kBits> memo;  // zeros: tag 0 is no program's
  const uint64_t h = (w.w0 * 0x9E3779B97F4A7C15ULL) ^ (w.w1 * 0xC2B2AE3D27D4EB4FULL) ^ (tag * 0x165667B19E3779F9ULL);
  Entry& e = memo[h >> (64 - kBits)];
  if (e.tag == tag && e.w0 == w.w0 && e.w1 == w.w1) return e.id;
  const int32_t id = find_in_program();
  e = {tag, w.w0, w.w1, id};
  return id;
}

// The same for a name given as text; names longer than 16 bytes are not
// remembered.
template <class Find>
int32_t find(uint64_t program, uint32_t table, std::string_view name, Find&& find_in_program) {
  if (name.size() > 16) return find_in_program();
  return find(program, table, name.size(), words(name.data(), name.size()), find_in_program);
}

}  // namespace paydomain::evaluator::name_memo
