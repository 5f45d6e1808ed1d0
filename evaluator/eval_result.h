// The answer of one evaluation: terms, cash flow, route and limits, each
// either determined or "undetermined" with what is missing and what remains
// possible. Standard library only (with the schema's constexpr tables): the
// service's evaluator and the embeddable client (client/) return these same
// structs.
//
// Strings in a result (string_view) point into the evaluated program (the
// artifact bytes), a few (a merchant's account, a limit's scope key) into
// the context: keep both alive and unchanged while you read the result.
#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/schema.h"
#include "evaluator/context.h"
#include "evaluator/money.h"

namespace paydomain::evaluator {

// What an undetermined part lacks, as a bit set: bit(Attr) for a condition
// attribute, missing_field(name) for a dsl::kContextFields field, kMissRoute
// for a route that is itself undetermined.
// The attributes' bits come first (decisions collect them in 32 bits), the
// fields' right after them, below kMissRoute.
inline constexpr unsigned kMissFieldShift = static_cast<unsigned>(kAttrCount);
static_assert(kAttrCount <= 32, "too many attributes for a decision's missing bits");
static_assert(kMissFieldShift + dsl::kContextFieldCount < 63, "too many context fields for the missing bits");
consteval uint64_t missing_field(std::string_view name) {
  return uint64_t{1} << (kMissFieldShift + static_cast<unsigned>(dsl::context_field_index(name)));
}
inline constexpr uint64_t kMissTariff = missing_field("tariff");
inline constexpr uint64_t kMissPaymentKey = missing_field("payment_key");
inline constexpr uint64_t kMissTime = missing_field("time");
inline constexpr uint64_t kMissToken = missing_field("token");
inline constexpr uint64_t kMissParty = missing_field("party");
inline constexpr uint64_t kMissShop = missing_field("shop");
inline constexpr uint64_t kMissPaymentAmount = missing_field("payment_amount");  // a refund under `partial false`
inline constexpr uint64_t kMissInstitution = missing_field("payment_institution");  // for its default_tariff
inline constexpr uint64_t kMissOriginalTerminal = missing_field("original_terminal");  // a refund's route
inline constexpr uint64_t kMissPaymentTime = missing_field("payment_time");  // a refund under a window
inline constexpr uint64_t kMissRoute = uint64_t{1} << 63;  // a provider/terminal-scoped limit, the route undetermined

// The JSON paths (dsl::kAttributes / kContextFields `path`) of the missing
// fields, each once: "amount", "payment_tool.payment_system", ..., "route".
std::vector<std::string> missing_names(uint64_t missing);

struct EvalOptions {
  bool explain = false;  // fill the `explain` lists
};

struct TermsResult {
  enum class Verdict { Allowed, Forbidden, Undetermined };
  Verdict verdict = Verdict::Undetermined;
  std::vector<std::string> reasons;  // why forbidden
  uint64_t missing = 0;
  std::vector<std::string_view> explain;
  // For `flow: hold`: how long the hold may last, when the tariff says (0: not said).
  int64_t hold_lifetime = 0;
  std::string_view hold_unit;  // minutes, hours, days
  // The tariff the domain chose, when the context gave none (`tariff` is an
  // explicit override): its index, and the tariff_binding rule or the payment
  // institution's default_tariff that chose it. -1 / empty: given, or undecided.
  int32_t tariff = -1;
  std::string_view tariff_from;

  void clear() {  // as constructed, keeping buffers (so clear every member added)
    verdict = Verdict::Undetermined;
    reasons.clear();
    missing = 0;
    explain.clear();
    hold_lifetime = 0;
    hold_unit = {};
    tariff = -1;
    tariff_from = {};
  }
};

// Every string a view into the program, or for a merchant's account into
// the context (evaluator/accounts.h): a posting allocates nothing.
struct PostingResult {
  std::string_view from, to;
  MoneyView amount;
  std::string_view details;
  std::string_view rule;     // the explanation of the posting's rule
  bool provider = false;     // from the chosen provider's fees
  int8_t from_role = -1, to_role = -1;        // dsl::kAccountRoles index of from / to
  // The program's posting record (Sec::Postings index) whose texts from, to,
  // details and rule are, or -1: the result writer renders those once per
  // program and record (it checks the views are still the record's).
  int32_t record = -1;
  std::string_view from_account, to_account;  // the account ids behind them; empty: unresolved
  uint64_t missing = 0;                       // what would resolve an unresolved account (as above)
};

struct CashFlowResult {
  // Forbidden: the terms forbid the operation, so nothing moves (no postings).
  // Error: a posting failed (see `error`); no postings at all, never a part.
  enum class Status { Determined, Undetermined, Error, Forbidden };
  Status status = Status::Determined;
  std::vector<PostingResult> postings;        // every posting that is certain
  std::vector<std::string_view> possibilities;  // undetermined: rules that may still apply
  uint64_t missing = 0;
  std::string error;                           // Error: e.g. currencies mixed
  std::vector<std::string_view> explain;       // rules that applied

  void clear() {
    status = Status::Determined;
    postings.clear();
    possibilities.clear();
    missing = 0;
    error.clear();
    explain.clear();
  }
};

struct RouteResult {
  enum class Status { Chosen, Declined, NoRoute, Undetermined, NoRouting };
  struct Rejected {
    int32_t terminal = -1;
    std::string_view reason;  // prepared at compile time, or empty when `built` holds it
    std::string built;        // a reason with this payment's figures: a limit it would exceed
    std::string_view why() const { return built.empty() ? reason : std::string_view(built); }
  };
  // A route-scoped limit (dsl::route_scope_of) that may apply to a candidate
  // still in the race, but whose counter for that terminal (or its provider)
  // the context's `turnover` lacks: routing could not judge it.
  struct UndecidedLimit {
    int32_t terminal = -1, limit = -1;
  };
  Status status = Status::NoRouting;
  int32_t terminal = -1, provider = -1;  // Chosen
  std::vector<int32_t> candidates;        // Chosen: preference order, chosen first
  std::vector<Rejected> rejected;
  std::string_view decline_reason;        // Declined: prepared at compile time, or empty when `decline_built` holds it
  std::string decline_built;              // a reason naming this payment's figures (a refund's original terminal)
  std::vector<int32_t> possible;          // Undetermined: terminals that may be chosen
  uint64_t missing = 0;
  std::vector<UndecidedLimit> undecided_limits;
  std::vector<std::string_view> explain;

  std::string_view decline() const { return decline_built.empty() ? decline_reason : std::string_view(decline_built); }

  void clear() {
    status = Status::NoRouting;
    terminal = provider = -1;
    candidates.clear();
    rejected.clear();
    decline_reason = {};
    decline_built.clear();
    possible.clear();
    missing = 0;
    undecided_limits.clear();
    explain.clear();
  }
};

// A limit's scope key, the counter the processing core must check —
// "shop=shop-1;party=acme", each scope `name=value` in the limit's scope
// order, joined by ';' — held as its parts: the limit's scopes (indices into
// dsl::kLimitScopes, in the program) and each scope's value (a view into the
// program or the context). An evaluation copies no byte of it; `spell` is
// the one place that knows how the text is spelled (the result writer, and
// `text` for everyone else, go through it).
struct ScopeKey {
  static constexpr size_t kScopes = std::size(dsl::kLimitScopes);
  const int32_t* scopes = nullptr;  // `count` scope indices
  uint32_t count = 0;
  std::array<std::string_view, kScopes> values;  // by scope index: set for the limit's scopes

  // Calls `piece(text, is_value)` for the key's pieces in order: the fixed
  // ones (";", "shop=") and the values (which may need escapes in JSON).
  template <class Piece>
  void spell(Piece&& piece) const {
    for (uint32_t k = 0; k < count; ++k) {
      const auto s = static_cast<size_t>(scopes[k]);
      piece(k == 0 ? kLead[s].substr(1) : kLead[s], false);
      piece(values[s], true);
    }
  }
  std::string text() const {
    std::string s;
    spell([&](std::string_view p, bool) { s.append(p); });
    return s;
  }

 private:
  // Each scope's name between the separator and the '=' (";payment_tool="):
  // a fixed piece is one copy.
  static constexpr std::string_view kLead[] = {";party=", ";shop=", ";payment_tool=", ";provider=", ";terminal="};
  static_assert([] {
    if (std::size(kLead) != kScopes) return false;
    for (size_t i = 0; i < kScopes; ++i)
      // ";" + name + "=", compared as views (clang 14 has no constexpr std::string).
      if (const std::string_view name = dsl::kLimitScopes[i], lead = kLead[i];
          lead.size() != name.size() + 2 || lead.front() != ';' || lead.substr(1, name.size()) != name ||
          lead.back() != '=')
        return false;
    return true;
  }(), "kLead follows dsl::kLimitScopes");
};

struct LimitResult {
  enum class Status { Applies, NotApplies, Undetermined };
  // Error: the turnover after this payment does not fit int64 (see `error`).
  enum class Verdict { None, Within, Exceeded, Undetermined, Error };
  int32_t limit = -1;
  Status status = Status::Undetermined;
  bool has_scope_key = false;  // every scope of the limit has its value
  ScopeKey scope_key;          // its parts, when has_scope_key (scope_key.text(): the key)
  bool has_window = false;
  int64_t window_start = 0, window_end = 0;  // [start, end) seconds since the epoch
  Verdict verdict = Verdict::None;           // None: no turnover in the context
  int64_t turnover_after = 0;                // turnover including this payment (Within, Exceeded)
  std::string error;                         // why, for Verdict::Error
  uint64_t missing = 0;
  std::string_view explain;

  void clear() {
    limit = -1;
    status = Status::Undetermined;
    has_scope_key = false;
    scope_key.count = 0;
    has_window = false;
    window_start = window_end = 0;
    verdict = Verdict::None;
    turnover_after = 0;
    error.clear();
    missing = 0;
    explain = {};
  }
};

struct EvalResult {
  TermsResult terms;
  CashFlowResult cash_flow;
  RouteResult route;
  std::vector<LimitResult> limits;  // every limit of the domain, in domain order
};

class Program;
// The walk (evaluator/evaluate.cc): into `out`, which is reset first and
// keeps its buffers. The context's ids must be the program's (Program::check_context).
void evaluate(const Program& program, const Context& context, const EvalOptions& options, EvalResult& out);

// The weighted choice: a stable 64-bit hash of the payment key (FNV-1a-64
// with a splitmix64 finaliser), so the same key picks the same terminal on
// every machine and every run. The formula and test vectors are published in
// docs/evaluation.md ("The weighted choice, exactly"); changing either
// changes routing for existing payments.
uint64_t payment_key_hash(std::string_view key);
// Standard FNV-1a-64 (offset basis 14695981039346656037, prime 1099511628211).
uint64_t fnv1a_64(std::string_view bytes);

}  // namespace paydomain::evaluator
