#include "json/writer.h"

#include <algorithm>

#include "json/bytes.h"

namespace paydomain::json {

void Writer::grow(size_t n) { out_.resize(std::max(len_ + n, out_.size() * 2 + 1024)); }

namespace {
const char kHex[] = "0123456789abcdef";
}  // namespace

bool Writer::is_plain(std::string_view s) { return bytes::first_special(s.data(), s.size(), false) == s.size(); }

void Writer::string(std::string_view s) {
  // The usual string needs no escape: quotes and bytes in one reservation.
  char* p = separate(s.size() + 2);
  *p++ = '"';
  size_t run = bytes::first_special(s.data(), s.size(), false);
  std::memcpy(p, s.data(), run);
  p += run;
  if (run < s.size()) {
    commit(p);
    escaped(s.substr(run));
    p = room(1);
  }
  *p++ = '"';
  commit(p);
}

char* Writer::escape_to(char* p, std::string_view s) {
  while (true) {
    size_t run = bytes::first_special(s.data(), s.size(), false);
    p = bytes::copy(p, s.data(), run);
    if (run == s.size()) return p;
    auto c = static_cast<unsigned char>(s[run]);
    s.remove_prefix(run + 1);
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
}

void Writer::escaped(std::string_view s) {
  // Worst case every byte becomes \u00XX; most strings need no escape at all.
  commit(escape_to(room(6 * s.size()), s));
}

void Writer::untrusted_string(std::string_view s) {
  char* p = separate(1);
  *p++ = '"';
  commit(p);
  const auto* u = reinterpret_cast<const unsigned char*>(s.data());
  size_t from = 0;  // start of the current run of valid UTF-8
  for (size_t i = 0; i < s.size();) {
    size_t n = u[i] < 0x80 ? 1 : bytes::utf8_sequence(u + i, s.size() - i);
    if (n > 0) {
      i += n;
      continue;
    }
    escaped(s.substr(from, i - from));
    p = room(6);
    *p++ = '\\';
    *p++ = 'u';
    *p++ = '0';
    *p++ = '0';
    *p++ = kHex[u[i] >> 4];
    *p++ = kHex[u[i] & 15];
    commit(p);
    from = ++i;
  }
  escaped(s.substr(from));
  p = room(1);
  *p++ = '"';
  commit(p);
}

}  // namespace paydomain::json
