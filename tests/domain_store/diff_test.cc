// Line diff, in-object part diffs and revision diffs.
#include <map>

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

// A change to a parent tariff shows in the diff of every tariff that
// inherits the changed part (through a middle tariff too), named with the
// tariff it is written in; a child that overrides the part shows nothing.
TEST_F(RevisionDiff, InheritedPartsOfAChangedParent) {
  ASSERT_OK(store->commit(request(1, {insert("tariff:premium", "tariff premium extends standard { currencies [RUB] }"),
                                      insert("tariff:vip", "tariff vip extends premium { hold_lifetime 3 days }"),
                                      insert("tariff:own", "tariff own extends standard { fees { } }")})));
  auto head = store->checkout_object(2, key("tariff:standard"));
  ASSERT_OK(head);
  std::string text = head->text;
  text.replace(text.find("1% of amount"), 12, "1.2% of amount");
  text.replace(text.find("currencies [RUB, USD]"), 21, "currencies [USD]");
  ASSERT_OK(store->commit(request(2, {update("tariff:standard", text)})));
  auto d = diff_revisions(*store, 2, 3);
  ASSERT_OK(d);
  std::map<ObjectKey, const ObjectDiff*> by;
  for (const auto& o : d->objects) by[o.key] = &o;
  ASSERT_EQ(d->objects.size(), 4u) << describe(*d);  // standard, own (currencies), premium and vip (fees)
  EXPECT_EQ(by[key("tariff:standard")]->change, ObjectDiff::Change::Changed);
  for (const char* child : {"tariff:premium", "tariff:vip"}) {
    const ObjectDiff* c = by[key(child)];
    ASSERT_NE(c, nullptr) << child << "\n" << describe(*d);
    EXPECT_EQ(c->change, ObjectDiff::Change::Inherited);
    ASSERT_EQ(c->parts.size(), 1u) << describe(*d);  // premium writes its currencies
    EXPECT_EQ(c->parts[0].path, "fees/when 1/posting 1");
    EXPECT_EQ(c->parts[0].brief(), "1% -> 1.2%");
    EXPECT_EQ(c->parts[0].from, "standard");
  }
  const ObjectDiff* own = by[key("tariff:own")];
  ASSERT_NE(own, nullptr);
  ASSERT_EQ(own->parts.size(), 1u) << describe(*d);
  EXPECT_EQ(own->parts[0].path, "currencies");
  std::string summary = describe(*d);
  EXPECT_NE(summary.find("~ tariff premium (inherited)\n    fees/when 1/posting 1: 1% -> 1.2% (inherited from tariff standard)\n"),
            std::string::npos)
      << summary;
  // The reverse diff names the same parts, the other way round.
  auto back = diff_revisions(*store, 3, 2);
  ASSERT_OK(back);
  EXPECT_EQ(back->objects.size(), 4u) << describe(*back);
  // A change to a tariff nobody extends reads no other tariff.
  ASSERT_OK(store->commit(request(3, {update("tariff:vip", "tariff vip extends premium { hold_lifetime 4 days }")})));
  auto vip = diff_revisions(*store, 3, 4);
  ASSERT_OK(vip);
  EXPECT_EQ(vip->objects.size(), 1u) << describe(*vip);
}

}  // namespace
}  // namespace paydomain::store::testing
