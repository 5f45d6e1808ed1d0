#include "dsl/lexer.h"

#include <unordered_map>
#include <utility>
#include <vector>

#include "ANTLRInputStream.h"
#include "CommonTokenFactory.h"
#include "PayDomainLexer.h"
#include "Vocabulary.h"

namespace paydomain::dsl {
namespace {

using L = grammar::PayDomainLexer;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_word(char c) { return is_word_start(c) || is_digit(c); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using KeywordTable = std::unordered_map<std::string, size_t, ViewHash, std::equal_to<>>;

// Keyword -> token type, from the generated lexer's vocabulary ('currency'
// is CURRENCY), so the grammar stays the one list of keywords.
std::vector<std::pair<std::string, size_t>> keyword_tokens() {
  std::vector<std::pair<std::string, size_t>> out;
  antlr4::ANTLRInputStream empty("");
  L lexer(&empty);
  const antlr4::dfa::Vocabulary& v = lexer.getVocabulary();
  for (size_t t = 1; t <= v.getMaxTokenType(); ++t) {
    std::string lit = v.getLiteralName(t);  // "'currency'", "'->'", or ""
    if (lit.size() < 3 || !is_word_start(lit[1])) continue;
    out.emplace_back(lit.substr(1, lit.size() - 2), t);
  }
  return out;
}

const KeywordTable& keywords() {
  static const auto table = [] {
    KeywordTable m;
    for (auto& [word, type] : keyword_tokens()) m.emplace(std::move(word), type);
    return m;
  }();
  return table;
}

}  // namespace

std::vector<std::string> keyword_list() {
  std::vector<std::string> out;
  for (auto& kw : keyword_tokens()) out.push_back(std::move(kw.first));
  return out;
}

std::string Lexer::getSourceName() { return input_ ? input_->getSourceName() : std::string(); }

antlr4::TokenFactory<antlr4::CommonToken>* Lexer::getTokenFactory() { return antlr4::CommonTokenFactory::DEFAULT.get(); }

void Lexer::advance_to(size_t end) {
  for (; pos_ < end; ++pos_) {
    auto b = static_cast<unsigned char>(text_[pos_]);
    if ((b & 0xC0) == 0x80) continue;  // a continuation byte: same code point
    ++index_;
    if (b == '\n') {
      ++line_;
      column_ = 0;
    } else {
      ++column_;
    }
  }
}

std::unique_ptr<antlr4::Token> Lexer::emit(size_t type, size_t end, size_t channel) {
  advance_to(end);
  auto t = std::make_unique<antlr4::CommonToken>(std::make_pair(static_cast<antlr4::TokenSource*>(this), input_), type,
                                                 channel, start_index_, index_ - 1);
  t->setLine(start_line_);
  t->setCharPositionInLine(start_column_);
  return t;
}

std::unique_ptr<antlr4::Token> Lexer::nextToken() {
  const size_t n = text_.size();
  // Whitespace is skipped (the WS rule).
  while (pos_ < n && is_ws(text_[pos_])) advance_to(pos_ + 1);
  start_index_ = index_;
  start_line_ = line_;
  start_column_ = column_;
  if (pos_ >= n) {
    auto eof = std::make_unique<antlr4::CommonToken>(std::make_pair(static_cast<antlr4::TokenSource*>(this), input_),
                                                     antlr4::Token::EOF, antlr4::Token::DEFAULT_CHANNEL, index_, index_ - 1);
    eof->setLine(line_);
    eof->setCharPositionInLine(column_);
    return eof;
  }
  const char* s = text_.data();
  size_t i = pos_;
  char c = s[i];
  auto at = [&](size_t k) { return k < n ? s[k] : '\0'; };

  if (is_word_start(c)) {
    size_t end = i + 1;
    while (end < n && is_word(s[end])) ++end;
    std::string_view word = text_.substr(i, end - i);
    const auto& kw = keywords();
    auto it = kw.find(word);
    if (it != kw.end()) return emit(it->second, end);
    if (word.size() == 3 && is_upper(word[0]) && is_upper(word[1]) && is_upper(word[2])) return emit(L::CODE, end);
    return emit(L::ID, end);
  }
  if (is_digit(c)) {
    // TIME is [0-9][0-9] ':' [0-9][0-9]; nothing longer can start here then.
    if (is_digit(at(i + 1)) && at(i + 2) == ':' && is_digit(at(i + 3)) && is_digit(at(i + 4))) return emit(L::TIME, i + 5);
    size_t end = i;
    while (end < n && is_digit(s[end])) ++end;
    if (at(end) == '.' && is_digit(at(end + 1))) {
      end += 1;
      while (end < n && is_digit(s[end])) ++end;
    }
    if (at(end) == '%') return emit(L::PERCENT, end + 1);
    return emit(L::NUMBER, end);
  }
  switch (c) {
    case '"': {
      // STRING: '"' (~["\\\r\n] | '\\' ["\\nt])* '"'; otherwise the quote
      // alone is an ERROR_CHAR.
      for (size_t k = i + 1; k < n; ++k) {
        char d = s[k];
        if (d == '"') return emit(L::STRING, k + 1);
        if (d == '\r' || d == '\n') break;
        if (d == '\\') {
          char e = at(k + 1);
          if (e != '"' && e != '\\' && e != 'n' && e != 't') break;
          ++k;
        }
      }
      return emit(L::ERROR_CHAR, i + 1);
    }
    case '#': {
      size_t end = i + 1;
      while (end < n && s[end] != '\r' && s[end] != '\n') ++end;
      return emit(L::COMMENT, end, antlr4::Token::HIDDEN_CHANNEL);
    }
    case '-': return at(i + 1) == '>' ? emit(L::ARROW, i + 2) : emit(L::ERROR_CHAR, i + 1);
    case '=': return at(i + 1) == '=' ? emit(L::EQ, i + 2) : emit(L::ERROR_CHAR, i + 1);
    case '!': return at(i + 1) == '=' ? emit(L::NE, i + 2) : emit(L::ERROR_CHAR, i + 1);
    case '<': return at(i + 1) == '=' ? emit(L::LE, i + 2) : emit(L::LT, i + 1);
    case '>': return at(i + 1) == '=' ? emit(L::GE, i + 2) : emit(L::GT, i + 1);
    case '{': return emit(L::LBRACE, i + 1);
    case '}': return emit(L::RBRACE, i + 1);
    case '[': return emit(L::LBRACK, i + 1);
    case ']': return emit(L::RBRACK, i + 1);
    case '(': return emit(L::LPAREN, i + 1);
    case ')': return emit(L::RPAREN, i + 1);
    case ',': return emit(L::COMMA, i + 1);
    case ':': return emit(L::COLON, i + 1);
    case '.': return emit(L::DOT, i + 1);
    case '+': return emit(L::PLUS, i + 1);
    case '/': return emit(L::SLASH, i + 1);
    default: break;
  }
  // Any other character, one code point of UTF-8.
  size_t end = i + 1;
  while (end < n && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
  return emit(L::ERROR_CHAR, end);
}

}  // namespace paydomain::dsl
