// Conditions compiled from the AST into normalised atoms over the context
// slots (sets of interned ids, half-open integer ranges, BIN prefixes), and
// their three-valued evaluation (a missing attribute makes an atom unknown).
// The DAG compiler and the rule-by-rule interpreter share this one meaning.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dsl/ast.h"
#include "evaluator/context.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

class Vocab;

enum class Tri : uint8_t { False = 0, True = 1, Unknown = 2 };

struct Atom {
  enum class Kind : uint8_t { InSet, InRanges, BinPrefix, BinExact, Share };
  Kind kind = Kind::InSet;
  Attr attr = Attr::Operation;
  bool negate = false;                                // applied after the base test
  std::vector<int32_t> ids;                           // InSet: sorted ids
  int32_t currency = -1;                              // InRanges on Amount: the literal's currency
  std::vector<std::pair<int64_t, int64_t>> ranges;    // InRanges: [lo, hi) pieces
  std::vector<std::string> strings;                   // BinPrefix / BinExact
  dsl::CompareOp op = dsl::CompareOp::Eq;             // Share
  dsl::Decimal share;                                 // Share threshold (a percentage)
};

struct Cond {
  enum class Kind : uint8_t { True, And, Or, Not, Atom };
  Kind kind = Kind::True;
  std::vector<Cond> kids;
  Atom atom;
};

// AST condition -> Cond (the domain must be checked).
Result<Cond> compile_condition(const dsl::Condition& c, const Vocab& vocab);

// One atom and a whole condition, three-valued.
Tri eval_atom(const Atom& a, const Facts& f);
Tri eval(const Cond& c, const Facts& f);
// As eval, but visits every atom in a fixed order and appends each atom's
// truth to `trace` (the DAG compiler's memo key).
Tri eval_traced(const Cond& c, const Facts& f, std::string& trace);
// The first atom (depth first) whose value is unknown, or nullptr.
const Atom* first_unknown_atom(const Cond& c, const Facts& f);
// Calls fn(atom) for every atom.
template <class F>
void for_each_atom(const Cond& c, F&& fn) {
  if (c.kind == Cond::Kind::Atom) {
    fn(c.atom);
    return;
  }
  for (const Cond& k : c.kids) for_each_atom(k, fn);
}

// The lowest and one-past-highest value an ordered slot can hold.
std::pair<int64_t, int64_t> ordered_domain(Attr a);
bool is_categorical(Attr a);

// Conditions the analysis composes (a path to a rule, a route, a region).
Cond cond_all(std::vector<Cond> kids);  // And (no kids: always true)
Cond cond_any(std::vector<Cond> kids);  // Or (no kids: never true)
Cond cond_not(const Cond& c);
Cond cond_in(Attr a, std::vector<int32_t> ids);  // the attribute is one of `ids`

}  // namespace paydomain::evaluator
