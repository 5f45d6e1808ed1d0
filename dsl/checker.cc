#include "dsl/checker.h"

#include <algorithm>
#include <array>
#include <functional>
#include <set>
#include <unordered_map>

#include "dsl/accounts.h"
#include "dsl/parser.h"
#include "dsl/schema.h"
#include "dsl/timezone.h"

namespace paydomain::dsl {
namespace {

using CK = Clause::Kind;

std::vector<CK> required_clauses(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::Currency: return {CK::Numeric, CK::Exponent};
    case ObjectKind::Provider: return {CK::Adapter};
    case ObjectKind::Terminal: return {CK::Provider};
    case ObjectKind::Limit: return {CK::Scope, CK::Period, CK::LimitBound};
    case ObjectKind::Test: return {CK::Given, CK::Expect};
    case ObjectKind::Criterion: return {CK::When};
    case ObjectKind::PaymentInstitution: return {CK::Realm};
    case ObjectKind::TariffBinding: return {CK::BindingRule};
    default: return {};
  }
}

std::string spaced(ObjectKind k) {
  std::string s(to_string(k));
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string article(ObjectKind k) {
  std::string s = spaced(k);
  bool vowel = s[0] == 'a' || s[0] == 'e' || s[0] == 'i' || s[0] == 'o' || s[0] == 'u';
  return (vowel ? "an " : "a ") + s;
}

bool is_currency_code(std::string_view s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

class Checker {
 public:
  Checker(Domain& d, Diagnostics& diags, std::vector<IdUse>* uses = nullptr) : d_(d), diags_(diags), uses_(uses) {}

  void run() {
    index();
    for (Object& o : d_.objects) {
      current_ = &o;
      check_object(o);
    }
    current_ = nullptr;
    check_routing_cycles();
    check_criterion_cycles();
    check_tariff_cycles();
    check_accounts(d_, diags_);
  }

  // Only some objects, but names resolve against all and ids stay unique
  // domain-wide. The delegation graph changes only with a routing object.
  void run_only(const std::vector<size_t>& objects) {
    index();
    bool routing = false, criterion = false, tariff = false;
    for (size_t i : objects) {
      if (i >= d_.objects.size()) continue;
      current_ = &d_.objects[i];
      check_object(d_.objects[i]);
      routing = routing || d_.objects[i].kind == ObjectKind::Routing;
      criterion = criterion || d_.objects[i].kind == ObjectKind::Criterion;
      tariff = tariff || d_.objects[i].kind == ObjectKind::Tariff;
    }
    current_ = nullptr;
    if (routing) check_routing_cycles();
    // Only a criterion refers to criteria, so only a changed one can close a cycle.
    if (criterion) check_criterion_cycles();
    // Likewise only a changed tariff can close an `extends` cycle.
    if (tariff) check_tariff_cycles();
    // Accounts read institutions, providers, tariffs and the binding together:
    // checked whole each time (a walk over those objects, not a compile).
    check_accounts(d_, diags_);
  }

 private:
  Diagnostic& err(const Span& at, std::string code, std::string msg) {
    Diagnostic& d = diags_.error(at, std::move(code), std::move(msg));
    if (current_) d.object = current_->display_name();
    return d;
  }
  Diagnostic& warn(const Span& at, std::string code, std::string msg) {
    Diagnostic& d = diags_.warning(at, std::move(code), std::move(msg));
    if (current_) d.object = current_->display_name();
    return d;
  }

  std::unordered_map<std::string, const Object*>& ids(ObjectKind k) { return index_[static_cast<size_t>(k)]; }

  void index() {
    for (Object& o : d_.objects) {
      if (uses_ && o.kind != ObjectKind::Test) uses_->push_back({o.kind, o.id.text, o.id.span, true});
      auto [it, inserted] = ids(o.kind).emplace(o.id.text, &o);
      if (!inserted) {
        current_ = &o;
        const Object* first = it->second;
        std::string where = d_.files[first->span.file].path + ":" + std::to_string(first->span.line);
        err(o.id.span, "duplicate-id", "duplicate " + std::string(to_string(o.kind)) + " '" + o.id.text + "'")
            .expected = "a unique id (the first one is defined at " + where + ")";
      }
      if (o.kind == ObjectKind::TariffBinding && inserted) {
        // One binding decides every payment's tariff: two would leave the order between them unsaid.
        if (!binding_) {
          binding_ = &o;
        } else {
          current_ = &o;
          std::string where = d_.files[binding_->span.file].path + ":" + std::to_string(binding_->span.line);
          err(o.id.span, "duplicate-binding", "a domain has one tariff_binding, and '" + binding_->id.text + "' is one")
              .expected = "these rules in tariff_binding " + binding_->id.text + " (" + where + "), in the order they apply";
        }
      }
      if (o.kind == ObjectKind::Currency) {
        const Clause* e = o.find(CK::Exponent);
        exponents_[o.id.text] = e ? static_cast<int>(e->number.units) : 2;
      }
    }
    current_ = nullptr;
  }

  std::vector<std::string> ids_of(ObjectKind k) {
    std::vector<std::string> v;
    for (const auto& [id, _] : ids(k)) v.push_back(id);
    std::sort(v.begin(), v.end());
    return v;
  }

  // A test's `turnover LIMIT [ROUTE] VALUE`: a limit scoped by terminal (or
  // else by provider) keeps one counter per terminal (provider), so its
  // turnover names which; any other limit's does not.
  void route_counter(const Object& limit, const GivenEntry& g) {
    bool terminal = false, provider = false;
    if (const Clause* s = limit.find(CK::Scope)) {
      for (const Value& item : s->list.items) {
        terminal = terminal || item.text == "terminal";
        provider = provider || item.text == "provider";
      }
    }
    if (!terminal && !provider) {
      if (!g.metric.text.empty()) {
        err(g.metric.span, "type", "limit " + limit.id.text + " is not kept per terminal or provider")
            .expected = "turnover " + limit.id.text + " VALUE";
      }
    } else if (g.metric.text.empty()) {
      const char* what = terminal ? "terminal" : "provider";
      err(g.key.span, "type", "limit " + limit.id.text + " keeps one counter per " + what + ": say which")
          .expected = "turnover " + limit.id.text + " " + what + "_id VALUE";
    } else {
      ref(g.metric, terminal ? ObjectKind::Terminal : ObjectKind::Provider);
    }
  }

  // A reference to an object of `kind`; reports a missing one with the
  // closest id, and a wrong-kind one with what it actually is.
  bool ref(const Ident& id, ObjectKind kind) {
    if (uses_) uses_->push_back({kind, id.text, id.span, false});
    if (ids(kind).count(id.text)) return true;
    for (int k = 0; k < kObjectKindCount; ++k) {
      auto other = static_cast<ObjectKind>(k);
      if (other != kind && other != ObjectKind::Test && ids(other).count(id.text)) {
        err(id.span, "wrong-kind", "'" + id.text + "' is " + article(other) + ", not " + article(kind))
            .expected = spaced(kind) + " id";
        return false;
      }
    }
    Diagnostic& d = err(id.span, "unknown-reference", "unknown " + spaced(kind) + " '" + id.text + "'");
    d.suggestion = closest_match(id.text, ids_of(kind));
    auto all = ids_of(kind);
    if (all.empty()) {
      d.expected = "a " + spaced(kind) + " defined in the domain (there is none yet)";
    } else {
      std::string list;
      for (size_t i = 0; i < all.size() && i < 8; ++i) list += (i ? ", " : "") + all[i];
      if (all.size() > 8) list += ", ...";
      d.expected = "one of " + list;
    }
    return false;
  }

  bool enum_value(const Ident& id, Names values, std::string_view what) {
    if (std::find(values.begin(), values.end(), id.text) != values.end()) return true;
    Diagnostic& d = err(id.span, "unknown-value", "unknown " + std::string(what) + " '" + id.text + "'");
    std::string list;
    for (size_t i = 0; i < values.size(); ++i) list += (i ? ", " : "") + std::string(values[i]);
    d.expected = "one of " + list;
    d.suggestion = closest_match(id.text, to_strings(values));
    return false;
  }

  // Converts a decimal amount to minor units of `currency`.
  bool to_minor(const Decimal& v, const Ident& currency, const Span& at, int64_t& minor) {
    if (!ref(currency, ObjectKind::Currency)) return false;
    int exp = exponents_[currency.text];
    if (v.scale > exp) {
      err(at, "too-precise", currency.text + " has " + std::to_string(exp) + " decimal places, but '" + v.text() +
                                 "' has " + std::to_string(v.scale))
          .expected = "at most " + std::to_string(exp) + " digits after the point";
      return false;
    }
    __int128 m = v.units;
    for (int i = v.scale; i < exp; ++i) m *= 10;
    if (m > INT64_MAX) {
      err(at, "too-large", "amount '" + v.text() + " " + currency.text + "' is too large");
      return false;
    }
    minor = static_cast<int64_t>(m);
    return true;
  }

  bool money(MoneyLiteral& m) { return to_minor(m.value, m.currency, m.span, m.minor); }

  bool money_value(Value& v) {
    if (v.kind != Value::Kind::Money) {
      err(v.span, "type", "expected an amount with a currency, e.g. 1000.00 RUB").expected = "money";
      return false;
    }
    Ident cur{v.text, v.span};
    return to_minor(v.number, cur, v.span, v.minor);
  }

  static std::string_view kind_name(Value::Kind k) {
    switch (k) {
      case Value::Kind::Money: return "an amount";
      case Value::Kind::Percent: return "a percentage";
      case Value::Kind::Number: return "a number";
      case Value::Kind::String: return "a string";
      case Value::Kind::Time: return "a time";
      case Value::Kind::Ident: return "a name";
      case Value::Kind::List: return "a list";
    }
    return "a value";
  }

  // One scalar operand of an attribute.
  void operand(const AttributeInfo& a, Value& v) {
    auto type_error = [&](std::string_view expected) {
      err(v.span, "type", std::string(kind_name(v.kind)) + " cannot be compared with " + std::string(a.name))
          .expected = std::string(expected);
    };
    switch (a.type) {
      case AttrType::Money:
        if (v.kind == Value::Kind::Money) {
          money_value(v);
        } else {
          type_error("an amount with a currency, e.g. 1000.00 RUB");
        }
        break;
      case AttrType::Reference:
        if (v.kind == Value::Kind::Ident) {
          ref(Ident{v.text, v.span}, a.ref_kind);
        } else {
          type_error(spaced(a.ref_kind) + " id");
        }
        break;
      case AttrType::Enum:
        if (v.kind == Value::Kind::Ident) {
          enum_value(Ident{v.text, v.span}, a.values, a.name);
        } else {
          type_error("one of the " + std::string(a.name) + " values");
        }
        break;
      case AttrType::Text:
        if (v.kind != Value::Kind::String) type_error("a string in quotes, e.g. \"shop-1\"");
        break;
      case AttrType::BinPrefix:
        if (v.kind != Value::Kind::String || v.text.empty() || v.text.size() > 8 ||
            !std::all_of(v.text.begin(), v.text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          err(v.span, "type", "a BIN is 1 to 8 digits in quotes").expected = "e.g. \"427600\"";
        }
        break;
      case AttrType::TimeOfDay:
        if (v.kind != Value::Kind::Time) {
          type_error("a time of day HH:MM");
        } else if (std::stoi(v.text.substr(0, 2)) > 23 || std::stoi(v.text.substr(3, 2)) > 59) {
          err(v.span, "type", "'" + v.text + "' is not a time of day").expected = "00:00 to 23:59";
        }
        break;
      case AttrType::Share:
        if (v.kind != Value::Kind::Percent) {
          type_error("a percentage, e.g. 70%");
        } else if (over_hundred(v.number)) {
          err(v.span, "type", "a share cannot exceed 100%");
        }
        break;
      case AttrType::Number:
        if (v.kind != Value::Kind::Number || v.number.scale != 0) type_error("a whole number");
        break;
    }
  }

  // units / 10^scale > 100, without overflow: 100 x 10^17 is beyond int64
  // (0.00000000000000001% is a tiny share, not "more than 100%").
  static bool over_hundred(const Decimal& d) {
    if (d.scale >= 17) return false;  // 100 x 10^scale > INT64_MAX >= units
    __int128 hundred = 100;
    for (int i = 0; i < d.scale; ++i) hundred *= 10;
    return d.units > hundred;
  }

  // A limit's period or a weekday/time condition names a time zone: "UTC",
  // a fixed offset, or an IANA zone (with the closest name when unknown).
  void timezone(const std::string& name, const Span& span) {
    if (fixed_offset_minutes(name) || is_iana_zone(name)) return;
    Diagnostic& d = err(span, "timezone", "unknown time zone '" + name + "'");
    d.expected = "\"UTC\", an offset like \"+03:00\", or an IANA zone like \"Europe/Moscow\"";
    d.suggestion = closest_match(name, iana_zone_names());
  }

  void condition(Condition& c, bool allow_health) {
    switch (c.kind) {
      case Condition::Kind::And:
      case Condition::Kind::Or:
      case Condition::Kind::Not:
        for (Condition& ch : c.children) condition(ch, allow_health);
        return;
      case Condition::Kind::Criterion: ref(c.attribute, ObjectKind::Criterion); return;
      case Condition::Kind::Compare:
        break;
    }
    const AttributeInfo* a = find_attribute(c.attribute.text);
    if (!a) {
      std::vector<std::string> names;
      for (const AttributeInfo& x : attributes()) {
        if ((allow_health || !x.route_health) && !x.derived) names.emplace_back(x.name);
      }
      Diagnostic& d = err(c.attribute.span, "unknown-attribute", "unknown attribute '" + c.attribute.text + "'");
      d.suggestion = closest_match(c.attribute.text, names);
      d.expected = "a payment attribute such as currency, amount, category, payment_system, risk";
      return;
    }
    if (a->route_health && !allow_health) {
      err(c.attribute.span, "health-outside-exclude",
          "'" + c.attribute.text + "' describes a route's health and can only be used in `exclude when`");
      return;
    }
    if (c.zone) {
      if (a->name != "weekday" && a->name != "time") {
        err(c.zone->span, "timezone", "only weekday and time are read in a time zone, not " + std::string(a->name))
            .expected = "weekday(\"Europe/Moscow\") or time(\"Europe/Moscow\")";
      } else {
        timezone(c.zone->text, c.zone->span);
      }
    }
    bool ordered = a->type == AttrType::Money || a->type == AttrType::TimeOfDay || a->type == AttrType::Share ||
                   a->type == AttrType::Number || a->name == "risk";
    bool ok = true;
    switch (c.op) {
      case CompareOp::Lt:
      case CompareOp::Le:
      case CompareOp::Gt:
      case CompareOp::Ge:
      case CompareOp::Between:
        ok = ordered;
        break;
      case CompareOp::StartsWith:
        ok = a->type == AttrType::BinPrefix;
        break;
      case CompareOp::In:
      case CompareOp::NotIn:
        ok = a->type != AttrType::Money && a->type != AttrType::Share && a->type != AttrType::Number &&
             a->type != AttrType::TimeOfDay;
        break;
      default:
        ok = a->type != AttrType::Share && a->type != AttrType::TimeOfDay;
        break;
    }
    if (!ok) {
      err(c.span, "operator", "'" + std::string(to_string(c.op)) + "' does not apply to " + std::string(a->name))
          .expected = a->type == AttrType::TimeOfDay || a->type == AttrType::Share
                          ? "<, <=, >, >= or between"
                      : ordered ? "==, !=, <, <=, >, >= or between"
                      : a->type == AttrType::BinPrefix ? "starts_with, ==, != or in"
                                                       : "==, !=, is, in or not in";
      return;
    }
    if (c.op == CompareOp::In || c.op == CompareOp::NotIn) {
      Value& list = c.operands[0];
      if (list.items.empty()) warn(list.span, "empty-list", "an empty list never matches");
      for (Value& item : list.items) operand(*a, item);
      return;
    }
    if (c.op == CompareOp::StartsWith && c.operands[0].kind == Value::Kind::List) {
      for (Value& item : c.operands[0].items) operand(*a, item);
      return;
    }
    for (Value& v : c.operands) {
      if (v.kind == Value::Kind::List) {
        err(v.span, "type", "a list needs `in`, e.g. " + std::string(a->name) + " in [...]");
        continue;
      }
      operand(*a, v);
    }
    if (c.op == CompareOp::Between && a->type == AttrType::Money && c.operands.size() == 2) {
      Value& lo = c.operands[0];
      Value& hi = c.operands[1];
      if (lo.kind == Value::Kind::Money && hi.kind == Value::Kind::Money) {
        if (lo.text != hi.text) {
          err(c.span, "currency-mismatch", "the bounds of `between` have different currencies (" + lo.text + " and " +
                                               hi.text + ")");
        } else if (lo.minor > hi.minor) {
          err(c.span, "empty-range", "the lower bound is above the upper bound");
        }
      }
    }
  }

  void account(const Account& a) {
    if (is_valid_account(a.owner.text, a.name.text)) return;
    Diagnostic& d = err(a.span, "unknown-account", "unknown account '" + a.text() + "'");
    d.suggestion = closest_match(a.text(), account_names());
    std::string list;
    for (size_t i = 0; i < account_names().size(); ++i) list += (i ? ", " : "") + account_names()[i];
    d.expected = "one of " + list;
  }

  // Checks a volume; collects the currencies of fixed amounts in it.
  void volume(Volume& v, std::set<std::string>& currencies) {
    switch (v.kind) {
      case Volume::Kind::Fixed:
        if (money(v.fixed)) currencies.insert(v.fixed.currency.text);
        break;
      case Volume::Kind::Percent:
        if (over_hundred(v.percent)) {
          err(v.span, "share-too-large", "a share of more than 100% of the amount");
        }
        break;
      case Volume::Kind::Fraction:
        if (v.denominator == 0) {
          err(v.span, "zero-denominator", "a share's denominator cannot be zero").expected = "e.g. 1/3 of amount";
        } else if (v.numerator > v.denominator) {
          err(v.span, "share-too-large", "a share of more than the whole amount");
        }
        break;
      case Volume::Kind::WholeAmount:
        break;
      case Volume::Kind::Min:
      case Volume::Kind::Max:
      case Volume::Kind::Sum:
        for (Volume& a : v.args) volume(a, currencies);
        break;
    }
  }

  void cash_flow(CashFlow& cf) {
    for (Posting& p : cf.postings) {
      if (!p.rounding_name.text.empty() && !p.rounding) {
        std::vector<std::string> modes;
        for (int m = 0; m <= static_cast<int>(RoundingMode::AwayFromZero); ++m) {
          modes.emplace_back(to_string(static_cast<RoundingMode>(m)));
        }
        Diagnostic& d = err(p.rounding_name.span, "unknown-rounding", "unknown rounding mode '" + p.rounding_name.text + "'");
        d.expected = "half_away_from_zero, half_even, half_towards_zero, towards_zero or away_from_zero";
        d.suggestion = closest_match(p.rounding_name.text, modes);
      }
      account(p.from);
      account(p.to);
      if (p.from.text() == p.to.text()) {
        err(p.span, "same-account", "a posting must move money between two different accounts");
      }
      std::set<std::string> currencies;
      volume(p.volume, currencies);
      if (currencies.size() > 1) {
        err(p.volume.span, "currency-mismatch",
            "a volume mixes currencies (" + *currencies.begin() + " and " + *currencies.rbegin() + ")")
            .expected = "amounts in one currency";
      }
    }
    for (DecisionArm& arm : cf.arms) {
      if (!arm.otherwise) condition(arm.condition, false);
      cash_flow(arm.body);
    }
  }

  void ident_list(Value& list, ObjectKind kind) {
    std::set<std::string> seen;
    for (Value& item : list.items) {
      if (item.kind != Value::Kind::Ident) {
        err(item.span, "type", "expected " + spaced(kind) + " id, found " + std::string(kind_name(item.kind)));
        continue;
      }
      if (!seen.insert(item.text).second) warn(item.span, "duplicate-item", "'" + item.text + "' is listed twice");
      ref(Ident{item.text, item.span}, kind);
    }
  }

  void check_object(Object& o) {
    const auto& rules = clause_rules(o.kind);
    std::set<CK> seen;
    for (Clause& c : o.clauses) {
      auto rule = std::find_if(rules.begin(), rules.end(), [&](const ClauseRule& r) { return r.kind == c.kind; });
      if (rule == rules.end()) {
        std::string allowed;
        for (size_t i = 0; i < rules.size(); ++i) allowed += (i ? ", " : "") + std::string(to_string(rules[i].kind));
        err(c.span, "misplaced-clause",
            "'" + std::string(to_string(c.kind)) + "' is not allowed in " + article(o.kind))
            .expected = allowed;
        continue;
      }
      if (!rule->repeatable && !seen.insert(c.kind).second) {
        err(c.span, "duplicate-clause", "'" + std::string(to_string(c.kind)) + "' is given twice");
        continue;
      }
      check_clause(o, c);
    }
    for (CK req : required_clauses(o.kind)) {
      if (!o.find(req)) {
        err(o.id.span, "missing-clause",
            article(o.kind) + " needs '" + std::string(to_string(req)) + "'")
            .expected = "a '" + std::string(to_string(req)) + "' clause";
      }
    }
    if (o.kind == ObjectKind::Currency && !is_currency_code(o.id.text)) {
      err(o.id.span, "currency-code", "currency code '" + o.id.text + "' must be three capital letters (ISO 4217)");
    }
    if (o.kind == ObjectKind::Routing) check_routing(o);
    if (o.kind == ObjectKind::TariffBinding) check_binding(o);
    if (o.parent) check_parent(o);
  }

  // `tariff premium extends standard`: tariffs only, and the parent a tariff.
  // (dsl/inheritance.h: no part of a tariff constrains another, so any
  // parent suits any child; only a cycle is wrong, see check_tariff_cycles.)
  void check_parent(const Object& o) {
    if (o.kind != ObjectKind::Tariff) {
      err(o.parent->span, "misplaced-clause", "'extends' is not allowed in " + article(o.kind)).expected =
          "only a tariff extends another tariff, e.g. tariff premium extends standard { ... }";
      return;
    }
    ref(*o.parent, ObjectKind::Tariff);
  }

  void check_clause(Object& o, Clause& c) {
    switch (c.kind) {
      case CK::Numeric:
        if (c.number.units < 1 || c.number.units > 999) err(c.span, "range", "numeric code must be 1 to 999");
        break;
      case CK::Exponent:
        if (c.number.units > 6) err(c.span, "range", "exponent must be 0 to 6");
        break;
      case CK::Adapter: ref(c.ref, ObjectKind::Adapter); break;
      case CK::Provider: ref(c.ref, ObjectKind::Provider); break;
      case CK::Routing: ref(c.ref, ObjectKind::Routing); break;
      case CK::Account:  // the role and number: dsl/accounts.h, with the whole domain
        ref(c.ref, ObjectKind::Currency);
        break;
      case CK::RiskCoverage: enum_value(c.ref, risk_levels(), "risk level"); break;
      case CK::Accepts:
      case CK::When:
        condition(*c.condition, false);
        break;
      case CK::Fees: cash_flow(*c.cash_flow); break;
      case CK::Currencies: ident_list(c.list, ObjectKind::Currency); break;
      case CK::Categories: ident_list(c.list, ObjectKind::Category); break;
      case CK::PaymentMethods:
        for (PaymentMethod& m : c.methods) {
          if (!enum_value(m.kind, payment_tool_kinds(), "payment tool") || !m.sub) continue;
          if (m.kind.text == "bank_card") {
            ref(*m.sub, ObjectKind::PaymentSystem);
          } else if (m.kind.text == "wallet") {
            ref(*m.sub, ObjectKind::WalletProvider);
          } else {
            err(m.sub->span, "method", m.kind.text + " has no sub-kinds").expected = m.kind.text;
          }
        }
        break;
      case CK::AmountBounds: {
        bool ok = money(c.low) & money(c.high);
        if (!ok) break;
        if (c.low.currency.text != c.high.currency.text) {
          err(c.span, "currency-mismatch", "the bounds have different currencies");
        } else if (c.low.minor > c.high.minor) {
          err(c.span, "empty-range", "the lower bound is above the upper bound");
        }
        for (const Clause& other : o.clauses) {
          if (&other == &c) break;
          if (other.kind == CK::AmountBounds && other.low.currency.text == c.low.currency.text) {
            err(c.span, "duplicate-clause", "amount bounds for " + c.low.currency.text + " are given twice");
          }
        }
        break;
      }
      case CK::Captures: {
        // A capture takes the held money, on the hold's terms: the only
        // choice left is whether less than the hold may be taken.
        const OperationTerms& r = *c.captures;
        const char* other = r.allowed ? "allowed" : r.fees ? "fees" : r.within ? "within" : r.reserve ? "reserve" : nullptr;
        if (other) {
          err(r.fees && !r.allowed ? r.fees->span : r.within && !r.allowed ? r.within->span : c.span,
              "misplaced-clause", std::string("'") + other + "' is not allowed in captures")
              .expected = "partial (a capture's fees are the payment's `fees`, its time limit the tariff's `hold_lifetime`)";
        }
        break;
      }
      case CK::Chargebacks: {
        // A chargeback takes the whole disputed amount back; the provider
        // moves the principal, the merchant's funds are reserved by its tariff.
        OperationTerms& r = *c.chargebacks;
        if (r.fees) cash_flow(*r.fees);
        if (r.reserve) cash_flow(*r.reserve);
        if (r.partial || r.within) {
          err(r.within && !r.partial ? r.within->span : c.span, "misplaced-clause",
              std::string("'") + (r.partial ? "partial" : "within") + "' is not allowed in chargebacks")
              .expected = "allowed, fees, reserve";
        }
        if (o.kind == ObjectKind::Provider && r.reserve) {
          err(r.reserve->span, "misplaced-clause", "'reserve' is not allowed in a provider's chargebacks")
              .expected = "allowed, fees (the merchant's reserve is its tariff's)";
        }
        break;
      }
      case CK::Refunds: {
        OperationTerms& r = *c.refunds;
        if (r.fees) cash_flow(*r.fees);
        if (r.reserve) {
          err(r.reserve->span, "misplaced-clause", "'reserve' is not allowed in refunds").expected =
              "allowed, partial, within, fees (a reserve holds a chargeback's funds: `chargebacks { reserve { ... } }`)";
        }
        if (r.within) {
          const Duration& w = *r.within;
          const bool known = enum_value(w.unit, duration_units(), "time unit");
          if (w.count <= 0) {
            err(w.span, "range", "a refund window must be positive");
          } else if (known && w.count > int64_t{36500} * 86400 / duration_seconds(w.unit.text)) {
            err(w.span, "range", "a refund window is at most 36500 days");
          }
        }
        // A terminal is one contract at its provider: it may refuse refunds
        // (in part), but what they cost and how late they may come are the provider's.
        if (o.kind == ObjectKind::Terminal && (r.fees || r.within)) {
          err(r.fees ? r.fees->span : r.within->span, "misplaced-clause",
              std::string("'") + (r.fees ? "fees" : "within") + "' is not allowed in a terminal's refunds")
              .expected = "allowed, partial (a terminal's refund fees and window are its provider's)";
        }
        break;
      }
      case CK::HoldLifetime: {
        const bool known = enum_value(c.duration.unit, duration_units(), "time unit");
        if (c.duration.count <= 0) {
          err(c.span, "range", "hold lifetime must be positive");
        } else if (known && c.duration.count > int64_t{36500} * 86400 / duration_seconds(c.duration.unit.text)) {
          err(c.span, "range", "a hold lifetime is at most 36500 days");  // captures count it in seconds
        }
        break;
      }
      case CK::RoutingStatement: routing_statement(*c.routing); break;
      case CK::Scope: {
        if (c.list.items.empty()) err(c.span, "empty-scope", "a limit's scope needs at least one of " + join(limit_scopes()));
        std::set<std::string> seen;
        for (Value& item : c.list.items) {
          if (item.kind != Value::Kind::Ident) {
            err(item.span, "type", "expected a scope name").expected = join(limit_scopes());
          } else if (enum_value(Ident{item.text, item.span}, limit_scopes(), "scope") && !seen.insert(item.text).second) {
            warn(item.span, "duplicate-item", "'" + item.text + "' is listed twice");
          }
        }
        break;
      }
      case CK::Period: enum_value(c.ref, limit_periods(), "period"); break;
      case CK::Timezone: timezone(c.text, c.span); break;
      case CK::LimitBound:
        if (c.bound_is_count) {
          if (c.bound.kind != Value::Kind::Number || c.bound.number.scale != 0) {
            err(c.bound.span, "type", "a count limit needs a whole number").expected = "e.g. count <= 10";
          }
        } else {
          money_value(c.bound);
        }
        break;
      case CK::Given: given(c); break;
      case CK::Expect: expectation(*c.expect); break;
      case CK::Realm: enum_value(c.ref, realms(), "realm"); break;
      case CK::Residences: ident_list(c.list, ObjectKind::Country); break;
      case CK::DefaultTariff: ref(c.ref, ObjectKind::Tariff); break;
      case CK::BindingRule:
        if (c.binding->condition) condition(*c.binding->condition, false);
        ref(c.binding->tariff, ObjectKind::Tariff);
        break;
      default: break;
    }
  }

  // First match wins: a rule after `otherwise` never applies.
  void check_binding(Object& o) {
    bool after_otherwise = false;
    for (Clause& c : o.clauses) {
      if (c.kind != CK::BindingRule) continue;
      if (after_otherwise) warn(c.binding->span, "unreachable", "this rule is never reached: an earlier `otherwise` always decides");
      after_otherwise = after_otherwise || c.binding->otherwise;
      if (c.binding->condition) unserved_residences(*c.binding);
    }
  }

  // A rule for institutions none of which serves the residences it names
  // (`payment_institution == acme_ru and residence == US`): every payment it
  // would match is refused, whatever tariff it chose.
  void unserved_residences(const BindingRule& r) {
    auto institutions = restricted_values(*r.condition, "payment_institution");
    auto residences = restricted_values(*r.condition, "residence");
    if (!institutions || !residences || institutions->empty() || residences->empty()) return;
    std::string why;
    for (const std::string& id : *institutions) {
      auto it = ids(ObjectKind::PaymentInstitution).find(id);
      if (it == ids(ObjectKind::PaymentInstitution).end()) return;  // reported as unknown
      const Clause* served = it->second->find(CK::Residences);
      if (!served) return;  // any country
      std::string list;
      for (const Value& v : served->list.items) {
        if (residences->count(v.text)) return;
        list += (list.empty() ? "" : ", ") + v.text;
      }
      why += (why.empty() ? "" : "; ") + std::string("payment_institution ") + id + " serves merchants residing in " +
             list;
    }
    std::string named;
    for (const std::string& x : *residences) named += (named.empty() ? "" : ", ") + x;
    warn(r.span, "unserved-residence",
         "this rule never applies to a payment its institution serves: it names residence " + named + ", but " + why)
        .expected = "a residence the institution serves, or another institution";
  }

  static std::string join(Names v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::string(v[i]);
    return s;
  }

  void routing_statement(RoutingStatement& r) {
    using RK = RoutingStatement::Kind;
    if (r.condition) condition(*r.condition, r.kind == RK::Exclude);
    if (r.kind == RK::Delegate) ref(r.target, ObjectKind::Routing);
    if (r.kind == RK::Candidate) {
      ref(r.target, ObjectKind::Terminal);
      if (r.weight < 1) err(r.span, "range", "a candidate's weight must be at least 1");
    }
  }

  void check_routing(Object& o) {
    bool after_unconditional = false;
    std::set<std::string> candidates;
    for (Clause& c : o.clauses) {
      if (c.kind != CK::RoutingStatement) continue;
      RoutingStatement& r = *c.routing;
      if (after_unconditional && r.kind != RoutingStatement::Kind::Exclude) {
        warn(r.span, "unreachable", "this rule is never reached: an earlier `use` always delegates");
      }
      if (r.kind == RoutingStatement::Kind::Delegate && !r.condition) after_unconditional = true;
      if (r.kind == RoutingStatement::Kind::Candidate && !candidates.insert(r.target.text).second) {
        warn(r.span, "duplicate-candidate", "terminal '" + r.target.text + "' is a candidate twice");
      }
    }
  }

  // Delegation between routing rulesets must not loop.
  void check_routing_cycles() {
    std::unordered_map<std::string, int> state;  // 0 new, 1 on stack, 2 done
    std::vector<std::string> stack;
    std::function<void(const Object&)> visit = [&](const Object& o) {
      state[o.id.text] = 1;
      stack.push_back(o.id.text);
      for (const Clause& c : o.clauses) {
        if (c.kind != CK::RoutingStatement || c.routing->kind != RoutingStatement::Kind::Delegate) continue;
        auto it = ids(ObjectKind::Routing).find(c.routing->target.text);
        if (it == ids(ObjectKind::Routing).end()) continue;
        int s = state[it->first];
        if (s == 1) {
          std::string path;
          auto from = std::find(stack.begin(), stack.end(), it->first);
          for (auto p = from; p != stack.end(); ++p) path += *p + " -> ";
          path += it->first;
          current_ = &o;
          err(c.routing->target.span, "routing-cycle", "routing delegation forms a cycle: " + path)
              .expected = "delegation that ends at a ruleset with candidates";
          current_ = nullptr;
        } else if (s == 0) {
          visit(*it->second);
        }
      }
      stack.pop_back();
      state[o.id.text] = 2;
    };
    for (const Object& o : d_.objects) {
      if (o.kind == ObjectKind::Routing && state[o.id.text] == 0) visit(o);
    }
  }

  // The criteria a condition names (each occurrence, source order) and its comparisons.
  static void criteria_in(const Condition& c, std::vector<const Ident*>& out, uint64_t& comparisons) {
    if (c.kind == Condition::Kind::Criterion) out.push_back(&c.attribute);
    if (c.kind == Condition::Kind::Compare) ++comparisons;
    for (const Condition& ch : c.children) criteria_in(ch, out, comparisons);
  }

  // Criteria naming criteria must not loop, and must not expand (each name
  // is inlined when compiled) beyond kMaxCriterionComparisons. An explicit
  // stack: a chain of thousands of criteria must not exhaust the call stack.
  static constexpr uint64_t kMaxCriterionComparisons = 10000;
  void check_criterion_cycles() {
    std::unordered_map<const Object*, int> state;      // 0 new, 1 on the path, 2 done
    std::unordered_map<const Object*, uint64_t> size;  // comparisons once inlined (done ones)
    struct Frame {
      const Object* o;
      std::vector<const Ident*> refs;
      size_t next = 0;
      uint64_t size = 0;
    };
    auto frame = [](const Object* o) {
      Frame f{o, {}, 0, 0};
      if (const Clause* w = o->find(CK::When); w && w->condition) criteria_in(*w->condition, f.refs, f.size);
      return f;
    };
    for (const Object& root : d_.objects) {
      if (root.kind != ObjectKind::Criterion || state[&root] != 0) continue;
      std::vector<Frame> path{frame(&root)};
      state[&root] = 1;
      while (!path.empty()) {
        Frame& top = path.back();
        if (top.next == top.refs.size()) {
          const Object* done = top.o;
          uint64_t n = std::min(top.size, kMaxCriterionComparisons + 1);
          state[done] = 2;
          size[done] = n;
          path.pop_back();
          if (n > kMaxCriterionComparisons && path.empty()) {
            current_ = done;
            err(done->id.span, "criterion-too-large",
                "criterion '" + done->id.text + "' expands to more than " + std::to_string(kMaxCriterionComparisons) +
                    " comparisons once the criteria it names are inlined")
                .expected = "fewer repeated references to the same criteria";
            current_ = nullptr;
          }
          if (!path.empty()) path.back().size += n;
          continue;
        }
        const Ident* r = top.refs[top.next++];
        auto it = ids(ObjectKind::Criterion).find(r->text);
        if (it == ids(ObjectKind::Criterion).end()) continue;
        int& s = state[it->second];
        if (s == 1) {
          std::string cycle;
          auto from = std::find_if(path.begin(), path.end(), [&](const Frame& f) { return f.o == it->second; });
          for (auto p = from; p != path.end(); ++p) cycle += p->o->id.text + " -> ";
          cycle += it->first;
          current_ = top.o;
          err(r->span, "criterion-cycle", "criteria refer to each other in a cycle: " + cycle).expected =
              "criteria whose references do not lead back to themselves";
          current_ = nullptr;
        } else if (s == 2) {
          top.size += size[it->second];
        } else {
          s = 1;
          path.push_back(frame(it->second));
        }
      }
    }
  }

  // `extends` chains must end: a tariff may not be its own ancestor. A
  // loop over each chain, not recursion (a chain may be thousands long).
  void check_tariff_cycles() {
    std::unordered_map<const Object*, int> state;  // 0 new, 1 on the path, 2 done
    for (const Object& root : d_.objects) {
      if (root.kind != ObjectKind::Tariff || state[&root] != 0) continue;
      std::vector<const Object*> path;
      for (const Object* o = &root; o && state[o] == 0;) {
        state[o] = 1;
        path.push_back(o);
        if (!o->parent) break;
        auto it = ids(ObjectKind::Tariff).find(o->parent->text);
        if (it == ids(ObjectKind::Tariff).end()) break;
        const Object* next = it->second;
        if (state[next] == 1) {
          std::string cycle;
          for (auto p = std::find(path.begin(), path.end(), next); p != path.end(); ++p) cycle += (*p)->id.text + " -> ";
          cycle += next->id.text;
          current_ = o;
          err(o->parent->span, "inheritance-cycle", "tariffs extend each other in a cycle: " + cycle).expected =
              "a chain of `extends` that ends at a tariff extending none";
          current_ = nullptr;
        }
        o = next;
      }
      for (const Object* p : path) state[p] = 2;
    }
  }

  void given(Clause& c) {
    std::set<std::string> seen;
    for (GivenEntry& g : c.given) {
      switch (g.kind) {
        case GivenEntry::Kind::Health:
          // Like a repeated JSON member: one value per metric of a terminal, never "the last one wins".
          if (!seen.insert("health " + g.key.text + "." + g.metric.text).second) {
            err(g.key.span, "duplicate-field", "'health " + g.key.text + " " + g.metric.text + "' is given twice");
          }
          ref(g.key, ObjectKind::Terminal);
          if (const AttributeInfo* a = find_attribute("health." + g.metric.text)) {
            operand(*a, g.value);
          } else {
            err(g.metric.span, "unknown-attribute", "unknown health metric '" + g.metric.text + "'")
                .expected = "failure_rate or latency_ms";
          }
          break;
        case GivenEntry::Kind::Turnover:
          if (std::string k = "turnover " + g.key.text + (g.metric.text.empty() ? "" : " " + g.metric.text);
              !seen.insert(k).second) {
            err(g.key.span, "duplicate-field", "'" + k + "' is given twice");
          }
          if (ref(g.key, ObjectKind::Limit)) {
            const Object* lim = ids(ObjectKind::Limit)[g.key.text];
            route_counter(*lim, g);
            const Clause* b = lim->find(CK::LimitBound);
            if (b && b->bound_is_count) {
              if (g.value.kind != Value::Kind::Number) err(g.value.span, "type", "a count limit's turnover is a number");
            } else {
              money_value(g.value);
            }
          }
          break;
        case GivenEntry::Kind::Field: {
          const std::string& k = g.key.text;
          if (!seen.insert(k).second) err(g.key.span, "duplicate-field", "'" + k + "' is given twice");
          const ContextField* f = find_context_field(k);
          if (!f) {
            std::vector<std::string> names;
            for (const ContextField& x : context_fields())
              if (is_plain_given(x)) names.emplace_back(x.name);
            Diagnostic& d = err(g.key.span, "unknown-field", "unknown context field '" + k + "'");
            d.suggestion = closest_match(k, names);
            std::string list;
            for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
            d.expected = "one of " + list + (k == "weekday" ? " (weekday is derived from time)" : "");
            break;
          }
          given_value(*f, g.value);
          break;
        }
      }
    }
  }

  // A `given` field's value, by the field's type (an attribute's field is
  // checked as that attribute's operand).
  void given_value(const ContextField& f, Value& v) {
    int32_t a = attribute_of_field(f);
    switch (f.type) {
      case FieldType::Reference:
        if (a >= 0) {
          operand(attributes()[static_cast<size_t>(a)], v);
        } else if (v.kind != Value::Kind::Ident) {
          err(v.span, "type", "expected " + std::string(f.name) + " id");
        } else {
          ref(Ident{v.text, v.span}, f.ref_kind);
        }
        break;
      case FieldType::Enum:
      case FieldType::Bin:
        operand(attributes()[static_cast<size_t>(a)], v);
        break;
      case FieldType::Money:
        if (a >= 0) {
          operand(attributes()[static_cast<size_t>(a)], v);
        } else {
          money_value(v);
        }
        break;
      case FieldType::Text:
        if (a >= 0) {
          operand(attributes()[static_cast<size_t>(a)], v);
        } else if (v.kind != Value::Kind::String) {
          err(v.span, "type", "expected a string");
        }
        break;
      case FieldType::Timestamp:
        if (v.kind != Value::Kind::String) err(v.span, "type", "expected a string");
        break;
      case FieldType::Number:
        if (v.kind != Value::Kind::Number || v.number.scale != 0) err(v.span, "type", "expected a whole number");
        break;
      case FieldType::Health:
      case FieldType::Turnover:
        break;  // their own syntax: see given()
    }
  }

  void expectation(Expectation& e) {
    using K = Expectation::Kind;
    switch (e.kind) {
      case K::Posting:
        account(e.from);
        account(e.to);
        money(e.amount);
        break;
      case K::Route: ref(e.target, ObjectKind::Terminal); break;
      case K::Tariff: ref(e.target, ObjectKind::Tariff); break;
      case K::Account: account(e.from); break;
      case K::RouteIn: ident_list(e.targets, ObjectKind::Terminal); break;
      case K::LimitApplies:
      case K::LimitExceeded:
      case K::LimitNotApplies:
        ref(e.target, ObjectKind::Limit);
        break;
      default: break;
    }
  }

  Domain& d_;
  Diagnostics& diags_;
  const Object* current_ = nullptr;
  std::array<std::unordered_map<std::string, const Object*>, kObjectKindCount> index_;
  std::unordered_map<std::string, int> exponents_;
  const Object* binding_ = nullptr;  // the first tariff_binding
  std::vector<IdUse>* uses_ = nullptr;  // recorded when asked (id_uses)
};

}  // namespace

void check(Domain& domain, Diagnostics& diags) {
  diags.set_files(&domain.files);
  Checker(domain, diags).run();
}

void check_objects(Domain& domain, const std::vector<size_t>& objects, Diagnostics& diags) {
  diags.set_files(&domain.files);
  Checker(domain, diags).run_only(objects);
}

std::vector<IdUse> id_uses(Domain& domain, Diagnostics& diags) {
  std::vector<IdUse> uses;
  diags.set_files(&domain.files);
  Checker(domain, diags, &uses).run();
  diags.set_files(nullptr);
  return uses;
}

bool content_is_referenced(ObjectKind kind) {
  // Keep in step with the checker: currency exponents give other objects'
  // money literals their minor units; a test's `turnover` reads its limit's
  // bound kind. Every other cross-object check is only "exists, right kind".
  return kind == ObjectKind::Currency || kind == ObjectKind::Limit;
}

Domain load(std::vector<SourceFile> files, Diagnostics& diags, ParseCache* cache) {
  Domain d = parse(std::move(files), diags, cache);
  if (!diags.has_errors()) check(d, diags);
  diags.set_files(nullptr);
  return d;
}

}  // namespace paydomain::dsl
