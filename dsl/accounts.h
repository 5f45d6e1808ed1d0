// Real accounts behind the roles postings name (docs/language.md, "Accounts").
// A posting moves money between roles (merchant.settlement -> system.settlement);
// dsl::kAccountRoles says who holds each role's account, per currency:
//   merchant.*            the merchant: its ids come in the payment context
//                         (merchant_accounts.settlement, ...);
//   system.*, external.*  the payment's payment institution:
//                         `account system.settlement RUB 40701810000000000010`;
//   provider.settlement   the route's provider: `account RUB 40702810000000001`
//                         (`account provider.settlement RUB ...` says the same).
// An institution or provider that names no account at all does not model
// accounts: its postings carry roles only. One that names any must name one
// for every currency it is used in, and one only (duplicate-account).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::dsl {

// The role (kAccountRoles index) an `account` clause of an object of `kind`
// names: its written role, else provider.settlement; -1 for an unknown role.
int32_t account_clause_role(ObjectKind kind, const Clause& c);

// "account provider.settlement RUB": an account clause's name in diffs (one per role and currency).
std::string account_clause_key(ObjectKind kind, const Clause& c);

// The values a condition restricts a Reference attribute to (`currency in
// [RUB, USD] and ...` -> {RUB, USD}), or nullopt when it does not say (an
// `or` with a side that does not, a `not`, a criterion).
std::optional<std::set<std::string>> restricted_values(const Condition& c, std::string_view attribute);

// The account checks of a checked domain (every reference resolved or
// reported): roles and numbers of `account` clauses, duplicate-account, and
// missing-account where the currencies are known before any payment: a
// provider's `accepts` names them; a payment institution's tariffs (its
// default_tariff and the binding's tariffs that may apply to it) list
// `currencies` and post to its roles. Run on the whole domain each time.
void check_accounts(const Domain& domain, Diagnostics& diags);

}  // namespace paydomain::dsl
