// The payment context inside the evaluator: every attribute a condition can
// test held in a fixed slot (strings interned to small integers at compile
// time), plus the fields that are not condition attributes (tariff, time,
// payment key, route health, turnover). Built from JSON by evaluator/context_json.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "dsl/schema.h"
#include "evaluator/time.h"

namespace paydomain::evaluator {

// Condition attributes, in the order of dsl::kAttributes (checked below, when built).
enum class Attr : uint8_t {
  Operation, Amount, Currency, Category, PaymentTool, PaymentSystem, IssuerCountry, Bin,
  WalletProvider, TokenProvider, CardType, CardCategory, IssuerBank, Party, Shop, PaymentInstitution, Residence, Realm, Risk, Flow, Weekday, TimeOfDay,
  HealthFailureRate, HealthLatency, Instant,
};
inline constexpr int kAttrCount = static_cast<int>(std::size(dsl::kAttributes));
inline constexpr uint32_t bit(Attr a) { return 1u << static_cast<unsigned>(a); }
inline constexpr size_t idx(Attr a) { return static_cast<size_t>(a); }

namespace detail {
constexpr bool attr_is(Attr a, std::string_view name) { return dsl::kAttributes[idx(a)].name == name; }
}  // namespace detail
static_assert(kAttrCount == static_cast<int>(Attr::Instant) + 1, "Attr and dsl::kAttributes differ in length");
static_assert(detail::attr_is(Attr::Operation, "operation") && detail::attr_is(Attr::Amount, "amount") &&
                  detail::attr_is(Attr::Currency, "currency") && detail::attr_is(Attr::Category, "category") &&
                  detail::attr_is(Attr::PaymentTool, "payment_tool") &&
                  detail::attr_is(Attr::PaymentSystem, "payment_system") &&
                  detail::attr_is(Attr::IssuerCountry, "issuer_country") && detail::attr_is(Attr::Bin, "bin") &&
                  detail::attr_is(Attr::WalletProvider, "wallet_provider") &&
                  detail::attr_is(Attr::TokenProvider, "token_provider") &&
                  detail::attr_is(Attr::CardType, "card_type") && detail::attr_is(Attr::CardCategory, "card_category") &&
                  detail::attr_is(Attr::IssuerBank, "issuer_bank") && detail::attr_is(Attr::Party, "party") &&
                  detail::attr_is(Attr::Shop, "shop") &&
                  detail::attr_is(Attr::PaymentInstitution, "payment_institution") &&
                  detail::attr_is(Attr::Residence, "residence") && detail::attr_is(Attr::Realm, "realm") &&
                  detail::attr_is(Attr::Risk, "risk") &&
                  detail::attr_is(Attr::Flow, "flow") && detail::attr_is(Attr::Weekday, "weekday") &&
                  detail::attr_is(Attr::TimeOfDay, "time") &&
                  detail::attr_is(Attr::HealthFailureRate, "health.failure_rate") &&
                  detail::attr_is(Attr::HealthLatency, "health.latency_ms") &&
                  detail::attr_is(Attr::Instant, "instant"),
              "Attr does not follow dsl::kAttributes");

// Enum values the evaluator acts on, resolved by name when built (an Enum
// attribute's ids are its values' indices, evaluator/vocab.h).
inline constexpr int32_t kOperationPayment = dsl::enum_value("operation", "payment");
inline constexpr int32_t kOperationRefund = dsl::enum_value("operation", "refund");
inline constexpr int32_t kOperationCapture = dsl::enum_value("operation", "capture");
inline constexpr int32_t kOperationChargeback = dsl::enum_value("operation", "chargeback");
inline constexpr int32_t kFlowHold = dsl::enum_value("flow", "hold");
inline constexpr int32_t kToolWallet = dsl::enum_value("payment_tool", "wallet");

// The condition-visible facts. Categorical attributes hold an interned id;
// Amount holds minor units (its currency is the Currency slot); TimeOfDay
// holds the minute of the day (UTC); HealthLatency milliseconds; Instant
// the payment time, seconds since the Unix epoch (set with Weekday and TimeOfDay).
struct Facts {
  uint32_t present = 0;  // bit(attr) set when the slot holds a value
  std::array<int64_t, kAttrCount> v{};
  std::string bin;                 // digits, when bit(Attr::Bin)
  dsl::Decimal failure_rate;       // a percentage, when bit(Attr::HealthFailureRate)

  bool has(Attr a) const { return (present & bit(a)) != 0; }
  int64_t get(Attr a) const { return v[idx(a)]; }
  void set(Attr a, int64_t value) {
    v[idx(a)] = value;
    present |= bit(a);
  }
  void clear(Attr a) { present &= ~bit(a); }
};

// Recent health of a terminal or provider (key: the object's id).
struct HealthSample {
  int32_t terminal = -1;  // terminal index, or -1
  int32_t provider = -1;  // provider index, or -1
  bool has_failure_rate = false;
  dsl::Decimal failure_rate;  // percentage: {80,0} is 80%
  bool has_latency = false;
  int64_t latency_ms = 0;
};

// Current turnover of a limit in its period, as the processing core counts it.
// A limit scoped by terminal (or provider) keeps a counter per terminal
// (provider): the context gives each candidate's, keyed by its id.
struct Turnover {
  int32_t limit = -1;
  int32_t route = -1;  // a route-scoped limit's terminal (or provider) index, else -1
  int64_t value = 0;  // minor units in the limit's currency, or a count
};

// The merchant's accounts come in the context: dsl::kAccountRoles' first
// roles, the merchant's (Context::merchant_accounts is indexed by role).
inline constexpr size_t kMerchantRoles = 3;
static_assert(dsl::kAccountRoles[0].holder == dsl::AccountHolder::Merchant &&
                  dsl::kAccountRoles[kMerchantRoles - 1].holder == dsl::AccountHolder::Merchant &&
                  dsl::kAccountRoles[kMerchantRoles].holder != dsl::AccountHolder::Merchant,
              "the merchant roles are kAccountRoles' first");

struct Context {
  Facts facts;
  int32_t tariff = -1;   // tariff index, -1 when absent
  int32_t routing = -1;  // routing index, -1 = use the tariff's
  bool has_time = false;
  int64_t time = 0;      // seconds since the Unix epoch (UTC)
  bool has_payment_key = false;
  std::string payment_key;
  // A refund's original payment (the refund itself is the amount): whether
  // the refund is partial, or exceeds the payment.
  bool has_payment_amount = false;
  int64_t payment_amount = 0;    // minor units
  int32_t payment_currency = -1;
  // A refund's route (evaluator/refund_route.h): the terminal its payment
  // was routed to (-1 with the id kept when this revision does not know it),
  // and the revision it was routed at.
  bool has_original_terminal = false;
  int32_t original_terminal = -1;
  std::string original_terminal_id;
  bool has_original_revision = false;
  int64_t original_revision = 0;
  // When a refund's payment was made (seconds since the epoch, UTC): refund windows count from it.
  bool has_payment_time = false;
  int64_t payment_time = 0;
  std::string party, shop, tool_token;  // raw strings for limit scope keys
  std::array<std::string, kMerchantRoles> merchant_accounts;  // account ids by role; empty: not given
  std::vector<HealthSample> health;
  std::vector<Turnover> turnover;

  // The payment time and the facts it sets: weekday and time of day (UTC),
  // and the instant that zoned weekday/time conditions test.
  void set_time(int64_t t) { set_time(t, weekday_of(t), minute_of_day(t)); }
  // The same, its weekday and minute of the day known (read_usual_utc_time).
  void set_time(int64_t t, int32_t weekday, int32_t minute) {
    has_time = true;
    time = t;
    facts.set(Attr::Weekday, weekday);
    facts.set(Attr::TimeOfDay, minute);
    facts.set(Attr::Instant, t);
  }

  // Back to an empty context, keeping the buffers (a reused context allocates
  // nothing for strings and lists that fit what it held before).
  void clear() { clear_but(0); }

  // The strings a reader sets, by bit (a merchant account's: kMerchantAccountText << role).
  enum : uint32_t {
    kBinText = 1u << 0, kPaymentKeyText = 1u << 1, kOriginalTerminalText = 1u << 2, kPartyText = 1u << 3,
    kShopText = 1u << 4, kTokenText = 1u << 5, kMerchantAccountText = 1u << 6,
  };
  // clear(), but the strings of `texts` keep their contents: for a reader
  // that sets each of them next (and reuses their length, evaluator/context_fast.cc).
  void clear_but(uint32_t texts) {
    auto clear_text = [texts](std::string& s, uint32_t bit) {
      if (!(texts & bit)) s.clear();
    };
    facts.present = 0;
    facts.v.fill(0);
    clear_text(facts.bin, kBinText);
    facts.failure_rate = {};
    tariff = routing = -1;
    has_time = has_payment_key = has_payment_amount = false;
    time = payment_amount = 0;
    payment_currency = -1;
    has_original_terminal = has_original_revision = has_payment_time = false;
    payment_time = 0;
    original_terminal = -1;
    clear_text(original_terminal_id, kOriginalTerminalText);
    original_revision = 0;
    clear_text(payment_key, kPaymentKeyText);
    clear_text(party, kPartyText);
    clear_text(shop, kShopText);
    clear_text(tool_token, kTokenText);
    for (size_t r = 0; r < kMerchantRoles; ++r) clear_text(merchant_accounts[r], kMerchantAccountText << r);
    health.clear();
    turnover.clear();
  }
};

}  // namespace paydomain::evaluator
