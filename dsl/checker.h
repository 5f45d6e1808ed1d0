// Checking: name resolution across files, type checks, structural rules.
// After check() without errors, every reference in the domain names an
// existing object of the right kind, every money literal has its minor units
// set (Value::minor, MoneyLiteral::minor), and routing delegation is acyclic.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::dsl {

// Checks `domain` in place (fills minor units). Every problem found is added
// to `diags`; checking continues after errors to report as many as it can.
void check(Domain& domain, Diagnostics& diags);

// Checks only domain.objects[i] for i in `objects` (names still resolve
// against the whole domain; unique ids and acyclic delegation are checked
// domain-wide). Gives the same errors as check() when the other objects
// checked before and the change since then only inserted objects or updated
// objects whose kind is not content_is_referenced(). The store uses it to
// validate a one-object commit without re-checking 10,000 objects.
void check_objects(Domain& domain, const std::vector<size_t>& objects, Diagnostics& diags);
// Kinds whose content, not only existence, other objects' checks read.
bool content_is_referenced(ObjectKind kind);

// One place an object's id is written: its declaration, or a reference as
// the checker resolves it (of `kind`, whether or not such an object exists).
// Find references and rename in the editor use these, so they change exactly
// what the checker reads as that object, never a word in a comment or string.
struct IdUse {
  ObjectKind kind;
  std::string id;
  Span span;  // of the id itself
  bool declaration = false;
};
// Every id use of a parsed `domain` (tests' titles are not ids), in the
// checker's order; checks it on the way (problems go to `diags`).
std::vector<IdUse> id_uses(Domain& domain, Diagnostics& diags);

class ParseCache;

// Convenience: parse + check. Returns the domain; `diags` holds everything.
// `cache` as for parse().
Domain load(std::vector<SourceFile> files, Diagnostics& diags, ParseCache* cache = nullptr);

}  // namespace paydomain::dsl
