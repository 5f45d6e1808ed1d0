#include "evaluator/analyze.h"

#include <algorithm>

#include "dsl/schema.h"
#include "evaluator/compiled.h"

namespace paydomain::evaluator {
namespace {

using CK = dsl::Clause::Kind;

std::string two(int64_t v) {
  std::string s = std::to_string(v);
  if (s.size() < 2) s.insert(s.begin(), '0');
  return s;
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
        if (fees && t.fees) cash_flow(o, *fees->cash_flow, *t.fees, who + ", fees", Cond{}, "");
        const dsl::Clause* ref = o.find(CK::Refunds);
        if (ref && ref->refunds->fees && t.refund_fees) {
          cash_flow(o, *ref->refunds->fees, *t.refund_fees, who + ", refund fees", Cond{}, "");
        }
      } else if (o.kind == dsl::ObjectKind::Provider) {
        const dsl::Clause* fees = o.find(CK::Fees);
        const CompiledProvider& p = c_.providers[static_cast<size_t>(i)];
        if (fees && p.fees) cash_flow(o, *fees->cash_flow, *p.fees, who + ", fees", Cond{}, "");
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
                 const Cond& path, const std::string& where) {
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
                " inside rule " + std::to_string(i + 1) + " (line " + std::to_string(ast.arms[i].span.line) + ")");
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

void analyze(const dsl::Domain& domain, dsl::Diagnostics& diags) {
  auto compiled = compile(domain);
  if (!compiled) return;
  diags.set_files(&domain.files);
  Analyzer(domain, **compiled, diags).run();
  diags.set_files(nullptr);
}

}  // namespace paydomain::evaluator
