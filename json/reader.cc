#include "json/reader.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_set>
#include <vector>

#include "json/bytes.h"

namespace paydomain::json {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

bool Reader::fail(const char* expected) {
  if (!failed_) {
    failed_ = true;
    error_at_ = pos_;
    error_ = pos_ >= text_.size() ? std::string("unexpected end of text, expected ") + expected
                                  : std::string("expected ") + expected;
  }
  return false;
}

void Reader::skip_ws() {
  while (pos_ < text_.size() && is_ws(text_[pos_])) ++pos_;
}

Reader::Kind Reader::peek() {
  if (failed_) return Kind::Invalid;
  skip_ws();
  if (pos_ >= text_.size()) return Kind::Invalid;
  switch (text_[pos_]) {
    case '{': return Kind::Object;
    case '[': return Kind::Array;
    case '"': return Kind::String;
    case 't':
    case 'f': return Kind::Bool;
    case 'n': return Kind::Null;
    default: return text_[pos_] == '-' || is_digit(text_[pos_]) ? Kind::Number : Kind::Invalid;
  }
}

bool Reader::enter() {
  if (++depth_ <= max_depth_) return true;
  if (!failed_) {
    fail("");
    error_ = "expected less deeply nested values (at most " + std::to_string(max_depth_) + " levels)";
  }
  return false;
}

bool Reader::begin_object() {
  if (failed_) return false;
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != '{') return fail("'{'");
  if (!enter()) return false;
  ++pos_;
  first_ = true;
  return true;
}

bool Reader::begin_array() {
  if (failed_) return false;
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != '[') return fail("'['");
  if (!enter()) return false;
  ++pos_;
  first_ = true;
  return true;
}

bool Reader::next_key(std::string_view& key) {
  if (failed_) return false;
  skip_ws();
  bool first = first_;
  first_ = false;
  if (pos_ >= text_.size()) return fail(first ? "a member name or '}'" : "',' or '}'");
  if (text_[pos_] == '}') {
    ++pos_;
    --depth_;
    return false;
  }
  if (!first) {
    if (text_[pos_] != ',') return fail("',' or '}'");
    ++pos_;
    skip_ws();
  }
  if (pos_ >= text_.size() || text_[pos_] != '"') return fail(first ? "a member name or '}'" : "a member name");
  if (!scan_string(key, key_scratch_)) return false;
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != ':') return fail("':'");
  ++pos_;
  return true;
}

bool Reader::next_element() {
  if (failed_) return false;
  skip_ws();
  bool first = first_;
  first_ = false;
  if (pos_ >= text_.size()) return fail(first ? "a value or ']'" : "',' or ']'");
  if (text_[pos_] == ']') {
    ++pos_;
    --depth_;
    return false;
  }
  if (!first) {
    if (text_[pos_] != ',') return fail("',' or ']'");
    ++pos_;
  }
  return true;
}

bool Reader::string(std::string_view& out) {
  if (failed_) return false;
  skip_ws();
  if (pos_ >= text_.size() || text_[pos_] != '"') return fail("a string");
  return scan_string(out, value_scratch_);
}

// At the opening quote. The common case (no escapes) returns a view into the
// text; the first backslash switches to decoding into `scratch`.
bool Reader::scan_string(std::string_view& out, std::string& scratch) {
  const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
  size_t n = text_.size();
  size_t start = ++pos_;
  bool decoding = false;
  while (true) {
    size_t run = pos_;
    pos_ += bytes::first_special(text_.data() + pos_, n - pos_, true);
    if (decoding) scratch.append(text_.data() + run, pos_ - run);
    if (pos_ >= n) return fail("'\"' (the string is not closed)");
    unsigned char c = s[pos_];
    if (c == '"') {
      ++pos_;
      out = decoding ? std::string_view(scratch) : text_.substr(start, pos_ - 1 - start);
      return true;
    }
    if (c < 0x20) return fail("an escape sequence instead of a control character in a string");
    if (c >= 0x80) {
      size_t len = bytes::utf8_sequence(s + pos_, n - pos_);
      if (len == 0) return fail("valid UTF-8 in a string");
      if (decoding) scratch.append(text_.data() + pos_, len);
      pos_ += len;
      continue;
    }
    // A backslash.
    if (!decoding) {
      decoding = true;
      scratch.assign(text_.data() + start, pos_ - start);
    }
    if (pos_ + 1 >= n) return fail("an escape sequence");
    char e = text_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '"': scratch += '"'; break;
      case '\\': scratch += '\\'; break;
      case '/': scratch += '/'; break;
      case 'b': scratch += '\b'; break;
      case 'f': scratch += '\f'; break;
      case 'n': scratch += '\n'; break;
      case 'r': scratch += '\r'; break;
      case 't': scratch += '\t'; break;
      case 'u': {
        auto hex4 = [&](uint32_t& v) {
          if (pos_ + 4 > n) return false;
          v = 0;
          for (int i = 0; i < 4; ++i) {
            int h = hex_value(text_[pos_ + i]);
            if (h < 0) return false;
            v = v * 16 + static_cast<uint32_t>(h);
          }
          pos_ += 4;
          return true;
        };
        uint32_t cp;
        if (!hex4(cp)) return fail("four hex digits after \\u");
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("a high surrogate before a low one");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (pos_ + 2 > n || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') return fail("a low surrogate (\\uDC00-\\uDFFF)");
          pos_ += 2;
          if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return fail("a low surrogate (\\uDC00-\\uDFFF)");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        append_utf8(scratch, cp);
        break;
      }
      default:
        pos_ -= 1;
        return fail("an escape sequence (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
    }
  }
}

bool Reader::number(std::string_view& raw) {
  if (failed_) return false;
  skip_ws();
  size_t start = pos_, n = text_.size();
  if (pos_ < n && text_[pos_] == '-') ++pos_;
  if (pos_ >= n || !is_digit(text_[pos_])) return fail("a number");
  if (text_[pos_] == '0') {
    ++pos_;
  } else {
    while (pos_ < n && is_digit(text_[pos_])) ++pos_;
  }
  if (pos_ < n && text_[pos_] == '.') {
    ++pos_;
    if (pos_ >= n || !is_digit(text_[pos_])) return fail("a digit after '.'");
    while (pos_ < n && is_digit(text_[pos_])) ++pos_;
  }
  if (pos_ < n && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < n && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (pos_ >= n || !is_digit(text_[pos_])) return fail("a digit in the exponent");
    while (pos_ < n && is_digit(text_[pos_])) ++pos_;
  }
  raw = text_.substr(start, pos_ - start);
  return true;
}

bool Reader::literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return fail("a value (an object, array, string, number, true, false or null)");
  pos_ += word.size();
  return true;
}

bool Reader::boolean(bool& out) {
  if (failed_) return false;
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == 't') return out = true, literal("true");
  if (pos_ < text_.size() && text_[pos_] == 'f') return out = false, literal("false");
  return fail("true or false");
}

bool Reader::null() {
  if (failed_) return false;
  skip_ws();
  if (pos_ < text_.size() && text_[pos_] == 'n') return literal("null");
  return fail("null");
}

bool Reader::skip() {
  switch (peek()) {
    case Kind::Object: {
      if (!begin_object()) return false;
      std::string_view k;
      while (next_key(k))
        if (!skip()) return false;
      return !failed_;
    }
    case Kind::Array:
      if (!begin_array()) return false;
      while (next_element())
        if (!skip()) return false;
      return !failed_;
    case Kind::String: {
      std::string_view s;
      return scan_string(s, value_scratch_);
    }
    case Kind::Number: {
      std::string_view raw;
      return number(raw);
    }
    case Kind::Bool: {
      bool b;
      return boolean(b);
    }
    case Kind::Null: return null();
    case Kind::Invalid: break;
  }
  return fail("a value (an object, array, string, number, true, false or null)");
}

bool Reader::skip_unchecked() {
  Kind k = peek();
  if (k != Kind::Object && k != Kind::Array) return fail("an object or an array");
  const char* p = text_.data();
  size_t n = text_.size(), i = pos_;
  int depth = 0;
  while (i < n) {
    char c = p[i++];
    if (c == '"') {
      // To the closing quote: runs of plain bytes eight at a time.
      while (i < n) {
        i += bytes::first_special(p + i, n - i, false);
        if (i >= n) break;
        if (p[i] == '"') break;
        i += p[i] == '\\' ? 2 : 1;  // an escaped byte, or a control character (left for the real read)
      }
      ++i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        pos_ = i;
        return true;
      }
    }
  }
  pos_ = n;
  return fail("the end of the object or array");
}

bool Reader::at_end() {
  if (failed_) return false;
  skip_ws();
  if (pos_ < text_.size()) return fail("the end of the text after the value");
  return true;
}

Reader::IntStatus Reader::to_int64(std::string_view raw, int64_t& out) {
  if (raw.find_first_of(".eE") != std::string_view::npos) return IntStatus::NotIntegral;
  auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), out);
  if (ec == std::errc::result_out_of_range) return IntStatus::TooLarge;
  return ec == std::errc() && p == raw.data() + raw.size() ? IntStatus::Integral : IntStatus::NotIntegral;
}

std::string syntax_error(std::string_view text, size_t* offset) {
  Reader r(text);
  if (r.skip() && r.at_end()) return {};
  if (offset) *offset = r.error_offset();
  return "at byte " + std::to_string(r.error_offset()) + ": " + r.error();
}

namespace {

// One open object or array of structure_error's walk.
struct Level {
  bool object = false;
  bool fresh = true;         // nothing read inside yet
  size_t index = 0;          // arrays: the element being read
  std::string key;           // objects: the member being read (decoded)
  std::vector<std::string> names;  // objects: the names seen so far
  // Objects past kLinear names also hash them, so a huge object stays linear.
  std::unique_ptr<std::unordered_set<std::string>> hashed;
  static constexpr size_t kLinear = 16;

  // False when `name` was seen before in this object.
  bool add(std::string_view name) {
    if (hashed) return hashed->emplace(name).second;
    if (std::find(names.begin(), names.end(), name) != names.end()) return false;
    names.emplace_back(name);
    if (names.size() > kLinear) hashed = std::make_unique<std::unordered_set<std::string>>(names.begin(), names.end());
    return true;
  }
};

// RFC 6901: "~" is written "~0" and "/" is written "~1".
void append_pointer_token(std::string& out, std::string_view token) {
  out += '/';
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
}

std::string pointer_of(const std::vector<Level>& levels, size_t depth) {
  std::string p;
  for (size_t i = 0; i < depth; ++i)
    append_pointer_token(p, levels[i].object ? std::string_view(levels[i].key) : std::to_string(levels[i].index));
  return p;
}

// A member name for a message: quoted, control characters and quotes escaped.
std::string quoted(std::string_view name) {
  std::string q = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') {
      q += '\\';
      q += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      q += buf;
    } else {
      q += c;
    }
  }
  return q + '"';
}

}  // namespace

std::string structure_error(std::string_view text, size_t max_depth, std::string* pointer) {
  Reader r(text, static_cast<int>(std::min<size_t>(max_depth, INT_MAX - 1)));
  // levels[0, depth) are open; entries past depth are kept for their buffers.
  std::vector<Level> levels;
  size_t depth = 0;
  auto problem = [&](size_t at, const std::string& what, size_t pointer_depth) {
    if (pointer) *pointer = pointer_of(levels, pointer_depth);
    return "at byte " + std::to_string(at) + ": " + what;
  };
  // In a value: that value; between values: the object or array around them.
  auto syntax = [&](bool in_value) {
    return problem(r.error_offset(), r.error(), in_value || depth == 0 ? depth : depth - 1);
  };

  bool want_value = true;
  while (true) {
    if (want_value) {
      Reader::Kind k = r.peek();
      if (k == Reader::Kind::Object || k == Reader::Kind::Array) {
        bool object = k == Reader::Kind::Object;
        if (depth >= max_depth) {
          return problem(r.offset(), "nesting deeper than " + std::to_string(max_depth) + " levels", depth);
        }
        if (!(object ? r.begin_object() : r.begin_array())) return syntax(true);
        if (levels.size() == depth) levels.emplace_back();
        Level& l = levels[depth++];
        l.object = object;
        l.fresh = true;
        l.index = 0;
        l.names.clear();
        l.hashed.reset();
      } else if (!r.skip()) {
        return syntax(true);
      }
    }
    if (depth == 0) break;
    Level& l = levels[depth - 1];
    if (l.object) {
      size_t before = r.offset();
      std::string_view name;
      if (r.next_key(name)) {
        l.key.assign(name);
        if (!l.add(name)) {
          size_t at = text.find('"', before);  // only ',' and blanks precede the name
          return problem(at, "duplicate member name " + quoted(name), depth);
        }
        want_value = true;
        continue;
      }
    } else if (r.next_element()) {
      if (!l.fresh) ++l.index;
      l.fresh = false;
      want_value = true;
      continue;
    }
    if (r.failed()) return syntax(false);
    --depth;  // closed
    want_value = false;
  }
  if (!r.at_end()) return syntax(false);
  return {};
}

}  // namespace paydomain::json
