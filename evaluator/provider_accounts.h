// missing-account for a provider whose `accepts` does not restrict the
// currency, an error of `paydomain check` computed on the compiled decisions.
// dsl/accounts.h reports a provider that accepts a currency (by its
// `accepts`) and holds no provider.settlement account in it; a provider
// accepting any currency is still reached only by the payments its routes
// let through, in the currencies their tariffs allow. This finds, for each
// tariff with a routing, each route to such a provider and each currency the
// tariff allows (every currency when it lists none) in which the provider
// holds no account, whether some payment the tariff allows is routed there
// and posts to provider.settlement (a posting of the tariff's or the
// provider's fees outside any `when`); if so that is an error with an example
// payment. Payments a context's `routing` sends elsewhere, and postings under
// a `when`, stay evaluation errors (docs/language.md, "The real accounts
// behind the roles").
#pragma once

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::evaluator {

struct CompiledDomain;

// `compiled` is compile(domain) of a domain checked without errors.
void provider_account_errors(const dsl::Domain& domain, const CompiledDomain& compiled, dsl::Diagnostics& diags);

}  // namespace paydomain::evaluator
