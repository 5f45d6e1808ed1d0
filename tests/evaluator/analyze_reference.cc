#include "tests/evaluator/analyze_reference.h"

#include <algorithm>
#include <map>
#include <set>

#include "dsl/schema.h"
#include "evaluator/compiled.h"
#include "evaluator/money.h"

namespace paydomain::evaluator::testing {
namespace {

using CK = dsl::Clause::Kind;

std::string two(int64_t v) {
  std::string s = std::to_string(v);
  if (s.size() < 2) s.insert(s.begin(), '0');
  return s;
}

// What the money checks of one cash flow need besides the path condition.
struct FlowScope {
  const CompiledTariff* tariff = nullptr;  // fee-above-amount: only tariffs bound the amount
  bool refund = false;
  // The postings on the current path (outer levels first), for split-rounding.
  std::vector<std::pair<const dsl::Posting*, const CompiledPosting*>> along;
  std::set<std::string> warned;  // "from account" already reported in this flow
};

// The least a volume can be in currency `cur`, counting every share of the
// amount as zero (shares are never negative); nullopt when a fixed amount in
// another currency makes the posting an error for `cur`.
std::optional<int64_t> least(const CompiledVolume& v, int32_t cur) {
  using K = dsl::Volume::Kind;
  switch (v.kind) {
    case K::Fixed:
      if (v.fixed_currency != cur) return std::nullopt;
      return v.fixed_minor;
    case K::Percent:
    case K::Fraction:
    case K::WholeAmount: return 0;
    case K::Min:
    case K::Max:
    case K::Sum: {
      std::optional<int64_t> acc;
      for (const CompiledVolume& a : v.args) {
        auto x = least(a, cur);
        if (!x) return std::nullopt;
        if (!acc) acc = x;
        else if (v.kind == K::Min) acc = std::min(*acc, *x);
        else if (v.kind == K::Max) acc = std::max(*acc, *x);
        else acc = *acc > INT64_MAX - *x ? INT64_MAX : *acc + *x;  // a lower bound: saturating is safe
      }
      return acc;
    }
  }
  return std::nullopt;
}

bool is_share(const CompiledVolume& v) {
  using K = dsl::Volume::Kind;
  return v.kind == K::Percent || v.kind == K::Fraction || v.kind == K::WholeAmount;
}

class Analyzer {
 public:
  Analyzer(const dsl::Domain& d, const CompiledDomain& c, dsl::Diagnostics& diags) : d_(d), c_(c), diags_(diags) {}

  void run() {
    for (const dsl::Object& o : d_.objects) {
      std::string who = std::string(dsl::to_string(o.kind)) + " " + o.id.text;
      int32_t i = c_.vocab.object(o.kind, o.id.text);
      if (o.kind == dsl::ObjectKind::Tariff) {
        const CompiledTariff& t = c_.tariffs[static_cast<size_t>(i)];
        const dsl::Clause* fees = o.find(CK::Fees);
        if (fees && t.fees) {
          FlowScope scope{&t, false, {}, {}};
          cash_flow(o, *fees->cash_flow, *t.fees, who + ", fees", Cond{}, "", scope);
        }
        const dsl::Clause* ref = o.find(CK::Refunds);
        if (ref && ref->refunds->fees && t.refund_fees) {
          FlowScope scope{&t, true, {}, {}};
          cash_flow(o, *ref->refunds->fees, *t.refund_fees, who + ", refund fees", Cond{}, "", scope);
        }
      } else if (o.kind == dsl::ObjectKind::Provider) {
        const dsl::Clause* fees = o.find(CK::Fees);
        const CompiledProvider& p = c_.providers[static_cast<size_t>(i)];
        FlowScope scope;
        if (fees && p.fees) cash_flow(o, *fees->cash_flow, *p.fees, who + ", fees", Cond{}, "", scope);
      } else if (o.kind == dsl::ObjectKind::Routing) {
        routing(o, c_.routings[static_cast<size_t>(i)], who);
      }
    }
  }

 private:
  void warn(const dsl::Object& o, const dsl::Span& at, const char* code, std::string msg) {
    diags_.warning(at, code, std::move(msg)).object = o.display_name();
  }

  // The reachable outcomes of a selector when nothing is known.
  std::vector<int32_t> reachable(const Selector& s) {
    std::vector<int32_t> out;
    uint32_t missing = 0;
    s.explore(Facts{}, out, missing);
    return out;
  }

  // Which earlier rules take every payment rule i would match.
  std::vector<int32_t> shadowers(const std::vector<Cond>& rules, size_t i) {
    std::vector<Cond> sub;
    for (size_t j = 0; j <= i; ++j) {
      Cond both;
      both.kind = Cond::Kind::And;
      both.kids = {rules[i], rules[j]};
      sub.push_back(j == i ? rules[i] : both);
    }
    Selector s = compile_selector(std::move(sub), c_.vocab);
    std::vector<int32_t> r;
    for (int32_t x : reachable(s)) {
      if (x >= 0 && static_cast<size_t>(x) < i) r.push_back(x);
    }
    return r;
  }

  std::string example(const Selector& s) {
    std::vector<ExampleStep> path;
    if (!s.dag.example(kNoMatch, path)) return "";
    std::string out;
    int32_t cur = -1;
    for (const ExampleStep& st : path) {
      std::string name(dsl::attributes()[idx(st.attr)].name);
      std::string value;
      switch (st.attr) {
        case Attr::Amount: {
          int e = cur >= 0 ? c_.exponents[static_cast<size_t>(cur)] : 0;
          value = format_minor(st.value, e) + (cur >= 0 ? " " + c_.vocab.object_name(dsl::ObjectKind::Currency, cur) : "");
          break;
        }
        case Attr::TimeOfDay: value = two(st.value / 60) + ":" + two(st.value % 60); break;
        case Attr::Bin: value = "\"" + st.text + "\""; break;
        case Attr::HealthLatency: value = std::to_string(st.value); break;
        case Attr::Instant:
          name = "at";
          value = format_time(st.value, 0);
          break;
        default:
          if (st.attr == Attr::Currency) cur = static_cast<int32_t>(st.value);
          value = c_.vocab.name(st.attr, static_cast<int32_t>(st.value));
          if (st.attr == Attr::Party || st.attr == Attr::Shop) value = value == "(other)" ? "any other" : "\"" + value + "\"";
      }
      out += (out.empty() ? "" : ", ") + name + " " + value;
    }
    return out.empty() ? "any payment" : out;
  }

  std::string rule_names(const std::vector<int32_t>& rules, const std::vector<uint32_t>& lines, const char* word) {
    std::string s;
    for (size_t k = 0; k < rules.size(); ++k) {
      size_t r = static_cast<size_t>(rules[k]);
      s += (k ? ", " : "") + std::string(word) + " " + std::to_string(r + 1) + " (line " + std::to_string(lines[r]) + ")";
    }
    return s;
  }

  void shadowing(const dsl::Object& o, const Selector& s, const std::vector<dsl::Span>& spans,
                 const std::string& label, const char* word) {
    if (s.fallback) return;
    std::vector<int32_t> live = reachable(s);
    std::vector<uint32_t> lines;
    for (const auto& sp : spans) lines.push_back(sp.line);
    size_t named = 0;
    for (size_t i = 0; i < s.rules.size(); ++i) {
      if (std::binary_search(live.begin(), live.end(), static_cast<int32_t>(i))) continue;
      std::string msg = label + ", " + word + " " + std::to_string(i + 1) + " can never apply: ";
      // Naming the shadowing rules compiles one more selector per rule; keep
      // `check` fast on huge generated domains by naming the first 50 only.
      if (++named > 50) {
        warn(o, spans[i], "shadowed-rule", msg + "earlier rules match every payment it would match");
        continue;
      }
      std::vector<int32_t> by = shadowers(s.rules, i);
      if (by.empty()) {
        msg += "its condition can never hold";
      } else {
        msg += rule_names(by, lines, word) + (by.size() == 1 ? " matches" : " match") +
               " every payment it would match";
      }
      warn(o, spans[i], "shadowed-rule", msg);
    }
  }

  // `path`: what a payment must satisfy to reach this decision (True at the
  // top; inside rule i of an enclosing decision, that rule's condition and
  // the negation of every rule before it, since the first match wins).
  // `where`: " inside rule 2 (line 40)" for nested decisions.
  void cash_flow(const dsl::Object& o, const dsl::CashFlow& ast, const CompiledCashFlow& cf, const std::string& label,
                 const Cond& path, const std::string& where, FlowScope& scope) {
    size_t outer = scope.along.size();
    for (size_t i = 0; i < ast.postings.size() && i < cf.postings.size(); ++i) {
      fee_above_amount(o, ast.postings[i], cf.postings[i], path, scope);
      scope.along.emplace_back(&ast.postings[i], &cf.postings[i]);
    }
    if (scope.along.size() > outer) split_rounding(o, label, scope);
    struct Restore {  // the postings of this level leave the path with it
      FlowScope& s;
      size_t n;
      ~Restore() { s.along.resize(n); }
    } restore{scope, outer};
    if (ast.arms.empty()) return;
    std::vector<dsl::Span> spans;
    for (const auto& arm : ast.arms) spans.push_back(arm.span);
    shadowing(o, cf.arms, spans, label, "rule");
    if (!ast.arms.back().otherwise && !cf.arms.fallback) {
      // A payment that reaches this decision and matches none of its rules:
      // with Not(path) as rule 0, reaching "no match" means satisfying path.
      std::vector<int32_t> live;
      std::string e;
      if (path.kind == Cond::Kind::True) {
        live = reachable(cf.arms);
        if (!live.empty() && live.front() == kNoMatch) e = example(cf.arms);
      } else {
        std::vector<Cond> rules{negation(path)};
        rules.insert(rules.end(), cf.arms.rules.begin(), cf.arms.rules.end());
        Selector s = compile_selector(std::move(rules), c_.vocab);
        live = s.fallback ? std::vector<int32_t>{} : reachable(s);
        if (!live.empty() && live.front() == kNoMatch) e = example(s);
      }
      if (!e.empty()) {
        warn(o, ast.span, "uncovered",
             label + ":" + where + " no rule matches some payments" + (where.empty() ? "" : " that reach it") +
                 ", e.g. " + e + " (add `otherwise` if that is not intended)");
      }
    }
    for (size_t i = 0; i < ast.arms.size() && i < cf.bodies.size(); ++i) {
      Cond inner;
      inner.kind = Cond::Kind::And;
      inner.kids.push_back(path);
      inner.kids.push_back(cf.arms.rules[i]);
      for (size_t j = 0; j < i; ++j) inner.kids.push_back(negation(cf.arms.rules[j]));
      cash_flow(o, ast.arms[i].body, cf.bodies[i], label, inner,
                " inside rule " + std::to_string(i + 1) + " (line " + std::to_string(ast.arms[i].span.line) + ")", scope);
    }
  }

  std::string money_text(int64_t minor, int32_t cur) const {
    return format_minor(minor, c_.exponents[static_cast<size_t>(cur)]) + " " +
           c_.vocab.object_name(dsl::ObjectKind::Currency, cur);
  }

  // fee-above-amount: a posting whose least value in some currency is more
  // than a payment the tariff allows, where such a payment can reach it.
  void fee_above_amount(const dsl::Object& o, const dsl::Posting& ast, const CompiledPosting& p, const Cond& path,
                        const FlowScope& scope) {
    if (!scope.tariff) return;
    const CompiledTariff& t = *scope.tariff;
    for (size_t ci = 0; ci < c_.exponents.size(); ++ci) {
      auto cur = static_cast<int32_t>(ci);
      if (t.currencies && !(*t.currencies)[ci]) continue;
      auto fee = least(p.volume, cur);
      if (!fee || *fee <= 0) continue;
      // The amounts the tariff allows in this currency (no bound: any amount from one minor unit).
      int64_t low = 1, high = INT64_MAX;
      std::string bound = "no `amount between` for " + c_.vocab.object_name(dsl::ObjectKind::Currency, cur);
      for (const AmountBound& b : t.bounds) {
        if (b.currency != cur) continue;
        low = std::max<int64_t>(b.low, 1);
        high = b.high;
        bound = "amount between " + money_text(b.low, cur) + " and " + money_text(b.high, cur);
      }
      high = std::min(high, *fee - 1);
      if (low > high) continue;
      // The path is constant between the amount boundaries its atoms name: try
      // the lowest allowed amount and each boundary below the fee.
      std::vector<int64_t> tries{low};
      for_each_atom(path, [&](const Atom& a) {
        if (a.attr != Attr::Amount || a.currency != cur) return;
        for (const auto& [lo, hi] : a.ranges) {
          for (int64_t x : {lo, hi}) {
            if (x >= low && x <= high) tries.push_back(x);
          }
        }
      });
      std::sort(tries.begin(), tries.end());
      for (int64_t amount : tries) {
        Facts f;
        f.set(Attr::Operation, scope.refund ? kOperationRefund : kOperationPayment);
        f.set(Attr::Currency, cur);
        f.set(Attr::Amount, amount);
        if (eval(path, f) == Tri::False) continue;
        warn(o, ast.span, "fee-above-amount",
             p.explain + ": the fee is at least " + money_text(*fee, cur) + ", more than a payment of " +
                 money_text(amount, cur) + " that reaches it (" + bound +
                 "); bound the tariff's amount or add `when amount >= " + money_text(*fee, cur) +
                 "` if a fee above the payment is not intended");
        return;  // one warning per posting
      }
    }
  }

  // split-rounding: postings on one path from one account whose shares of the
  // amount add up to exactly the whole amount, rounded one by one, can move
  // more than the amount. Reported with the smallest amount where they do.
  void split_rounding(const dsl::Object& o, const std::string& label, FlowScope& scope) {
    std::map<std::string, std::vector<size_t>> by_account;
    for (size_t i = 0; i < scope.along.size(); ++i) {
      if (is_share(scope.along[i].second->volume)) by_account[scope.along[i].second->from].push_back(i);
    }
    for (const auto& [from, idx] : by_account) {
      if (idx.size() < 2 || scope.warned.count(from)) continue;
      Fraction sum;
      bool ok = true;
      for (size_t i : idx) {
        auto s = add(sum, scope.along[i].second->volume.share);
        ok = ok && s.ok();
        if (s) sum = *s;
      }
      if (!ok || !(sum == Fraction{1, 1})) continue;
      // Truncated shares of the whole never add up to more than the whole.
      bool can_round_up = std::any_of(idx.begin(), idx.end(), [&](size_t i) {
        return scope.along[i].second->rounding != dsl::RoundingMode::TowardsZero;
      });
      if (!can_round_up) continue;
      // A surplus shows on small amounts (the pattern repeats with the
      // denominators); the bound keeps `check` fast on huge domains.
      for (int64_t amount = 1; amount <= 2000; ++amount) {
        int64_t moved = 0;
        for (size_t i : idx) {
          const CompiledPosting& p = *scope.along[i].second;
          auto x = multiply(p.volume.share, amount);
          auto r = x ? round(*x, p.rounding) : Result<int64_t>(x.error());
          moved += r ? *r : 0;
        }
        if (moved <= amount) continue;
        scope.warned.insert(from);
        warn(o, scope.along[idx.back()].first->span, "split-rounding",
             label + ": " + std::to_string(idx.size()) + " postings from " + from +
                 " take shares that add up to the whole amount, and each is rounded on its own: together they "
                 "can move more than the amount (" + std::to_string(moved) + " minor units of " +
                 std::to_string(amount) + "); write `round towards_zero` on each to never move more");
        break;
      }
    }
  }

  static Cond negation(const Cond& c) {
    Cond n;
    n.kind = Cond::Kind::Not;
    n.kids.push_back(c);
    return n;
  }

  void routing(const dsl::Object& o, const CompiledRouting& r, const std::string& who) {
    using RK = dsl::RoutingStatement::Kind;
    std::vector<dsl::Span> guard_spans;
    std::vector<Cond> all;  // guards, then candidate conditions
    size_t g = 0, k = 0;
    for (const dsl::Clause& c : o.clauses) {
      if (c.kind != CK::RoutingStatement) continue;
      const dsl::RoutingStatement& s = *c.routing;
      if (s.kind == RK::Decline || s.kind == RK::Delegate) {
        guard_spans.push_back(s.span);
        all.push_back(r.guards.rules[g++]);
      }
    }
    for (const dsl::Clause& c : o.clauses) {
      if (c.kind != CK::RoutingStatement || c.routing->kind != RK::Candidate) continue;
      const auto& cand = r.candidates[k++];
      all.push_back(cand.when ? cand.when->rules[0] : Cond{});
    }
    shadowing(o, r.guards, guard_spans, who, "rule");
    if (all.empty()) return;
    Selector s = compile_selector(std::move(all), c_.vocab);
    if (s.fallback) return;
    std::vector<int32_t> live = reachable(s);
    if (!live.empty() && live.front() == kNoMatch) {
      warn(o, o.id.span, "uncovered",
           who + ": neither a rule nor a candidate matches some payments (they get no route), e.g. " + example(s));
    }
  }

  const dsl::Domain& d_;
  const CompiledDomain& c_;
  dsl::Diagnostics& diags_;
};

}  // namespace

void analyze_reference(const dsl::Domain& domain, dsl::Diagnostics& diags) {
  auto compiled = compile(domain);
  if (!compiled) return;
  diags.set_files(&domain.files);
  Analyzer(domain, **compiled, diags).run();
  diags.set_files(nullptr);
}

}  // namespace paydomain::evaluator::testing
