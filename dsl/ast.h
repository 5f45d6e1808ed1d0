// The typed AST of the paydomain language: the one representation of a domain
// that every layer (checker, formatter, evaluator, store, server) works on.
//
// The parser (dsl/parser.h) builds it from source text; the checker
// (dsl/checker.h) resolves names and fills the fields marked "set by the
// checker". Nodes are plain values: copyable, no back pointers, no ANTLR types.
// Every printable node carries a Span so diagnostics can point at it and the
// formatter can put comments back where they were.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace paydomain::dsl {

// A place in the sources: file index into Domain::files, 1-based line and
// column of the first character, byte offsets of the first character and one
// past the last, and the line of the last character.
struct Span {
  uint32_t file = 0;
  uint32_t line = 0;
  uint32_t column = 0;
  uint32_t offset = 0;
  uint32_t end_offset = 0;
  uint32_t end_line = 0;
};

// A decimal literal as written: value = units / 10^scale ("1500.00" is
// {150000, 2}; "1.2" in "1.2%" is {12, 1}). Literals beyond 18 digits are
// rejected by the parser, so units never overflows.
struct Decimal {
  int64_t units = 0;
  int32_t scale = 0;
  std::string text() const;  // canonical spelling, e.g. "1500.00"
};

struct Ident {
  std::string text;
  Span span;
};

// A money literal "1500.00 RUB". `minor` is set by the checker from the
// currency's exponent (150000 for 1500.00 RUB).
struct MoneyLiteral {
  Decimal value;
  Ident currency;
  Span span;
  int64_t minor = 0;  // set by the checker
};

// A literal value in a condition, clause or test. Lists hold items.
struct Value {
  enum class Kind { Money, Percent, Number, String, Time, Ident, List };
  Kind kind = Kind::Ident;
  Span span;
  Decimal number;       // Number; Percent (1.2% -> {12,1}); Money amount
  std::string text;     // String content (unescaped), Ident, Money currency, Time "HH:MM"
  std::vector<Value> items;  // List
  int64_t minor = 0;    // Money: minor units, set by the checker
};

// ---- conditions -----------------------------------------------------------

enum class CompareOp { Eq, Ne, Lt, Le, Gt, Ge, In, NotIn, Is, IsNot, Between, StartsWith };
std::string_view to_string(CompareOp op);

// A boolean condition over the payment context. And/Or are n-ary. A
// Criterion node names a `criterion` object (in `attribute`): the checker
// resolves it, the evaluator inlines the criterion's condition.
struct Condition {
  enum class Kind { And, Or, Not, Compare, Criterion };
  Kind kind = Kind::Compare;
  Span span;
  std::vector<Condition> children;  // And/Or: two or more; Not: one
  // Compare: `attribute op operands...` (Between has two operands, In a list).
  Ident attribute;  // "currency", "amount", "health.failure_rate", ...; Criterion: its id
  // `weekday("Europe/Moscow")`, `time("+03:00")`: the time zone the payment
  // time is read in (a String value as written); absent: UTC.
  std::optional<Value> zone;
  CompareOp op = CompareOp::Eq;
  std::vector<Value> operands;
};

// ---- cash flow ------------------------------------------------------------

enum class RoundingMode {
  HalfAwayFromZero,  // the default: 0.5 -> 1, -0.5 -> -1
  HalfEven,          // banker's rounding: 0.5 -> 0, 1.5 -> 2
  HalfTowardsZero,   // 0.5 -> 0, 1.5 -> 1
  TowardsZero,       // truncate
  AwayFromZero,      // any remainder rounds up in magnitude
};
inline constexpr RoundingMode kDefaultRounding = RoundingMode::HalfAwayFromZero;
std::string_view to_string(RoundingMode mode);
std::optional<RoundingMode> rounding_from_string(std::string_view name);

// A posting's volume: an exact expression over the payment amount.
struct Volume {
  enum class Kind { Fixed, Percent, Fraction, WholeAmount, Min, Max, Sum };
  Kind kind = Kind::Fixed;
  Span span;
  MoneyLiteral fixed;          // Fixed
  Decimal percent;             // Percent: 1.2 means 1.2% of the amount
  int64_t numerator = 0;       // Fraction: numerator/denominator of the amount
  int64_t denominator = 1;
  std::vector<Volume> args;    // Min/Max (two or more), Sum (two or more)
};

// An account "owner.name", e.g. merchant.settlement.
struct Account {
  Ident owner;
  Ident name;
  Span span;
  std::string text() const { return owner.text + "." + name.text; }
};

struct Posting {
  Span span;
  Account from;
  Account to;
  Volume volume;
  std::optional<RoundingMode> rounding;  // explicit `round MODE`
  Ident rounding_name;                   // as written (for diagnostics)
  std::optional<std::string> details;
};

struct DecisionArm;

// Postings that always apply, then an ordered first-match decision whose arms
// hold nested cash flows. The last arm may be `otherwise`.
struct CashFlow {
  Span span;  // the braces
  std::vector<Posting> postings;
  std::vector<DecisionArm> arms;
};

struct DecisionArm {
  Span span;
  bool otherwise = false;
  Condition condition;  // unused when otherwise
  CashFlow body;
};

// ---- objects ----------------------------------------------------------------

enum class ObjectKind {
  Currency, Category, PaymentSystem, WalletProvider, Country, Adapter,
  Provider, Terminal, Tariff, Routing, Limit, Test, Criterion,
  PaymentInstitution, TariffBinding,  // appended: artifacts index name tables by kind
};
inline constexpr int kObjectKindCount = 15;
// The keywords, by kind (inline: the std-only evaluation core names kinds too).
inline constexpr std::string_view kObjectKindNames[kObjectKindCount] = {
    "currency", "category", "payment_system", "wallet_provider", "country", "adapter",
    "provider", "terminal", "tariff", "routing", "limit", "test", "criterion",
    "payment_institution", "tariff_binding"};
inline constexpr std::string_view to_string(ObjectKind kind) {  // the keyword: "payment_system"
  return kObjectKindNames[static_cast<size_t>(kind)];
}
std::optional<ObjectKind> object_kind_from_string(std::string_view keyword);

struct PaymentMethod {
  Ident kind;                 // bank_card, wallet, ...
  std::optional<Ident> sub;   // payment system or wallet provider
  Span span;
};

struct Duration {
  int64_t count = 0;
  Ident unit;  // minutes, hours, days
  Span span;
};

// The terms of an operation on a payment: `refunds { ... }`, `captures
// { ... }`, `chargebacks { ... }`. One shape for every block; which items a block (and an object
// kind) takes is the checker's.
struct OperationTerms {
  Span span;
  std::optional<bool> allowed;
  std::optional<bool> partial;     // whether it may be smaller than the payment (the hold)
  std::optional<CashFlow> fees;
  std::optional<Duration> within;  // how long after its payment a refund may come
  std::optional<CashFlow> reserve;  // chargebacks: the merchant's funds held while the dispute is open
};

struct RoutingStatement {
  enum class Kind { Decline, Delegate, Candidate, Exclude };
  Kind kind = Kind::Candidate;
  Span span;
  std::optional<Condition> condition;  // guard (Decline/Delegate), candidate's `when`, Exclude's condition
  std::optional<std::string> reason;   // Decline
  Ident target;                        // Delegate: ruleset; Candidate: terminal
  int64_t priority = 1000;
  int64_t weight = 1;
  bool has_priority = false;
  bool has_weight = false;
};

struct GivenEntry {
  enum class Kind { Field, Health, Turnover };
  Kind kind = Kind::Field;
  Span span;
  Ident key;     // Field: context field; Health/Turnover: terminal/limit id
  Ident metric;  // Health: failure_rate, latency_ms, ...; Turnover: the terminal
                 // or provider of a route-scoped limit's counter (else empty)
  Value value;
};

struct Expectation {
  enum class Kind {
    Posting, NoRoute, RouteIn, Route, Decline, Allowed, Forbidden,
    LimitApplies, LimitExceeded, LimitNotApplies, Undetermined,
    Tariff,  // `expect tariff ID`: the tariff the payment gets (given or bound)
    Account,  // `expect account ROLE "ID"`: every posting naming ROLE resolves to account ID
  };
  Kind kind = Kind::Allowed;
  Span span;
  Account from, to;       // Posting; Account: `from` is the role
  MoneyLiteral amount;    // Posting
  std::string account;    // Account: the expected account id
  Ident target;           // Route, Limit*, Tariff
  Value targets;          // RouteIn (a list)
  std::optional<std::string> reason;  // Decline
};

// One rule of a `tariff_binding`: `when C: tariff T` or `otherwise: tariff T`.
struct BindingRule {
  Span span;
  bool otherwise = false;
  std::optional<Condition> condition;  // absent for otherwise
  Ident tariff;
};

// One clause of an object body, kept in source order so the formatter can
// reproduce the object. Kind-specific meaning is in the typed views below.
struct Clause {
  enum class Kind {
    Name, Description, Numeric, Exponent, Symbol, Url, Option, Adapter, Account,
    Accepts, Fees, Provider, RiskCoverage, Disabled, Currencies, Categories,
    PaymentMethods, AmountBounds, Refunds, Captures, Chargebacks, HoldLifetime, Routing, RoutingStatement,
    Scope, Period, Timezone, LimitBound, When, Given, Expect,
    Realm, Residences, DefaultTariff, BindingRule,
  };
  Kind kind = Kind::Name;
  Span span;
  std::string text;                 // Name, Description, Symbol, Url, Timezone; Option key; Account number (digits)
  std::string text2;                // Option value
  Decimal number;                   // Numeric, Exponent
  Ident ref;                        // Adapter, Provider, RiskCoverage, Routing, Period, Realm, DefaultTariff; Account currency
  std::optional<Account> role;      // Account: `account system.settlement RUB 1001` (dsl/accounts.h)
  Value list;                       // Currencies, Categories, Scope, Residences (Kind::List)
  std::vector<PaymentMethod> methods;
  MoneyLiteral low, high;           // AmountBounds
  std::optional<Condition> condition;  // Accepts, When
  std::optional<CashFlow> cash_flow;   // Fees
  std::optional<OperationTerms> refunds;   // Refunds
  std::optional<OperationTerms> captures;  // Captures
  std::optional<OperationTerms> chargebacks;  // Chargebacks
  Duration duration;                // HoldLifetime
  std::optional<RoutingStatement> routing;  // RoutingStatement
  bool bound_is_count = false;      // LimitBound: `count` or `amount`
  bool bound_inclusive = true;      // LimitBound: `<=` or `<`
  Value bound;                      // LimitBound
  std::vector<GivenEntry> given;    // Given
  std::optional<Expectation> expect;  // Expect
  std::optional<BindingRule> binding;  // BindingRule

  // The operation terms of a `refunds` / `captures` / `chargebacks` clause, or nullptr.
  const std::optional<OperationTerms>* terms() const;
  std::optional<OperationTerms>* terms();
};
std::string_view to_string(Clause::Kind kind);  // the clause keyword

struct Object {
  ObjectKind kind = ObjectKind::Currency;
  Ident id;          // for tests: the title string
  Span span;         // from the kind keyword to the closing brace
  std::vector<Clause> clauses;
  // `tariff premium extends standard`: the parent's id (the checker allows
  // it on tariffs only; dsl/inheritance.h says what a child inherits).
  std::optional<Ident> parent;

  // The first clause of a kind, or nullptr.
  const Clause* find(Clause::Kind k) const;
  // "tariff standard", "test \"title\"".
  std::string display_name() const;
};

// A comment "# ..." with its position; kept per domain so the formatter can
// put every comment back next to the node it was written by.
struct Comment {
  Span span;
  std::string text;  // including the leading '#'
};

struct SourceFile {
  std::string path;
  std::string text;
};

// A whole domain: every object of every file, in file order then source order.
struct Domain {
  std::vector<SourceFile> files;
  std::vector<Object> objects;
  std::vector<Comment> comments;  // sorted by (file, offset)

  // The object of a kind with an id, or nullptr.
  const Object* find(ObjectKind kind, std::string_view id) const;
};

}  // namespace paydomain::dsl
