// Concatenation into one string, sized once. Where a chain of operator+
// would put an rvalue string on the right (`"x" + f()`, `a + (b ? "" : c)`),
// libstdc++ prepends into it (insert at 0), which GCC 12 at -O2/-O3 reports
// as a -Wrestrict overlap that cannot happen (GCC bug 105329): building the
// string left to right says the same and warns of nothing.
#pragma once

#include <string>
#include <string_view>

namespace paydomain {

template <class... Parts>
std::string str_cat(const Parts&... parts) {
  std::string out;
  out.reserve((std::string_view(parts).size() + ... + 0));
  (out.append(std::string_view(parts)), ...);
  return out;
}

}  // namespace paydomain
