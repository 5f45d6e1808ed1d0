// Diagnostics: what the parser, checker and compiler say about a domain.
// Each names a place (file, line, column), says what is wrong, what was
// expected and, for a misspelled name, the closest existing one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"

namespace paydomain::dsl {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;       // path as given
  uint32_t line = 0;      // 1-based; 0 when the whole file is meant
  uint32_t column = 0;    // 1-based
  uint32_t length = 1;    // characters to underline
  std::string code;       // stable machine name: "syntax", "unknown-reference", ...
  std::string message;    // what is wrong
  std::string expected;   // what would have been right (may be empty)
  std::string suggestion; // "did you mean" target (may be empty)
  std::string object;     // "terminal yb_3ds" when the problem belongs to an object
};

// Collects diagnostics for one domain; knows the sources to resolve spans.
class Diagnostics {
 public:
  explicit Diagnostics(const std::vector<SourceFile>* files = nullptr) : files_(files) {}
  void set_files(const std::vector<SourceFile>* files) { files_ = files; }

  Diagnostic& error(const Span& at, std::string code, std::string message);
  Diagnostic& warning(const Span& at, std::string code, std::string message);
  void add(Diagnostic d) { items_.push_back(std::move(d)); }

  const std::vector<Diagnostic>& items() const { return items_; }
  std::vector<Diagnostic>& items() { return items_; }
  size_t error_count() const;
  size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }
  // Sorts by file, line, column (stable), so output is the same every run.
  void sort();

 private:
  Diagnostic& push(Severity s, const Span& at, std::string code, std::string message);
  const std::vector<SourceFile>* files_;
  std::vector<Diagnostic> items_;
};

// "file:line:col: error: message" + source excerpt with a caret, expected
// and "did you mean" lines. `source` is the file's text (may be empty).
std::string render(const Diagnostic& d, std::string_view source);
// Renders all, finding each file's text in `files` by path.
std::string render_all(const std::vector<Diagnostic>& ds, const std::vector<SourceFile>& files);

// The closest candidate to `word` by edit distance, or "" when none is close
// enough to be a plausible typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace paydomain::dsl
