#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/dsl/test_util.h"

namespace paydomain::dsl {
namespace {

using testing::load_text;

TEST(Parser, BaseDomainIsClean) {
  auto l = load_text(testing::kBaseDomain);
  EXPECT_FALSE(l.diags.has_errors()) << l.rendered();
  EXPECT_EQ(l.diags.warning_count(), 0u) << l.rendered();
  EXPECT_EQ(l.domain.objects.size(), 17u);
}

TEST(Parser, BuildsTypedAst) {
  auto l = load_text(testing::kBaseDomain);
  const Object* tariff = l.domain.find(ObjectKind::Tariff, "standard");
  ASSERT_NE(tariff, nullptr);
  const Clause* fees = tariff->find(Clause::Kind::Fees);
  ASSERT_NE(fees, nullptr);
  ASSERT_EQ(fees->cash_flow->arms.size(), 2u);
  const DecisionArm& first = fees->cash_flow->arms[0];
  EXPECT_FALSE(first.otherwise);
  EXPECT_EQ(first.condition.attribute.text, "payment_system");
  EXPECT_EQ(first.condition.op, CompareOp::In);
  const Posting& p = first.body.postings.at(0);
  EXPECT_EQ(p.from.text(), "merchant.settlement");
  EXPECT_EQ(p.volume.kind, Volume::Kind::Percent);
  EXPECT_EQ(p.volume.percent.units, 1);
  EXPECT_EQ(p.details.value_or(""), "1% processing fee");
  const Posting& q = fees->cash_flow->arms[1].body.postings.at(0);
  EXPECT_TRUE(fees->cash_flow->arms[1].otherwise);
  EXPECT_EQ(q.volume.kind, Volume::Kind::Max);
  EXPECT_EQ(q.rounding, RoundingMode::HalfEven);
  EXPECT_EQ(q.volume.args[1].fixed.minor, 1000);  // set by the checker
  const Clause* bounds = tariff->find(Clause::Kind::AmountBounds);
  EXPECT_EQ(bounds->low.minor, 1000);
  EXPECT_EQ(bounds->high.minor, 50000000);
}

TEST(Parser, ConditionPrecedence) {
  auto l = load_text(std::string(testing::kBaseDomain) +
                     "limit l2 { scope [shop] period month count <= 5 when not risk == low and currency == RUB or "
                     "(category == retail) }\n");
  ASSERT_FALSE(l.diags.has_errors()) << l.rendered();
  const Condition& c = *l.domain.find(ObjectKind::Limit, "l2")->find(Clause::Kind::When)->condition;
  ASSERT_EQ(c.kind, Condition::Kind::Or);
  ASSERT_EQ(c.children.size(), 2u);
  EXPECT_EQ(c.children[0].kind, Condition::Kind::And);
  EXPECT_EQ(c.children[0].children[0].kind, Condition::Kind::Not);
  EXPECT_EQ(c.children[1].kind, Condition::Kind::Compare);
}

TEST(Parser, BetweenInsideAnd) {
  auto l = load_text(std::string(testing::kBaseDomain) +
                     "limit l3 { scope [shop] period day count <= 5 when amount between 1.00 RUB and 2.00 RUB and "
                     "time between 22:00 and 06:00 }\n");
  ASSERT_FALSE(l.diags.has_errors()) << l.rendered();
  const Condition& c = *l.domain.find(ObjectKind::Limit, "l3")->find(Clause::Kind::When)->condition;
  ASSERT_EQ(c.kind, Condition::Kind::And);
  EXPECT_EQ(c.children[0].op, CompareOp::Between);
  EXPECT_EQ(c.children[0].operands[1].minor, 200);
  EXPECT_EQ(c.children[1].operands[0].text, "22:00");
}

TEST(Parser, CommentsAreKeptWithPositions) {
  auto l = load_text("# one\ncategory a { name \"A\" } # two\n# three\n");
  ASSERT_EQ(l.domain.comments.size(), 3u);
  EXPECT_EQ(l.domain.comments[0].text, "# one");
  EXPECT_EQ(l.domain.comments[1].span.line, 2u);
  EXPECT_EQ(l.domain.comments[2].text, "# three");
}

TEST(Parser, KeywordsAreSoft) {
  // `limit`, `route` and `fees` are keywords, yet fine as ids.
  auto l = load_text("category limit { name \"x\" }\ncategory route {}\ncategory fees {}\n");
  EXPECT_FALSE(l.diags.has_errors()) << l.rendered();
  EXPECT_EQ(l.domain.objects.size(), 3u);
}

TEST(Parser, SyntaxErrorNamesPlaceExpectedAndSuggestion) {
  auto l = load_text("currency RUB { numeric 643 exponent 2 }\ncategroy retail { }\n");
  ASSERT_TRUE(l.diags.has_errors());
  const Diagnostic* d = l.first("syntax");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->file, "test.pd");
  EXPECT_EQ(d->line, 2u);
  EXPECT_EQ(d->column, 1u);
  EXPECT_NE(d->message.find("categroy"), std::string::npos);
  EXPECT_EQ(d->suggestion, "category");
  EXPECT_FALSE(d->expected.empty());
  EXPECT_NE(l.rendered().find("test.pd:2:1: error:"), std::string::npos) << l.rendered();
}

TEST(Parser, ExpectedNamesTheClausesOfTheObjectKind) {
  auto l = load_text("terminal t { provider p risk_coverge high }\n");
  const Diagnostic* d = l.first("syntax");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->expected, "a clause of terminal (name, description, provider, risk_coverage, disabled, accepts, refunds, captures) or '}'");
  EXPECT_EQ(d->suggestion, "risk_coverage");
  auto top = load_text("tarif standard {}\n");
  ASSERT_NE(top.first("syntax"), nullptr);
  EXPECT_NE(top.first("syntax")->expected.find("an object definition: currency"), std::string::npos);
  EXPECT_EQ(top.first("syntax")->suggestion, "tariff");
}

TEST(Parser, SeveralSyntaxErrorsInOneRun) {
  auto l = load_text("category a { name }\ncategory b { name \"B\" }\ncategory c { description 5 }\n");
  EXPECT_GE(l.diags.error_count(), 2u) << l.rendered();
}

TEST(Parser, UnterminatedStringAndStrayCharacter) {
  auto l = load_text("category a { name \"oops }\n");
  ASSERT_TRUE(l.diags.has_errors());
  EXPECT_NE(l.rendered().find("unterminated string"), std::string::npos) << l.rendered();
  auto m = load_text("category a { name @ }\n");
  EXPECT_NE(m.rendered().find("unexpected character '@'"), std::string::npos) << m.rendered();
}

// `//` and `/*` comments from other languages: the error says what a
// comment is here, and underlines both characters.
TEST(Parser, CStyleCommentsAreNamed) {
  for (const char* text : {"category a {\n  // retail\n  name \"A\"\n}\n", "category a {\n  /* retail */\n  name \"A\"\n}\n"}) {
    auto l = load_text(text);
    const Diagnostic* d = l.first("syntax");
    ASSERT_NE(d, nullptr) << l.rendered();
    EXPECT_NE(d->message.find("comments start with '#' and run to the end of the line"), std::string::npos) << l.rendered();
    EXPECT_EQ(d->line, 2u);
    EXPECT_EQ(d->column, 3u);
    EXPECT_EQ(d->length, 2u);
  }
  // A lone '/' is not taken for one.
  auto l = load_text("category a { / name \"A\" }\n");
  ASSERT_NE(l.first("syntax"), nullptr);
  EXPECT_EQ(l.first("syntax")->message, "unexpected '/'");
}

TEST(Parser, EmptyFileIsAWarning) {
  auto l = load_text("");
  EXPECT_FALSE(l.diags.has_errors());
  EXPECT_TRUE(l.has("empty-file"));
  auto c = load_text("   # only a comment\n");
  EXPECT_TRUE(c.has("empty-file"));
}

TEST(Parser, InvalidUtf8) {
  auto l = load_text("category a { name \"ok\" }\ncategory b { name \"\xC3\x28\" }\n");
  const Diagnostic* d = l.first("encoding");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->line, 2u);
  EXPECT_EQ(d->column, 20u);
}

TEST(Parser, Utf8InStringsIsFine) {
  auto l = load_text("category a { name \"Розница ☕\" }\n");
  EXPECT_FALSE(l.diags.has_errors()) << l.rendered();
  EXPECT_EQ(l.domain.objects[0].find(Clause::Kind::Name)->text, "Розница ☕");
}

TEST(Parser, DeepNestingIsRejectedNotCrashing) {
  std::string cond(100000, '(');
  cond += "risk == low";
  cond += std::string(100000, ')');
  auto l = load_text("limit x { scope [shop] period day count <= 1 when " + cond + " }\n");
  EXPECT_TRUE(l.has("too-deep")) << l.rendered();
  std::string nots;
  for (int i = 0; i < 50000; ++i) nots += "not ";
  auto n = load_text("limit x { scope [shop] period day count <= 1 when " + nots + "risk == low }\n");
  EXPECT_TRUE(n.has("too-deep"));
}

TEST(Parser, NestingWithinLimitParses) {
  std::string cond(40, '(');
  cond += "risk == low";
  cond += std::string(40, ')');
  auto l = load_text("limit x { scope [shop] period day count <= 1 when " + cond + " }\n");
  EXPECT_FALSE(l.diags.has_errors()) << l.rendered();
}

TEST(Parser, LongFlatChainsParse) {
  std::string cond = "risk == low";
  for (int i = 0; i < 5000; ++i) cond += " or risk == high";
  auto l = load_text("limit x { scope [shop] period day count <= 1 when " + cond + " }\n");
  EXPECT_FALSE(l.diags.has_errors());
}

TEST(Parser, GarbageStopsAfterTooManyErrors) {
  std::mt19937 rng(7);
  std::string garbage;
  const std::string alphabet = "{}[]()<>=!%#\"'.:,;abcXYZ019 \n\t\x01\x7f";
  garbage.reserve(2 << 20);
  for (int i = 0; i < (2 << 20); ++i) garbage += alphabet[rng() % alphabet.size()];
  auto l = load_text(garbage);
  EXPECT_TRUE(l.diags.has_errors());
  EXPECT_LE(l.diags.error_count(), static_cast<size_t>(kMaxSyntaxErrorsPerFile) + 2);
}

TEST(Parser, NumbersTooLong) {
  auto l = load_text("currency RUB { numeric 643 exponent 2 }\nlimit x { scope [shop] period day amount <= "
                     "1234567890123456789012.00 RUB }\n");
  EXPECT_TRUE(l.has("number-too-long")) << l.rendered();
}

TEST(Parser, ReadSourcesFromDirectoryIsSortedAndRecursive) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("pd_read_" + std::to_string(::getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "b.pd") << "category b {}\n";
  std::ofstream(dir / "sub" / "a.pd") << "category a {}\n";
  std::ofstream(dir / "notes.txt") << "not a domain file\n";
  Diagnostics diags;
  auto files = read_sources({dir.string()}, diags);
  EXPECT_FALSE(diags.has_errors());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, (dir / "b.pd").string());
  EXPECT_EQ(files[1].path, (dir / "sub" / "a.pd").string());
  fs::remove_all(dir);
  Diagnostics missing;
  read_sources({"/nonexistent/dir"}, missing);
  EXPECT_TRUE(missing.has_errors());
}

}  // namespace
}  // namespace paydomain::dsl
