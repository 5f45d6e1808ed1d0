#include "evaluator/accounts.h"

#include <array>

#include "evaluator/eval_result.h"
#include "evaluator/program.h"

namespace paydomain::evaluator {
namespace {

using OK = dsl::ObjectKind;
using pdc::Sec;

constexpr size_t kRoles = dsl::kAccountRoleCount;

// The missing bit of each merchant role's context field (0 for other roles).
constexpr std::array<uint64_t, kRoles> kMerchantMiss = []() consteval {
  std::array<uint64_t, kRoles> a{};
  for (size_t r = 0; r < kRoles; ++r) {
    if (dsl::kAccountRoles[r].holder == dsl::AccountHolder::Merchant)
      a[r] = uint64_t{1} << (kMissFieldShift + static_cast<unsigned>(dsl::context_field_index(dsl::kAccountRoles[r].field)));
  }
  return a;
}();

// Each role's holder, by role index.
constexpr std::array<dsl::AccountHolder, kRoles> kHolder = []() consteval {
  std::array<dsl::AccountHolder, kRoles> a{};
  for (size_t r = 0; r < kRoles; ++r) a[r] = dsl::kAccountRoles[r].holder;
  return a;
}();

// The cash flow an error: the holder names accounts, but none for this role
// and currency. Out of line: the usual side (found) stays small.
[[gnu::noinline]] void no_account(const Program& p, size_t role, int32_t currency, OK kind, int32_t holder,
                                  std::string_view rule, CashFlowResult& cf) {
  cf.status = CashFlowResult::Status::Error;
  cf.error = "no " + std::string(dsl::kAccountRoles[role].name) + " account in " +
             std::string(p.object_name(OK::Currency, currency)) + " at " + std::string(dsl::to_string(kind)) + " " +
             std::string(p.object_name(kind, holder)) + " (" + std::string(rule) + ")";
}

bool digits(std::string_view s) {
  if (s.empty() || s.size() > 34) return false;
  for (char ch : s)
    if (ch < '0' || ch > '9') return false;
  return true;
}

}  // namespace

std::string AccountTable::load(const Program& p) {
  currencies_ = p.object_count(OK::Currency);
  provider_count_ = p.provider_count();
  int32_t institutions = p.object_count(OK::PaymentInstitution);
  auto cur = static_cast<size_t>(currencies_);
  providers_.assign(static_cast<size_t>(provider_count_) * cur, {});
  institutions_.assign(static_cast<size_t>(institutions) * kRoles * cur, {});
  modelled_.assign(static_cast<size_t>(provider_count_ + institutions), 0);
  auto fail = [](uint32_t i, const std::string& what) {
    return "section accounts: record " + std::to_string(i) + ": " + what;
  };
  const pdc::Account* recs = p.at<pdc::Account>(Sec::Accounts);
  for (uint32_t i = 0; i < p.count(Sec::Accounts); ++i) {
    const pdc::Account& a = recs[i];
    int32_t role = dsl::account_role_index(p.str(a.role));
    if (role < 0) return fail(i, "unknown role '" + std::string(p.str(a.role)) + "'");
    dsl::AccountHolder h = dsl::kAccountRoles[role].holder;
    bool provider = a.holder_kind == static_cast<int32_t>(OK::Provider);
    if (!(provider ? h == dsl::AccountHolder::Provider
                   : a.holder_kind == static_cast<int32_t>(OK::PaymentInstitution) &&
                         h == dsl::AccountHolder::Institution))
      return fail(i, "role " + std::string(dsl::kAccountRoles[role].name) + " is not held by that kind");
    if (a.holder < 0 || a.holder >= (provider ? provider_count_ : institutions))
      return fail(i, "holder " + std::to_string(a.holder) + " out of range");
    if (a.currency < 0 || a.currency >= currencies_) return fail(i, "currency out of range");
    std::string_view number = p.str(a.number);
    if (!digits(number)) return fail(i, "an account number is 1 to 34 digits");
    std::string_view& slot =
        provider ? providers_[static_cast<size_t>(a.holder) * cur + static_cast<size_t>(a.currency)]
                 : institutions_[(static_cast<size_t>(a.holder) * kRoles + static_cast<size_t>(role)) * cur +
                                 static_cast<size_t>(a.currency)];
    if (!slot.empty()) return fail(i, "a second account for one holder, role and currency");
    slot = number;
    modelled_[static_cast<size_t>(provider ? a.holder : provider_count_ + a.holder)] = 1;
    (provider ? any_provider_ : any_institution_) = true;
  }
  return "";
}

bool AccountTable::modelled(OK kind, int32_t holder) const {
  return modelled_[static_cast<size_t>(kind == OK::Provider ? holder : provider_count_ + holder)] != 0;
}

std::string_view AccountTable::find(OK kind, int32_t holder, int32_t role, int32_t currency) const {
  auto cur = static_cast<size_t>(currencies_);
  if (kind == OK::Provider) return providers_[static_cast<size_t>(holder) * cur + static_cast<size_t>(currency)];
  return institutions_[(static_cast<size_t>(holder) * kRoles + static_cast<size_t>(role)) * cur +
                       static_cast<size_t>(currency)];
}

void resolve_accounts(const Program& p, const Context& c, const RouteResult& route, CashFlowResult& cf) {
  if (cf.postings.empty() || cf.status == CashFlowResult::Status::Error) return;
  const AccountTable& t = p.accounts();
  if (!t.modelled(OK::Provider) && !t.modelled(OK::PaymentInstitution)) {
    // No holder names an account: only a merchant account the context gives
    // resolves a side, and nothing is missing (read per side, not all three).
    for (PostingResult& x : cf.postings) {
      for (auto [role, account] : {std::pair{x.from_role, &x.from_account}, std::pair{x.to_role, &x.to_account}}) {
        if (role < 0 || kHolder[static_cast<size_t>(role)] != dsl::AccountHolder::Merchant) continue;
        if (const std::string& given = c.merchant_accounts[static_cast<size_t>(role)]; !given.empty()) *account = given;
      }
    }
    return;
  }
  const int32_t currency = static_cast<int32_t>(c.facts.get(Attr::Currency));  // postings exist: it is known
  const int32_t institution =
      c.facts.has(Attr::PaymentInstitution) ? static_cast<int32_t>(c.facts.get(Attr::PaymentInstitution)) : -1;
  const int32_t provider = route.status == RouteResult::Status::Chosen ? route.provider : -1;
  // What each holder kind gives this evaluation, decided once: accounts to
  // look up, or the bit of what is missing.
  const bool institution_accounts = institution >= 0 && t.modelled(OK::PaymentInstitution, institution);
  const uint64_t institution_missing = institution < 0 && t.modelled(OK::PaymentInstitution) ? kMissInstitution : 0;
  const bool provider_accounts = provider >= 0 && t.modelled(OK::Provider, provider);
  const uint64_t provider_missing =
      provider < 0 && t.modelled(OK::Provider) && route.status == RouteResult::Status::Undetermined ? kMissRoute : 0;

  // One side of a posting: its account, or what is missing; false (the cash
  // flow an error naming the account) when its holder names accounts but
  // none for this role and currency.
  auto resolve = [&](int8_t role, std::string_view& account, uint64_t& missing, std::string_view rule) {
    if (role < 0) return true;
    const auto r = static_cast<size_t>(role);
    OK kind = OK::Provider;
    int32_t holder = provider;
    switch (kHolder[r]) {
      case dsl::AccountHolder::Merchant:
        if (const std::string& given = c.merchant_accounts[r]; !given.empty()) {
          account = given;
        } else {
          missing |= kMerchantMiss[r];
        }
        return true;
      case dsl::AccountHolder::Institution:
        missing |= institution_missing;
        if (!institution_accounts) return true;
        kind = OK::PaymentInstitution;
        holder = institution;
        break;
      case dsl::AccountHolder::Provider:
        missing |= provider_missing;
        if (!provider_accounts) return true;
        break;
    }
    account = t.find(kind, holder, role, currency);
    if (!account.empty()) [[likely]] return true;
    no_account(p, r, currency, kind, holder, rule, cf);
    return false;
  };
  for (PostingResult& x : cf.postings) {
    if (!resolve(x.from_role, x.from_account, x.missing, x.rule) ||
        !resolve(x.to_role, x.to_account, x.missing, x.rule))
      return;
  }
}

}  // namespace paydomain::evaluator
