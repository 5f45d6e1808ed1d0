// The accounts behind posting roles in a compiled revision (the language:
// dsl/accounts.h): what the compiler takes from the domain, the table a
// Program builds from its artifact's accounts section (format 1.3), and the
// resolution that gives each posting of one evaluation its account ids
// ("final cash flow"). Standard library only (the embeddable client links it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "dsl/schema.h"

namespace paydomain::evaluator {

class Program;
class Vocab;
struct Context;
struct RouteResult;
struct CashFlowResult;

// One account a provider or payment institution names.
struct CompiledAccount {
  dsl::ObjectKind holder_kind = dsl::ObjectKind::Provider;  // or PaymentInstitution
  int32_t holder = -1;                                      // its index
  int32_t role = -1;                                        // dsl::kAccountRoles
  int32_t currency = -1;
  std::string number;  // digits
};
// Every account of a checked domain, in domain order.
std::vector<CompiledAccount> compile_accounts(const dsl::Domain& domain, const Vocab& vocab);

// Accounts by holder, role and currency (a posting's roles are in its
// record: pdc::PostingRoles).
class AccountTable {
 public:
  // Built from `p`'s accounts section; "" or an error naming
  // the record (a holder, role, currency or number out of place, or a second
  // account for one holder, role and currency).
  std::string load(const Program& p);

  // Any holder of `kind` (provider, payment_institution) names an account.
  bool modelled(dsl::ObjectKind kind) const { return kind == dsl::ObjectKind::Provider ? any_provider_ : any_institution_; }
  // That holder names any account at all (else its postings carry roles only).
  bool modelled(dsl::ObjectKind kind, int32_t holder) const;
  // The account number, or empty when the holder names none for this role and currency.
  std::string_view find(dsl::ObjectKind kind, int32_t holder, int32_t role, int32_t currency) const;
  size_t resident_bytes() const {
    return (providers_.capacity() + institutions_.capacity()) * sizeof(std::string_view) + modelled_.capacity();
  }

 private:
  int32_t currencies_ = 0, provider_count_ = 0;
  bool any_provider_ = false, any_institution_ = false;
  std::vector<std::string_view> providers_;     // [provider][currency] provider.settlement
  std::vector<std::string_view> institutions_;  // [institution][role][currency]
  std::vector<uint8_t> modelled_;               // providers, then institutions
};

// Gives each posting of `cf` its account ids (PostingResult::from_account,
// to_account) for the payment `c` routed as `route`: a merchant role from
// the context, system.* and external.* from the context's payment
// institution, provider.settlement from the chosen route's provider. What
// only a later context can give goes to the posting's `missing` (the
// merchant's account field, payment_institution, route). A holder that
// names accounts but none for this role and currency makes the cash flow an
// error naming the account; a holder naming no account leaves it unresolved.
void resolve_accounts(const Program& p, const Context& c, const RouteResult& route, CashFlowResult& cf);

}  // namespace paydomain::evaluator
