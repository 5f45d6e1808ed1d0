// The compiled form of one revision: every selector as a decision DAG, every
// name interned, every explanation string prepared. Immutable after compile()
// and shared read-only between threads (std::shared_ptr<const CompiledDomain>).
// Built from a checked dsl::Domain alone, so an embedded client can build it
// from a revision's canonical source without the store or the server.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dsl/ast.h"
#include "dsl/schema.h"
#include "evaluator/accounts.h"
#include "evaluator/dag.h"
#include "evaluator/money.h"
#include "evaluator/result.h"
#include "evaluator/time.h"
#include "evaluator/vocab.h"

namespace paydomain::evaluator {

// A posting's volume with shares as exact rationals.
class Program;

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

// Capture terms of a tariff, provider or terminal (docs/language.md,
// "Captures: taking a hold, in part"); without a `captures` clause a hold
// may be captured in part.
struct CompiledCaptureTerms {
  bool partial = true;  // `partial false`: only the whole hold
  std::string explain;  // "provider bluebank, captures (line 14)", or empty
};

// Chargeback terms of a tariff or provider (docs/language.md,
// "Chargebacks"): whether it takes them, the fees (a tariff's: what the
// merchant pays, e.g. a levy; a provider's: the principal back through it)
// and a tariff's reserve (the merchant's funds held while the dispute is
// open). Without a `chargebacks` clause a tariff takes none, a provider any.
struct CompiledChargebackTerms {
  bool allowed = true;
  std::optional<CompiledCashFlow> fees, reserve;
  std::string explain;  // "tariff standard, chargebacks (line 70)", or empty
  // The tariff the fees / reserve are inherited from; empty when its own. Impact names it.
  std::string fees_from, reserve_from;
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
  int64_t refunds_within_seconds = 0;  // `refunds { within N UNIT }`: 0 = no window
  std::string refunds_within;          // "180 days"
  CompiledCaptureTerms captures;
  CompiledChargebackTerms chargebacks{false, {}, {}, {}, {}, {}};
  int32_t routing = -1;
  int64_t hold_lifetime = 0;  // in `hold_unit`; 0 = none declared
  std::string hold_unit;
  // The tariff the fees / refund fees are inherited from (dsl/inheritance.h);
  // empty when written in this tariff. Impact names it.
  std::string fees_from, refund_fees_from;
};

// A provider's or terminal's refund terms (docs/language.md, "Provider
// refund terms"); without a `refunds` clause: refunds taken, in part too, at
// any time, no fees. A terminal's have no fees and no window (the checker).
struct CompiledRefundTerms {
  bool allowed = true, partial = true;
  std::optional<CompiledCashFlow> fees;
  int64_t within_seconds = 0;  // 0: no window
  std::string within;          // "180 days", for reasons
  std::string explain;         // "provider bluebank, refunds (line 12)"
};

struct CompiledProvider {
  std::string name, explain;
  std::string refuses;  // "provider X (line N) does not accept this payment"
  std::optional<Selector> accepts;
  std::optional<CompiledCashFlow> fees;
  CompiledRefundTerms refunds;
  CompiledCaptureTerms captures;
  CompiledChargebackTerms chargebacks;
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
  CompiledRefundTerms refunds;
  CompiledCaptureTerms captures;
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

using dsl::kScopeProvider;
using dsl::kScopeTerminal;

struct CompiledLimit {
  std::string name, explain;
  std::vector<int32_t> scopes;  // indices into dsl::limit_scopes()
  int32_t period = 0;           // index into dsl::limit_periods()
  // The time zone of the period: a fixed offset ("UTC", "+03:00"), or a named
  // IANA zone ("Europe/Moscow") as a table built when compiled (see
  // evaluator/time.h ZoneTable): tz_offsets[i] minutes east of UTC hold from
  // tz_starts[i] (Unix seconds) on, for the years dsl/timezone.h covers.
  // Empty tables: the fixed tz_offset_minutes.
  int32_t tz_offset_minutes = 0;
  std::string timezone = "UTC";
  std::vector<int64_t> tz_starts;
  std::vector<int32_t> tz_offsets;
  bool is_count = false;
  bool inclusive = true;   // `<=` (true) or `<`
  int64_t bound = 0;       // minor units or a count
  int32_t currency = -1;   // amount limits: the bound's currency
  std::optional<Selector> when;
  // A limit counts payments only, unless its `when` asks about the operation
  // (`when operation == refund`): then it counts what that selects.
  bool counts_refunds = false;

  // The time zone as evaluation reads it (evaluator/time.h LimitZone).
  LimitZone zone() const { return {tz_offset_minutes, ZoneTable{tz_starts, tz_offsets}}; }
  std::pair<int64_t, int64_t> window(int64_t t) const { return zone().window(t, period); }
  int32_t offset_at(int64_t t) const { return zone().offset_at(t); }
  // dsl::route_scope_of(scopes): the scope routing keys this limit's
  // counters by (terminal or provider), or -1 for a limit routing ignores.
  int32_t route_scope = -1;
};

// A payment institution: whom it serves (its realm, the countries its
// merchants may reside in), and the tariff (and routing) its merchants get
// when the binding does not decide.
struct CompiledInstitution {
  std::string name, explain;
  std::string default_explain;  // "payment_institution acme_ru, default_tariff standard (line 4)"
  int32_t realm = -1;           // index into dsl::realms()
  // `residences [...]`: served, by country id; absent: merchants of any country.
  std::optional<std::vector<uint8_t>> residences;
  std::string residence_list;   // "RU, KZ", for reasons
  std::string serves_explain;   // "payment_institution acme_ru, realm live (line 3), residences (line 4)"
  int32_t default_tariff = -1;
  int32_t routing = -1;
};

// The domain's tariff_binding: first match over `rules`, rule k gives tariffs[k].
struct CompiledBinding {
  std::string name, explain;
  Selector rules;
  std::vector<int32_t> tariffs;
  std::vector<std::string> rule_explain;  // "tariff_binding acme, rule 2 (line 7): tariff premium"
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
  std::vector<CompiledInstitution> institutions;
  std::optional<CompiledBinding> binding;
  std::vector<CompiledAccount> accounts;  // evaluator/accounts.h
  size_t selector_count = 0, fallback_count = 0, dag_nodes = 0;
  size_t dag_bytes = 0;  // bytes of all decision DAGs (nodes, edges, bounds, tries)
  // vocabulary_digest(domain, vocab, exponents) when compiled with a cache
  // (it keys the cached objects), else "": the analysis of the same live
  // check keys its cache with it too, so it is computed once per check.
  std::string vocab_digest;
  // The same revision in the artifact form (evaluator/program.h), which
  // evaluation walks: the one evaluation of the product, shared with the
  // embeddable client. The structures above stay for analysis and impact.
  // Null when compiled with CompileOptions::program false (a check that
  // never evaluates): the text paths over a CompiledDomain (evaluate_text,
  // parse_context, write_result) then answer program_of's error.
  std::shared_ptr<const Program> program;
};

class CompileCache;

struct CompileOptions {
  DagBudget budget;
  // Written into the program's artifact header (evaluator/artifact.h): the
  // store revision and the hash of the sources compiled (empty: unknown).
  uint64_t revision = 0;
  std::string source_hash;
  // The live check's (compile_cache.h): objects compiled before with the same
  // text, line and vocabulary are copied, not compiled again.
  CompileCache* cache = nullptr;
  // Also build the program evaluation walks (CompiledDomain::program): its
  // artifact written and loaded. Off for what only reads the DAGs (a check
  // without tests to run), which then pays for neither.
  bool program = true;
};

// Compiles a checked domain (dsl::load without errors). Errors only for a
// domain the checker would reject.
Result<std::shared_ptr<const CompiledDomain>> compile(const dsl::Domain& domain, const CompileOptions& options = {});
// How many times compile() has run in this process: what proves a commit
// compiles its revision once (tests/server/commit_compile_test.cc).
uint64_t compile_count();

// The program a CompiledDomain evaluates with, or an error when it was
// compiled without one (CompileOptions::program false).
Result<const Program*> program_of(const CompiledDomain& domain);

// One posting's amount, rounded as the posting says, for a payment whose
// currency and amount `f` gives (an error for a fixed amount in another
// currency, or a result beyond 64 bits): evaluator/volume.h over the object
// form, for the analysis's margin check (analyze.h, negative-margin).
Result<int64_t> posting_amount(const CompiledDomain& d, const CompiledPosting& p, const Facts& f);

// "line 25" style place of a span, for explanations.
std::string where(const dsl::Span& s);

}  // namespace paydomain::evaluator
