// compile_accounts (evaluator/accounts.h): the compile side, which reads the
// domain and its vocabulary (not part of the std-only evaluation core).
#include "dsl/accounts.h"
#include "evaluator/accounts.h"
#include "evaluator/vocab.h"

namespace paydomain::evaluator {

std::vector<CompiledAccount> compile_accounts(const dsl::Domain& domain, const Vocab& vocab) {
  std::vector<CompiledAccount> out;
  for (const dsl::Object& o : domain.objects) {
    if (o.kind != dsl::ObjectKind::Provider && o.kind != dsl::ObjectKind::PaymentInstitution) continue;
    for (const dsl::Clause& c : o.clauses) {
      if (c.kind != dsl::Clause::Kind::Account) continue;
      CompiledAccount a;
      a.holder_kind = o.kind;
      a.holder = vocab.object(o.kind, o.id.text);
      a.role = dsl::account_clause_role(o.kind, c);
      a.currency = vocab.object(dsl::ObjectKind::Currency, c.ref.text);
      a.number = c.text;
      if (a.holder >= 0 && a.role >= 0 && a.currency >= 0) out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace paydomain::evaluator
