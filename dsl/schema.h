// The vocabulary the language is checked against: the payment-context
// attributes a condition may test, the fixed enumerations (risk levels, tool
// kinds, ...), and the accounts a posting may name. One place, used by the
// checker, the evaluator and the editor's autocompletion.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"

namespace paydomain::dsl {

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

struct AttributeInfo {
  std::string_view name;
  AttrType type;
  ObjectKind ref_kind = ObjectKind::Currency;   // for Reference
  std::vector<std::string_view> values;         // for Enum
  bool route_health = false;                    // only in routing `exclude when`
  std::string_view help;                        // one line for docs and completion
};

// Every attribute, in documentation order.
const std::vector<AttributeInfo>& attributes();
const AttributeInfo* find_attribute(std::string_view name);

// Fixed enumerations.
const std::vector<std::string_view>& payment_tool_kinds();   // bank_card, wallet, ...
const std::vector<std::string_view>& risk_levels();          // low, high, fatal (ordered)
const std::vector<std::string_view>& token_providers();
const std::vector<std::string_view>& limit_scopes();         // party, shop, payment_tool, provider, terminal
const std::vector<std::string_view>& limit_periods();        // day, week, month, year
const std::vector<std::string_view>& duration_units();       // minutes, hours, days

// Accounts a posting may move money between, as "owner.name".
const std::vector<std::string>& account_names();
bool is_valid_account(std::string_view owner, std::string_view name);

// Payment-context fields a test's `given` block may set (a superset of the
// condition attributes: also tariff, routing, operation, time, payment_key).
struct ContextField {
  std::string_view name;
  std::string_view help;
};
const std::vector<ContextField>& context_fields();

// Which clauses each kind of object may hold (in documentation order), and
// which of them may repeat.
struct ClauseRule {
  Clause::Kind kind;
  bool repeatable;
};
const std::vector<ClauseRule>& clause_rules(ObjectKind kind);

std::vector<std::string> to_strings(const std::vector<std::string_view>& v);

}  // namespace paydomain::dsl
