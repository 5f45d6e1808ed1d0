// The analysis as it was before it was rebuilt to scale (issue 14, item 5):
// kept only as the oracle of tests/evaluator/analyze_diff_test.cc, which
// checks that the new analysis reports every warning this one reports. It
// builds each nested decision's path condition in full (quadratic in the
// rules) and compiles the domain again; do not use it outside the tests.
#pragma once

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::evaluator::testing {

// `domain` must be checked without errors (dsl::load).
void analyze_reference(const dsl::Domain& domain, dsl::Diagnostics& diags);

}  // namespace paydomain::evaluator::testing
