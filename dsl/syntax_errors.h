// ANTLR's syntax errors as our diagnostics, and the guards that run before
// the parser: the one place that knows how a parse failure reads to an
// analyst (plain words, what was expected, "did you mean"). Internal to dsl/:
// it speaks ANTLR, which no other layer sees.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "antlr4-runtime.h"
#include "dsl/diagnostics.h"

namespace paydomain::dsl {

// Thrown by SyntaxErrorCollector through the ANTLR parser (and caught by the
// parse of that file) to stop after kMaxSyntaxErrorsPerFile errors.
struct TooManySyntaxErrors {};

// Listens to one file's parser and turns each syntax error into a
// Diagnostic: plain words, a short list of what was expected (in an
// analyst's terms between objects and inside an object) and a "did you mean"
// for a misspelled keyword.
class SyntaxErrorCollector : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorCollector(Diagnostics& diags, uint32_t file) : diags_(diags), file_(file) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t col,
                   const std::string& antlr_msg, std::exception_ptr) override;

 private:
  void count();

  Diagnostics& diags_;
  uint32_t file_;
  int errors_ = 0;
};

// Reports nesting deeper than kMaxNestingDepth (brackets, `not` chains) in
// `tokens` before the recursive-descent parser sees it, so no input can
// exhaust the stack. False (and a diagnostic) when too deep.
bool nesting_ok(const std::vector<antlr4::Token*>& tokens, uint32_t file, Diagnostics& diags);

}  // namespace paydomain::dsl
