// The vocabulary the language and the payment context share, written once:
// the condition attributes and the context fields (each with its JSON path
// and type), the fixed enumerations, and the accounts a posting may name.
// Everything else derives from these tables: the checker, the evaluator's
// context reader and its "missing" paths, the `given` -> JSON conversion,
// `paydomain schema --json`, and through it the web editor's vocabulary.
//
// The tables are constexpr so that code naming an entry ("refund", "tariff")
// resolves it by name when the program is built: a name not in a table is a
// compile error, never a silent index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"

namespace paydomain::dsl {

using Names = std::span<const std::string_view>;

// ---- fixed enumerations ----------------------------------------------------------

// A capture takes (some of) a held payment; see docs/language.md, "Captures".
// A chargeback: the issuer disputes a payment; see docs/language.md, "Chargebacks".
inline constexpr std::string_view kOperations[] = {"payment", "refund", "capture", "chargeback"};
inline constexpr std::string_view kPaymentToolKinds[] = {"bank_card", "wallet", "mobile", "crypto", "payment_terminal"};
inline constexpr std::string_view kRiskLevels[] = {"low", "high", "fatal"};  // ordered
// How a card payment was tokenised; `none`: the card details were entered as they are.
inline constexpr std::string_view kTokenProviders[] = {"applepay", "googlepay", "samsungpay", "yandexpay", "none"};
// From the BIN data the processing core already has.
inline constexpr std::string_view kCardTypes[] = {"debit", "credit", "prepaid"};
inline constexpr std::string_view kCardCategories[] = {"classic",  "standard", "gold",     "platinum", "world",
                                                       "infinite", "signature", "business", "corporate", "electron"};
inline constexpr std::string_view kFlows[] = {"instant", "hold"};
inline constexpr std::string_view kWeekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
inline constexpr std::string_view kLimitScopes[] = {"party", "shop", "payment_tool", "provider", "terminal"};
inline constexpr std::string_view kLimitPeriods[] = {"day", "week", "month", "year"};
inline constexpr std::string_view kDurationUnits[] = {"minutes", "hours", "days"};
inline constexpr int64_t kDurationSeconds[] = {60, 3600, 86400};  // by kDurationUnits index
static_assert(std::size(kDurationSeconds) == std::size(kDurationUnits));
// Seconds in one `unit` (a kDurationUnits name); 0 for another word.
constexpr int64_t duration_seconds(std::string_view unit) {
  for (size_t i = 0; i < std::size(kDurationUnits); ++i)
    if (kDurationUnits[i] == unit) return kDurationSeconds[i];
  return 0;
}
// A payment institution's realm: test (sandbox money) or live.
inline constexpr std::string_view kRealms[] = {"test", "live"};

inline Names payment_tool_kinds() { return kPaymentToolKinds; }
inline Names risk_levels() { return kRiskLevels; }
inline Names token_providers() { return kTokenProviders; }
inline Names card_types() { return kCardTypes; }
inline Names card_categories() { return kCardCategories; }
inline Names limit_scopes() { return kLimitScopes; }
inline Names limit_periods() { return kLimitPeriods; }
inline Names duration_units() { return kDurationUnits; }
inline Names realms() { return kRealms; }

// The position of `value` in `values`, for constants: `value_index(kFlows, "hold")`
// does not compile when "hold" is not in the list.
consteval int32_t value_index(Names values, std::string_view value) {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] == value) return static_cast<int32_t>(i);
  throw "value_index: not in the list";
}

// Limit scopes that key a counter by route. A limit scoped by `terminal`
// (else by `provider`) keeps one counter per terminal (provider), and routing
// rejects a candidate whose counter a payment would take past the bound: the
// scope index of that key, or -1 for a limit routing ignores. The compiler
// and the artifact loader both derive it from a limit's scopes with this.
inline constexpr int32_t kScopeProvider = value_index(kLimitScopes, "provider");
inline constexpr int32_t kScopeTerminal = value_index(kLimitScopes, "terminal");
template <class Scopes>
constexpr int32_t route_scope_of(const Scopes& scopes) {
  for (int32_t key : {kScopeTerminal, kScopeProvider})
    for (int32_t s : scopes)
      if (s == key) return key;
  return -1;
}

// ---- condition attributes ----------------------------------------------------------

// What kind of value an attribute holds; decides which operators and literals fit.
enum class AttrType {
  Money,       // amount: compared with money literals
  Reference,   // an object id of `ref_kind` (currency, category, payment_system, country, wallet_provider)
  Enum,        // one of a fixed list (`values`)
  Text,        // free string (party, shop)
  BinPrefix,   // card BIN: a digit string, tested with starts_with
  TimeOfDay,   // HH:MM, compared and ranged (between wraps past midnight)
  Share,       // a percentage (route health failure_rate)
  Number,      // a whole number (route health latency_ms)
};
std::string_view to_string(AttrType t);  // "money", "reference", ... (as `paydomain schema --json` writes it)

struct AttributeInfo {
  std::string_view name;
  AttrType type;
  // Where a payment context holds it (a path into the JSON context): what
  // "missing" names when a decision needs it and the context lacks it.
  std::string_view path;
  ObjectKind ref_kind = ObjectKind::Currency;  // for Reference
  Names values = {};                           // for Enum: the evaluator's ids are these indices
  bool route_health = false;                   // only in routing `exclude when`
  std::string_view help = {};                  // one line for docs and completion
  // Not written by analysts (no condition names it, the schema does not list
  // it): the evaluator derives it and compiles other conditions onto it.
  bool derived = false;
};

// Every attribute, in documentation order (evaluator::Attr follows it).
inline constexpr AttributeInfo kAttributes[] = {
    {"operation", AttrType::Enum, "operation", ObjectKind::Currency, kOperations, false, "payment, refund, capture (of a hold) or chargeback"},
    {"amount", AttrType::Money, "amount", ObjectKind::Currency, {}, false, "the payment amount, e.g. amount >= 1000.00 RUB"},
    {"currency", AttrType::Reference, "amount.currency", ObjectKind::Currency, {}, false, "the payment currency"},
    {"category", AttrType::Reference, "category", ObjectKind::Category, {}, false, "the shop's category"},
    {"payment_tool", AttrType::Enum, "payment_tool.kind", ObjectKind::Currency, kPaymentToolKinds, false, "kind of payment tool"},
    {"payment_system", AttrType::Reference, "payment_tool.payment_system", ObjectKind::PaymentSystem, {}, false,
     "card payment system"},
    {"issuer_country", AttrType::Reference, "payment_tool.issuer_country", ObjectKind::Country, {}, false,
     "country of the card issuer"},
    {"bin", AttrType::BinPrefix, "payment_tool.bin", ObjectKind::Currency, {}, false, "card BIN, tested with starts_with"},
    {"wallet_provider", AttrType::Reference, "payment_tool.wallet_provider", ObjectKind::WalletProvider, {}, false,
     "provider of a wallet payment"},
    {"token_provider", AttrType::Enum, "payment_tool.token_provider", ObjectKind::Currency, kTokenProviders, false,
     "how the card was tokenized (none: not tokenized)"},
    {"card_type", AttrType::Enum, "payment_tool.card_type", ObjectKind::Currency, kCardTypes, false,
     "debit, credit or prepaid card"},
    {"card_category", AttrType::Enum, "payment_tool.card_category", ObjectKind::Currency, kCardCategories, false,
     "the card's product category (classic, gold, platinum, business, ...)"},
    {"issuer_bank", AttrType::Text, "payment_tool.issuer_bank", ObjectKind::Currency, {}, false,
     "the bank that issued the card (a string, from the BIN data)"},
    {"party", AttrType::Text, "party", ObjectKind::Currency, {}, false, "the merchant (party id)"},
    {"shop", AttrType::Text, "shop", ObjectKind::Currency, {}, false, "the merchant's shop id"},
    {"payment_institution", AttrType::Reference, "payment_institution", ObjectKind::PaymentInstitution, {}, false,
     "the payment institution the merchant contracts with"},
    {"residence", AttrType::Reference, "residence", ObjectKind::Country, {}, false,
     "the merchant's country of residence: its payment institution must serve it"},
    {"realm", AttrType::Enum, "realm", ObjectKind::Currency, kRealms, false,
     "test (sandbox money) or live: the payment institution must serve it"},
    {"risk", AttrType::Enum, "risk", ObjectKind::Currency, kRiskLevels, false, "risk score of the payment"},
    {"flow", AttrType::Enum, "flow", ObjectKind::Currency, kFlows, false, "instant capture or hold"},
    {"weekday", AttrType::Enum, "time", ObjectKind::Currency, kWeekdays, false, "day of the week of the payment time (UTC; weekday(\"Europe/Moscow\") in a zone)"},
    {"time", AttrType::TimeOfDay, "time", ObjectKind::Currency, {}, false, "time of day of the payment (UTC; time(\"Europe/Moscow\") in a zone), HH:MM"},
    {"health.failure_rate", AttrType::Share, "health.failure_rate", ObjectKind::Currency, {}, true,
     "share of recent failures on the route"},
    {"health.latency_ms", AttrType::Number, "health.latency_ms", ObjectKind::Currency, {}, true,
     "recent median latency of the route"},
    // The payment time itself (seconds since the Unix epoch): `weekday("Europe/Moscow")`
    // and `time("Europe/Moscow")` compile onto it, the zone's offset holding
    // over ranges of instants (evaluator/zoned_time.h).
    {"instant", AttrType::Number, "time", ObjectKind::Currency, {}, false, "the payment time (UTC instant)", true},
};
inline constexpr std::span<const AttributeInfo> attributes() { return kAttributes; }
// The attribute a condition may name `name` (never a derived one), or nullptr.
const AttributeInfo* find_attribute(std::string_view name);

consteval int32_t attribute_index(std::string_view name) {
  for (size_t i = 0; i < std::size(kAttributes); ++i)
    if (kAttributes[i].name == name) return static_cast<int32_t>(i);
  throw "attribute_index: no such attribute";
}
// The id of an enum attribute's value, e.g. enum_value("operation", "refund").
consteval int32_t enum_value(std::string_view attribute, std::string_view value) {
  return value_index(kAttributes[static_cast<size_t>(attribute_index(attribute))].values, value);
}

// ---- the payment context -----------------------------------------------------------

// How a context field is written: in the JSON context, and in a test's `given`.
enum class FieldType {
  Reference,  // an object id of `ref_kind`: "standard"; `tariff standard`
  Enum,       // one of `values`: "refund"; `operation refund`
  Text,       // a non-empty string: "acme"; `party "acme"`
  Bin,        // 1 to 19 digits as a string: "555555"; `bin "555555"`
  Money,      // {"amount": <minor units>, "currency": "RUB"}; `amount 6000.00 RUB`
  Timestamp,  // ISO 8601 UTC: "2026-11-25T13:20:00Z"; `time "2026-11-25T13:20:00Z"`
  Number,     // a whole number, not negative: 41; `original_revision 41`
  Health,     // {"<terminal or provider id>": {"failure_rate": "80%", "latency_ms": 1200}}; `health yb_3ds failure_rate 80%`
  Turnover,   // {"<limit id>": money, or a count}; `turnover daily_rub 100.00 RUB`
};
std::string_view to_string(FieldType t);  // "reference", "enum", ...

struct ContextField {
  std::string_view name;  // as a test's `given` and the editor's form name it
  std::string_view path;  // in the JSON context: "payment_tool.payment_system"
  FieldType type;
  ObjectKind ref_kind = ObjectKind::Currency;  // for Reference
  Names values = {};                           // for Enum
  std::string_view help = {};
};

// Every field of the JSON payment context, in documentation order. A field
// whose path is also an attribute's path sets that attribute; `amount` also
// sets `currency` (amount.currency), `time` also sets `weekday`.
inline constexpr ContextField kContextFields[] = {
    {"tariff", "tariff", FieldType::Reference, ObjectKind::Tariff, {},
     "the merchant's tariff (id); overrides the tariff_binding"},
    {"routing", "routing", FieldType::Reference, ObjectKind::Routing, {}, "routing ruleset to use (defaults to the tariff's)"},
    {"operation", "operation", FieldType::Enum, ObjectKind::Currency, kOperations, "payment (the default), refund, capture (of a hold) or chargeback"},
    {"amount", "amount", FieldType::Money, ObjectKind::Currency, {}, "money, e.g. 6000.00 RUB"},
    {"payment_amount", "payment_amount", FieldType::Money, ObjectKind::Currency, {},
     "a refund's or chargeback's original payment, or a capture's hold (the authorised amount), e.g. 6000.00 RUB"},
    // A refund, a capture or a chargeback goes back the way its payment
    // (hold) came: the terminal the payment was routed to, and the revision
    // it was routed at.
    // An id this revision does not know is read, not refused: the operation is
    // declined, naming it.
    {"original_terminal", "original_terminal", FieldType::Reference, ObjectKind::Terminal, {},
     "a refund's, capture's or chargeback's payment's terminal (id): its route"},
    {"original_revision", "original_revision", FieldType::Number, ObjectKind::Currency, {},
     "the revision a refund's, capture's or chargeback's payment was routed at (a whole number)"},
    {"payment_time", "payment_time", FieldType::Timestamp, ObjectKind::Currency, {},
     "when the payment (the hold) was made, ISO 8601 UTC: refund windows and a hold's lifetime count from it"},
    {"category", "category", FieldType::Reference, ObjectKind::Category, {}, "category id"},
    {"payment_tool", "payment_tool.kind", FieldType::Enum, ObjectKind::Currency, kPaymentToolKinds, "kind of payment tool"},
    {"payment_system", "payment_tool.payment_system", FieldType::Reference, ObjectKind::PaymentSystem, {},
     "payment system id"},
    {"issuer_country", "payment_tool.issuer_country", FieldType::Reference, ObjectKind::Country, {}, "country id"},
    {"bin", "payment_tool.bin", FieldType::Bin, ObjectKind::Currency, {}, "card BIN as a string of digits"},
    {"wallet_provider", "payment_tool.wallet_provider", FieldType::Reference, ObjectKind::WalletProvider, {},
     "wallet provider id"},
    {"token_provider", "payment_tool.token_provider", FieldType::Enum, ObjectKind::Currency, kTokenProviders,
     "how the card was tokenized (none: not tokenized)"},
    {"card_type", "payment_tool.card_type", FieldType::Enum, ObjectKind::Currency, kCardTypes,
     "debit, credit or prepaid"},
    {"card_category", "payment_tool.card_category", FieldType::Enum, ObjectKind::Currency, kCardCategories,
     "the card's product category"},
    {"issuer_bank", "payment_tool.issuer_bank", FieldType::Text, ObjectKind::Currency, {},
     "issuing bank (string, from the BIN data)"},
    {"token", "payment_tool.token", FieldType::Text, ObjectKind::Currency, {},
     "card token (string): the key of payment_tool-scoped limits"},
    {"party", "party", FieldType::Text, ObjectKind::Currency, {}, "party id (string)"},
    {"shop", "shop", FieldType::Text, ObjectKind::Currency, {}, "shop id (string)"},
    {"payment_institution", "payment_institution", FieldType::Reference, ObjectKind::PaymentInstitution, {},
     "payment institution id: with the tariff_binding, it decides the tariff when `tariff` is not given"},
    {"residence", "residence", FieldType::Reference, ObjectKind::Country, {},
     "the merchant's country of residence (country id): the payment institution must serve it"},
    {"realm", "realm", FieldType::Enum, ObjectKind::Currency, kRealms,
     "test or live payment: the payment institution's realm must be the same"},
    {"merchant_settlement", "merchant_accounts.settlement", FieldType::Text, ObjectKind::Currency, {},
     "the merchant's account id (string) behind merchant.settlement"},
    {"merchant_guarantee", "merchant_accounts.guarantee", FieldType::Text, ObjectKind::Currency, {},
     "the merchant's account id (string) behind merchant.guarantee"},
    {"merchant_payout", "merchant_accounts.payout", FieldType::Text, ObjectKind::Currency, {},
     "the merchant's account id (string) behind merchant.payout"},
    {"risk", "risk", FieldType::Enum, ObjectKind::Currency, kRiskLevels, "risk score of the payment"},
    {"flow", "flow", FieldType::Enum, ObjectKind::Currency, kFlows, "instant or hold"},
    {"time", "time", FieldType::Timestamp, ObjectKind::Currency, {}, "payment time, ISO 8601 UTC string"},
    {"payment_key", "payment_key", FieldType::Text, ObjectKind::Currency, {}, "key for the weighted route choice (string)"},
    {"health", "health", FieldType::Health, ObjectKind::Currency, {},
     "recent health per terminal or provider id: failure_rate (\"80%\"), latency_ms"},
    {"turnover", "turnover", FieldType::Turnover, ObjectKind::Currency, {},
     "current turnover per limit id: money, or a count"},
};
inline constexpr size_t kContextFieldCount = std::size(kContextFields);
inline constexpr std::span<const ContextField> context_fields() { return kContextFields; }

// The field a test's `given` names `name` (health and turnover have their own syntax); nullptr if none.
const ContextField* find_context_field(std::string_view name);

consteval int32_t context_field_index(std::string_view name) {
  for (size_t i = 0; i < kContextFieldCount; ++i)
    if (kContextFields[i].name == name) return static_cast<int32_t>(i);
  throw "context_field_index: no such field";
}

// The attribute a field sets by the same path, or -1 (tariff, routing, ...).
constexpr int32_t attribute_of_field(const ContextField& f) {
  for (size_t i = 0; i < std::size(kAttributes); ++i)
    if (kAttributes[i].path == f.path) return static_cast<int32_t>(i);
  return -1;
}

// A field written `name value` in a `given` block (not health or turnover).
constexpr bool is_plain_given(const ContextField& f) {
  return f.type != FieldType::Health && f.type != FieldType::Turnover;
}

// ---- accounts and clauses --------------------------------------------------------------

// The roles (accounts) a posting may move money between, and who holds the
// real account behind each, per currency (dsl/accounts.h): the merchant (its
// ids come in the payment context, `field`), the payment's payment
// institution (`account system.settlement RUB 40701...`), or the route's
// provider (`account RUB 40702...`).
enum class AccountHolder { Merchant, Institution, Provider };
struct AccountRole {
  std::string_view name;  // "merchant.settlement"
  AccountHolder holder;
  std::string_view field = {};  // Merchant: the kContextFields name giving the account id
};
inline constexpr AccountRole kAccountRoles[] = {
    {"merchant.settlement", AccountHolder::Merchant, "merchant_settlement"},
    {"merchant.guarantee", AccountHolder::Merchant, "merchant_guarantee"},
    {"merchant.payout", AccountHolder::Merchant, "merchant_payout"},
    {"system.settlement", AccountHolder::Institution},
    {"system.subagent", AccountHolder::Institution},
    {"provider.settlement", AccountHolder::Provider},
    {"external.income", AccountHolder::Institution},
    {"external.outcome", AccountHolder::Institution},
};
inline constexpr size_t kAccountRoleCount = std::size(kAccountRoles);
// The role's index in kAccountRoles, or -1.
constexpr int32_t account_role_index(std::string_view name) {
  for (size_t i = 0; i < kAccountRoleCount; ++i)
    if (kAccountRoles[i].name == name) return static_cast<int32_t>(i);
  return -1;
}
consteval bool merchant_fields_known() {
  for (const AccountRole& r : kAccountRoles)
    if (r.holder == AccountHolder::Merchant && context_field_index(r.field) < 0) return false;
  return true;
}
static_assert(merchant_fields_known(), "a merchant account role without its context field");
std::string_view to_string(AccountHolder h);  // "merchant", "payment_institution", "provider"

// Accounts a posting may move money between, as "owner.name" (kAccountRoles' names).
const std::vector<std::string>& account_names();
bool is_valid_account(std::string_view owner, std::string_view name);

// Which clauses each kind of object may hold (in documentation order), and
// which of them may repeat.
struct ClauseRule {
  Clause::Kind kind;
  bool repeatable;
};
const std::vector<ClauseRule>& clause_rules(ObjectKind kind);

std::vector<std::string> to_strings(Names v);

}  // namespace paydomain::dsl
