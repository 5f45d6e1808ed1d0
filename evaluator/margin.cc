#include "evaluator/margin.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "dsl/inheritance.h"
#include "dsl/schema.h"
#include "evaluator/analysis_cache.h"
#include "evaluator/analyze.h"
#include "evaluator/compiled.h"
#include "evaluator/evaluate.h"
#include "evaluator/money.h"
#include "evaluator/route_reach.h"
#include "evaluator/rule_overlap.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;

constexpr size_t kMaxPaths = 512;          // fee paths priced per cash flow
constexpr size_t kMaxWarnings = 10;        // per tariff
constexpr int64_t kUnbounded = 1'000'000'000'000;  // the highest amount tried when the tariff sets no bound

// One path through a cash flow: the arm taken at each decision (-1: none of
// its arms matched) and the postings along it.
struct Path {
  std::vector<std::pair<const Selector*, int32_t>> arms;
  std::vector<const CompiledPosting*> postings;
  std::string_view explain;  // the innermost arm's
};

// Every path of `cf` into `out`; false past kMaxPaths. Recursion follows the
// cash flow's nesting, which the parser already bounds.
bool paths(const CompiledCashFlow& cf, Path& at, std::vector<Path>& out) {
  size_t posted = at.postings.size();
  for (const CompiledPosting& p : cf.postings) at.postings.push_back(&p);
  bool ok = true;
  if (!cf.arms.rules.empty()) {
    std::string_view outer = at.explain;
    for (size_t i = 0; ok && i < cf.bodies.size(); ++i) {
      at.arms.emplace_back(&cf.arms, static_cast<int32_t>(i));
      at.explain = cf.arm_explain[i];
      ok = paths(cf.bodies[i], at, out);
      at.arms.pop_back();
    }
    at.explain = outer;
    at.arms.emplace_back(&cf.arms, -1);
  }
  if (ok) out.push_back(at);
  if (!cf.arms.rules.empty()) at.arms.pop_back();
  at.postings.resize(posted);
  return ok && out.size() <= kMaxPaths;
}

bool is_system(const std::string& account) { return account.rfind("system.", 0) == 0; }

// The amounts in [low, high] where a path or a posting can change: each
// boundary an amount condition in `currency` names (both sides of it), each
// min/max kink of a share against a fixed amount, and the two ends.
class Amounts {
 public:
  Amounts(int32_t currency, int64_t low, int64_t high) : cur_(currency), low_(low), high_(high) {
    add(low);
    add(high);
  }
  void conditions(const Cond& c) {
    for_each_atom(c, [&](const Atom& a) {
      if (a.attr != Attr::Amount || a.currency != cur_) return;
      for (const auto& [lo, hi] : a.ranges) {
        for (int64_t x : {lo - 1, lo, hi - 1, hi}) add(x);
      }
    });
  }
  void volume(const CompiledVolume& v) {
    using K = dsl::Volume::Kind;
    if (v.kind == K::Min || v.kind == K::Max) {
      for (const CompiledVolume& a : v.args) {
        for (const CompiledVolume& b : v.args) {
          // share × amount = fixed at amount = fixed / share.
          if (b.kind != K::Fixed || b.fixed_currency != cur_ || a.share.num <= 0) continue;
          if (a.kind != K::Percent && a.kind != K::Fraction && a.kind != K::WholeAmount) continue;
          __int128 at = static_cast<__int128>(b.fixed_minor) * a.share.den / a.share.num;
          if (at >= 0 && at < INT64_MAX) {
            add(static_cast<int64_t>(at));
            add(static_cast<int64_t>(at) + 1);
          }
        }
      }
    }
    for (const CompiledVolume& a : v.args) volume(a);
  }
  std::vector<int64_t> sorted() const { return {all_.begin(), all_.end()}; }

 private:
  void add(int64_t x) {
    if (x >= low_ && x <= high_) all_.insert(x);
  }
  int32_t cur_;
  int64_t low_, high_;
  std::set<int64_t> all_;
};

class MarginCheck {
 public:
  MarginCheck(const CompiledDomain& c, dsl::Diagnostics& diags) : c_(c), diags_(diags) {}

  void tariff(const dsl::Object& o, const CompiledTariff& t, const std::vector<Route>& routes) {
    std::vector<Path> fees;
    Path top;
    top.explain = t.explain;
    if (!t.fees || !paths(*t.fees, top, fees)) return;
    const Cond allows = tariff_allows(t);
    std::vector<int32_t> providers;  // with fees, in route order
    for (const Route& r : routes) {
      int32_t p = c_.terminals[static_cast<size_t>(r.terminal)].provider;
      if (c_.providers[static_cast<size_t>(p)].fees && std::find(providers.begin(), providers.end(), p) == providers.end())
        providers.push_back(p);
    }
    size_t warned = 0;
    for (int32_t pi : providers) {
      std::vector<bool> reported(fees.size(), false);  // one warning per tariff path and provider
      const CompiledProvider& p = c_.providers[static_cast<size_t>(pi)];
      std::vector<Path> costs;
      Path ptop;
      ptop.explain = p.explain;
      if (!paths(*p.fees, ptop, costs)) continue;
      std::vector<Cond> reach;
      std::vector<int32_t> named;
      std::string terminals;
      for (const Route& r : routes) {
        if (c_.terminals[static_cast<size_t>(r.terminal)].provider != pi) continue;
        reach.push_back(r.reach);
        if (std::find(named.begin(), named.end(), r.terminal) != named.end()) continue;
        named.push_back(r.terminal);
        terminals += (terminals.empty() ? "" : ", ") + c_.vocab.object_name(OK::Terminal, r.terminal);
      }
      const Cond to_provider = cond_any(std::move(reach));
      for (size_t ci = 0; ci < c_.exponents.size() && warned < kMaxWarnings; ++ci) {
        auto cur = static_cast<int32_t>(ci);
        if (t.currencies && !(*t.currencies)[ci]) continue;
        int64_t low = 1, high = kUnbounded;
        for (const AmountBound& b : t.bounds) {
          if (b.currency != cur) continue;
          low = std::max<int64_t>(b.low, 1);
          high = b.high;
        }
        if (low > high) continue;
        Amounts at(cur, low, high);
        at.conditions(to_provider);
        for (const std::vector<Path>* side : {&fees, &costs}) {
          for (const Path& path : *side) {
            for (const auto& [sel, arm] : path.arms)
              for (const Cond& rule : sel->rules) at.conditions(rule);
            for (const CompiledPosting* post : path.postings) at.volume(post->volume);
          }
        }
        pair_up(o, cur, at.sorted(), fees, costs, cond_all({allows, to_provider}), p, terminals, reported, warned);
      }
    }
  }

 private:
  // Each pair of paths (tariff fees, provider fees) over the amounts: a run
  // of consecutive amounts where both are possible and the margin is below
  // zero, confirmed on one DAG, is a warning.
  void pair_up(const dsl::Object& o, int32_t cur, const std::vector<int64_t>& amounts, const std::vector<Path>& fees,
               const std::vector<Path>& costs, const Cond& route, const CompiledProvider& p,
               const std::string& terminals, std::vector<bool>& reported, size_t& warned) {
    // The margin share of each path at each amount (nullopt: not possible there, or an error posting).
    auto priced = [&](const std::vector<Path>& side) {
      std::vector<std::vector<std::optional<__int128>>> out(side.size());
      for (size_t k = 0; k < amounts.size(); ++k) {
        Facts f = facts(cur, amounts[k]);
        first_true_.clear();
        for (size_t i = 0; i < side.size(); ++i) out[i].push_back(possible(side[i], f) ? margin(side[i], f) : std::nullopt);
      }
      return out;
    };
    const auto in = priced(fees), out = priced(costs);
    for (size_t i = 0; i < fees.size(); ++i) {
      for (size_t j = 0; j < costs.size() && !reported[i]; ++j) {
        for (size_t k = 0; k < amounts.size();) {
          auto loses = [&](size_t x) { return in[i][x] && out[j][x] && *in[i][x] + *out[j][x] < 0; };
          if (!loses(k)) {
            ++k;
            continue;
          }
          size_t end = k;
          while (end + 1 < amounts.size() && loses(end + 1)) ++end;
          // Both paths hold between neighbouring amounts, where the margin is
          // linear: the run reaches on towards a neighbour without a loss up
          // to where the sign turns.
          auto both = [&](size_t x) { return in[i][x] && out[j][x]; };
          auto loss_at = [&](int64_t a) {
            Facts f = facts(cur, a);
            auto x = margin(fees[i], f), y = margin(costs[j], f);
            return x && y && *x + *y < 0;
          };
          int64_t low = amounts[k], high = amounts[end];
          if (k > 0 && both(k - 1)) low = turn(amounts[k - 1], low, loss_at, false);
          if (end + 1 < amounts.size() && both(end + 1)) high = turn(high, amounts[end + 1], loss_at, true);
          if (confirm(o, cur, low, high, amounts, fees[i], costs[j], route, p, terminals)) {
            reported[i] = true;
            if (++warned >= kMaxWarnings) return;
            break;
          }
          k = end + 1;
        }
      }
    }
  }

  // Bisects (from, to) for where a loss starts (`last` false: the lowest
  // losing amount above `from`, given a loss at `to`) or ends (`last` true:
  // the highest losing amount below `to`, given a loss at `from`).
  template <class Loss>
  static int64_t turn(int64_t from, int64_t to, const Loss& loss_at, bool last) {
    int64_t yes = last ? from : to, no = last ? to : from;
    while ((yes > no ? yes - no : no - yes) > 1) {
      int64_t mid = no + (yes - no) / 2;
      (loss_at(mid) ? yes : no) = mid;
    }
    return yes;
  }

  Facts facts(int32_t cur, int64_t amount) const {
    Facts f;
    f.set(Attr::Operation, kOperationPayment);
    f.set(Attr::Currency, cur);
    f.set(Attr::Amount, amount);
    return f;
  }

  // False when, for payments of `f`, some arm on the path is false or an
  // earlier arm of its decision certainly matches first.
  bool possible(const Path& path, const Facts& f) {
    for (const auto& [sel, arm] : path.arms) {
      auto it = first_true_.find(sel);
      if (it == first_true_.end()) {
        size_t k = 0;
        while (k < sel->rules.size() && eval(sel->rules[k], f) != Tri::True) ++k;
        it = first_true_.emplace(sel, k).first;
      }
      if (arm < 0 ? it->second < sel->rules.size()
                  : eval(sel->rules[static_cast<size_t>(arm)], f) == Tri::False || it->second < static_cast<size_t>(arm))
        return false;
    }
    return true;
  }

  // Postings into system accounts minus postings out of them.
  std::optional<__int128> margin(const Path& path, const Facts& f) const {
    __int128 sum = 0;
    for (const CompiledPosting* p : path.postings) {
      bool in = is_system(p->to) && !is_system(p->from), out = is_system(p->from) && !is_system(p->to);
      if (!in && !out) continue;
      Result<int64_t> a = posting_amount(c_, *p, f);
      if (!a) return std::nullopt;  // an error cash flow moves nothing
      sum += in ? *a : -static_cast<__int128>(*a);
    }
    return sum;
  }

  // What a payment must satisfy to take `path`: at each decision its arm and
  // no earlier arm that may match the same payments (rule_overlap.h).
  Cond condition(const Path& path) {
    std::vector<Cond> k;
    for (const auto& [sel, arm] : path.arms) {
      if (arm >= 0) {
        k.push_back(sel->rules[static_cast<size_t>(arm)]);
        auto it = overlap_.find(sel);
        if (it == overlap_.end()) it = overlap_.try_emplace(sel, sel->rules, c_.vocab).first;
        for (size_t j : it->second.before(static_cast<size_t>(arm))) k.push_back(cond_not(sel->rules[j]));
      } else {
        for (const Cond& rule : sel->rules) k.push_back(cond_not(rule));
      }
    }
    return cond_all(std::move(k));
  }

  bool confirm(const dsl::Object& o, int32_t cur, int64_t low, int64_t high, const std::vector<int64_t>& amounts,
               const Path& fee, const Path& cost, const Cond& route, const CompiledProvider& p,
               const std::string& terminals) {
    Cond region = cond_all({condition(fee), condition(cost), route, cond_in(Attr::Operation, {kOperationPayment}),
                          cond_in(Attr::Currency, {cur}), amount_in(cur, low, high)});
    Selector s = compile_selector({std::move(region)}, c_.vocab);
    std::vector<ExampleStep> path;
    if (s.fallback || !s.dag.example(0, path)) return false;
    // The run was priced on the amount and currency alone, but the region
    // also reads the other attributes (a Mastercard rule after `when
    // payment_system != visa and amount >= 333.33 RUB` holds below 333.33
    // only), so it may hold on part of the run: narrow the run to where it
    // does. The region is the same from one priced amount to the next (each
    // amount boundary of its conditions is priced), so its first amounts of
    // those pieces decide.
    auto holds = [&](int64_t a) {
      std::vector<int32_t> outcomes;
      uint32_t missing = 0;
      s.dag.explore(facts(cur, a), outcomes, missing);
      return std::find(outcomes.begin(), outcomes.end(), 0) != outcomes.end();
    };
    std::vector<int64_t> starts = {low};
    for (int64_t a : amounts)
      if (a > low && a <= high) starts.push_back(a);
    size_t first = 0, last = starts.size() - 1;
    while (first < last && !holds(starts[first])) ++first;
    while (last > first && !holds(starts[last])) --last;
    if (last + 1 < starts.size()) high = starts[last + 1] - 1;
    low = starts[first];
    // The example's amount, when its DAG asks; else the run's lowest.
    int64_t amount = low;
    bool has_amount = false;
    for (const ExampleStep& st : path) {
      if (st.attr == Attr::Amount) {
        amount = st.value;
        has_amount = true;
      }
    }
    Facts f = facts(cur, amount);
    auto in = margin(fee, f), out = margin(cost, f);
    if (!in || !out || *in + *out >= 0) return false;  // a posting's rounding at the end of the run
    // The DAG may settle the currency inside its amount test: name it first.
    if (std::none_of(path.begin(), path.end(), [](const ExampleStep& st) { return st.attr == Attr::Currency; }))
      path.insert(path.begin(), ExampleStep{Attr::Currency, cur, {}});
    if (!has_amount) path.push_back({Attr::Amount, amount, {}});
    const int e = c_.exponents[static_cast<size_t>(cur)];
    const std::string& code = c_.vocab.object_name(OK::Currency, cur);
    auto money = [&](__int128 v) { return format_minor(static_cast<int64_t>(v), e) + " " + code; };
    diags_
        .warning(o.id.span, "negative-margin",
                 "tariff " + o.id.text + ": the platform loses money on payments routed to provider " +
                     c_.vocab.object_name(OK::Provider, static_cast<int32_t>(&p - c_.providers.data())) +
                     " (via " + terminals + "): " + std::string(fee.explain) + " brings in less than " +
                     std::string(cost.explain) + " takes out, for payments of " + money(low) + " to " + money(high) +
                     " that take both, e.g. " + example_text(path, c_) + ": the tariff brings in " + money(*in) +
                     ", the provider takes " + money(-*out) + ", a loss of " + money(-(*in + *out)))
        .object = o.display_name();
    return true;
  }

  const CompiledDomain& c_;
  dsl::Diagnostics& diags_;
  std::unordered_map<const Selector*, size_t> first_true_;  // for the amount being priced
  std::unordered_map<const Selector*, RuleOverlap> overlap_;
};

// The cache key of one tariff's margin warnings: the vocabulary digest, then
// the place and text of the tariff and of every routing, terminal and
// provider its routes involve.
std::string margin_key(const dsl::Domain& domain, const std::string& digest,
                       const std::vector<const dsl::Object*>& involved) {
  std::string key = digest + "\nnegative-margin\n";
  for (const dsl::Object* o : involved) {
    if (o->span.file >= domain.files.size()) return "";
    const dsl::SourceFile& f = domain.files[o->span.file];
    if (o->span.offset > o->span.end_offset || o->span.end_offset > f.text.size()) return "";
    key += f.path + '\n' + std::to_string(o->span.line) + ':' + std::to_string(o->span.column) + '\n';
    key.append(f.text, o->span.offset, o->span.end_offset - o->span.offset);
    key += '\n';
  }
  return key;
}

}  // namespace

void margin_warnings(const dsl::Domain& domain, const CompiledDomain& compiled, dsl::Diagnostics& diags,
                     AnalysisCache* cache, const std::string& digest) {
  std::map<std::pair<OK, std::string>, const dsl::Object*> by_id;
  for (const dsl::Object& o : domain.objects) by_id.emplace(std::make_pair(o.kind, o.id.text), &o);
  const dsl::Inheritance inheritance(domain);
  for (const dsl::Object& o : domain.objects) {
    if (o.kind != OK::Tariff) continue;
    int32_t ti = compiled.vocab.object(o.kind, o.id.text);
    if (ti < 0) continue;
    const CompiledTariff& t = compiled.tariffs[static_cast<size_t>(ti)];
    if (!t.fees || t.routing < 0) continue;
    std::vector<Route> found;
    std::set<int32_t> rulesets;
    routes(compiled, t.routing, Cond{}, rulesets, found);
    std::string key;
    if (cache) {
      // The tariff and the tariffs it inherits from (dsl/inheritance.h): its fees and terms may be theirs.
      std::vector<const dsl::Object*> involved = inheritance.chain(o);
      auto add = [&](OK kind, int32_t index) {
        auto it = by_id.find({kind, compiled.vocab.object_name(kind, index)});
        if (it != by_id.end() && std::find(involved.begin(), involved.end(), it->second) == involved.end())
          involved.push_back(it->second);
      };
      for (int32_t r : rulesets) add(OK::Routing, r);
      for (const Route& r : found) {
        add(OK::Terminal, r.terminal);
        add(OK::Provider, compiled.terminals[static_cast<size_t>(r.terminal)].provider);
      }
      key = margin_key(domain, digest, involved);
      if (!key.empty()) {
        if (auto hit = cache->find(key)) {
          for (const dsl::Diagnostic& w : *hit) diags.add(w);  // shared with the cache: copied
          continue;
        }
      }
    }
    dsl::Diagnostics mine(&domain.files);
    MarginCheck(compiled, mine).tariff(o, t, found);
    if (!key.empty()) cache->put(std::move(key), mine.items());
    for (dsl::Diagnostic& w : mine.items()) diags.add(std::move(w));
  }
}

}  // namespace paydomain::evaluator
