// Span-free views of an object: dump_semantic() (every field that carries
// meaning, independent of the printer) and object_parts() (named one-line
// parts, for object-level diffs).
#include <map>

#include "base/str_cat.h"
#include "dsl/accounts.h"
#include "dsl/formatter.h"

namespace paydomain::dsl {
namespace {

// ---- dump_semantic: an s-expression of every meaningful field ------------------

std::string dec(const Decimal& d) { return std::to_string(d.units) + "e-" + std::to_string(d.scale); }
std::string str(const std::string& s) { return "'" + s + "'#" + std::to_string(s.size()); }

std::string value(const Value& v) {
  std::string out = str_cat("(value ", std::to_string(static_cast<int>(v.kind)), " ", dec(v.number), " ", str(v.text));
  for (const Value& item : v.items) out.append(" ").append(value(item));
  return out + ")";
}

std::string money(const MoneyLiteral& m) { return "(money " + dec(m.value) + " " + m.currency.text + ")"; }

// And/Or children of the same kind are spliced in: grouping is not meaning.
void flat_children(const Condition& c, Condition::Kind kind, std::vector<const Condition*>& out) {
  for (const Condition& child : c.children) {
    if (child.kind == kind) {
      flat_children(child, kind, out);
    } else {
      out.push_back(&child);
    }
  }
}

std::string condition(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::Compare: {
      std::string out = str_cat("(cmp ", c.attribute.text, c.zone ? "@" : "", c.zone ? value(*c.zone) : "", " ",
                                std::to_string(static_cast<int>(c.op)));
      for (const Value& v : c.operands) out.append(" ").append(value(v));
      return out + ")";
    }
    case Condition::Kind::Criterion: return "(criterion " + c.attribute.text + ")";
    case Condition::Kind::Not:
      return str_cat("(not", c.children.empty() ? "" : " ", c.children.empty() ? "" : condition(c.children[0]), ")");
    case Condition::Kind::And:
    case Condition::Kind::Or: {
      std::vector<const Condition*> flat;
      flat_children(c, c.kind, flat);
      std::string out = c.kind == Condition::Kind::And ? "(and" : "(or";
      for (const Condition* child : flat) out.append(" ").append(condition(*child));
      return out + ")";
    }
  }
  return "(?)";
}

void flat_sum(const Volume& v, std::vector<const Volume*>& out) {
  for (const Volume& a : v.args) {
    if (a.kind == Volume::Kind::Sum) {
      flat_sum(a, out);
    } else {
      out.push_back(&a);
    }
  }
}

std::string volume(const Volume& v) {
  std::string out = "(vol " + std::to_string(static_cast<int>(v.kind));
  switch (v.kind) {
    case Volume::Kind::Fixed: return out + " " + money(v.fixed) + ")";
    case Volume::Kind::Percent: return out + " " + dec(v.percent) + ")";
    case Volume::Kind::Fraction: return out + " " + std::to_string(v.numerator) + "/" + std::to_string(v.denominator) + ")";
    case Volume::Kind::WholeAmount: return out + ")";
    case Volume::Kind::Sum: {
      std::vector<const Volume*> flat;
      flat_sum(v, flat);
      for (const Volume* a : flat) out.append(" ").append(volume(*a));
      return out + ")";
    }
    case Volume::Kind::Min:
    case Volume::Kind::Max:
      for (const Volume& a : v.args) out.append(" ").append(volume(a));
      return out + ")";
  }
  return out + ")";
}

std::string account(const Account& a) { return a.owner.text + "." + a.name.text; }

std::string cash_flow(const CashFlow& cf) {
  std::string out = "(cashflow";
  for (const Posting& p : cf.postings) {
    out += " (posting " + account(p.from) + " " + account(p.to) + " " + volume(p.volume) + " round=" +
           (p.rounding ? std::string(to_string(*p.rounding)) : "default:" + p.rounding_name.text) +
           " details=" + (p.details ? str(*p.details) : "none") + ")";
  }
  for (const DecisionArm& arm : cf.arms) {
    out += arm.otherwise ? " (otherwise " : " (when " + condition(arm.condition) + " ";
    out += cash_flow(arm.body) + ")";
  }
  return out + ")";
}

std::string opt_bool(const std::optional<bool>& b) { return b ? (*b ? "true" : "false") : "unset"; }

std::string routing(const RoutingStatement& r) {
  return "(rule " + std::to_string(static_cast<int>(r.kind)) + " " + r.target.text + " prio=" +
         std::to_string(r.priority) + " weight=" + std::to_string(r.weight) +
         " cond=" + (r.condition ? condition(*r.condition) : "none") + " reason=" + (r.reason ? str(*r.reason) : "none") +
         ")";
}

std::string expectation(const Expectation& e) {
  return "(expect " + std::to_string(static_cast<int>(e.kind)) + " " + account(e.from) + " " + account(e.to) + " " +
         money(e.amount) + " " + e.target.text + " " + value(e.targets) + " reason=" +
         (e.reason ? str(*e.reason) : "none") + " account=" + str(e.account) + ")";
}

std::string clause(const Clause& c) {
  using K = Clause::Kind;
  std::string out = "(" + std::string(to_string(c.kind));
  switch (c.kind) {
    case K::Fees: return out + " " + (c.cash_flow ? cash_flow(*c.cash_flow) : "none") + ")";
    case K::Refunds:
    case K::Captures:
    case K::Chargebacks:
      if (const auto& r = *c.terms()) {
        out += " allowed=" + opt_bool(r->allowed) + " partial=" + opt_bool(r->partial);
        out += " fees=" + (r->fees ? cash_flow(*r->fees) : "none");
        if (r->within) out += " within=" + std::to_string(r->within->count) + r->within->unit.text;
        if (r->reserve) out += " reserve=" + cash_flow(*r->reserve);
      }
      return out + ")";
    case K::RoutingStatement: return out + " " + (c.routing ? routing(*c.routing) : "none") + ")";
    case K::Expect: return out + " " + (c.expect ? expectation(*c.expect) : "none") + ")";
    case K::BindingRule:
      if (c.binding) {
        out += c.binding->otherwise ? " otherwise" : "";
        out += " cond=" + (c.binding->condition ? condition(*c.binding->condition) : "none") + " tariff=" + c.binding->tariff.text;
      }
      return out + ")";
    case K::Given:
      for (const GivenEntry& g : c.given) {
        out += " (given " + std::to_string(static_cast<int>(g.kind)) + " " + g.key.text + " " + g.metric.text + " " +
               value(g.value) + ")";
      }
      return out + ")";
    case K::PaymentMethods:
      for (const PaymentMethod& m : c.methods) out += " " + m.kind.text + "(" + (m.sub ? m.sub->text : "") + ")";
      return out + ")";
    default:
      break;
  }
  // The remaining clauses are flat; dump every field they may use.
  out += " " + str(c.text) + " " + str(c.text2) + " " + dec(c.number) + " " + c.ref.text + " " + value(c.list);
  if (c.role) out += " role=" + account(*c.role);
  out += " " + money(c.low) + " " + money(c.high) + " cond=" + (c.condition ? condition(*c.condition) : "none");
  out += " dur=" + std::to_string(c.duration.count) + c.duration.unit.text;
  out += " bound=" + std::string(c.bound_is_count ? "count" : "amount") + (c.bound_inclusive ? "<=" : "<") +
         value(c.bound);
  return out + ")";
}

// ---- object_parts -----------------------------------------------------------------

using Parts = std::vector<std::pair<std::string, std::string>>;

void cash_flow_parts(const CashFlow& cf, const std::string& prefix, Parts& out) {
  for (size_t i = 0; i < cf.postings.size(); ++i) {
    out.emplace_back(prefix + "/posting " + std::to_string(i + 1), format_posting(cf.postings[i]));
  }
  for (size_t i = 0; i < cf.arms.size(); ++i) {
    const DecisionArm& arm = cf.arms[i];
    std::string path = prefix + (arm.otherwise ? "/otherwise" : "/when " + std::to_string(i + 1));
    out.emplace_back(path, arm.otherwise ? "otherwise" : "when " + format_condition(arm.condition));
    cash_flow_parts(arm.body, path, out);
  }
}

bool numbered(Clause::Kind k) {
  using K = Clause::Kind;
  return k == K::Option || k == K::AmountBounds || k == K::RoutingStatement || k == K::Expect ||
         k == K::BindingRule;
}

}  // namespace

std::string dump_semantic(const Object& o) {
  std::string out = str_cat("(", to_string(o.kind), " ", str(o.id.text));
  if (o.parent) out += str_cat(" (extends ", str(o.parent->text), ")");
  for (const Clause& c : o.clauses) out.append(" ").append(clause(c));
  return out + ")";
}

std::string dump_semantic(const Domain& d) {
  std::string out;
  for (const Object& o : d.objects) out += dump_semantic(o) + "\n";
  return out;
}

Parts object_parts(const Domain&, const Object& o) {
  Parts out;
  std::map<Clause::Kind, int> counts;
  if (o.parent) out.emplace_back("extends", "extends " + o.parent->text);
  for (const Clause& c : o.clauses) {
    std::string path = c.kind == Clause::Kind::RoutingStatement ? "rule" : std::string(to_string(c.kind));
    if (c.kind == Clause::Kind::Account) {
      path = account_clause_key(o.kind, c);  // "account provider.settlement RUB": one per role and currency
    } else if (numbered(c.kind)) {
      path.append(" ").append(std::to_string(++counts[c.kind]));
    }
    if (c.kind == Clause::Kind::Fees && c.cash_flow) {
      cash_flow_parts(*c.cash_flow, path, out);
    } else if (c.terms() && *c.terms()) {
      // "refunds/partial", "captures/partial": item by item
      const OperationTerms& r = **c.terms();
      if (r.allowed) out.emplace_back(path + "/allowed", std::string("allowed ") + (*r.allowed ? "true" : "false"));
      if (r.partial) out.emplace_back(path + "/partial", std::string("partial ") + (*r.partial ? "true" : "false"));
      if (r.within)
        out.emplace_back(path + "/within", str_cat("within ", std::to_string(r.within->count), " ", r.within->unit.text));
      if (r.fees) cash_flow_parts(*r.fees, path + "/fees", out);
      if (r.reserve) cash_flow_parts(*r.reserve, path + "/reserve", out);
    } else if (c.kind == Clause::Kind::Given) {
      for (const GivenEntry& g : c.given) {
        std::string key = g.kind == GivenEntry::Kind::Health     ? "health " + g.key.text + " " + g.metric.text
                          : g.kind == GivenEntry::Kind::Turnover
                              ? "turnover " + g.key.text + (g.metric.text.empty() ? "" : " " + g.metric.text)
                                                                 : g.key.text;
        out.emplace_back("given/" + key, format_given_entry(g));
      }
    } else {
      out.emplace_back(path, format_clause_line(c));
    }
  }
  // Paths must be unique to diff by them; repeats (a checker error anyway) get a suffix.
  std::map<std::string, int> seen;
  for (auto& [path, text] : out) {
    if (int n = ++seen[path]; n > 1) path.append(" #").append(std::to_string(n));
  }
  return out;
}

}  // namespace paydomain::dsl
