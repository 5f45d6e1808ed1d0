#include "dsl/accounts.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

#include "dsl/inheritance.h"
#include "dsl/schema.h"

namespace paydomain::dsl {
namespace {

using CK = Clause::Kind;

// A bank account number as the language writes it: digits (IBAN-length at most).
constexpr size_t kMaxAccountDigits = 34;

struct Declared {
  int32_t role;
  const Clause* clause;
};
// An object's accounts by (role, currency): the first clause of each.
using Accounts = std::map<std::pair<int32_t, std::string>, Declared>;

void roles_of(const CashFlow& cf, std::set<int32_t>& out) {
  for (const Posting& p : cf.postings) {
    for (const Account* a : {&p.from, &p.to}) {
      if (int32_t r = account_role_index(a->text()); r >= 0) out.insert(r);
    }
  }
  for (const DecisionArm& arm : cf.arms) roles_of(arm.body, out);
}

// Every role the fees of `o` (a tariff, flattened, or a provider) post to.
std::set<int32_t> posted_roles(const Object& o) {
  std::set<int32_t> out;
  for (const Clause& c : o.clauses) {
    if (c.kind == CK::Fees && c.cash_flow) roles_of(*c.cash_flow, out);
    if (c.kind == CK::Refunds && c.refunds && c.refunds->fees) roles_of(*c.refunds->fees, out);
    if (c.kind == CK::Chargebacks && c.chargebacks) {
      if (c.chargebacks->fees) roles_of(*c.chargebacks->fees, out);
      if (c.chargebacks->reserve) roles_of(*c.chargebacks->reserve, out);
    }
  }
  return out;
}

class AccountChecker {
 public:
  AccountChecker(const Domain& d, Diagnostics& diags) : d_(d), diags_(diags), inheritance_(d) {}

  void run() {
    for (const Object& o : d_.objects) {
      if (o.kind != ObjectKind::Provider && o.kind != ObjectKind::PaymentInstitution) continue;
      Accounts a = declared(o);
      if (a.empty()) continue;  // accounts not modelled here
      if (o.kind == ObjectKind::Provider) {
        provider_currencies(o, a);
      } else {
        institutions_.emplace_back(&o, std::move(a));
      }
    }
    for (const auto& [o, a] : institutions_) institution_currencies(*o, a);
  }

 private:
  Diagnostic& err(const Object& o, const Span& at, std::string code, std::string msg) {
    Diagnostic& d = diags_.error(at, std::move(code), std::move(msg));
    d.object = o.display_name();
    return d;
  }

  // The object's account clauses, checked one by one.
  Accounts declared(const Object& o) {
    Accounts out;
    for (const Clause& c : o.clauses) {
      if (c.kind != CK::Account) continue;
      int32_t role = account_clause_role(o.kind, c);
      if (!role_fits(o, c, role)) continue;
      if (c.text.empty() || c.text.size() > kMaxAccountDigits ||
          c.text.find_first_not_of("0123456789") != std::string::npos) {
        err(o, c.span, "account-number", "an account number is 1 to 34 digits, not '" + c.text + "'");
        continue;
      }
      if (!d_.find(ObjectKind::Currency, c.ref.text)) continue;  // reported by the checker
      auto [it, fresh] = out.emplace(std::make_pair(role, c.ref.text), Declared{role, &c});
      if (!fresh) {
        const Clause& first = *it->second.clause;
        err(o, c.span, "duplicate-account",
            "a second " + std::string(kAccountRoles[role].name) + " account in " + c.ref.text + " (the first is " +
                first.text + ", line " + std::to_string(first.span.line) + ")")
            .expected = "one account per role and currency";
      }
    }
    return out;
  }

  bool role_fits(const Object& o, const Clause& c, int32_t role) {
    if (o.kind == ObjectKind::PaymentInstitution && !c.role) {
      err(o, c.span, "account-role", "a payment institution's account names its role")
          .expected = "account system.settlement " + c.ref.text + " " + c.text;
      return false;
    }
    if (role < 0) {
      err(o, c.role->span, "unknown-account", "unknown account '" + c.role->text() + "'").expected =
          "one of the roles of " + std::string(o.kind == ObjectKind::Provider ? "a provider" : "a payment institution");
      return false;
    }
    AccountHolder want = o.kind == ObjectKind::Provider ? AccountHolder::Provider : AccountHolder::Institution;
    AccountHolder holder = kAccountRoles[role].holder;
    if (holder == want) return true;
    std::string name(kAccountRoles[role].name);
    std::string why = holder == AccountHolder::Merchant
                          ? name + " is the merchant's account: the payment context gives its id (" +
                                std::string(kAccountRoles[role].field) + ")"
                      : holder == AccountHolder::Provider
                          ? name + " is the route's provider's account: name it in the provider"
                          : name + " is the payment institution's account: name it there";
    Diagnostic& d = err(o, c.role->span, "account-role", why);
    d.expected = o.kind == ObjectKind::Provider ? "account " + c.ref.text + " " + c.text
                                                : "a system.* or external.* role";
    return false;
  }

  bool has(const Accounts& a, int32_t role, const std::string& currency) const {
    return a.count({role, currency}) != 0;
  }

  // A provider accepting currencies it holds no provider.settlement account in.
  void provider_currencies(const Object& o, const Accounts& a) {
    const Clause* accepts = o.find(CK::Accepts);
    if (!accepts || !accepts->condition) return;
    auto currencies = restricted_values(*accepts->condition, "currency");
    if (!currencies) return;
    provider_currencies_[o.id.text] = *currencies;
    int32_t role = account_role_index("provider.settlement");
    for (const std::string& cur : *currencies) {
      if (!d_.find(ObjectKind::Currency, cur) || has(a, role, cur)) continue;
      err(o, o.id.span, "missing-account",
          "provider " + o.id.text + " accepts " + cur + " payments but has no provider.settlement account in " + cur)
          .expected = "account " + cur + " <number>";
    }
  }

  // The tariffs an institution's merchants may get: its default_tariff and
  // every binding rule that may apply to its payments.
  std::vector<const Object*> tariffs_of(const Object& inst) const {
    std::vector<const Object*> out;
    auto add = [&](const std::string& id) {
      const Object* t = inheritance_.tariff(id);
      if (t && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    };
    if (const Clause* c = inst.find(CK::DefaultTariff)) add(c->ref.text);
    for (const Object& b : d_.objects) {
      if (b.kind != ObjectKind::TariffBinding) continue;
      for (const Clause& c : b.clauses) {
        if (c.kind != CK::BindingRule || !c.binding) continue;
        if (c.binding->condition) {
          auto only = restricted_values(*c.binding->condition, "payment_institution");
          if (only && !only->count(inst.id.text)) continue;
        }
        add(c.binding->tariff.text);
      }
    }
    return out;
  }

  // An institution whose tariffs allow a currency in which a role their (or
  // a provider's) postings use has no account.
  void institution_currencies(const Object& inst, const Accounts& a) {
    std::map<std::pair<int32_t, std::string>, std::string> reported;  // (role, currency) -> why
    for (const Object* t : tariffs_of(inst)) {
      Flattened f = inheritance_.flatten(*t);
      const Clause* cur = f.object.find(CK::Currencies);
      if (!cur) continue;
      std::set<int32_t> roles = posted_roles(f.object);
      for (const Value& v : cur->list.items) {
        std::set<int32_t> need = roles;
        for (const Object& p : d_.objects) {  // the providers that take this currency post too
          auto it = provider_currencies_.find(p.id.text);
          if (p.kind != ObjectKind::Provider || it == provider_currencies_.end() || !it->second.count(v.text)) continue;
          std::set<int32_t> pr = posted_roles(p);
          need.insert(pr.begin(), pr.end());
        }
        for (int32_t r : need) {
          if (kAccountRoles[r].holder != AccountHolder::Institution || has(a, r, v.text)) continue;
          if (!reported.emplace(std::make_pair(r, v.text), t->id.text).second) continue;
          std::string role(kAccountRoles[r].name);
          err(inst, inst.id.span, "missing-account",
              "payment_institution " + inst.id.text + " has no " + role + " account in " + v.text + ": tariff " +
                  t->id.text + " allows " + v.text + " and its payments post to " + role)
              .expected = "account " + role + " " + v.text + " <number>";
        }
      }
    }
  }

  const Domain& d_;
  Diagnostics& diags_;
  Inheritance inheritance_;
  std::vector<std::pair<const Object*, Accounts>> institutions_;
  std::map<std::string, std::set<std::string>> provider_currencies_;  // modelled providers with known currencies
};

}  // namespace

int32_t account_clause_role(ObjectKind kind, const Clause& c) {
  if (c.role) return account_role_index(c.role->text());
  return kind == ObjectKind::Provider ? account_role_index("provider.settlement") : -1;
}

std::string account_clause_key(ObjectKind kind, const Clause& c) {
  int32_t role = account_clause_role(kind, c);
  std::string name = role >= 0 ? std::string(kAccountRoles[role].name) : c.role ? c.role->text() : "?";
  return "account " + name + " " + c.ref.text;
}

std::optional<std::set<std::string>> restricted_values(const Condition& c, std::string_view attribute) {
  switch (c.kind) {
    case Condition::Kind::Compare: {
      if (c.attribute.text != attribute) return std::nullopt;
      std::set<std::string> out;
      if (c.op == CompareOp::Eq && c.operands.size() == 1) {
        out.insert(c.operands[0].text);
      } else if (c.op == CompareOp::In && c.operands.size() == 1) {
        for (const Value& v : c.operands[0].items) out.insert(v.text);
      } else {
        return std::nullopt;
      }
      return out;
    }
    case Condition::Kind::And: {  // the intersection of the sides that say
      std::optional<std::set<std::string>> out;
      for (const Condition& k : c.children) {
        auto v = restricted_values(k, attribute);
        if (!v) continue;
        if (!out) {
          out = std::move(v);
        } else {
          std::set<std::string> both;
          std::set_intersection(out->begin(), out->end(), v->begin(), v->end(), std::inserter(both, both.end()));
          out = std::move(both);
        }
      }
      return out;
    }
    case Condition::Kind::Or: {  // the union, when every side says
      std::set<std::string> out;
      for (const Condition& k : c.children) {
        auto v = restricted_values(k, attribute);
        if (!v) return std::nullopt;
        out.insert(v->begin(), v->end());
      }
      return out;
    }
    case Condition::Kind::Not:
    case Condition::Kind::Criterion: break;
  }
  return std::nullopt;
}

void check_accounts(const Domain& domain, Diagnostics& diags) { AccountChecker(domain, diags).run(); }

}  // namespace paydomain::dsl
