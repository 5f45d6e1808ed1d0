// Checking: name resolution across files, type checks, structural rules.
// After check() without errors, every reference in the domain names an
// existing object of the right kind, every money literal has its minor units
// set (Value::minor, MoneyLiteral::minor), and routing delegation is acyclic.
#pragma once

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::dsl {

// Checks `domain` in place (fills minor units). Every problem found is added
// to `diags`; checking continues after errors to report as many as it can.
void check(Domain& domain, Diagnostics& diags);

// Convenience: parse + check. Returns the domain; `diags` holds everything.
Domain load(std::vector<SourceFile> files, Diagnostics& diags);

}  // namespace paydomain::dsl
