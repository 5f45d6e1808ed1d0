// Real accounts in the language (dsl/accounts.h): `account ROLE CUR NUMBER`
// in a payment institution, `account CUR NUMBER` in a provider; the checks
// (roles, numbers, one per role and currency, a currency known before any
// payment without its account), the canonical text, and diff naming.
#include <gtest/gtest.h>

#include "dsl/accounts.h"
#include "dsl/formatter.h"
#include "dsl/schema.h"
#include "tests/dsl/test_util.h"

namespace paydomain::dsl {
namespace {

const std::string kInstitution = R"(
payment_institution acme {
  realm live
  default_tariff standard
  account system.settlement RUB 40701810000000000010
  account system.settlement USD 40701840000000000010
}
)";

testing::Loaded with(const std::string& from, const std::string& to) {
  return testing::load_replaced(std::string(testing::kBaseDomain) + kInstitution, from, to);
}

TEST(Accounts, AnInstitutionNamesItsAccountsByRoleAndTheyParseExactly) {
  auto l = with("", "");
  ASSERT_FALSE(l.diags.has_errors()) << l.rendered();
  const Object* o = l.domain.find(ObjectKind::PaymentInstitution, "acme");
  ASSERT_NE(o, nullptr);
  const Clause* c = o->find(Clause::Kind::Account);
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->role.has_value());
  EXPECT_EQ(c->role->text(), "system.settlement");
  EXPECT_EQ(c->ref.text, "RUB");
  EXPECT_EQ(c->text, "40701810000000000010");  // 20 digits: beyond int64, kept as written
  EXPECT_EQ(account_clause_role(o->kind, *c), account_role_index("system.settlement"));
  // A provider's account without a role is its provider.settlement account.
  const Object* p = l.domain.find(ObjectKind::Provider, "yellowbank");
  EXPECT_EQ(account_clause_role(p->kind, *p->find(Clause::Kind::Account)), account_role_index("provider.settlement"));
}

TEST(Accounts, TheSameRoleAndCurrencyTwiceIsAnError) {
  auto l = with("account system.settlement USD 40701840000000000010",
                "account system.settlement RUB 40701810000000000099\n  account system.settlement USD 1");
  const Diagnostic* d = l.first("duplicate-account");
  ASSERT_NE(d, nullptr) << l.rendered();
  EXPECT_EQ(d->object, "payment_institution acme");
  EXPECT_NE(d->message.find("a second system.settlement account in RUB (the first is 40701810000000000010"),
            std::string::npos)
      << d->message;
  // Another role in the same currency is not a duplicate.
  EXPECT_FALSE(with("account system.settlement USD 40701840000000000010",
                    "account system.settlement USD 1\n  account system.subagent USD 2")
                   .diags.has_errors());
  // Nor is the same number in two currencies (a multi-currency account).
  auto provider = testing::load_replaced(testing::kBaseDomain, "account USD 10002", "account USD 10001");
  EXPECT_FALSE(provider.diags.has_errors()) << provider.rendered();
  auto twice = testing::load_replaced(testing::kBaseDomain, "account USD 10002",
                                      "account USD 10002\n  account provider.settlement USD 10003");
  EXPECT_TRUE(twice.has("duplicate-account")) << twice.rendered();
}

TEST(Accounts, RolesBelongToTheirHolders) {
  // An institution names the role.
  auto bare = with("account system.settlement RUB", "account RUB");
  ASSERT_TRUE(bare.has("account-role")) << bare.rendered();
  EXPECT_EQ(bare.first("account-role")->expected, "account system.settlement RUB 40701810000000000010");
  // The merchant's accounts come in the context.
  auto merchant = with("account system.settlement RUB", "account merchant.settlement RUB");
  ASSERT_TRUE(merchant.has("account-role")) << merchant.rendered();
  EXPECT_NE(merchant.first("account-role")->message.find("the payment context gives its id (merchant_settlement)"),
            std::string::npos);
  // A provider holds provider.settlement only.
  auto provider = testing::load_replaced(testing::kBaseDomain, "account RUB 10001", "account system.settlement RUB 10001");
  EXPECT_TRUE(provider.has("account-role")) << provider.rendered();
  auto unknown = with("account system.settlement RUB", "account system.settlment RUB");
  EXPECT_TRUE(unknown.has("unknown-account")) << unknown.rendered();
}

TEST(Accounts, AnAccountNumberIsDigits) {
  EXPECT_TRUE(with("USD 40701840000000000010", "USD 4070.5").has("account-number"));
  EXPECT_TRUE(with("USD 40701840000000000010", "USD 12345678901234567890123456789012345").has("account-number"));
  EXPECT_FALSE(with("USD 40701840000000000010", "USD 1234567890123456789012345678901234").diags.has_errors());
}

TEST(Accounts, ACurrencyKnownBeforeAnyPaymentNeedsItsAccount) {
  // The provider accepts USD (its `accepts` says so) but has no USD account.
  auto provider = testing::load_replaced(testing::kBaseDomain, "  account USD 10002\n", "");
  const Diagnostic* d = provider.first("missing-account");
  ASSERT_NE(d, nullptr) << provider.rendered();
  EXPECT_EQ(d->message, "provider yellowbank accepts USD payments but has no provider.settlement account in USD");
  // The institution's default tariff allows USD and posts to system.settlement.
  auto inst = with("  account system.settlement USD 40701840000000000010\n", "");
  d = inst.first("missing-account");
  ASSERT_NE(d, nullptr) << inst.rendered();
  EXPECT_EQ(d->object, "payment_institution acme");
  EXPECT_NE(d->message.find("has no system.settlement account in USD: tariff standard allows USD"), std::string::npos)
      << d->message;
  // An institution that names no account does not model accounts: no error.
  auto none = with("  account system.settlement RUB 40701810000000000010\n  account system.settlement USD "
                   "40701840000000000010\n",
                   "");
  EXPECT_FALSE(none.diags.has_errors()) << none.rendered();
  // A binding rule for another institution does not bring its tariff here.
  auto bound = with("", "tariff euro { currencies [JPY] fees { merchant.settlement -> system.settlement : 1% of amount } }\n"
                        "payment_institution other { realm test }\n"
                        "tariff_binding who { when payment_institution == other: tariff euro }\n");
  EXPECT_FALSE(bound.diags.has_errors()) << bound.rendered();
  auto any = with("", "tariff euro { currencies [JPY] fees { merchant.settlement -> system.settlement : 1% of amount } }\n"
                      "tariff_binding who { when party == \"x\": tariff euro }\n");
  EXPECT_TRUE(any.has("missing-account")) << any.rendered();
}

TEST(Accounts, RestrictedValuesReadConjunctionsAndDisjunctions) {
  auto cond = [](const std::string& text) {
    auto l = testing::load_text(std::string(testing::kBaseDomain) + "criterion c { when " + text + " }\n");
    EXPECT_FALSE(l.diags.has_errors()) << l.rendered();
    return *l.domain.find(ObjectKind::Criterion, "c")->find(Clause::Kind::When)->condition;
  };
  using S = std::set<std::string>;
  EXPECT_EQ(restricted_values(cond("currency in [RUB, USD] and risk == low"), "currency"), (S{"RUB", "USD"}));
  EXPECT_EQ(restricted_values(cond("currency == RUB or currency in [USD]"), "currency"), (S{"RUB", "USD"}));
  EXPECT_EQ(restricted_values(cond("currency in [RUB, USD] and currency == USD"), "currency"), (S{"USD"}));
  EXPECT_FALSE(restricted_values(cond("currency == RUB or risk == low"), "currency").has_value());
  EXPECT_FALSE(restricted_values(cond("not currency == RUB"), "currency").has_value());
  EXPECT_FALSE(restricted_values(cond("risk == low"), "currency").has_value());
}

TEST(Accounts, CanonicalTextAndDiffNames) {
  auto l = with("", "");
  ASSERT_FALSE(l.diags.has_errors()) << l.rendered();
  const Object* o = l.domain.find(ObjectKind::PaymentInstitution, "acme");
  std::string text = format_object(l.domain, *o);
  EXPECT_NE(text.find("  account system.settlement RUB 40701810000000000010\n"), std::string::npos) << text;
  auto parts = object_parts(l.domain, *o);
  std::vector<std::string> paths;
  for (const auto& [path, line] : parts) paths.push_back(path);
  EXPECT_NE(std::find(paths.begin(), paths.end(), "account system.settlement USD"), paths.end());
  const Object* p = l.domain.find(ObjectKind::Provider, "yellowbank");
  bool found = false;
  for (const auto& [path, line] : object_parts(l.domain, *p))
    found = found || (path == "account provider.settlement RUB" && line == "account RUB 10001");
  EXPECT_TRUE(found);
}

TEST(Accounts, TestsExpectAnAccount) {
  auto l = testing::load_text(std::string(testing::kBaseDomain) + R"(
test "accounts" {
  given { tariff standard  merchant_settlement "acc-1"  amount 10.00 RUB }
  expect account merchant.settlement "acc-1"
  expect account system.settlement 40701810000000000010
}
)");
  ASSERT_FALSE(l.diags.has_errors()) << l.rendered();
  const Object* t = l.domain.find(ObjectKind::Test, "accounts");
  ASSERT_NE(t, nullptr);
  std::vector<std::string> lines;
  for (const Clause& c : t->clauses)
    if (c.kind == Clause::Kind::Expect) lines.push_back(format_expectation(*c.expect));
  EXPECT_EQ(lines, (std::vector<std::string>{"account merchant.settlement \"acc-1\"",
                                             "account system.settlement 40701810000000000010"}));
  auto bad = testing::load_text(std::string(testing::kBaseDomain) +
                                "test \"x\" { given { amount 1.00 RUB } expect account merchant.setlement 1 }\n");
  EXPECT_TRUE(bad.has("unknown-account")) << bad.rendered();
}

}  // namespace
}  // namespace paydomain::dsl
