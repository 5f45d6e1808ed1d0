#include "evaluator/analyze.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "dsl/inheritance.h"
#include "dsl/schema.h"
#include "evaluator/analysis_cache.h"
#include "evaluator/compiled.h"
#include "evaluator/margin.h"
#include "evaluator/money.h"
#include "evaluator/provider_accounts.h"
#include "evaluator/rule_overlap.h"
#include "evaluator/time.h"

namespace paydomain::evaluator {
namespace {

using CK = dsl::Clause::Kind;

std::string two(int64_t v) {
  std::string s = std::to_string(v);
  if (s.size() < 2) s.insert(s.begin(), '0');
  return s;
}

// Where a decision sits: a payment reaches it when the enclosing decision
// `sel` picks arm `rule` and that decision is reached itself (`parent`). The
// top of a cash flow has no enclosing decision (sel == nullptr). A chain of
// links, not a condition: building "rule i and none of rules 0..i-1" for
// every arm of a 10,000-rule decision would be quadratic.
struct Reach {
  const Reach* parent = nullptr;
  const Selector* sel = nullptr;
  size_t rule = 0;
};

// What the money checks of one cash flow need besides the path.
struct FlowScope {
  const CompiledTariff* tariff = nullptr;  // fee-above-amount: only tariffs bound the amount
  bool refund = false;
  std::vector<int32_t> operations;  // the operations of the payments this flow sees; empty: any
  // The postings on the current path (outer levels first), for split-rounding.
  std::vector<std::pair<const dsl::Posting*, const CompiledPosting*>> along;
  std::set<std::string> warned;  // "from account" already reported in this flow
};

// The least a volume can be in currency `cur`, counting every share of the
// amount as zero (shares are never negative); nullopt when a fixed amount in
// another currency makes the posting an error for `cur`.
// "payment or capture": operation ids as a condition names them.
std::string operation_names(const std::vector<int32_t>& ops) {
  std::string out;
  for (size_t i = 0; i < ops.size(); ++i)
    out.append(i == 0 ? "" : " or ").append(dsl::kOperations[static_cast<size_t>(ops[i])]);
  return out;
}

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
        if (!acc)
          acc = x;
        else if (v.kind == K::Min)
          acc = std::min(*acc, *x);
        else if (v.kind == K::Max)
          acc = std::max(*acc, *x);
        else
          acc = *acc > INT64_MAX - *x ? INT64_MAX : *acc + *x;  // a lower bound: saturating is safe
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

bool mentions(const Cond& c, Attr a) {
  bool found = false;
  for_each_atom(c, [&](const Atom& at) { found = found || at.attr == a; });
  return found;
}

// Lazily computed facts about one decision, shared by every check that looks at it.
struct SelectorInfo {
  std::optional<RuleOverlap> overlap;  // once asked
  // Amount boundaries per currency: (value, first rule that names it), by value.
  std::map<int32_t, std::vector<std::pair<int64_t, size_t>>> amount_bounds;
  // The first rule that is certainly true under (operation, currency, amount).
  std::map<std::tuple<int64_t, int64_t, int64_t>, size_t> first_true;
};

}  // namespace

std::string example_text(const std::vector<ExampleStep>& path, const CompiledDomain& c) {
  std::string out;
  int32_t cur = -1;
  for (const ExampleStep& st : path) {
    std::string name(dsl::attributes()[idx(st.attr)].name);
    std::string value;
    switch (st.attr) {
      case Attr::Amount: {
        int e = cur >= 0 ? c.exponents[static_cast<size_t>(cur)] : 0;
        value = format_minor(st.value, e) + (cur >= 0 ? " " + c.vocab.object_name(dsl::ObjectKind::Currency, cur) : "");
        break;
      }
      case Attr::TimeOfDay: value = two(st.value / 60) + ":" + two(st.value % 60); break;
      case Attr::Bin: value = "\"" + st.text + "\""; break;
      case Attr::HealthLatency: value = std::to_string(st.value); break;
      case Attr::Instant:  // a zoned weekday/time: the instant, as a context's `time`
        name = "at";
        value = format_time(st.value, 0);
        break;
      default:
        if (st.attr == Attr::Currency) cur = static_cast<int32_t>(st.value);
        value = c.vocab.name(st.attr, static_cast<int32_t>(st.value));
        if (st.attr == Attr::Party || st.attr == Attr::Shop)
          value = value == "(other)" ? "any other" : "\"" + value + "\"";
    }
    out += (out.empty() ? "" : ", ") + name + " " + value;
  }
  return out.empty() ? "any payment" : out;
}

namespace {

class Analyzer {
 public:
  Analyzer(const CompiledDomain& c, dsl::Diagnostics& diags) : c_(c), diags_(diags) {}

  // One object's warnings into `diags_`.
  void object(const dsl::Object& o) {
    std::string who = std::string(dsl::to_string(o.kind)) + " " + o.id.text;
    int32_t i = c_.vocab.object(o.kind, o.id.text);
    if (o.kind == dsl::ObjectKind::Tariff) {
      const CompiledTariff& t = c_.tariffs[static_cast<size_t>(i)];
      const dsl::Clause* fees = o.find(CK::Fees);
      if (fees && t.fees) {
        FlowScope scope{&t, false, {kOperationPayment, kOperationCapture}, {}, {}};
        cash_flow(o, *fees->cash_flow, *t.fees, who + ", fees", nullptr, "", scope);
      }
      const dsl::Clause* ref = o.find(CK::Refunds);
      if (ref && ref->refunds->fees && t.refund_fees) {
        FlowScope scope{&t, true, {kOperationRefund}, {}, {}};
        cash_flow(o, *ref->refunds->fees, *t.refund_fees, who + ", refund fees", nullptr, "", scope);
      }
      // A chargeback's fees and reserve, where the tariff writes them. A levy
      // is owed whatever the disputed amount: no fee-above-amount (no tariff).
      if (const dsl::Clause* cb = o.find(CK::Chargebacks); cb && t.chargebacks.allowed) {
        if (cb->chargebacks->fees && t.chargebacks.fees && t.chargebacks.fees_from.empty()) {
          FlowScope scope{nullptr, false, {kOperationChargeback}, {}, {}};
          cash_flow(o, *cb->chargebacks->fees, *t.chargebacks.fees, who + ", chargeback fees", nullptr, "", scope);
        }
        if (cb->chargebacks->reserve && t.chargebacks.reserve && t.chargebacks.reserve_from.empty()) {
          FlowScope scope{nullptr, false, {kOperationChargeback}, {}, {}};
          cash_flow(o, *cb->chargebacks->reserve, *t.chargebacks.reserve, who + ", chargeback reserve", nullptr, "",
                    scope);
        }
      }
    } else if (o.kind == dsl::ObjectKind::Provider) {
      const dsl::Clause* fees = o.find(CK::Fees);
      const CompiledProvider& p = c_.providers[static_cast<size_t>(i)];
      FlowScope scope;
      scope.operations = {kOperationPayment, kOperationCapture};  // a provider's `fees`: payments (and captures) only
      if (fees && p.fees) cash_flow(o, *fees->cash_flow, *p.fees, who + ", fees", nullptr, "", scope);
    } else if (o.kind == dsl::ObjectKind::Routing) {
      routing(o, c_.routings[static_cast<size_t>(i)], who);
    } else if (o.kind == dsl::ObjectKind::TariffBinding && c_.binding && c_.binding->name == o.id.text) {
      // Who gets which tariff: a rule earlier rules cover never binds anyone.
      // Payments and refunds alike, and one that no rule takes falls to its
      // institution's default tariff (no "uncovered" here).
      std::vector<dsl::Span> spans;
      for (const dsl::Clause& c : o.clauses)
        if (c.kind == CK::BindingRule) spans.push_back(c.binding->span);
      if (spans.size() == c_.binding->rules.rules.size())
        decision(o, c_.binding->rules, spans, who, "rule", nullptr, {}, "", nullptr);
    }
  }

 private:
  void warn(const dsl::Object& o, const dsl::Span& at, const char* code, std::string msg) {
    diags_.warning(at, code, std::move(msg)).object = o.display_name();
  }

  SelectorInfo& info(const Selector& s) { return info_[&s]; }

  // The rules before i that may match some payment rule i matches, in order.
  std::vector<size_t> overlapping(const Selector& s, size_t i) {
    SelectorInfo& in = info(s);
    if (!in.overlap) in.overlap.emplace(s.rules, c_.vocab);
    return in.overlap->before(i);
  }

  // The reachable outcomes of a selector when nothing is known.
  std::vector<int32_t> reachable(const Selector& s) {
    std::vector<int32_t> out;
    uint32_t missing = 0;
    s.explore(Facts{}, out, missing);
    return out;
  }

  // What a payment must satisfy to reach a decision: at each level the arm's
  // condition and the negation of every earlier arm that can match the same
  // payments (the others are false whenever the arm holds).
  Cond path_condition(const Reach* r) {
    if (!r || !r->sel) return Cond{};
    const std::vector<Cond>& rules = r->sel->rules;
    std::vector<Cond> kids{path_condition(r->parent), rules[r->rule]};
    for (size_t j : overlapping(*r->sel, r->rule)) kids.push_back(cond_not(rules[j]));
    return cond_all(std::move(kids));
  }

  // The rules before i that take some payment rule i matches, given that a
  // payment satisfies `reach` (nullptr: any payment). Rules disjoint from
  // rule i are left out of the compiled list: they can take none of its payments.
  std::vector<int32_t> shadowers(const Selector& sel, size_t i, const Cond* reach) {
    const std::vector<Cond>& rules = sel.rules;
    std::vector<Cond> sub;
    std::vector<int32_t> which;  // sub index -> rule index
    if (reach) {
      sub.push_back(cond_not(*reach));
      which.push_back(-1);
    }
    for (size_t j : overlapping(sel, i)) {
      sub.push_back(cond_all({rules[i], rules[j]}));
      which.push_back(static_cast<int32_t>(j));
    }
    sub.push_back(rules[i]);
    which.push_back(-1);
    Selector s = compile_selector(std::move(sub), c_.vocab);
    std::vector<int32_t> r;
    for (int32_t x : reachable(s)) {
      if (x >= 0 && which[static_cast<size_t>(x)] >= 0) r.push_back(which[static_cast<size_t>(x)]);
    }
    return r;
  }

  std::string example(const Selector& s) {
    std::vector<ExampleStep> path;
    if (!s.dag.example(kNoMatch, path)) return "";
    return example_text(path, c_);
  }

  std::string rule_names(const std::vector<int32_t>& rules, const std::vector<uint32_t>& lines, const char* word) {
    std::string s;
    for (size_t k = 0; k < rules.size(); ++k) {
      size_t r = static_cast<size_t>(rules[k]);
      s += (k ? ", " : "") + std::string(word) + " " + std::to_string(r + 1) + " (line " + std::to_string(lines[r]) +
           ")";
    }
    return s;
  }

  // One first-match decision where it sits: rules that can never apply
  // (shadowed-rule) and, when `uncovered_at` is given, payments that reach
  // it and match no rule (uncovered). `reach`/`op` say which payments reach
  // it; `where` names the enclosing rule (" inside rule 2 (line 40)").
  void decision(const dsl::Object& o, const Selector& s, const std::vector<dsl::Span>& spans, const std::string& label,
                const char* word, const Reach* reach, const std::vector<int32_t>& ops, const std::string& where,
                const dsl::Span* uncovered_at) {
    bool top = !reach || !reach->sel;
    bool op_matters = false;
    if (!ops.empty()) {
      for (const Cond& r : s.rules) op_matters = op_matters || mentions(r, Attr::Operation);
    }
    // The decision in its context: its rules after a rule 0 that takes every
    // payment not reaching it. At the top with the operation not asked
    // about, that is the decision itself.
    Cond context;
    std::optional<Selector> within;
    if (!top || op_matters) {
      context = path_condition(reach);
      if (!ops.empty() && (op_matters || mentions(context, Attr::Operation))) {
        op_matters = true;
        Cond is_op;
        is_op.kind = Cond::Kind::Atom;
        is_op.atom.kind = Atom::Kind::InSet;
        is_op.atom.attr = Attr::Operation;
        is_op.atom.ids = ops;
        context = top ? is_op : cond_all({std::move(context), std::move(is_op)});
      }
      std::vector<Cond> rules{cond_not(context)};
      rules.insert(rules.end(), s.rules.begin(), s.rules.end());
      within = compile_selector(std::move(rules), c_.vocab);
      // Over its budget at the top: judge the decision on its own, as
      // before the operation was taken into account.
      if (top && within->fallback) {
        within.reset();
        op_matters = false;
      }
    }
    const Selector& judged = within ? *within : s;
    std::vector<int32_t> live_within;  // outcomes of `judged`
    if (!judged.fallback) live_within = reachable(judged);

    // A decision no payment reaches sits in a dead rule, which is reported
    // itself: its rules are not reported again one by one.
    bool reached = !within || judged.fallback ||
                   std::any_of(live_within.begin(), live_within.end(), [](int32_t x) { return x != 0; });
    if (!s.fallback) {
      std::vector<int32_t> live = within ? reachable(s) : live_within;
      std::vector<uint32_t> lines;
      for (const auto& sp : spans) lines.push_back(sp.line);
      int32_t shift = within ? 1 : 0;
      size_t named = 0, named_within = 0;
      for (size_t i = 0; i < s.rules.size(); ++i) {
        std::string msg = label + ", " + word + " " + std::to_string(i + 1) + " can never apply: ";
        if (!std::binary_search(live.begin(), live.end(), static_cast<int32_t>(i))) {
          // Naming the shadowing rules compiles one more selector per rule; keep
          // `check` fast on huge generated domains by naming the first 50 only.
          if (++named > 50) {
            warn(o, spans[i], "shadowed-rule", msg + "earlier rules match every payment it would match");
            continue;
          }
          std::vector<int32_t> by = shadowers(s, i, nullptr);
          if (by.empty()) {
            msg += "its condition can never hold";
          } else {
            msg += rule_names(by, lines, word) + (by.size() == 1 ? " matches" : " match") +
                   " every payment it would match";
          }
          warn(o, spans[i], "shadowed-rule", msg);
          continue;
        }
        if (!within || judged.fallback || !reached ||
            std::binary_search(live_within.begin(), live_within.end(), static_cast<int32_t>(i) + shift))
          continue;
        // Live on its own, dead where it sits: an enclosing rule, or the
        // operation of this cash flow, rules out what it would take.
        std::string why;
        if (!top) why = where.substr(1);
        if (op_matters) {
          why += std::string(why.empty() ? "" : "; ") + "operation is " + (ops.size() == 1 ? "always " : "") +
                 operation_names(ops) + " here";
        }
        if (++named_within > 50) {
          warn(o, spans[i], "shadowed-rule", msg + "earlier rules match every payment that reaches it (" + why + ")");
          continue;
        }
        std::vector<int32_t> by = shadowers(s, i, &context);
        if (by.empty()) {
          msg += "its condition never holds for the payments that reach it (" + why + ")";
        } else {
          msg += rule_names(by, lines, word) + (by.size() == 1 ? " matches" : " match") +
                 " every payment that reaches it (" + why + ")";
        }
        warn(o, spans[i], "shadowed-rule", msg);
      }
    }

    if (!uncovered_at) return;
    // With Not(context) as rule 0, reaching "no match" means a payment that
    // reaches the decision and matches none of its rules.
    std::string e;
    if (!live_within.empty() && live_within.front() == kNoMatch) e = example(judged);
    if (within && judged.fallback) e.clear();
    if (!e.empty()) {
      warn(o, *uncovered_at, "uncovered",
           label + ":" + where + " no rule matches some payments" + (where.empty() ? "" : " that reach it") +
               ", e.g. " + e + " (add `otherwise` if that is not intended)");
    }
  }

  void cash_flow(const dsl::Object& o, const dsl::CashFlow& ast, const CompiledCashFlow& cf, const std::string& label,
                 const Reach* reach, const std::string& where, FlowScope& scope) {
    size_t outer = scope.along.size();
    for (size_t i = 0; i < ast.postings.size() && i < cf.postings.size(); ++i) {
      fee_above_amount(o, ast.postings[i], cf.postings[i], reach, scope);
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
    bool open = !ast.arms.back().otherwise && !cf.arms.fallback;
    decision(o, cf.arms, spans, label, "rule", reach, scope.operations, where, open ? &ast.span : nullptr);
    for (size_t i = 0; i < ast.arms.size() && i < cf.bodies.size(); ++i) {
      Reach inner{reach, &cf.arms, i};
      cash_flow(o, ast.arms[i].body, cf.bodies[i], label, &inner,
                " inside rule " + std::to_string(i + 1) + " (line " + std::to_string(ast.arms[i].span.line) + ")",
                scope);
    }
  }

  std::string money_text(int64_t minor, int32_t cur) const {
    return format_minor(minor, c_.exponents[static_cast<size_t>(cur)]) + " " +
           c_.vocab.object_name(dsl::ObjectKind::Currency, cur);
  }

  // The amount boundaries the rules of `s` name in currency `cur`, each with
  // the first rule naming it.
  const std::vector<std::pair<int64_t, size_t>>& amount_bounds(const Selector& s, int32_t cur) {
    auto& m = info(s).amount_bounds;
    auto it = m.find(cur);
    if (it != m.end()) return it->second;
    std::map<int64_t, size_t> first;
    for (size_t j = 0; j < s.rules.size(); ++j) {
      for_each_atom(s.rules[j], [&](const Atom& a) {
        if (a.attr != Attr::Amount || a.currency != cur) return;
        for (const auto& [lo, hi] : a.ranges) {
          first.emplace(lo, j);
          first.emplace(hi, j);
        }
      });
    }
    return m.emplace(cur, std::vector<std::pair<int64_t, size_t>>(first.begin(), first.end())).first->second;
  }

  // Three-valued, as a condition "the path to this decision" would be
  // evaluated: false when some level's arm is false, or an earlier arm of
  // that level is true, under `f`.
  bool may_reach(const Reach* r, const Facts& f) {
    for (; r && r->sel; r = r->parent) {
      const Selector& s = *r->sel;
      if (eval(s.rules[r->rule], f) == Tri::False) return false;
      auto key = std::make_tuple(f.get(Attr::Operation), f.get(Attr::Currency), f.get(Attr::Amount));
      auto& memo = info(s).first_true;
      auto it = memo.find(key);
      if (it == memo.end()) {
        size_t k = 0;
        while (k < s.rules.size() && eval(s.rules[k], f) != Tri::True) ++k;
        it = memo.emplace(key, k).first;
      }
      if (it->second < r->rule) return false;
    }
    return true;
  }

  // fee-above-amount: a posting whose least value in some currency is more
  // than a payment the tariff allows, where such a payment can reach it.
  void fee_above_amount(const dsl::Object& o, const dsl::Posting& ast, const CompiledPosting& p, const Reach* reach,
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
      // The path is constant between the amount boundaries its rules name:
      // try the lowest allowed amount and each boundary below the fee.
      std::vector<int64_t> tries{low};
      for (const Reach* r = reach; r && r->sel; r = r->parent) {
        for (const auto& [x, first] : amount_bounds(*r->sel, cur)) {
          if (first <= r->rule && x >= low && x <= high) tries.push_back(x);
        }
      }
      std::sort(tries.begin(), tries.end());
      tries.erase(std::unique(tries.begin(), tries.end()), tries.end());
      for (int64_t amount : tries) {
        Facts f;
        f.set(Attr::Operation, scope.operations.empty() ? kOperationPayment : scope.operations[0]);
        f.set(Attr::Currency, cur);
        f.set(Attr::Amount, amount);
        if (!may_reach(reach, f)) continue;
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
                 "can move more than the amount (" +
                 std::to_string(moved) + " minor units of " + std::to_string(amount) +
                 "); write `round towards_zero` on each to never move more");
        break;
      }
    }
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
    // A ruleset routes payments and refunds alike: no operation is implied.
    decision(o, r.guards, guard_spans, who, "rule", nullptr, {}, "", nullptr);
    if (all.empty()) return;
    Selector s = compile_selector(std::move(all), c_.vocab);
    if (s.fallback) return;
    std::vector<int32_t> live = reachable(s);
    if (!live.empty() && live.front() == kNoMatch) {
      warn(o, o.id.span, "uncovered",
           who + ": neither a rule nor a candidate matches some payments (they get no route), e.g. " + example(s));
    }
  }

  const CompiledDomain& c_;
  dsl::Diagnostics& diags_;
  std::unordered_map<const Selector*, SelectorInfo> info_;
};

bool analysed(dsl::ObjectKind k) {
  return k == dsl::ObjectKind::Tariff || k == dsl::ObjectKind::Provider || k == dsl::ObjectKind::Routing ||
         k == dsl::ObjectKind::TariffBinding;
}

}  // namespace

void analyze(const dsl::Domain& domain, const CompiledDomain& compiled, dsl::Diagnostics& diags, AnalysisCache* cache) {
  // The compile that made `compiled` with its cache computed the digest already.
  std::string digest;
  if (cache) digest = compiled.vocab_digest.empty() ? vocabulary_digest(domain, compiled.vocab, compiled.exponents)
                                                    : compiled.vocab_digest;
  const dsl::Inheritance inheritance(domain);
  for (const dsl::Object& o : domain.objects) {
    if (!analysed(o.kind)) continue;
    dsl::Diagnostics mine(&domain.files);
    std::string key;
    if (cache && o.span.file < domain.files.size()) {
      const dsl::SourceFile& f = domain.files[o.span.file];
      if (o.span.offset <= o.span.end_offset && o.span.end_offset <= f.text.size()) {
        key = digest + '\n' + f.path + '\n' + std::to_string(o.span.line) + ':' + std::to_string(o.span.column) + '\n' +
              f.text.substr(o.span.offset, o.span.end_offset - o.span.offset);
        // A tariff's analysis reads what it inherits (its amount bounds, say).
        if (o.kind == dsl::ObjectKind::Tariff) key += inheritance.ancestors_text(o);
        if (auto hit = cache->find(key)) {
          for (const dsl::Diagnostic& w : *hit) diags.add(w);  // shared with the cache: copied
          continue;
        }
      }
    }
    // Each object gets its own Analyzer: its memo tables die with it, and
    // nothing one object's analysis learns can leak into another's.
    Analyzer(compiled, mine).object(o);
    if (!key.empty()) cache->put(std::move(key), mine.items());
    for (dsl::Diagnostic& w : mine.items()) diags.add(std::move(w));
  }
  // Across objects (a tariff, its routes, their providers): cached by all of them.
  margin_warnings(domain, compiled, diags, cache, digest);
  provider_account_errors(domain, compiled, diags);
}

void analyze(const dsl::Domain& domain, dsl::Diagnostics& diags) {
  auto compiled = compile(domain);
  if (!compiled) return;
  analyze(domain, **compiled, diags);
}

}  // namespace paydomain::evaluator
