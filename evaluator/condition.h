// Conditions compiled from the AST into normalised atoms over the context
// slots (sets of interned ids, half-open integer ranges, BIN prefixes), and
// their three-valued evaluation (a missing attribute makes an atom unknown).
// The DAG compiler and the rule-by-rule interpreter share this one meaning.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <string>
#include <unordered_map>
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

// Kleene's three-valued connectives.
inline Tri combine_and(Tri a, Tri b) {
  if (a == Tri::False || b == Tri::False) return Tri::False;
  if (a == Tri::Unknown || b == Tri::Unknown) return Tri::Unknown;
  return Tri::True;
}
inline Tri combine_or(Tri a, Tri b) {
  if (a == Tri::True || b == Tri::True) return Tri::True;
  if (a == Tri::Unknown || b == Tri::Unknown) return Tri::Unknown;
  return Tri::False;
}
inline Tri negate(Tri t) { return t == Tri::Unknown ? t : (t == Tri::True ? Tri::False : Tri::True); }

// The one meaning of an atom, over any storage of its parts: the in-memory
// Atom (eval_atom) and an artifact's atom records (evaluator/program.cc).
// `ids` sorted int32 ids, `ranges` [lo, hi) pairs (.first/.second or lo/hi
// through `range`), `strings` BIN prefixes (anything comparable as a string_view).
template <class Ids, class Ranges, class Range, class Strings>
Tri atom_truth(Atom::Kind kind, Attr attr, bool negated, int32_t currency, const Ids& ids, const Ranges& ranges,
               Range range, const Strings& strings, dsl::CompareOp op, const dsl::Decimal& share, const Facts& f) {
  bool base = false;
  switch (kind) {
    case Atom::Kind::InSet: {
      if (!f.has(attr)) return Tri::Unknown;
      int32_t id = static_cast<int32_t>(f.get(attr));
      auto it = std::lower_bound(std::begin(ids), std::end(ids), id);
      base = it != std::end(ids) && *it == id;
      break;
    }
    case Atom::Kind::InRanges: {
      if (attr == Attr::Amount) {
        // An amount literal speaks of its own currency: in another currency
        // the comparison is false (and its negation true).
        if (!f.has(Attr::Currency)) return Tri::Unknown;
        if (f.get(Attr::Currency) != currency) break;
      }
      if (!f.has(attr)) return Tri::Unknown;
      int64_t v = f.get(attr);
      for (const auto& r : ranges) {
        auto [lo, hi] = range(r);
        base = base || (v >= lo && v < hi);
      }
      break;
    }
    case Atom::Kind::BinPrefix:
      if (!f.has(Attr::Bin)) return Tri::Unknown;
      for (const auto& s : strings) {
        std::string_view p(s);
        base = base || std::string_view(f.bin).substr(0, p.size()) == p;
      }
      break;
    case Atom::Kind::BinExact:
      if (!f.has(Attr::Bin)) return Tri::Unknown;
      for (const auto& s : strings) base = base || f.bin == std::string_view(s);
      break;
    case Atom::Kind::Share: {
      if (!f.has(Attr::HealthFailureRate)) return Tri::Unknown;
      // failure_rate against the threshold, exactly (units / 10^scale each).
      __int128 x = f.failure_rate.units, y = share.units;
      for (int i = f.failure_rate.scale; i < share.scale; ++i) x *= 10;
      for (int i = share.scale; i < f.failure_rate.scale; ++i) y *= 10;
      int cmp = x < y ? -1 : (x > y ? 1 : 0);
      using Op = dsl::CompareOp;
      switch (op) {
        case Op::Lt: base = cmp < 0; break;
        case Op::Le: base = cmp <= 0; break;
        case Op::Gt: base = cmp > 0; break;
        case Op::Ge: base = cmp >= 0; break;
        case Op::Eq: base = cmp == 0; break;
        case Op::Ne: base = cmp != 0; break;
        default: break;
      }
      break;
    }
  }
  return (base != negated) ? Tri::True : Tri::False;
}

// The domain's criteria, compiled: a condition naming one gets a copy of
// its Cond inlined, so decision DAGs and the interpreter see plain atoms.
using CompiledCriteria = std::unordered_map<std::string, Cond>;

// AST condition -> Cond (the domain must be checked). `criteria` holds every
// criterion the condition names (compile them in dependency order).
Result<Cond> compile_condition(const dsl::Condition& c, const Vocab& vocab, const CompiledCriteria& criteria);

// The criteria a condition names directly, in source order (for explanations).
void named_criteria(const dsl::Condition& c, std::vector<std::string>& out);

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
inline bool is_categorical(Attr a) {
  auto t = dsl::kAttributes[idx(a)].type;
  return t == dsl::AttrType::Reference || t == dsl::AttrType::Enum || t == dsl::AttrType::Text;
}

// Conditions the analysis composes (a path to a rule, a route, a region).
Cond cond_all(std::vector<Cond> kids);  // And (no kids: always true)
Cond cond_any(std::vector<Cond> kids);  // Or (no kids: never true)
Cond cond_not(const Cond& c);
Cond cond_in(Attr a, std::vector<int32_t> ids);  // the attribute is one of `ids`

}  // namespace paydomain::evaluator
