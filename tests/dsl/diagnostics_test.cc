#include <gtest/gtest.h>

#include "dsl/diagnostics.h"

namespace paydomain::dsl {
namespace {

TEST(Diagnostics, ClosestMatch) {
  EXPECT_EQ(closest_match("yb_fsat", {"yb_3ds", "yb_fast"}), "yb_fast");
  EXPECT_EQ(closest_match("mastercrad", {"maestro", "mastercard", "visa"}), "mastercard");
  EXPECT_EQ(closest_match("zzzzzz", {"maestro", "mastercard", "visa"}), "");
  EXPECT_EQ(closest_match("Visa", {"visa"}), "visa");
}

TEST(Diagnostics, RenderWithCaretUnderTheRightColumns) {
  Diagnostic d;
  d.file = "a.pd";
  d.line = 2;
  d.column = 5;
  d.length = 3;
  d.message = "unknown thing 'abc'";
  d.expected = "one of abd";
  d.suggestion = "abd";
  std::string out = render(d, "first line\n\tx  abc rest\n");
  EXPECT_EQ(out,
            "a.pd:2:5: error: unknown thing 'abc'\n"
            " 2 | \tx  abc rest\n"
            "   | \t   ^~~\n"
            "  expected: one of abd\n"
            "  did you mean 'abd'?\n");
}

TEST(Diagnostics, RenderWithoutLine) {
  Diagnostic d;
  d.file = "dir";
  d.message = "the directory contains no .pd files";
  EXPECT_EQ(render(d, ""), "dir: error: the directory contains no .pd files\n");
}

}  // namespace
}  // namespace paydomain::dsl
