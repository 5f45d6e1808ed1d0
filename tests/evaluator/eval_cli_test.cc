// `paydomain eval` and `paydomain test` end to end with the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/cli_fixture.h"

namespace paydomain {
namespace {

using nlohmann::json;
using paydomain::testing::CliTest;

const std::string kAcme = std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme";

const char* kMastercard = R"({"tariff": "standard", "amount": {"amount": 600000, "currency": "RUB"},
  "payment_tool": {"kind": "bank_card", "payment_system": "mastercard"}, "issuer_country": null,
  "category": "retail", "risk": "low"})";

class EvalCli : public CliTest {};

TEST_F(EvalCli, MastercardStandardTariffPaysSixtyRublesAndNamesTheRule) {
  auto ctx = file("ctx.json", kMastercard);
  auto r = run("eval " + kAcme + " --context " + ctx.string() + " --explain");
  ASSERT_EQ(r.code, 0) << r.err;
  json out = json::parse(r.out);
  bool found = false;
  for (const json& p : out["cash_flow"]["postings"]) {
    if (p["from"] == "merchant.settlement" && p["to"] == "system.settlement") {
      EXPECT_EQ(p["amount"], (json{{"amount", 6000}, {"currency", "RUB"}}));
      EXPECT_NE(p["rule"].get<std::string>().find("tariff standard, fees, rule 2"), std::string::npos) << p;
      found = true;
    }
  }
  EXPECT_TRUE(found) << r.out;
  EXPECT_EQ(out["terms"]["status"], "allowed");
  EXPECT_NE(out["cash_flow"]["explain"].dump().find("tariff standard, fees, rule 2 (line"), std::string::npos);
}

TEST_F(EvalCli, ContextFromStdinAndMalformedContexts) {
  auto ctx = file("ctx.json", kMastercard);
  auto r = run("eval " + kAcme + " --context - < " + ctx.string());
  EXPECT_EQ(r.code, 0) << r.err;
  auto bad = file("bad.json", R"({"amount": {"amount": 1.5, "currency": "RUB"}})");
  r = run("eval " + kAcme + " --context " + bad.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("$.amount.amount: expected an integer number of minor units"), std::string::npos) << r.err;
  EXPECT_EQ(json::parse(r.out)["error"]["path"], "$.amount.amount");
}

TEST_F(EvalCli, BatchAsArrayAndAsJsonLines) {
  std::string one = json::parse(kMastercard).dump();
  auto arr = file("batch.json", "[" + one + "," + one + ", {\"risk\": \"none\"}]");
  auto r = run("eval " + kAcme + " --batch --context " + arr.string());
  EXPECT_EQ(r.code, 1);  // one context is malformed
  json out = json::parse(r.out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1]["terms"]["status"], "allowed");
  EXPECT_EQ(out[2]["error"]["path"], "$.risk");
  auto lines = file("batch.jsonl", one + "\n\n" + one + "\n");
  r = run("eval " + kAcme + " --batch --context " + lines.string());
  EXPECT_EQ(r.code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    EXPECT_EQ(json::parse(line)["terms"]["status"], "allowed");
    ++n;
  }
  EXPECT_EQ(n, 2);
  // A line that is not JSON gets its error in place; stderr names the first.
  auto mixed = file("mixed.jsonl", one + "\n{\"risk\": \n" + one + "\n");
  r = run("eval " + kAcme + " --batch --context " + mixed.string());
  EXPECT_EQ(r.code, 1);
  std::istringstream mixed_out(r.out);
  std::vector<json> results;
  while (std::getline(mixed_out, line)) results.push_back(json::parse(line));
  ASSERT_EQ(results.size(), 3u) << r.out;
  EXPECT_EQ(results[1]["error"]["path"], "$");
  EXPECT_EQ(results[1]["error"]["message"].get<std::string>().rfind("not valid JSON (at byte 9: unexpected end of text", 0), 0u) << r.out;
  EXPECT_EQ(results[2]["terms"]["status"], "allowed");
  EXPECT_NE(r.err.find("1 of 3 contexts are malformed; the first is context 2"), std::string::npos) << r.err;
}

// The sample contexts stay valid as the examples evolve.
TEST_F(EvalCli, EverySampleContextEvaluates) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(kAcme + "/contexts")) {
    if (e.path().extension() != ".json") continue;
    auto r = run("eval " + kAcme + " --context " + e.path().string());
    EXPECT_EQ(r.code, 0) << e.path() << r.out << r.err;
    EXPECT_FALSE(json::parse(r.out).contains("error")) << e.path();
    ++n;
  }
  EXPECT_GE(n, 12);
  auto r = run("eval " + kAcme + " --batch --context " + kAcme + "/contexts/batch.jsonl");
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST_F(EvalCli, ExampleTestsPass) {
  auto r = run("test " + kAcme);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS: \"Mastercard pays the 1% processing fee\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" passed, 0 failed\n"), std::string::npos) << r.out;
  r = run("test --json " + kAcme);
  EXPECT_EQ(r.code, 0);
  json out = json::parse(r.out);
  EXPECT_GE(out["passed"].get<int>(), 12);
  EXPECT_EQ(out["failed"], 0);
}

TEST_F(EvalCli, ABrokenExpectationFailsWithTheDifference) {
  auto d = file("d.pd", R"(
currency RUB { numeric 643 exponent 2 }
payment_system mastercard { }
tariff standard {
  fees { merchant.settlement -> system.settlement : 1% of amount }
}
test "right" {
  given { tariff standard  amount 6000.00 RUB }
  expect posting merchant.settlement -> system.settlement 60.00 RUB
}
test "wrong" {
  given { tariff standard  amount 6000.00 RUB }
  expect posting merchant.settlement -> system.settlement 61.00 RUB
  expect allowed
}
)");
  auto r = run("test " + d.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("PASS: \"right\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL: \"wrong\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 13: expected posting merchant.settlement -> system.settlement 61.00 RUB\n"
                       "      got postings merchant.settlement -> system.settlement 60.00 RUB"),
            std::string::npos)
      << r.out;
  // The summary line, exactly.
  EXPECT_NE(r.out.find("\n1 passed, 1 failed\n"), std::string::npos) << r.out;
}

TEST_F(EvalCli, CheckPrintsAnalysisWarnings) {
  auto d = file("d.pd", R"(
currency RUB { numeric 643 exponent 2 }
payment_system visa { }
tariff t {
  fees {
    when payment_system == visa { merchant.settlement -> system.settlement : 1% of amount }
    when payment_system == visa { merchant.settlement -> system.settlement : 2% of amount }
    otherwise { }
  }
}
)");
  auto r = run("check " + d.string());
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.err.find("warning: tariff t, fees, rule 2 can never apply: rule 1 (line 6) matches every payment"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace paydomain
