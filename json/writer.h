// Writes compact JSON text straight into a string: the evaluation result on
// the hot path, without a document tree. Commas are placed automatically;
// the caller keeps begin/end balanced and writes a key before each member.
// Strings are escaped ('"', '\\', control characters) and must be UTF-8;
// member names are our own plain-ASCII literals and are written as given.
//
//   std::string out;
//   { Writer w(out); w.begin_object(); w.key("status"); w.string("chosen"); w.end_object(); }
//
// The writer appends to `out`, which it sizes ahead of the text while writing
// (bytes past the text are scratch); the destructor trims `out` to the text.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "json/bytes.h"

namespace paydomain::json {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out), len_(out.size()) {}
  ~Writer() { out_.resize(len_); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  void key(std::string_view k) {
    char* p = room(k.size() + 4);
    if (comma_) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, k.data(), k.size());
    p += k.size();
    *p++ = '"';
    *p++ = ':';
    commit(p);
    comma_ = false;
  }
  void string(std::string_view s);
  // A string the caller has checked needs no escape (no '"', '\\', control
  // character; e.g. a compiled domain's names and reasons, checked once when
  // it was compiled): copied between quotes without scanning.
  static bool is_plain(std::string_view s);  // s needs no escape
  void plain_string(std::string_view s) {
    char* p = separate(s.size() + 2);
    *p++ = '"';
    std::memcpy(p, s.data(), s.size());
    p += s.size();
    *p++ = '"';
    commit(p);
  }
  // The escaped text of s (without quotes) at p, which has room for
  // 6 * s.size() bytes (every byte written as \u00XX at worst); returns the
  // end. For writers that reserve room per element and write unchecked.
  static char* escape_to(char* p, std::string_view s);
  // Any bytes from outside (a percent-decoded path, a header): valid UTF-8 is
  // written as string() writes it, each byte of an invalid sequence as
  // \u00XX, so the text is valid JSON whatever came in.
  void untrusted_string(std::string_view s);
  void integer(int64_t v) {
    char* p = separate(21);
    commit(bytes::write_int(p, v));
  }
  void boolean(bool v) { raw(v ? "true" : "false"); }
  void raw(std::string_view json) {  // an already rendered JSON value
    char* p = separate(json.size());
    std::memcpy(p, json.data(), json.size());
    commit(p + json.size());
  }

  // key + value in one call, for the common member shapes.
  void field(std::string_view k, std::string_view v) { key(k), string(v); }
  void plain_field(std::string_view k, std::string_view v) { key(k), plain_string(v); }

 private:
  // A pointer with room for n more bytes after an optional comma.
  char* room(size_t n) {
    if (len_ + n + 1 > out_.size()) grow(n + 1);
    return out_.data() + len_;
  }
  char* separate(size_t n) {
    char* p = room(n);
    if (comma_) *p++ = ',';
    comma_ = true;
    return p;
  }
  void commit(char* end) { len_ = static_cast<size_t>(end - out_.data()); }
  void open(char c) {
    char* p = separate(1);
    *p++ = c;
    commit(p);
    comma_ = false;
  }
  void close(char c) {
    char* p = room(1);
    *p++ = c;
    commit(p);
    comma_ = true;
  }
  void grow(size_t n);
  void escaped(std::string_view s);  // the escaped text of s, without quotes

  std::string& out_;
  size_t len_;          // bytes of text in out_
  bool comma_ = false;  // a value was written at this level: the next one needs ','
};

}  // namespace paydomain::json
