// Tariff inheritance: `tariff premium extends standard { ... }`. A child
// tariff overrides only what it names; everything else comes from its
// parent (and the parent's parent, ...). What "names" means, part by part
// (docs/language.md, "Inherited tariffs", says the same to analysts):
//   * a clause the child writes replaces every clause of that kind the
//     parent has: `currencies`, `categories`, `payment_methods`, `fees` (the
//     payment fee decision as a whole), `hold_lifetime`, `routing`;
//   * `amount between` is one currency at a time: the child's bound for RUB
//     replaces the parent's RUB bound and keeps its USD bound;
//   * inside `refunds { }`, `captures { }` and `chargebacks { }` one item
//     at a time: `allowed`, `partial`, `within`, `fees` and `reserve` (a
//     decision as a whole) are each inherited unless the child's block gives them;
//   * `name` and `description` are the tariff's own: never inherited.
// Inheritance is resolved when a domain is compiled: the evaluator, the
// analyses and the artifact see each tariff flattened (Flattened::object);
// explanations name the tariff a rule is written in (Flattened::from).
// The checker rejects unknown parents, a parent of another kind, `extends`
// on other kinds and cycles; these functions stay total on a domain it
// rejected (a cycle or an unknown parent ends the chain).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dsl/ast.h"

namespace paydomain::dsl {

// A tariff with every inherited clause written into it.
struct Flattened {
  // The tariff's own kind, id, span and parent, with its own clauses first
  // (source order) and then each inherited clause (nearest ancestor first).
  Object object;
  // Per clause of `object`: the tariff it is written in (the tariff itself
  // for its own clauses). A `refunds` (`captures`) clause merged from
  // several tariffs is attributed to the nearest one with such a block; the
  // tariffs its items are written in are below (nullptr: the item is nowhere).
  std::vector<const Object*> from;
  struct TermsFrom {
    const Object *allowed = nullptr, *partial = nullptr, *within = nullptr, *fees = nullptr, *reserve = nullptr;
  };
  TermsFrom refunds_from, captures_from, chargebacks_from;
  // Where the terms item a part path names is written ("refunds/fees/when 1"
  // -> refunds_from.fees); `fallback` for any other path.
  const Object* item_from(std::string_view path, const Object* fallback) const;
};

// The tariffs of one domain by id, for walking `extends` chains. Holds
// pointers into `domain`: keep it alive and unchanged.
class Inheritance {
 public:
  explicit Inheritance(const Domain& domain);

  // The tariff named `id`, or nullptr.
  const Object* tariff(std::string_view id) const;
  // `tariff` and its ancestors, nearest first: [premium, standard, basic].
  // Ends at a parent that is not a tariff of the domain, and before a
  // tariff already in the chain (a cycle). Bounded by the tariff count.
  std::vector<const Object*> chain(const Object& tariff) const;
  // `tariff` with its inherited clauses (a copy; for a tariff without a
  // parent, its own clauses).
  Flattened flatten(const Object& tariff) const;
  // What a tariff's compiled meaning depends on besides its own text and
  // line: each ancestor's line and source text (empty without a parent),
  // for the compile and analysis caches' keys.
  std::string ancestors_text(const Object& tariff) const;

 private:
  const Domain& domain_;
  std::unordered_map<std::string_view, const Object*> tariffs_;
};

// ", inherited by tariff premium" (or ", inherited by tariff premium through
// standard" past an intermediate tariff) for a rule written in `from`, an
// ancestor in `chain` (Inheritance::chain of the tariff using it); "" when
// `from` is chain[0] itself. Explanations of inherited rules end with it.
std::string inherited_note(const std::vector<const Object*>& chain, const Object* from);

}  // namespace paydomain::dsl
