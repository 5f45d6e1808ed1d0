#include "evaluator/json_writer.h"

#include <algorithm>

#include "evaluator/json_bytes.h"

namespace paydomain::evaluator {

void JsonWriter::grow(size_t n) { out_.resize(std::max(len_ + n, out_.size() * 2 + 1024)); }

void JsonWriter::string(std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  // Worst case every byte becomes \u00XX; most strings need no escape at all.
  char* p = separate(s.size() + 2);
  *p++ = '"';
  while (true) {
    size_t run = json_bytes::first_special(s.data(), s.size(), false);
    std::memcpy(p, s.data(), run);
    p += run;
    if (run == s.size()) break;
    auto c = static_cast<unsigned char>(s[run]);
    s.remove_prefix(run + 1);
    commit(p);
    p = room(s.size() + 7);
    *p++ = '\\';
    switch (c) {
      case '"': *p++ = '"'; break;
      case '\\': *p++ = '\\'; break;
      case '\n': *p++ = 'n'; break;
      case '\r': *p++ = 'r'; break;
      case '\t': *p++ = 't'; break;
      default:
        *p++ = 'u';
        *p++ = '0';
        *p++ = '0';
        *p++ = kHex[c >> 4];
        *p++ = kHex[c & 15];
    }
  }
  *p++ = '"';
  commit(p);
}

}  // namespace paydomain::evaluator
