// The language's lexer, written by hand: exactly the tokens of the lexer
// rules in grammar/PayDomain.g4 (types from the generated PayDomainLexer,
// keywords from its vocabulary), as an ANTLR TokenSource for the generated
// parser. ANTLR's table-driven lexer took about 40% of parse time; this one
// scans bytes.
//
// Contract, the same as the generated lexer's (tests/dsl/lexer_test.cc
// compares the two token by token): longest match, the earlier rule on a tie
// (keywords before ID, CODE before ID); WS skipped; COMMENT on the hidden
// channel; any other character is one ERROR_CHAR token. Token start/stop
// indexes and columns count code points, lines start at 1. The text must be
// valid UTF-8 (parse checks that first).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "CharStream.h"
#include "CommonToken.h"
#include "TokenFactory.h"
#include "TokenSource.h"

namespace paydomain::dsl {

// The language's keywords ("currency", "when", ...) in the grammar's order:
// the literal word tokens of the generated lexer's vocabulary.
std::vector<std::string> keyword_list();

class Lexer : public antlr4::TokenSource {
 public:
  // `input` holds the same text as a CharStream, for Token::getText.
  // A leading UTF-8 byte-order mark is skipped and not counted, as
  // ANTLRInputStream drops it.
  Lexer(std::string_view text, antlr4::CharStream* input) : text_(text), input_(input) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  // Where a token starts: byte offset, code point index, line, column.
  struct Position {
    size_t byte = 0, index = 0, line = 1, column = 0;
  };
  // Lexes from `from` to the end of `text` only, with positions counted as
  // in the whole text: for parsing one definition of a file on its own
  // (`text` ends where the definition ends).
  Lexer(std::string_view text, antlr4::CharStream* input, Position from)
      : text_(text), input_(input), pos_(from.byte), index_(from.index), line_(from.line), column_(from.column) {}

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() override { return column_; }
  antlr4::CharStream* getInputStream() override { return input_; }
  std::string getSourceName() override;
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override;

 private:
  void advance_to(size_t end);  // consumes bytes up to `end`, counting code points and lines
  std::unique_ptr<antlr4::Token> emit(size_t type, size_t end, size_t channel = 0);

  std::string_view text_;
  antlr4::CharStream* input_;
  size_t pos_ = 0;     // byte offset
  size_t index_ = 0;   // code point index
  size_t line_ = 1;
  size_t column_ = 0;  // code points since the last '\n'
  // Where the token being scanned starts.
  size_t start_index_ = 0, start_line_ = 1, start_column_ = 0;
};

}  // namespace paydomain::dsl
