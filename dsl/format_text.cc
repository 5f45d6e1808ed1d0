// One-line canonical text of AST nodes: values, conditions, volumes, postings,
// routing statements, test entries and simple clauses. Layout over several
// lines and comments are dsl/formatter.cc's job.
#include <string>

#include "base/str_cat.h"
#include "dsl/formatter.h"

namespace paydomain::dsl {
namespace {

template <typename T, typename F>
std::string join(const std::vector<T>& items, std::string_view sep, F&& text) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += text(items[i]);
  }
  return out;
}

// Binding strength; a child binding looser than its context gets parentheses.
int precedence(Condition::Kind k) {
  switch (k) {
    case Condition::Kind::Or: return 1;
    case Condition::Kind::And: return 2;
    case Condition::Kind::Not: return 3;
    case Condition::Kind::Compare:
    case Condition::Kind::Criterion: return 4;
  }
  return 4;
}

// The context an and/or gives its operands. An `and` group inside an `or`
// keeps its parentheses, `a or (b and c)`: precedence makes them redundant,
// but analysts read the grouping at a glance, so canonical text shows it.
int operand_context(Condition::Kind parent) {
  return parent == Condition::Kind::Or ? precedence(Condition::Kind::Not) : precedence(parent);
}

std::string comparison(const Condition& c) {
  std::string out = c.attribute.text;
  if (c.zone) out += str_cat("(", format_value(*c.zone), ")");
  auto operand = [&c](size_t i) { return i < c.operands.size() ? format_value(c.operands[i]) : ""; };
  switch (c.op) {
    case CompareOp::Between:
      return out + " between " + operand(0) + " and " + operand(1);
    default:
      return out + " " + std::string(to_string(c.op)) + " " + operand(0);
  }
}

std::string condition(const Condition& c, int context) {
  std::string out;
  switch (c.kind) {
    case Condition::Kind::Compare:
      return comparison(c);
    case Condition::Kind::Criterion: return c.attribute.text;
    case Condition::Kind::Not:
      out = "not " + (c.children.empty() ? "" : condition(c.children[0], precedence(Condition::Kind::Not)));
      break;
    case Condition::Kind::And:
    case Condition::Kind::Or: {
      // Children of the same operator print flat: (a or b) or c == a or b or c.
      Condition::Kind kind = c.kind;
      out = join(c.children, kind == Condition::Kind::And ? " and " : " or ", [kind](const Condition& child) {
        return condition(child, child.kind == kind ? precedence(kind) : operand_context(kind));
      });
      break;
    }
  }
  return precedence(c.kind) < context ? "(" + out + ")" : out;
}

std::string account(const Account& a) { return a.owner.text + "." + a.name.text; }

// The operands of an and/or, with same-operator children spliced in (they
// print flat, so they also break flat).
void operands(const Condition& c, Condition::Kind kind, std::vector<const Condition*>& out) {
  for (const Condition& child : c.children) {
    if (child.kind == kind) {
      operands(child, kind, out);
    } else {
      out.push_back(&child);
    }
  }
}

// Appends `c` starting at column `col`; if it does not fit, breaks before
// each top-level `or`/`and` onto lines indented `cont`, nesting 4 deeper, and
// the same inside a parenthesised group or after `not`. `reserve` is the
// width of what follows the condition on its last line.
void wrap(const Condition& c, int context, size_t col, size_t cont, size_t reserve, std::string& out) {
  std::string flat = condition(c, context);
  if (c.kind == Condition::Kind::Compare || c.kind == Condition::Kind::Criterion ||
      col + flat.size() + reserve <= kFormatWidth) {
    out += flat;
    return;
  }
  if (precedence(c.kind) < context) {  // (group): break inside the parentheses
    out += "(";
    wrap(c, 0, col + 1, cont, reserve + 1, out);
    out += ")";
    return;
  }
  if (c.kind == Condition::Kind::Not) {
    out += "not ";
    if (!c.children.empty()) wrap(c.children[0], precedence(c.kind), col + 4, cont, reserve, out);
    return;
  }
  std::vector<const Condition*> parts;
  operands(c, c.kind, parts);
  std::string op = c.kind == Condition::Kind::And ? "and " : "or ";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) {
      out.append("\n").append(cont, ' ').append(op);
      col = cont + op.size();
    }
    wrap(*parts[i], operand_context(c.kind), col, cont + 4, i + 1 == parts.size() ? reserve : 0, out);
  }
}

// Where a statement starts; nullptr means "one line, whatever the width".
struct Fit {
  size_t indent;
};

std::string condition_statement(const std::string& prefix, const Condition& c, const std::string& suffix,
                                 const Fit* fit) {
  std::string flat = prefix + condition(c, 0) + suffix;
  if (!fit || fit->indent + flat.size() <= kFormatWidth) return flat;
  std::string out = prefix;
  wrap(c, 0, fit->indent + prefix.size(), fit->indent + 4, suffix.size(), out);
  return out + suffix;
}

// `prefix[a, b]`, or when too long, the items filled into lines between
// `prefix[` and `]`, one indentation step in.
std::string list_statement(const std::string& prefix, const std::vector<std::string>& items, const Fit* fit) {
  std::string flat = prefix + "[" + join(items, ", ", [](const std::string& i) { return i; }) + "]";
  if (!fit || fit->indent + flat.size() <= kFormatWidth || items.empty()) return flat;
  std::string pad(fit->indent + 2, ' ');
  std::string out = prefix + "[\n" + pad;
  size_t col = pad.size();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item = items[i] + (i + 1 < items.size() ? "," : "");
    if (i && col + 1 + item.size() > kFormatWidth) {
      out += "\n" + pad;
      col = pad.size();
    } else if (i) {
      out += " ";
      ++col;
    }
    out += item;
    col += item.size();
  }
  return out + "\n" + std::string(fit->indent, ' ') + "]";
}

std::vector<std::string> item_texts(const Value& list) {
  std::vector<std::string> out;
  for (const Value& v : list.items) out.push_back(format_value(v));
  return out;
}

std::string routing_statement(const RoutingStatement& r, const Fit* fit) {
  static const Condition kNone;
  const Condition& cond = r.condition ? *r.condition : kNone;
  switch (r.kind) {
    case RoutingStatement::Kind::Decline: {
      std::string rest = ": decline" + (r.reason ? " " + quote_string(*r.reason) : "");
      return r.condition ? condition_statement("when ", cond, rest, fit) : rest.substr(2);
    }
    case RoutingStatement::Kind::Delegate:
      return r.condition ? condition_statement("when ", cond, ": use " + r.target.text, fit) : "use " + r.target.text;
    case RoutingStatement::Kind::Candidate: {
      std::string out = "candidate " + r.target.text;
      if (r.has_priority) out += " priority " + std::to_string(r.priority);
      if (r.has_weight) out += " weight " + std::to_string(r.weight);
      return r.condition ? condition_statement(out + " when ", cond, "", fit) : out;
    }
    case RoutingStatement::Kind::Exclude:
      return condition_statement("exclude when ", cond, "", fit);
  }
  return "";
}

std::string clause_text(const Clause& c, const Fit* fit);

}  // namespace

std::string quote_string(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += ch;
    }
  }
  return out + "\"";
}

std::string format_value(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Money: return v.number.text() + " " + v.text;
    case Value::Kind::Percent: return v.number.text() + "%";
    case Value::Kind::Number: return v.number.text();
    case Value::Kind::String: return quote_string(v.text);
    case Value::Kind::Time:
    case Value::Kind::Ident: return v.text;
    case Value::Kind::List: return str_cat("[", join(v.items, ", ", format_value), "]");
  }
  return v.text;
}

std::string format_money(const MoneyLiteral& m) { return m.value.text() + " " + m.currency.text; }

std::string format_condition(const Condition& c) { return condition(c, 0); }

std::string format_volume(const Volume& v) {
  switch (v.kind) {
    case Volume::Kind::Fixed: return format_money(v.fixed);
    case Volume::Kind::Percent: return v.percent.text() + "% of amount";
    case Volume::Kind::Fraction:
      return std::to_string(v.numerator) + "/" + std::to_string(v.denominator) + " of amount";
    case Volume::Kind::WholeAmount: return "amount";
    case Volume::Kind::Min: return "min(" + join(v.args, ", ", format_volume) + ")";
    case Volume::Kind::Max: return "max(" + join(v.args, ", ", format_volume) + ")";
    // A sum is only ever a whole volume or a min/max argument, where no
    // parentheses are needed; a nested sum prints flat.
    case Volume::Kind::Sum: return join(v.args, " + ", format_volume);
  }
  return "";
}

std::string format_posting(const Posting& p) {
  std::string out = account(p.from) + " -> " + account(p.to) + " : " + format_volume(p.volume);
  if (p.rounding) {
    out += " round " + std::string(to_string(*p.rounding));
  } else if (!p.rounding_name.text.empty()) {
    out += " round " + p.rounding_name.text;  // unknown mode: the parser reported it; keep it
  }
  if (p.details) out.append(" ").append(quote_string(*p.details));
  return out;
}

std::string format_routing_statement(const RoutingStatement& r) { return routing_statement(r, nullptr); }

std::string format_given_entry(const GivenEntry& g) {
  switch (g.kind) {
    case GivenEntry::Kind::Health:
      return "health " + g.key.text + " " + g.metric.text + " " + format_value(g.value);
    case GivenEntry::Kind::Turnover:
      return "turnover " + g.key.text + (g.metric.text.empty() ? "" : " " + g.metric.text) + " " + format_value(g.value);
    case GivenEntry::Kind::Field:
      return g.key.text + " " + format_value(g.value);
  }
  return "";
}

std::string format_expectation(const Expectation& e) {
  using K = Expectation::Kind;
  switch (e.kind) {
    case K::Posting:
      return "posting " + account(e.from) + " -> " + account(e.to) + " " + format_money(e.amount);
    case K::NoRoute: return "no route";
    case K::RouteIn: return "route in " + format_value(e.targets);
    case K::Route: return "route " + e.target.text;
    case K::Decline: return "decline" + (e.reason ? " " + quote_string(*e.reason) : "");
    case K::Allowed: return "allowed";
    case K::Forbidden: return "forbidden";
    case K::LimitApplies: return "limit " + e.target.text + " applies";
    case K::LimitExceeded: return "limit " + e.target.text + " exceeded";
    case K::LimitNotApplies: return "limit " + e.target.text + " not applies";
    case K::Undetermined: return "undetermined";
    case K::Tariff: return "tariff " + e.target.text;
    case K::Account: {
      bool digits = !e.account.empty() && e.account.find_first_not_of("0123456789") == std::string::npos;
      return "account " + account(e.from) + " " + (digits ? e.account : quote_string(e.account));
    }
  }
  return "";
}

namespace {
std::string clause_text(const Clause& c, const Fit* fit) {
  using K = Clause::Kind;
  std::string kw(to_string(c.kind));
  switch (c.kind) {
    case K::Name:
    case K::Description:
    case K::Symbol:
    case K::Url:
    case K::Timezone: return kw + " " + quote_string(c.text);
    case K::Numeric:
    case K::Exponent: return kw + " " + c.number.text();
    case K::Option: return "option " + quote_string(c.text) + " " + quote_string(c.text2);
    case K::Adapter:
    case K::Provider:
    case K::RiskCoverage:
    case K::Routing:
    case K::Period:
    case K::Realm:
    case K::DefaultTariff: return kw + " " + c.ref.text;
    case K::BindingRule: {
      if (!c.binding) return "";
      std::string rest = ": tariff " + c.binding->tariff.text;
      if (c.binding->otherwise || !c.binding->condition) return "otherwise" + rest;
      return condition_statement("when ", *c.binding->condition, rest, fit);
    }
    case K::Account: return "account " + (c.role ? account(*c.role) + " " : "") + c.ref.text + " " + c.text;
    case K::Accepts:
    case K::When: return condition_statement(kw + " ", c.condition ? *c.condition : Condition{}, "", fit);
    case K::Disabled: return "disabled";
    case K::Currencies:
    case K::Categories:
    case K::Residences:
    case K::Scope: return list_statement(kw + " ", item_texts(c.list), fit);
    case K::PaymentMethods: {
      std::vector<std::string> items;
      for (const PaymentMethod& m : c.methods) items.push_back(m.kind.text + (m.sub ? "(" + m.sub->text + ")" : ""));
      return list_statement("payment_methods ", items, fit);
    }
    case K::AmountBounds: return "amount between " + format_money(c.low) + " and " + format_money(c.high);
    case K::HoldLifetime:
      return "hold_lifetime " + std::to_string(c.duration.count) + " " + c.duration.unit.text;
    case K::RoutingStatement: return c.routing ? routing_statement(*c.routing, fit) : "";
    case K::LimitBound:
      return std::string(c.bound_is_count ? "count" : "amount") + (c.bound_inclusive ? " <= " : " < ") +
             format_value(c.bound);
    case K::Expect: return "expect " + (c.expect ? format_expectation(*c.expect) : "");
    case K::Fees:
    case K::Refunds:
    case K::Captures:
    case K::Chargebacks:
    case K::Given: return kw;
  }
  return kw;
}
}  // namespace

std::string format_clause_line(const Clause& c) { return clause_text(c, nullptr); }

std::string format_clause_lines(const Clause& c, size_t indent) {
  Fit fit{indent};
  return clause_text(c, &fit);
}

std::string format_arm_header(const DecisionArm& arm, size_t indent) {
  if (arm.otherwise) return "otherwise {";
  Fit fit{indent};
  return condition_statement("when ", arm.condition, " {", &fit);
}

std::string object_header(const Object& o) {
  if (o.kind == ObjectKind::Test) return "test " + quote_string(o.id.text);
  std::string h = std::string(to_string(o.kind)) + " " + o.id.text;
  if (o.parent) h += " extends " + o.parent->text;
  return h;
}

}  // namespace paydomain::dsl
