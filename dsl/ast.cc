#include "dsl/ast.h"

#include <array>
#include <utility>

#include "base/str_cat.h"

namespace paydomain::dsl {

std::string Decimal::text() const {
  std::string digits = std::to_string(units < 0 ? -units : units);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, scale - digits.size() + 1, '0');
    const std::string_view all = digits;
    const size_t point = all.size() - static_cast<size_t>(scale);
    digits = str_cat(all.substr(0, point), ".", all.substr(point));
  }
  return units < 0 ? "-" + digits : digits;
}

std::string_view to_string(CompareOp op) {
  switch (op) {
    case CompareOp::Eq: return "==";
    case CompareOp::Ne: return "!=";
    case CompareOp::Lt: return "<";
    case CompareOp::Le: return "<=";
    case CompareOp::Gt: return ">";
    case CompareOp::Ge: return ">=";
    case CompareOp::In: return "in";
    case CompareOp::NotIn: return "not in";
    case CompareOp::Is: return "is";
    case CompareOp::IsNot: return "is not";
    case CompareOp::Between: return "between";
    case CompareOp::StartsWith: return "starts_with";
  }
  return "?";
}

namespace {
constexpr std::array<std::string_view, 5> kRoundingNames = {
    "half_away_from_zero", "half_even", "half_towards_zero", "towards_zero", "away_from_zero"};
}  // namespace

std::string_view to_string(RoundingMode mode) { return kRoundingNames[static_cast<size_t>(mode)]; }

std::optional<RoundingMode> rounding_from_string(std::string_view name) {
  for (size_t i = 0; i < kRoundingNames.size(); ++i) {
    if (kRoundingNames[i] == name) return static_cast<RoundingMode>(i);
  }
  return std::nullopt;
}

std::optional<ObjectKind> object_kind_from_string(std::string_view keyword) {
  for (size_t i = 0; i < std::size(kObjectKindNames); ++i) {
    if (kObjectKindNames[i] == keyword) return static_cast<ObjectKind>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Clause::Kind kind) {
  using K = Clause::Kind;
  switch (kind) {
    case K::Name: return "name";
    case K::Description: return "description";
    case K::Numeric: return "numeric";
    case K::Exponent: return "exponent";
    case K::Symbol: return "symbol";
    case K::Url: return "url";
    case K::Option: return "option";
    case K::Adapter: return "adapter";
    case K::Account: return "account";
    case K::Accepts: return "accepts";
    case K::Fees: return "fees";
    case K::Provider: return "provider";
    case K::RiskCoverage: return "risk_coverage";
    case K::Disabled: return "disabled";
    case K::Currencies: return "currencies";
    case K::Categories: return "categories";
    case K::PaymentMethods: return "payment_methods";
    case K::AmountBounds: return "amount between";
    case K::Refunds: return "refunds";
    case K::Captures: return "captures";
    case K::Chargebacks: return "chargebacks";
    case K::HoldLifetime: return "hold_lifetime";
    case K::Routing: return "routing";
    case K::RoutingStatement: return "routing rule";
    case K::Scope: return "scope";
    case K::Period: return "period";
    case K::Timezone: return "timezone";
    case K::LimitBound: return "amount/count bound";
    case K::When: return "when";
    case K::Given: return "given";
    case K::Expect: return "expect";
    case K::Realm: return "realm";
    case K::Residences: return "residences";
    case K::DefaultTariff: return "default_tariff";
    case K::BindingRule: return "binding rule";
  }
  return "?";
}

const std::optional<OperationTerms>* Clause::terms() const {
  switch (kind) {
    case Kind::Refunds: return &refunds;
    case Kind::Captures: return &captures;
    case Kind::Chargebacks: return &chargebacks;
    default: return nullptr;
  }
}

std::optional<OperationTerms>* Clause::terms() {
  return const_cast<std::optional<OperationTerms>*>(std::as_const(*this).terms());
}

const Clause* Object::find(Clause::Kind k) const {
  for (const Clause& c : clauses) {
    if (c.kind == k) return &c;
  }
  return nullptr;
}

std::string Object::display_name() const {
  if (kind == ObjectKind::Test) return "test \"" + id.text + "\"";
  return std::string(to_string(kind)) + " " + id.text;
}

const Object* Domain::find(ObjectKind kind, std::string_view id) const {
  for (const Object& o : objects) {
    if (o.kind == kind && o.id.text == id) return &o;
  }
  return nullptr;
}

}  // namespace paydomain::dsl
