// The members of the payment context's JSON objects and the fields the
// context readers store in their own Context members, derived from
// dsl::kContextFields. Shared by the general reader (context_json.cc) and the
// fast one (context_fast.cc), so both dispatch on the same table. Internal to
// the evaluator.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dsl/schema.h"
#include "json/bytes.h"

namespace paydomain::evaluator::context_members {

// The members of the context's JSON objects, derived from dsl::kContextFields:
// the root's keys are the paths' first segments ("payment_tool" for every
// "payment_tool.*" field, a group), a group's keys the second segments.
// Built when compiled; a key is found among the few of its length with one
// comparison or two, as fast as a hand-written switch.
constexpr size_t kNoField = 0xFF;
constexpr size_t kMaxMembers = 32;
constexpr size_t kMaxKeyLength = 24;

constexpr std::string_view head(std::string_view path) { return path.substr(0, path.find('.')); }
constexpr std::string_view tail(std::string_view path) {
  size_t dot = path.find('.');
  return dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
}

struct Members {
  std::array<std::string_view, kMaxMembers> key{};  // literals from the schema: they outlive any buffer
  std::array<uint8_t, kMaxMembers> field{};         // kContextFields index, or kNoField for a group
  size_t n = 0;
  std::array<std::array<uint8_t, 4>, kMaxKeyLength + 1> by_length{};  // member indices
  std::array<uint8_t, kMaxKeyLength + 1> count{};

  constexpr void add(std::string_view k, size_t f) {
    for (size_t i = 0; i < n; ++i)
      if (key[i] == k) return;  // a group's later fields
    if (n == kMaxMembers || k.size() > kMaxKeyLength || count[k.size()] == 4) throw "context members: table too small";
    key[n] = k;
    field[n] = static_cast<uint8_t>(f);
    by_length[k.size()][count[k.size()]++] = static_cast<uint8_t>(n);
    ++n;
  }
  // The member index of `k`, or -1.
  int find(std::string_view k) const {
    if (k.size() > kMaxKeyLength) return -1;
    const auto& bucket = by_length[k.size()];
    for (size_t j = 0; j < count[k.size()]; ++j)
      if (paydomain::json::bytes::equal(key[bucket[j]].data(), k.data(), k.size())) return bucket[j];
    return -1;
  }
  std::string list() const {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += (i ? ", " : "") + std::string(key[i]);
    return s;
  }
};

// Paths are one member ("risk") or a group's member ("payment_tool.kind").
constexpr Members members_of(std::string_view group) {
  Members m;
  for (size_t i = 0; i < dsl::kContextFieldCount; ++i) {
    std::string_view path = dsl::kContextFields[i].path;
    if (group.empty()) {
      m.add(head(path), tail(path).empty() ? i : kNoField);
    } else if (head(path) == group) {
      if (tail(path).empty() || tail(path).find('.') != std::string_view::npos) throw "context members: bad group path";
      m.add(tail(path), i);
    }
  }
  return m;
}
constexpr Members kRoot = members_of({});
// The groups; a path with another group fails to build here.
constexpr std::string_view kToolGroup = "payment_tool";
constexpr Members kTool = members_of(kToolGroup);
constexpr std::string_view kMerchantGroup = "merchant_accounts";
constexpr Members kMerchant = members_of(kMerchantGroup);
constexpr bool groups_known() {
  for (size_t i = 0; i < kRoot.n; ++i)
    if (kRoot.field[i] == kNoField && kRoot.key[i] != kToolGroup && kRoot.key[i] != kMerchantGroup) return false;
  return true;
}
static_assert(groups_known(), "a context path under a group the reader does not know");
// The members of the group a root key names (groups_known: one of the two).
inline const Members& group_members(std::string_view key) { return key == kToolGroup ? kTool : kMerchant; }

// Fields the reader stores in their own Context members (the rest are
// Enum/Reference attributes, read alike).
namespace F {
consteval size_t field(std::string_view name) { return static_cast<size_t>(dsl::context_field_index(name)); }
constexpr size_t Tariff = field("tariff"), Routing = field("routing"), Amount = field("amount"),
                 PaymentAmount = field("payment_amount"), Bin = field("bin"), Token = field("token"),
                 Party = field("party"), Shop = field("shop"), Time = field("time"), PaymentKey = field("payment_key"),
                 Health = field("health"), Turnover = field("turnover");
}  // namespace F

// The merchant account role (dsl::kAccountRoles index, Context::merchant_accounts)
// a field gives the account id of, or -1.
constexpr std::array<int8_t, dsl::kContextFieldCount> kFieldMerchantRole = [] {
  std::array<int8_t, dsl::kContextFieldCount> a{};
  a.fill(-1);
  for (size_t r = 0; r < dsl::kAccountRoleCount; ++r)
    if (dsl::kAccountRoles[r].holder == dsl::AccountHolder::Merchant)
      for (size_t i = 0; i < dsl::kContextFieldCount; ++i)
        if (dsl::kContextFields[i].name == dsl::kAccountRoles[r].field) a[i] = static_cast<int8_t>(r);
  return a;
}();

// The condition attribute of each field (by path), or -1.
constexpr std::array<int8_t, dsl::kContextFieldCount> kFieldAttr = [] {
  std::array<int8_t, dsl::kContextFieldCount> a{};
  for (size_t i = 0; i < dsl::kContextFieldCount; ++i)
    a[i] = static_cast<int8_t>(dsl::attribute_of_field(dsl::kContextFields[i]));
  return a;
}();

// A route health failure rate: "80%", "12.5%", an exact decimal percentage
// from 0% to 100% with at most 15 digits.
enum class Percent { Ok, Malformed, Over100 };
inline Percent parse_percent(std::string_view s, dsl::Decimal& out) {
  if (s.size() < 2 || s.back() != '%') return Percent::Malformed;
  s.remove_suffix(1);
  out = {};
  bool dot = false;
  size_t digits = 0;
  for (char ch : s) {
    if (ch == '.' && !dot) {
      dot = true;
      continue;
    }
    if (ch < '0' || ch > '9' || ++digits > 15) return Percent::Malformed;
    out.units = out.units * 10 + (ch - '0');
    if (dot) out.scale++;
  }
  if (digits == 0 || s.back() == '.') return Percent::Malformed;
  __int128 hundred = 100;
  for (int i = 0; i < out.scale; ++i) hundred *= 10;
  return out.units > hundred ? Percent::Over100 : Percent::Ok;
}

// A card BIN: 1 to 19 digits (the caller has refused an empty string).
inline bool is_bin(std::string_view s) {
  if (s.size() > 19) return false;
  for (char ch : s)
    if (ch < '0' || ch > '9') return false;
  return true;
}

}  // namespace paydomain::evaluator::context_members
