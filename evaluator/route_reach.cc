#include "evaluator/route_reach.h"

#include "dsl/schema.h"

namespace paydomain::evaluator {
namespace {

constexpr int kMaxDelegation = 16;  // `use` depth followed (the checker refuses cycles)

void routes_at(const CompiledDomain& d, int32_t ri, const Cond& prefix, int depth, std::set<int32_t>& seen,
               std::vector<Route>& out) {
  if (depth > kMaxDelegation) return;
  seen.insert(ri);
  const CompiledRouting& r = d.routings[static_cast<size_t>(ri)];
  std::vector<Cond> none{prefix};  // no rule so far matched
  for (size_t g = 0; g < r.guard_info.size() && g < r.guards.rules.size(); ++g) {
    const Cond& rule = r.guards.rules[g];
    if (!r.guard_info[g].decline) {
      std::vector<Cond> via = none;
      via.push_back(rule);
      routes_at(d, r.guard_info[g].target, cond_all(std::move(via)), depth + 1, seen, out);
    }
    none.push_back(cond_not(rule));
  }
  const Cond rest = cond_all(std::move(none));
  for (const CompiledRouting::Candidate& cand : r.candidates) {
    const CompiledTerminal& t = d.terminals[static_cast<size_t>(cand.terminal)];
    if (t.disabled || t.provider < 0) continue;
    std::vector<Cond> k{rest};
    if (cand.when) k.push_back(cand.when->rules[0]);
    if (t.accepts) k.push_back(t.accepts->rules[0]);
    const CompiledProvider& p = d.providers[static_cast<size_t>(t.provider)];
    if (p.accepts) k.push_back(p.accepts->rules[0]);
    if (t.risk_coverage >= 0) {
      std::vector<int32_t> covered;
      for (int32_t x = 0; x <= t.risk_coverage; ++x) covered.push_back(x);
      k.push_back(cond_in(Attr::Risk, std::move(covered)));
    }
    out.push_back({cand.terminal, cond_all(std::move(k))});
  }
}

}  // namespace

void routes(const CompiledDomain& d, int32_t ri, const Cond& prefix, std::set<int32_t>& seen, std::vector<Route>& out) {
  routes_at(d, ri, prefix, 0, seen, out);
}

Cond amount_in(int32_t currency, int64_t low, int64_t high) {
  Cond c;
  c.kind = Cond::Kind::Atom;
  c.atom.kind = Atom::Kind::InRanges;
  c.atom.attr = Attr::Amount;
  c.atom.currency = currency;
  c.atom.ranges = {{low, high == INT64_MAX ? high : high + 1}};
  return c;
}

Cond tariff_allows(const CompiledTariff& t) {
  std::vector<Cond> k;
  if (t.categories) {
    std::vector<int32_t> ids;
    for (size_t i = 0; i < t.categories->size(); ++i)
      if ((*t.categories)[i]) ids.push_back(static_cast<int32_t>(i));
    k.push_back(cond_in(Attr::Category, std::move(ids)));
  }
  if (t.methods) {
    constexpr int32_t kCard = dsl::enum_value("payment_tool", "bank_card");
    constexpr int32_t kWallet = dsl::enum_value("payment_tool", "wallet");
    std::vector<Cond> any;
    for (const PaymentMethodRule& m : *t.methods) {
      std::vector<Cond> one{cond_in(Attr::PaymentTool, {m.kind})};
      if (m.sub >= 0 && (m.kind == kCard || m.kind == kWallet))
        one.push_back(cond_in(m.kind == kCard ? Attr::PaymentSystem : Attr::WalletProvider, {m.sub}));
      any.push_back(cond_all(std::move(one)));
    }
    k.push_back(cond_any(std::move(any)));
  }
  return cond_all(std::move(k));
}

}  // namespace paydomain::evaluator
