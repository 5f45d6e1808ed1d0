// Line diff, in-object part diffs and revision diffs.
#include "domain_store/diff.h"
#include "domain_store/text_diff.h"
#include "tests/domain_store/util.h"

namespace paydomain::store::testing {
namespace {

using RevisionDiff = SeededStore;

std::string rebuild(const std::vector<LineEdit>& edits, bool new_side) {
  std::string out;
  for (const auto& e : edits) {
    if (e.kind == LineEdit::Kind::Keep || (e.kind == LineEdit::Kind::Insert) == new_side) {
      out += std::string(e.line) + "\n";
    }
  }
  return out;
}

TEST(TextDiff, ShortestScriptRebuildsBothSides) {
  struct Case {
    std::string a, b;
    int changes;
  };
  std::vector<Case> cases = {
      {"", "", 0},
      {"a\n", "a\n", 0},
      {"", "a\nb\n", 2},
      {"a\nb\n", "", 2},
      {"a\nb\nc\n", "a\nx\nc\n", 2},
      {"a\nb\nc\na\nb\nb\na\n", "c\nb\na\nb\na\nc\n", 5},  // Myers' paper example: D = 5
  };
  for (const auto& c : cases) {
    auto edits = diff_lines(c.a, c.b);
    EXPECT_EQ(rebuild(edits, false), c.a);
    EXPECT_EQ(rebuild(edits, true), c.b);
    int changes = 0;
    for (const auto& e : edits) changes += e.kind != LineEdit::Kind::Keep;
    EXPECT_EQ(changes, c.changes) << c.a << " vs " << c.b;
  }
}

TEST(TextDiff, UnifiedHunksWithContext) {
  std::string a, b;
  for (int i = 1; i <= 20; ++i) {
    a += "l" + std::to_string(i) + "\n";
    b += (i == 10 ? "changed" : "l" + std::to_string(i)) + "\n";
  }
  std::string u = unified_diff(a, b, "a", "b", 3);
  EXPECT_EQ(u, "--- a\n+++ b\n@@ -7,7 +7,7 @@\n l7\n l8\n l9\n-l10\n+changed\n l11\n l12\n l13\n");
  EXPECT_EQ(unified_diff(a, a, "a", "b"), "");
  EXPECT_EQ(unified_diff("", "x\n", "a", "b"), "--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n");
  // Two changes far apart make two hunks.
  std::string c = b;
  c.replace(c.find("l2\n"), 3, "two\n");
  c.replace(c.find("l19\n"), 4, "nineteen\n");
  std::string u2 = unified_diff(a, c, "a", "b", 1);
  EXPECT_EQ(std::count(u2.begin(), u2.end(), '@'), 12) << u2;
}

TEST(PartDiff, NamesTheChangedPartInTheLanguagesTerms) {
  const std::string before =
      "tariff standard {\n  fees {\n    when payment_system == visa {\n"
      "      merchant.settlement -> system.settlement : 1% of amount\n    }\n  }\n}\n";
  std::string after = before;
  after.replace(after.find("1%"), 2, "1.2%");
  auto parts = diff_object_parts(key("tariff:standard"), before, after);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_NE(parts[0].path.find("posting"), std::string::npos) << parts[0].path;
  EXPECT_EQ(parts[0].brief(), "1% -> 1.2%");
}

// A tariff binding's rules are numbered parts; a payment institution's clauses name themselves.
TEST(PartDiff, NamesTheChangedBindingRuleAndInstitutionClause) {
  const std::string before =
      "tariff_binding who {\n  when party == \"big\": tariff premium\n  otherwise: tariff standard\n}\n";
  std::string after = before;
  after.replace(after.find("tariff premium"), 14, "tariff gold");
  auto parts = diff_object_parts(key("tariff_binding:who"), before, after);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].path, "binding rule 1");
  EXPECT_EQ(parts[0].brief(), "premium -> gold");
  auto inst = diff_object_parts(key("payment_institution:acme"), "payment_institution acme { realm test }\n",
                                "payment_institution acme { realm live }\n");
  ASSERT_EQ(inst.size(), 1u);
  EXPECT_EQ(inst[0].path, "realm");
}

TEST(PartDiff, NeverCutsTheSummaryInsideAQuotedString) {
  const std::string before =
      "tariff standard {\n  fees {\n    when payment_system == visa {\n"
      "      merchant.settlement -> system.settlement : 1% of amount \"1% processing \\\"fee\\\"\"\n    }\n  }\n}\n";
  std::string after = before;
  after.replace(after.find("1%"), 2, "1.2%");
  after.replace(after.find("\"1%"), 3, "\"1.2%");
  auto parts = diff_object_parts(key("tariff:standard"), before, after);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].brief(), "1% of amount \"1% processing \\\"fee\\\"\" -> 1.2% of amount \"1.2% processing \\\"fee\\\"\"");
}

TEST_F(RevisionDiff, ObjectLevelChangesWithPartsAndText) {
  ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a")),
                                      update("terminal:yb_3ds", terminal_text("yb_3ds", "disabled ")),
                                      remove("category:retail")})));
  auto d = diff_revisions(*store, 1, 2, DiffOptions{true, true, 3});
  ASSERT_OK(d);
  ASSERT_EQ(d->objects.size(), 3u);
  std::map<ObjectKey, const ObjectDiff*> by;
  for (const auto& o : d->objects) by[o.key] = &o;
  EXPECT_EQ(by[key("terminal:a")]->change, ObjectDiff::Change::Added);
  EXPECT_EQ(by[key("category:retail")]->change, ObjectDiff::Change::Removed);
  const ObjectDiff* changed = by[key("terminal:yb_3ds")];
  ASSERT_EQ(changed->change, ObjectDiff::Change::Changed);
  // terminal_text() says risk_coverage low where yb_3ds had high.
  ASSERT_EQ(changed->parts.size(), 2u) << describe(*d);
  EXPECT_EQ(changed->parts[0].path, "risk_coverage");
  EXPECT_EQ(changed->parts[0].brief(), "high -> low");
  EXPECT_EQ(changed->parts[1].path, "disabled");
  EXPECT_FALSE(changed->parts[1].before.has_value());
  EXPECT_NE(changed->unified.find("\n-terminal yb_3ds"), std::string::npos) << changed->unified;
  EXPECT_NE(changed->unified.find("\n+terminal yb_3ds { provider yellowbank  risk_coverage low  disabled }"), std::string::npos) << changed->unified;
  std::string text = describe(*d);
  EXPECT_NE(text.find("+ terminal a (added)"), std::string::npos) << text;
  EXPECT_NE(text.find("- category retail (removed)"), std::string::npos) << text;
  // Reversed direction swaps added and removed; equal revisions differ in nothing.
  auto back = diff_revisions(*store, 2, 1);
  ASSERT_OK(back);
  for (const auto& o : back->objects) {
    if (o.key == key("terminal:a")) {
      EXPECT_EQ(o.change, ObjectDiff::Change::Removed);
    }
  }
  EXPECT_TRUE(diff_revisions(*store, 2, 2)->objects.empty());
  EXPECT_FALSE(diff_revisions(*store, 1, 9).ok());
}

}  // namespace
}  // namespace paydomain::store::testing
