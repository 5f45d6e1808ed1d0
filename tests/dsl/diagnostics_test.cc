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

// render_all indexes each file's lines once; it must show what render shows
// for every line, the last one without a newline, an empty last line and a
// line past the end (no excerpt), and for a file it does not have.
TEST(Diagnostics, RenderAllShowsWhatRenderShowsForEveryLine) {
  std::vector<SourceFile> files = {{"a.pd", "one\ntwo\r\n\nfour"}, {"b.pd", "x\n"}};
  std::vector<Diagnostic> ds;
  std::string expected;
  std::vector<std::pair<std::string, uint32_t>> last_lines = {{"a.pd", 6}, {"b.pd", 3}, {"c.pd", 2}};
  for (const auto& [file, lines] : last_lines) {
    for (uint32_t line = 0; line <= lines; ++line) {
      Diagnostic d;
      d.file = file;
      d.line = line;
      d.column = 1;
      d.message = "m";
      ds.push_back(d);
      std::string_view src;
      if (file == "a.pd") src = files[0].text;
      if (file == "b.pd") src = files[1].text;
      expected += render(d, src);
    }
  }
  EXPECT_EQ(render_all(ds, files), expected);
  EXPECT_NE(expected.find(" 4 | four\n"), std::string::npos) << expected;
  EXPECT_NE(expected.find(" 2 | two\n"), std::string::npos) << expected;  // no '\r'
  EXPECT_EQ(expected.find(" 5 |"), std::string::npos) << expected;
  EXPECT_NE(expected.find(" 2 | \n"), std::string::npos) << expected;  // b.pd's empty last line
}

}  // namespace
}  // namespace paydomain::dsl
