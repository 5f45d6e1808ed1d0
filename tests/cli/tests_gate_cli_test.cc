// The tests gate through the real `paydomain`: a commit whose domain tests
// fail is refused (exit 1) listing each failing test and its difference; an
// admin's --allow-failing-tests REASON lets it through and `log`/`show`
// print the reason; revert is gated the same way.
#include <nlohmann/json.hpp>

#include "tests/support/cli_fixture.h"

namespace {

using paydomain::testing::CliRun;
using paydomain::testing::slurp;

const std::string kAcme = std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme";

class TestsGateCli : public paydomain::testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    db_ = dir_.string() + "/s.db";
    wc_ = dir_.string() + "/wc";
    CliRun init = run("init --db " + db_ + " --from " + kAcme + " -m import --author ops");
    ASSERT_EQ(init.code, 0) << init.err;
    CliRun co = run("checkout head --db " + db_ + " -o " + wc_);
    ASSERT_EQ(co.code, 0) << co.err;
    // Raise the Maestro/Mastercard 1% fee to 2%: four of acme's tests expect 1%.
    std::string path = wc_ + "/tariffs.pd";
    std::string text = slurp(path);
    size_t at = text.find(": 1% of amount");
    ASSERT_NE(at, std::string::npos);
    text.replace(at + 2, 2, "2%");
    std::ofstream(path) << text;
  }
  std::string db_, wc_;
};

TEST_F(TestsGateCli, FailingTestsRefuseTheCommitListingEachDifference) {
  CliRun r = run("commit " + wc_ + " --db " + db_ + " -m 'raise fee'");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("error: 7 test(s) fail on the resulting domain"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("test \"Mastercard pays the 1% processing fee\" fails:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("test \"Maestro pays 1% too\" fails:"), std::string::npos) << r.err;
  // The difference: what the test expected (60.00 RUB) and what came out (120.00 RUB).
  EXPECT_NE(r.err.find("60.00 RUB"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("120.00 RUB"), std::string::npos) << r.err;

  CliRun j = run("commit " + wc_ + " --db " + db_ + " -m 'raise fee' --json");
  EXPECT_EQ(j.code, 1);
  auto body = nlohmann::json::parse(j.out);
  EXPECT_EQ(body["error"]["code"], "tests-failed");
  ASSERT_EQ(body["failing_tests"].size(), 7u);  // a capture pays the payment's fees: its test too
  EXPECT_EQ(body["failing_tests"][5]["name"], "Maestro pays 1% too");  // sorted by title
  EXPECT_FALSE(body["failing_tests"][0]["failures"].empty());

  CliRun log = run("log --db " + db_ + " --json");
  EXPECT_EQ(nlohmann::json::parse(log.out).size(), 2u) << "nothing was written";
}

TEST_F(TestsGateCli, AnOverrideIsRecordedAndShownByLogAndShow) {
  CliRun r = run("commit " + wc_ + " --db " + db_ + " -m 'raise fee' --allow-failing-tests 'tests updated in INC-9'");
  ASSERT_EQ(r.code, 0) << r.err;
  CliRun log = run("log --db " + db_);
  EXPECT_NE(log.out.find("raise fee  [failing tests allowed: tests updated in INC-9]"), std::string::npos) << log.out;
  auto j = nlohmann::json::parse(run("log --db " + db_ + " --json").out);
  EXPECT_EQ(j[0]["failing_tests_allowed"], "tests updated in INC-9");
  EXPECT_FALSE(j[1].contains("failing_tests_allowed")) << "absent when the tests passed";
  CliRun show = run("show 2 --db " + db_);
  EXPECT_NE(show.out.find("tests    failing tests allowed: tests updated in INC-9"), std::string::npos) << show.out;

  // Reverting 2 restores passing tests: no override needed, none recorded.
  CliRun back = run("revert 2 --db " + db_ + " -m 'undo fee'");
  ASSERT_EQ(back.code, 0) << back.err;
  // Reverting that revert returns to the failing state: gated like a commit.
  CliRun again = run("revert 3 --db " + db_ + " -m 'redo fee'");
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("test \"Maestro pays 1% too\" fails:"), std::string::npos) << again.err;
  CliRun allowed = run("revert 3 --db " + db_ + " -m 'redo fee' --allow-failing-tests 'approved again'");
  ASSERT_EQ(allowed.code, 0) << allowed.err;
  auto j2 = nlohmann::json::parse(run("log --db " + db_ + " --json").out);
  EXPECT_EQ(j2[0]["failing_tests_allowed"], "approved again");
  EXPECT_FALSE(j2[1].contains("failing_tests_allowed"));
}

}  // namespace
