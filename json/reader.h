// A pull reader for JSON text (RFC 8259), for the evaluation hot path:
// payment contexts are read straight from a request body, without building a
// document tree first. Strings without escapes come back as views into the
// text; escaped ones are decoded into the reader's own buffer.
//
// Contract: the first syntax error stops the reader. failed() is then true,
// error() says at which byte and what was expected, and every later call
// returns false. A caller that does not want a value calls skip() for it.
//
//   Reader r(text);
//   if (!r.begin_object()) ...
//   std::string_view key;
//   while (r.next_key(key)) { if (key == "a") r.string(a); else r.skip(); }
//   if (r.failed() || !r.at_end()) ...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace paydomain::json {

class Reader {
 public:
  enum class Kind { Object, Array, String, Number, Bool, Null, Invalid };

  static constexpr int kDefaultMaxDepth = 256;

  // `max_depth`: how many objects and arrays may be open at once; one more
  // is a syntax error ("less deeply nested values"), so no caller recursing
  // per level can be driven deeper than this.
  explicit Reader(std::string_view text, int max_depth = kDefaultMaxDepth)
      : text_(text), max_depth_(max_depth) {}

  // The kind of the next value, from its first byte (skips whitespace).
  Kind peek();

  // Objects: begin_object(), then next_key() before each member's value.
  // next_key returns false at the closing '}' (consumed) or on an error.
  // `key` stays valid until the next call to next_key.
  bool begin_object();
  bool next_key(std::string_view& key);
  // Arrays: begin_array(), then next_element() before each element.
  bool begin_array();
  bool next_element();

  // Scalars. A string's view stays valid until the next string() call.
  bool string(std::string_view& out);
  bool number(std::string_view& raw);  // the number's text, e.g. "-12.5e3"
  bool boolean(bool& out);
  bool null();
  bool skip();  // any one value, checked as thoroughly as if it were read
  // Skips one object or array by counting brackets outside strings and
  // nothing else: about three times faster than skip(), for a caller that
  // reads the skipped text in full later (which checks it). False, with the
  // error set, only when the text ends first or the next value is neither.
  bool skip_unchecked();

  // True when only whitespace is left (sets the error otherwise).
  bool at_end();

  size_t offset() const { return pos_; }  // byte offset of the next unread byte
  bool failed() const { return failed_; }
  size_t error_offset() const { return error_at_; }
  const std::string& error() const { return error_; }  // "expected ':'"

  // Text of a JSON number as an int64: Integral (and fits), NotIntegral
  // (a fraction or an exponent), or TooLarge.
  enum class IntStatus { Integral, NotIntegral, TooLarge };
  static IntStatus to_int64(std::string_view raw, int64_t& out);

 private:
  bool fail(const char* expected);
  void skip_ws();
  bool scan_string(std::string_view& out, std::string& scratch);
  bool literal(std::string_view word);

  bool enter();  // one more level of nesting, within max_depth_

  std::string_view text_;
  int max_depth_;
  size_t pos_ = 0;
  bool first_ = false;  // just after '{' or '[': no comma before the next item
  int depth_ = 0;
  bool failed_ = false;
  size_t error_at_ = 0;
  std::string error_;
  std::string key_scratch_, value_scratch_;
};

// The syntax error of `text` as one JSON value, or an empty string when it is
// valid: "at byte 12: expected ':'".
std::string syntax_error(std::string_view text, size_t* offset = nullptr);

// The one gate for JSON text from outside, before any recursive code (a
// document tree, a recursive reader) sees it. Checks that `text` is exactly
// one JSON value (RFC 8259, UTF-8) in which
//   - objects and arrays nest at most `max_depth` levels ("[]" and "{}" are
//     one level, a scalar zero; max_depth 0 admits scalars only), and
//   - no object has two members with the same name, names compared after
//     decoding escapes ("a" and "\u0061" are the same name).
// Returns "" when all hold. Otherwise returns the first problem in text order
// as "at byte N: <what>" and, when `pointer` is not null, sets it to the JSON
// Pointer (RFC 6901: "/" separated, "~" written "~0" and "/" written "~1",
// "" for the whole text) of the offender: the repeated member; the value one
// level too deep; for a syntax error, the value being read when it struck,
// or the innermost object or array when it struck between values.
// Never recurses: memory grows with max_depth and with the member names of
// the open objects, never with the nesting of the input, so 100,000 '[' are
// a clean error. Linear time in the text (hashing beyond 16 names an object).
std::string structure_error(std::string_view text, size_t max_depth, std::string* pointer = nullptr);

}  // namespace paydomain::json
