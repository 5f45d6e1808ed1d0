#include "dsl/schema.h"

#include <array>

namespace paydomain::dsl {

const std::vector<std::string_view>& payment_tool_kinds() {
  static const std::vector<std::string_view> v = {"bank_card", "wallet", "mobile", "crypto", "payment_terminal"};
  return v;
}
const std::vector<std::string_view>& risk_levels() {
  static const std::vector<std::string_view> v = {"low", "high", "fatal"};
  return v;
}
const std::vector<std::string_view>& token_providers() {
  static const std::vector<std::string_view> v = {"applepay", "googlepay", "samsungpay", "yandexpay"};
  return v;
}
const std::vector<std::string_view>& limit_scopes() {
  static const std::vector<std::string_view> v = {"party", "shop", "payment_tool", "provider", "terminal"};
  return v;
}
const std::vector<std::string_view>& limit_periods() {
  static const std::vector<std::string_view> v = {"day", "week", "month", "year"};
  return v;
}
const std::vector<std::string_view>& duration_units() {
  static const std::vector<std::string_view> v = {"minutes", "hours", "days"};
  return v;
}

const std::vector<AttributeInfo>& attributes() {
  using T = AttrType;
  static const std::vector<AttributeInfo> v = {
      {"operation", T::Enum, ObjectKind::Currency, {"payment", "refund"}, false, "payment or refund"},
      {"amount", T::Money, ObjectKind::Currency, {}, false, "the payment amount, e.g. amount >= 1000.00 RUB"},
      {"currency", T::Reference, ObjectKind::Currency, {}, false, "the payment currency"},
      {"category", T::Reference, ObjectKind::Category, {}, false, "the shop's category"},
      {"payment_tool", T::Enum, ObjectKind::Currency, payment_tool_kinds(), false, "kind of payment tool"},
      {"payment_system", T::Reference, ObjectKind::PaymentSystem, {}, false, "card payment system"},
      {"issuer_country", T::Reference, ObjectKind::Country, {}, false, "country of the card issuer"},
      {"bin", T::BinPrefix, ObjectKind::Currency, {}, false, "card BIN, tested with starts_with"},
      {"wallet_provider", T::Reference, ObjectKind::WalletProvider, {}, false, "provider of a wallet payment"},
      {"token_provider", T::Enum, ObjectKind::Currency, token_providers(), false, "tokenized card provider"},
      {"party", T::Text, ObjectKind::Currency, {}, false, "the merchant (party id)"},
      {"shop", T::Text, ObjectKind::Currency, {}, false, "the merchant's shop id"},
      {"risk", T::Enum, ObjectKind::Currency, risk_levels(), false, "risk score of the payment"},
      {"flow", T::Enum, ObjectKind::Currency, {"instant", "hold"}, false, "instant capture or hold"},
      {"weekday", T::Enum, ObjectKind::Currency, {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, false,
       "day of the week of the payment time (UTC)"},
      {"time", T::TimeOfDay, ObjectKind::Currency, {}, false, "time of day of the payment (UTC), HH:MM"},
      {"health.failure_rate", T::Share, ObjectKind::Currency, {}, true, "share of recent failures on the route"},
      {"health.latency_ms", T::Number, ObjectKind::Currency, {}, true, "recent median latency of the route"},
  };
  return v;
}

const AttributeInfo* find_attribute(std::string_view name) {
  for (const AttributeInfo& a : attributes()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const std::vector<std::string>& account_names() {
  static const std::vector<std::string> v = {
      "merchant.settlement", "merchant.guarantee", "merchant.payout", "system.settlement",
      "system.subagent",     "provider.settlement", "external.income", "external.outcome"};
  return v;
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

const std::vector<ContextField>& context_fields() {
  static const std::vector<ContextField> v = {
      {"tariff", "the merchant's tariff (id)"},
      {"routing", "routing ruleset to use (defaults to the tariff's)"},
      {"operation", "payment or refund"},
      {"amount", "money, e.g. 6000.00 RUB"},
      {"payment_amount", "a refund's original payment, e.g. 6000.00 RUB (for partial-refund rules)"},
      {"category", "category id"},
      {"payment_tool", "bank_card, wallet, mobile, crypto, payment_terminal"},
      {"payment_system", "payment system id"},
      {"issuer_country", "country id"},
      {"bin", "card BIN as a string of digits"},
      {"wallet_provider", "wallet provider id"},
      {"token_provider", "applepay, googlepay, samsungpay, yandexpay"},
      {"party", "party id (string)"},
      {"shop", "shop id (string)"},
      {"risk", "low, high, fatal"},
      {"flow", "instant or hold"},
      {"time", "payment time, ISO 8601 UTC string"},
      {"payment_key", "key for the weighted route choice (string)"},
  };
  return v;
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
                               {CK::Account, true}, {CK::Accepts, false}, {CK::Fees, false}});
    set(ObjectKind::Terminal, {{CK::Name, false}, {CK::Description, false}, {CK::Provider, false},
                               {CK::RiskCoverage, false}, {CK::Disabled, false}, {CK::Accepts, false}});
    set(ObjectKind::Tariff, {{CK::Name, false}, {CK::Description, false}, {CK::Currencies, false},
                             {CK::Categories, false}, {CK::PaymentMethods, false}, {CK::AmountBounds, true},
                             {CK::Fees, false}, {CK::Refunds, false}, {CK::HoldLifetime, false},
                             {CK::Routing, false}});
    set(ObjectKind::Routing, {{CK::Name, false}, {CK::Description, false}, {CK::RoutingStatement, true}});
    set(ObjectKind::Limit, {{CK::Name, false}, {CK::Description, false}, {CK::Scope, false},
                            {CK::Period, false}, {CK::Timezone, false}, {CK::LimitBound, false},
                            {CK::When, false}});
    set(ObjectKind::Test, {{CK::Description, false}, {CK::Given, false}, {CK::Expect, true}});
    return r;
  }();
  return rules[static_cast<size_t>(kind)];
}

std::vector<std::string> to_strings(const std::vector<std::string_view>& v) {
  return std::vector<std::string>(v.begin(), v.end());
}

}  // namespace paydomain::dsl
