#include "dsl/schema.h"

#include <array>

namespace paydomain::dsl {

std::string_view to_string(AttrType t) {
  switch (t) {
    case AttrType::Money: return "money";
    case AttrType::Reference: return "reference";
    case AttrType::Enum: return "enum";
    case AttrType::Text: return "text";
    case AttrType::BinPrefix: return "bin_prefix";
    case AttrType::TimeOfDay: return "time_of_day";
    case AttrType::Share: return "share";
    case AttrType::Number: return "number";
  }
  return "?";
}

std::string_view to_string(FieldType t) {
  switch (t) {
    case FieldType::Reference: return "reference";
    case FieldType::Enum: return "enum";
    case FieldType::Text: return "text";
    case FieldType::Bin: return "bin";
    case FieldType::Money: return "money";
    case FieldType::Timestamp: return "timestamp";
    case FieldType::Number: return "number";
    case FieldType::Health: return "health";
    case FieldType::Turnover: return "turnover";
  }
  return "?";
}

const AttributeInfo* find_attribute(std::string_view name) {
  for (const AttributeInfo& a : kAttributes) {
    if (a.name == name && !a.derived) return &a;
  }
  return nullptr;
}

const ContextField* find_context_field(std::string_view name) {
  for (const ContextField& f : kContextFields) {
    if (f.name == name && is_plain_given(f)) return &f;
  }
  return nullptr;
}

const std::vector<std::string>& account_names() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> names;
    for (const AccountRole& r : kAccountRoles) names.emplace_back(r.name);
    return names;
  }();
  return v;
}

std::string_view to_string(AccountHolder h) {
  switch (h) {
    case AccountHolder::Merchant: return "merchant";
    case AccountHolder::Institution: return "payment_institution";
    case AccountHolder::Provider: break;
  }
  return "provider";
}

bool is_valid_account(std::string_view owner, std::string_view name) {
  for (const std::string& a : account_names()) {
    if (a.size() == owner.size() + 1 + name.size() && a.compare(0, owner.size(), owner) == 0 &&
        a[owner.size()] == '.' && a.compare(owner.size() + 1, std::string::npos, name) == 0) {
      return true;
    }
  }
  return false;
}

// Which clauses each kind of object may hold, and which may repeat.
const std::vector<ClauseRule>& clause_rules(ObjectKind kind) {
  using CK = Clause::Kind;
  static const std::array<std::vector<ClauseRule>, kObjectKindCount> rules = [] {
    std::array<std::vector<ClauseRule>, kObjectKindCount> r;
    auto set = [&r](ObjectKind k, std::vector<ClauseRule> v) { r[static_cast<size_t>(k)] = std::move(v); };
    std::vector<ClauseRule> ref_data = {{CK::Name, false}, {CK::Description, false}};
    set(ObjectKind::Currency, {{CK::Name, false}, {CK::Description, false}, {CK::Numeric, false},
                               {CK::Exponent, false}, {CK::Symbol, false}});
    set(ObjectKind::Category, ref_data);
    set(ObjectKind::PaymentSystem, ref_data);
    set(ObjectKind::WalletProvider, ref_data);
    set(ObjectKind::Country, ref_data);
    set(ObjectKind::Adapter, {{CK::Name, false}, {CK::Description, false}, {CK::Url, false}, {CK::Option, true}});
    set(ObjectKind::Provider, {{CK::Name, false}, {CK::Description, false}, {CK::Adapter, false},
                               {CK::Account, true}, {CK::Accepts, false}, {CK::Fees, false}, {CK::Refunds, false},
                               {CK::Captures, false}, {CK::Chargebacks, false}});
    set(ObjectKind::Terminal, {{CK::Name, false}, {CK::Description, false}, {CK::Provider, false},
                               {CK::RiskCoverage, false}, {CK::Disabled, false}, {CK::Accepts, false},
                               {CK::Refunds, false}, {CK::Captures, false}});
    set(ObjectKind::Tariff, {{CK::Name, false}, {CK::Description, false}, {CK::Currencies, false},
                             {CK::Categories, false}, {CK::PaymentMethods, false}, {CK::AmountBounds, true},
                             {CK::Fees, false}, {CK::Refunds, false}, {CK::Captures, false}, {CK::Chargebacks, false},
                             {CK::HoldLifetime, false},
                             {CK::Routing, false}});
    set(ObjectKind::Routing, {{CK::Name, false}, {CK::Description, false}, {CK::RoutingStatement, true}});
    set(ObjectKind::Limit, {{CK::Name, false}, {CK::Description, false}, {CK::Scope, false},
                            {CK::Period, false}, {CK::Timezone, false}, {CK::LimitBound, false},
                            {CK::When, false}});
    set(ObjectKind::Test, {{CK::Description, false}, {CK::Given, false}, {CK::Expect, true}});
    set(ObjectKind::Criterion, {{CK::Name, false}, {CK::Description, false}, {CK::When, false}});
    set(ObjectKind::PaymentInstitution, {{CK::Name, false}, {CK::Description, false}, {CK::Realm, false},
                                         {CK::Residences, false}, {CK::DefaultTariff, false}, {CK::Routing, false},
                                         {CK::Account, true}});
    set(ObjectKind::TariffBinding, {{CK::Name, false}, {CK::Description, false}, {CK::BindingRule, true}});
    return r;
  }();
  return rules[static_cast<size_t>(kind)];
}

std::vector<std::string> to_strings(Names v) {
  return std::vector<std::string>(v.begin(), v.end());
}

}  // namespace paydomain::dsl
