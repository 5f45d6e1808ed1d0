#include "evaluator/provider_accounts.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "dsl/accounts.h"
#include "dsl/schema.h"
#include "evaluator/analyze.h"
#include "evaluator/compiled.h"
#include "evaluator/route_reach.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;

const int32_t kProviderSettlement = dsl::account_role_index("provider.settlement");

bool posts_to_provider(const std::optional<CompiledCashFlow>& cf) {
  if (!cf) return false;
  return std::any_of(cf->postings.begin(), cf->postings.end(), [](const CompiledPosting& p) {
    return p.from == "provider.settlement" || p.to == "provider.settlement";
  });
}

// What payments of `currency` tariff `t` allows (its bound in that currency).
Cond allowed_in(const CompiledTariff& t, int32_t currency) {
  std::vector<Cond> k{tariff_allows(t), cond_in(Attr::Operation, {kOperationPayment}), cond_in(Attr::Currency, {currency})};
  for (const AmountBound& b : t.bounds)
    if (b.currency == currency) k.push_back(amount_in(currency, b.low, b.high));
  return cond_all(std::move(k));
}

}  // namespace

void provider_account_errors(const dsl::Domain& domain, const CompiledDomain& c, dsl::Diagnostics& diags) {
  // The providers in question: holding accounts, accepting any currency.
  const auto providers = static_cast<size_t>(c.vocab.object_count(OK::Provider));
  const auto currencies = c.exponents.size();
  std::vector<std::vector<uint8_t>> held(providers);  // [provider][currency]: a provider.settlement account
  for (const CompiledAccount& a : c.accounts) {
    if (a.holder_kind != OK::Provider || a.role != kProviderSettlement) continue;
    auto& h = held[static_cast<size_t>(a.holder)];
    h.resize(currencies, 0);
    h[static_cast<size_t>(a.currency)] = 1;
  }
  std::vector<const dsl::Object*> open(providers, nullptr);  // the provider's object, when in question
  bool any = false;
  for (const dsl::Object& o : domain.objects) {
    if (o.kind != OK::Provider) continue;
    int32_t p = c.vocab.object(OK::Provider, o.id.text);
    if (p < 0 || held[static_cast<size_t>(p)].empty()) continue;  // accounts not modelled
    const dsl::Clause* accepts = o.find(dsl::Clause::Kind::Accepts);
    if (accepts && accepts->condition && dsl::restricted_values(*accepts->condition, "currency")) continue;  // dsl/accounts.h
    open[static_cast<size_t>(p)] = &o;
    any = true;
  }
  if (!any) return;
  dsl::Diagnostics mine(&domain.files);  // a Diagnostics made with the files places its errors in them
  std::set<std::pair<int32_t, int32_t>> reported;  // (provider, currency)
  for (size_t ti = 0; ti < c.tariffs.size(); ++ti) {
    const CompiledTariff& t = c.tariffs[ti];
    if (t.routing < 0) continue;
    std::vector<Route> found;
    std::set<int32_t> seen;
    routes(c, t.routing, Cond{}, seen, found);
    for (const Route& r : found) {
      const int32_t p = c.terminals[static_cast<size_t>(r.terminal)].provider;
      const dsl::Object* po = open[static_cast<size_t>(p)];
      if (!po || !(posts_to_provider(t.fees) || posts_to_provider(c.providers[static_cast<size_t>(p)].fees))) continue;
      for (size_t ci = 0; ci < currencies; ++ci) {
        const auto cur = static_cast<int32_t>(ci);
        if ((t.currencies && !(*t.currencies)[ci]) || held[static_cast<size_t>(p)][ci] || reported.count({p, cur}))
          continue;
        Selector s = compile_selector({cond_all({allowed_in(t, cur), r.reach})}, c.vocab);
        std::vector<ExampleStep> example;
        if (s.fallback || !s.dag.example(0, example)) continue;  // no such payment (or too big to tell)
        if (std::none_of(example.begin(), example.end(), [](const ExampleStep& st) { return st.attr == Attr::Currency; }))
          example.insert(example.begin(), ExampleStep{Attr::Currency, cur, {}});
        reported.insert({p, cur});
        const std::string& code = c.vocab.object_name(OK::Currency, cur);
        dsl::Diagnostic& d =
            mine.error(po->id.span, "missing-account",
                        "provider " + po->id.text + " has no provider.settlement account in " + code + ": tariff " +
                            t.name + " allows " + code + " and routing " + c.vocab.object_name(OK::Routing, t.routing) +
                            " can route its payments to terminal " + c.vocab.object_name(OK::Terminal, r.terminal) +
                            ", e.g. " + example_text(example, c));
        d.object = po->display_name();
        d.expected = "account " + code + " <number>";
      }
    }
  }
  for (dsl::Diagnostic& e : mine.items()) diags.add(std::move(e));
}

}  // namespace paydomain::evaluator
