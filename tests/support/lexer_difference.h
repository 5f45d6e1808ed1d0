// The first difference between the hand-written lexer (dsl/lexer.h) and the
// one ANTLR generates from the grammar on `text` (valid UTF-8), or "" when
// every token agrees: type, channel, code-point start and stop, line, column,
// text. Used by tests/dsl/lexer_test.cc and the parse fuzzer.
#pragma once

#include <sstream>
#include <string>

#include "PayDomainLexer.h"
#include "antlr4-runtime.h"
#include "dsl/lexer.h"

namespace paydomain::testing {

inline std::string describe_token(antlr4::Token& t) {
  std::ostringstream o;
  o << "type " << static_cast<long long>(t.getType()) << " channel " << t.getChannel() << " ["
    << static_cast<long long>(t.getStartIndex()) << "," << static_cast<long long>(t.getStopIndex()) << "] at "
    << t.getLine() << ":" << t.getCharPositionInLine() << " '" << t.getText() << "'";
  return o.str();
}

inline std::string lexer_difference(const std::string& text) {
  antlr4::ANTLRInputStream a(text), b(text);
  grammar::PayDomainLexer reference(&a);
  reference.removeErrorListeners();
  dsl::Lexer ours(text, &b);
  for (size_t i = 0;; ++i) {
    auto x = reference.nextToken();
    auto y = ours.nextToken();
    std::string dx = describe_token(*x), dy = describe_token(*y);
    if (dx != dy) return "token " + std::to_string(i) + ": ANTLR " + dx + ", ours " + dy;
    if (x->getType() == antlr4::Token::EOF) return "";
  }
}

}  // namespace paydomain::testing
