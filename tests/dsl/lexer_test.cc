// The hand-written lexer (dsl/lexer.h) against the lexer ANTLR generates from
// the grammar: the same tokens -- type, channel, code-point start and stop,
// line, column, text -- on the examples, the fuzz corpus, generated domains,
// tricky fragments and thousands of random mutations of them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "dsl/utf8.h"
#include "tests/support/lexer_difference.h"

namespace paydomain::dsl {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> corpus() {
  std::vector<std::string> out;
  for (const char* dir : {"/examples/acme", "/tests/fuzz/corpus"}) {
    for (const auto& e : std::filesystem::directory_iterator(std::string(PAYDOMAIN_SOURCE_DIR) + dir)) {
      if (!e.is_regular_file()) continue;
      std::string t = slurp(e.path());
      if (!first_invalid_utf8(t)) out.push_back(std::move(t));
    }
  }
  return out;
}

TEST(Lexer, AgreesWithTheGeneratedLexerOnTrickyFragments) {
  const char* cases[] = {
      "",
      "   \n\t\r\f ",
      "currency RUB { numeric 643 exponent 2 }",
      "tariff t { fees { when amount between 10.00 RUB and 99.99 RUB: merchant.settlement -> system.settlement : 1.5% "
      "of amount } }",
      "12:30 12:3 1:30 123:45 12:305 5% 5.% 5.25% 5.2.3 007 1.",
      "RUB RUBX Rub rub ABC1 AB _x x_1 currency currencyx payment_system payment_systems",
      "\"ok\" \"esc \\\" \\\\ \\n \\t\" \"bad \\x\" \"open\n\" \"unterminated",
      "# comment\n#\r\nx # trailing \"quote\n",
      "-> - -x == = != ! <= < >= > { } [ ] ( ) , : . + / % @ $ ^ ~ ` ; ? | & * '",
      "name \"Кириллица é 😀\" # комментарий\n😀 é x",
      "\x01\x7f\0x",
      "\xEF\xBB\xBF" "currency RUB { numeric 643 }\n\xEF\xBB\xBF",  // a byte-order mark: skipped at the start only
      "when risk == high and not (currency in [RUB, USD] or bin starts_with \"4276\"): decline \"no\"",
  };
  for (const char* c : cases) EXPECT_EQ(paydomain::testing::lexer_difference(c), "") << c;
  std::string with_nul("a\0b", 3);
  EXPECT_EQ(paydomain::testing::lexer_difference(with_nul), "");
}

TEST(Lexer, AgreesOnTheExamplesAndTheFuzzCorpus) {
  auto files = corpus();
  ASSERT_GT(files.size(), 100u);
  for (const auto& t : files) EXPECT_EQ(paydomain::testing::lexer_difference(t), "") << t.substr(0, 200);
}

// Random edits of real files with bytes that matter to the lexer.
TEST(Lexer, AgreesOnRandomMutations) {
  auto files = corpus();
  std::mt19937 rng(42);
  const std::string alphabet = "\"\\#:.%-=!<>{}[](),+/_09aZ \n\r\t\f@~";
  const char* multi[] = {"é", "😀", "Ж"};
  int failures = 0;
  for (int round = 0; round < 5000 && failures < 5; ++round) {
    std::string t = files[rng() % files.size()];
    if (t.size() > 3000) t.resize(3000);
    for (int e = 0; e < 4 && !t.empty(); ++e) {
      size_t at = rng() % t.size();
      while (at > 0 && (static_cast<unsigned char>(t[at]) & 0xC0) == 0x80) --at;  // a code point boundary
      switch (rng() % 4) {
        case 0: t.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 1: t.insert(at, multi[rng() % 3]); break;
        case 2: t.erase(at, 1 + rng() % 3); break;
        default: t.insert(at, t.substr(at, rng() % 10)); break;
      }
    }
    if (first_invalid_utf8(t)) continue;
    std::string d = paydomain::testing::lexer_difference(t);
    if (!d.empty()) {
      ++failures;
      ADD_FAILURE() << d << "\nin: " << t.substr(0, 300);
    }
  }
}

}  // namespace
}  // namespace paydomain::dsl
