// The compiled form of one revision: every selector as a decision DAG, every
// name interned, every explanation string prepared. Immutable after compile()
// and shared read-only between threads (std::shared_ptr<const CompiledDomain>).
// Built from a checked dsl::Domain alone, so an embedded client can build it
// from a revision's canonical source without the store or the server.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "dsl/schema.h"
#include "evaluator/dag.h"
#include "evaluator/money.h"
#include "evaluator/result.h"
#include "evaluator/vocab.h"

namespace paydomain::evaluator {

// A posting's volume with shares as exact rationals.
struct CompiledVolume {
  dsl::Volume::Kind kind = dsl::Volume::Kind::Fixed;
  int64_t fixed_minor = 0;   // Fixed
  int32_t fixed_currency = -1;
  Fraction share;            // Percent / Fraction / WholeAmount (1/1)
  std::vector<CompiledVolume> args;
};

struct CompiledPosting {
  std::string from, to;
  CompiledVolume volume;
  dsl::RoundingMode rounding = dsl::kDefaultRounding;
  std::string details;
  std::string explain;  // "tariff standard, fees, rule 1 (line 25)"
};

// A cash-flow block: postings that always apply, then first-match arms.
struct CompiledCashFlow {
  std::vector<CompiledPosting> postings;
  Selector arms;
  std::vector<CompiledCashFlow> bodies;   // one per arm
  std::vector<std::string> arm_explain;   // one per arm
  std::vector<uint32_t> arm_line;
};

struct PaymentMethodRule {
  int32_t kind = -1;  // payment_tool id
  int32_t sub = -1;   // payment_system or wallet_provider id; -1 = any
};

struct AmountBound {
  int32_t currency = -1;
  int64_t low = 0, high = 0;  // inclusive
  std::string explain;
};

struct CompiledTariff {
  std::string name;
  std::string explain;  // "tariff standard (line 19)"
  std::optional<std::vector<uint8_t>> currencies;  // allowed, by currency id
  std::optional<std::vector<uint8_t>> categories;
  std::optional<std::vector<PaymentMethodRule>> methods;
  std::vector<AmountBound> bounds;
  std::string currencies_explain, categories_explain, methods_explain;
  std::optional<CompiledCashFlow> fees;
  bool refunds_allowed = false;
  std::optional<CompiledCashFlow> refund_fees;
  bool refunds_partial = true;  // `partial false` refuses refunds smaller than the payment
  std::string refunds_explain;
  int32_t routing = -1;
  int64_t hold_lifetime = 0;  // in `hold_unit`; 0 = none declared
  std::string hold_unit;
};

struct CompiledProvider {
  std::string name, explain;
  std::string refuses;  // "provider X (line N) does not accept this payment"
  std::optional<Selector> accepts;
  std::optional<CompiledCashFlow> fees;
};

struct CompiledTerminal {
  std::string name, explain;
  // Rejection reasons, prepared so evaluation does not build strings.
  std::string refuses, disabled_reason;
  std::vector<std::string> over_coverage;  // by risk id
  int32_t provider = -1;
  bool disabled = false;
  int32_t risk_coverage = -1;  // risk id; a payment of higher risk is rejected
  std::optional<Selector> accepts;
};

struct CompiledRouting {
  struct Guard {
    bool decline = false;
    std::string reason;   // decline
    int32_t target = -1;  // delegate: routing index
    std::string explain;
  };
  struct Candidate {
    int32_t terminal = -1;
    int64_t priority = 1000, weight = 1;
    std::optional<Selector> when;  // absent: always a candidate
    std::string explain;
    std::string condition_false;  // the rejection reason
  };
  struct Exclude {
    Cond cond;  // over route health (and any attribute); interpreted per candidate
    std::string explain;
    std::string reason;  // "route health over threshold (...)"
  };
  std::string name, explain;
  Selector guards;  // first match over decline/use statements
  std::vector<Guard> guard_info;
  std::vector<Candidate> candidates;
  std::vector<Exclude> excludes;
};

// The limit scopes that key a counter by route (indices into dsl::limit_scopes()).
inline constexpr int32_t kScopeProvider = dsl::value_index(dsl::kLimitScopes, "provider");
inline constexpr int32_t kScopeTerminal = dsl::value_index(dsl::kLimitScopes, "terminal");

struct CompiledLimit {
  std::string name, explain;
  std::vector<int32_t> scopes;  // indices into dsl::limit_scopes()
  int32_t period = 0;           // index into dsl::limit_periods()
  int32_t tz_offset_minutes = 0;
  std::string timezone = "UTC";
  bool is_count = false;
  bool inclusive = true;   // `<=` (true) or `<`
  int64_t bound = 0;       // minor units or a count
  int32_t currency = -1;   // amount limits: the bound's currency
  std::optional<Selector> when;
  // A limit counts payments only, unless its `when` asks about the operation
  // (`when operation == refund`): then it counts what that selects.
  bool counts_refunds = false;
  // A limit scoped by `terminal` (else by `provider`) keeps one counter per
  // terminal (provider), and routing rejects a candidate whose counter this
  // payment would take past the bound: the scope index (into
  // dsl::limit_scopes()) of that key, or -1 for a limit routing ignores.
  int32_t route_scope = -1;
};

struct CompiledDomain {
  explicit CompiledDomain(const dsl::Domain& d) : vocab(d) {}
  Vocab vocab;
  std::vector<int32_t> exponents;  // by currency id
  std::vector<CompiledTariff> tariffs;    // by tariff index (Vocab::object)
  std::vector<CompiledRouting> routings;
  std::vector<CompiledTerminal> terminals;
  std::vector<CompiledProvider> providers;
  std::vector<CompiledLimit> limits;
  std::vector<int32_t> route_limits;  // limits with route_scope >= 0, in order
  size_t selector_count = 0, fallback_count = 0, dag_nodes = 0;
  size_t dag_bytes = 0;  // bytes of all decision DAGs (nodes, edges, bounds, tries)
  // Every name and prepared text above needs no JSON escape (no '"', '\\' or
  // control character; true for nearly every domain): the result writer then
  // copies them without scanning. Set by compile().
  bool json_plain = false;
};

class CompileCache;

struct CompileOptions {
  DagBudget budget;
  // The live check's (compile_cache.h): objects compiled before with the same
  // text, line and vocabulary are copied, not compiled again.
  CompileCache* cache = nullptr;
};

// Compiles a checked domain (dsl::load without errors). Errors only for a
// domain the checker would reject.
Result<std::shared_ptr<const CompiledDomain>> compile(const dsl::Domain& domain, const CompileOptions& options = {});

// "line 25" style place of a span, for explanations.
std::string where(const dsl::Span& s);

}  // namespace paydomain::evaluator
