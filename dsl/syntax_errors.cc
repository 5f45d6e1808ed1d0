// ANTLR's syntax errors -> our diagnostics (see syntax_errors.h).
#include "dsl/syntax_errors.h"

#include <algorithm>
#include <optional>

#include "PayDomainLexer.h"
#include "PayDomainParser.h"
#include "dsl/parser.h"
#include "dsl/schema.h"

namespace paydomain::dsl {
namespace {

using G = grammar::PayDomainParser;
using grammar::PayDomainLexer;

std::string token_display(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  if (type == antlr4::Token::EOF) return "end of file";
  std::string lit = vocab.getLiteralName(type);
  if (!lit.empty()) return lit;  // already quoted: 'currency'
  switch (type) {
    case PayDomainLexer::ID: return "a name";
    case PayDomainLexer::CODE: return "a currency code";
    case PayDomainLexer::NUMBER: return "a number";
    case PayDomainLexer::PERCENT: return "a percentage";
    case PayDomainLexer::STRING: return "a string";
    case PayDomainLexer::TIME: return "a time HH:MM";
    default: return vocab.getSymbolicName(type);
  }
}

// At the two places where most mistakes happen, say what fits in words an
// analyst knows: between objects ("an object: currency, ...") and inside an
// object (the clauses that kind of object takes).
void explain_position(antlr4::Parser* parser, const antlr4::misc::IntervalSet& expected, const std::string& text,
                      Diagnostic& d) {
  if (expected.contains(static_cast<size_t>(PayDomainLexer::TARIFF)) && expected.contains(static_cast<size_t>(PayDomainLexer::TEST))) {
    std::vector<std::string> kinds;
    for (int k = 0; k < kObjectKindCount; ++k) kinds.emplace_back(to_string(static_cast<ObjectKind>(k)));
    std::string list;
    for (size_t i = 0; i < kinds.size(); ++i) list += (i ? ", " : "") + kinds[i];
    d.expected = "an object definition: " + list;
    d.suggestion = closest_match(text, kinds);
    return;
  }
  if (!expected.contains(static_cast<size_t>(PayDomainLexer::RBRACE)) || !expected.contains(static_cast<size_t>(PayDomainLexer::NAME))) return;
  for (antlr4::RuleContext* c = parser->getContext(); c; c = dynamic_cast<antlr4::RuleContext*>(c->parent)) {
    auto* def = dynamic_cast<G::DefinitionContext*>(c);
    if (!def) continue;
    std::optional<ObjectKind> kind = def->TEST() ? std::optional(ObjectKind::Test)
                                     : def->kind ? object_kind_from_string(def->kind->getText())
                                                 : std::nullopt;
    if (!kind) return;
    std::vector<std::string> words;
    for (const ClauseRule& r : clause_rules(*kind)) {
      switch (r.kind) {
        case Clause::Kind::AmountBounds: words.push_back("amount between"); break;
        case Clause::Kind::LimitBound: words.push_back("amount <="); words.push_back("count <="); break;
        case Clause::Kind::RoutingStatement:
          for (const char* w : {"when", "use", "candidate", "exclude"}) words.push_back(w);
          break;
        case Clause::Kind::BindingRule: words.push_back("when"); words.push_back("otherwise"); break;
        default: words.emplace_back(to_string(r.kind));
      }
    }
    std::string list;
    for (size_t i = 0; i < words.size(); ++i) list += (i ? ", " : "") + words[i];
    d.expected = "a clause of " + std::string(to_string(*kind)) + " (" + list + ") or '}'";
    d.suggestion = closest_match(text, words);
    return;
  }
}

}  // namespace

void SyntaxErrorCollector::syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                                       size_t col, const std::string& antlr_msg, std::exception_ptr) {
  Span at{file_, static_cast<uint32_t>(line), static_cast<uint32_t>(col + 1), 0, 0,
          static_cast<uint32_t>(line)};
  auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
  if (!parser || !offending) {  // lexer errors cannot happen (ERROR_CHAR), but be safe
    diags_.error(at, "syntax", antlr_msg);
    count();
    return;
  }
  std::string text = offending->getText();
  const auto& vocab = parser->getVocabulary();
  std::string message;
  if (offending->getType() == antlr4::Token::EOF) {
    message = "unexpected end of file";
  } else if (offending->getType() == PayDomainLexer::ERROR_CHAR) {
    message = text == "\"" ? "unterminated string (a string must end with \" on the same line)"
                           : "unexpected character '" + text + "'";
  } else {
    message = "unexpected '" + text + "'";
  }
  // `//` or `/*` where a line comment was meant: the language's is `#`.
  bool c_comment = false;
  if (text == "/") {
    antlr4::TokenStream* tokens = parser->getTokenStream();
    const size_t next = offending->getTokenIndex() + 1;
    if (tokens && next < tokens->size()) {
      antlr4::Token* t = tokens->get(next);
      c_comment = (t->getText() == "/" || t->getText() == "*") && t->getStartIndex() == offending->getStopIndex() + 1;
      if (c_comment) message = "unexpected '/" + t->getText() + "': comments start with '#' and run to the end of the line";
    }
  }
  Diagnostic& d = diags_.error(at, "syntax", message);
  d.length = std::max<uint32_t>(1, static_cast<uint32_t>(text.size()));
  if (offending->getType() == antlr4::Token::EOF) d.length = 1;
  if (c_comment) d.length = 2;

  antlr4::misc::IntervalSet expected;
  try {
    expected = parser->getExpectedTokens();
  } catch (...) {
  }
  std::vector<std::string> names;
  std::vector<std::string> keywords;
  bool ident_expected = false;
  for (size_t t : expected.toList()) {
    if (t == PayDomainLexer::ID) ident_expected = true;
    std::string lit = vocab.getLiteralName(t);
    if (!lit.empty() && lit.size() > 2 && std::isalpha(static_cast<unsigned char>(lit[1]))) {
      keywords.push_back(lit.substr(1, lit.size() - 2));
    }
    names.push_back(token_display(vocab, t));
  }
  // When any name fits, listing every soft keyword is noise.
  if (ident_expected) {
    names.erase(std::remove_if(names.begin(), names.end(),
                               [](const std::string& n) {
                                 return n.size() > 2 && n[0] == '\'' &&
                                        std::isalpha(static_cast<unsigned char>(n[1]));
                               }),
                names.end());
  }
  if (!names.empty()) {
    std::string list;
    size_t shown = std::min<size_t>(names.size(), 12);
    for (size_t i = 0; i < shown; ++i) {
      if (i) list += (i + 1 == shown && shown == names.size()) ? " or " : ", ";
      list += names[i];
    }
    if (shown < names.size()) list += ", ...";
    d.expected = list;
  }
  explain_position(parser, expected, text, d);
  if (d.suggestion.empty() && offending->getType() == PayDomainLexer::ID && !ident_expected) {
    d.suggestion = closest_match(text, keywords);
  }
  count();
}

void SyntaxErrorCollector::count() {
  if (++errors_ >= kMaxSyntaxErrorsPerFile) throw TooManySyntaxErrors{};
}

bool nesting_ok(const std::vector<antlr4::Token*>& tokens, uint32_t file, Diagnostics& diags) {
  int depth = 0;
  int nots = 0;
  for (antlr4::Token* t : tokens) {
    size_t type = t->getType();
    if (type == PayDomainLexer::LPAREN || type == PayDomainLexer::LBRACK ||
        type == PayDomainLexer::LBRACE) {
      ++depth;
    } else if (type == PayDomainLexer::RPAREN || type == PayDomainLexer::RBRACK ||
               type == PayDomainLexer::RBRACE) {
      depth = std::max(0, depth - 1);
    }
    nots = type == PayDomainLexer::NOT ? nots + 1 : 0;
    if (depth > kMaxNestingDepth || nots > kMaxNestingDepth) {
      Span at{file, static_cast<uint32_t>(t->getLine()),
              static_cast<uint32_t>(t->getCharPositionInLine() + 1), 0, 0,
              static_cast<uint32_t>(t->getLine())};
      diags.error(at, "too-deep", "nesting deeper than " + std::to_string(kMaxNestingDepth) +
                                      " levels")
          .expected = "a flatter expression (split it into several rules)";
      return false;
    }
  }
  return true;
}

}  // namespace paydomain::dsl
