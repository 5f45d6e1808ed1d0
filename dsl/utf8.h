// UTF-8 helpers shared by the parser and diagnostics rendering.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace paydomain::dsl {

struct TextPosition {
  uint32_t line = 1;    // 1-based
  uint32_t column = 1;  // 1-based, in code points
};

// The position of the first byte that is not valid UTF-8, or nullopt.
std::optional<TextPosition> first_invalid_utf8(std::string_view text);

// Number of code points in valid UTF-8 `text` (continuation bytes skipped).
size_t utf8_length(std::string_view text);

// Byte offset of code point `index` in `text` (clamped to text.size()).
size_t utf8_byte_offset(std::string_view text, size_t index);

}  // namespace paydomain::dsl
