// `paydomain schema`: the vocabulary tools read (the web editor's is
// generated from `schema --json`), complete and in the shapes documented in
// dsl/json.h.
#include <nlohmann/json.hpp>
#include <map>
#include <sstream>
#include <set>

#include "tests/support/cli_fixture.h"

namespace paydomain {
namespace {

using nlohmann::json;

class SchemaCli : public testing::CliTest {
 protected:
  json schema() {
    auto r = run("schema --json");
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out);
  }
};

TEST_F(SchemaCli, ContextFieldsHaveTheirJsonPathsAndTypes) {
  json s = schema();
  std::map<std::string, json> by_name;
  for (const json& f : s.at("context_fields")) {
    for (const char* k : {"name", "path", "type", "help"}) EXPECT_TRUE(f.contains(k)) << f.dump();
    by_name[f.at("name").get<std::string>()] = f;
  }
  EXPECT_EQ(by_name.at("payment_system"),
            (json{{"name", "payment_system"}, {"path", "payment_tool.payment_system"}, {"type", "reference"},
                  {"ref_kind", "payment_system"}, {"help", "payment system id"}}));
  EXPECT_EQ(by_name.at("payment_tool").at("path"), "payment_tool.kind");
  EXPECT_EQ(by_name.at("operation").at("values"), (json{"payment", "refund", "capture", "chargeback"}));
  EXPECT_EQ(by_name.at("amount").at("type"), "money");
  EXPECT_EQ(by_name.at("time").at("type"), "timestamp");
  EXPECT_EQ(by_name.at("tariff").at("ref_kind"), "tariff");
  for (const char* name : {"tariff", "routing", "party", "shop", "category", "risk", "flow", "payment_key", "health",
                           "turnover", "payment_amount", "bin", "token", "issuer_country", "wallet_provider",
                           "token_provider"}) {
    EXPECT_TRUE(by_name.count(name)) << name;
  }
}

TEST_F(SchemaCli, AttributesKeywordsKindsAccountsAndEnums) {
  json s = schema();
  json currency;
  for (const json& a : s.at("attributes"))
    if (a.at("name") == "currency") currency = a;
  EXPECT_EQ(currency, (json{{"name", "currency"}, {"path", "amount.currency"}, {"type", "reference"},
                            {"ref_kind", "currency"}, {"route_health", false}, {"help", "the payment currency"}}));
  EXPECT_EQ(s.at("object_kinds"), (json{"currency", "category", "payment_system", "wallet_provider", "country", "adapter",
                                        "provider", "terminal", "tariff", "routing", "limit", "test", "criterion",
                                        "payment_institution", "tariff_binding"}));
  EXPECT_EQ(s.at("enums").at("risk_levels"), (json{"low", "high", "fatal"}));
  EXPECT_EQ(s.at("enums").at("limit_periods"), (json{"day", "week", "month", "year"}));
  std::set<std::string> accounts = s.at("accounts");
  EXPECT_TRUE(accounts.count("merchant.settlement"));

  // The keywords are the grammar's word tokens, in its order.
  std::string g4 = testing::slurp(PAYDOMAIN_SOURCE_DIR "/grammar/PayDomain.g4");
  // Lexer rules of the form `CURRENCY : 'currency' ;`.
  json expected = json::array();
  std::istringstream lines(g4);
  for (std::string line; std::getline(lines, line);) {
    size_t colon = line.find(" : '");
    if (colon == 0 || colon == std::string::npos || line.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != colon) continue;
    size_t end = line.find("' ;", colon + 4);
    if (end == std::string::npos) continue;
    std::string word = line.substr(colon + 4, end - colon - 4);
    if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos) {
      expected.push_back(word);
    }
  }
  EXPECT_GT(expected.size(), 50u);
  EXPECT_EQ(s.at("keywords"), expected);
}

TEST_F(SchemaCli, TextListsEveryPath) {
  auto r = run("schema");
  EXPECT_EQ(r.code, 0) << r.err;
  json s = schema();
  for (const json& f : s.at("context_fields")) {
    EXPECT_NE(r.out.find("  " + f.at("path").get<std::string>() + " "), std::string::npos) << f.at("path");
  }
  EXPECT_NE(r.out.find("health.failure_rate"), std::string::npos);
}

}  // namespace
}  // namespace paydomain
