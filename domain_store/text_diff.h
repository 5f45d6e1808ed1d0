// Line diff (Myers' O((N+M)D) algorithm) and unified-diff rendering.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace paydomain::store {

struct LineEdit {
  enum class Kind { Keep, Delete, Insert };
  Kind kind;
  std::string_view line;  // points into the inputs, without the newline
};

// A shortest edit script turning `a` into `b`, line by line.
std::vector<LineEdit> diff_lines(std::string_view a, std::string_view b);

// "--- a\n+++ b\n@@ -l,n +l,n @@\n ..." with `context` lines around changes;
// "" when the texts are equal.
std::string unified_diff(std::string_view a, std::string_view b, std::string_view label_a,
                         std::string_view label_b, int context = 3);

}  // namespace paydomain::store
