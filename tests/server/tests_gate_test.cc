// The tests gate over real HTTP: a commit whose domain tests fail is 422
// "tests-failed" with "failing_tests" (each test and its differences) and
// writes nothing; "allow_failing_tests" is the admin's alone (403 for an
// editor), and its reason is recorded in the revision
// (GET /v1/revisions/{rev}, the log); revert is gated the same way.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

class TestsGate : public ::testing::Test {
 protected:
  void SetUp() override { srv_ = std::make_unique<ServerProcess>(); }
  ServerProcess& s() { return *srv_; }
  const Tokens& tok() { return srv_->tokens(); }
  static json body(const HttpResponse& r) { return json::parse(r.body); }
  json files_at(int rev) { return body(s().call("GET", "/v1/revisions/" + std::to_string(rev), tok().reader))["files"]; }
  // Revision 1's working copy with the first 1% fee of each file raised to
  // 2% (the Maestro/Mastercard fee of tariff standard among them): several
  // of acme's tests expect 1%.
  json raised_fee() {
    json files = files_at(1);
    for (auto& f : files) {
      std::string text = f["text"];
      size_t at = text.find(": 1% of amount");
      if (at != std::string::npos) f["text"] = text.replace(at + 2, 2, "2%");
    }
    return files;
  }
  int head() { return body(s().call("GET", "/v1/head", tok().reader))["revision"]; }
  std::unique_ptr<ServerProcess> srv_;
};

TEST_F(TestsGate, FailingTestsAre422WithEachTestAndItsDifference) {
  auto r = s().call("POST", "/v1/commits", tok().editor,
                    json{{"base", 1}, {"message", "raise fee"}, {"files", raised_fee()}}.dump());
  ASSERT_EQ(r.status, 422) << r.body;
  json b = body(r);
  EXPECT_EQ(b["error"]["code"], "tests-failed");
  EXPECT_EQ(b["error"]["path"], "");
  std::map<std::string, json> by_name;
  std::vector<std::string> names;
  for (const json& t : b["failing_tests"]) {
    names.push_back(t["name"]);
    by_name[t["name"]] = t["failures"];
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end())) << "sorted by title";
  ASSERT_TRUE(by_name.count("Maestro pays 1% too")) << r.body;
  ASSERT_TRUE(by_name.count("Mastercard pays the 1% processing fee")) << r.body;
  std::string diff = by_name["Mastercard pays the 1% processing fee"][0];
  EXPECT_NE(diff.find("60.00 RUB"), std::string::npos) << diff;   // expected
  EXPECT_NE(diff.find("120.00 RUB"), std::string::npos) << diff;  // actual
  EXPECT_EQ(head(), 1) << "nothing was written";
}

TEST_F(TestsGate, OnlyAnAdminMayOverrideAndTheReasonIsRecorded) {
  json req{{"base", 1}, {"message", "raise fee"}, {"files", raised_fee()}, {"allow_failing_tests", "INC-9 approved"}};
  auto editor = s().call("POST", "/v1/commits", tok().editor, req.dump());
  EXPECT_EQ(editor.status, 403) << editor.body;
  EXPECT_EQ(body(editor)["error"]["code"], "forbidden");
  EXPECT_EQ(body(editor)["error"]["path"], "/allow_failing_tests");
  EXPECT_EQ(head(), 1);

  auto blank = s().call("POST", "/v1/commits", tok().admin,
                        json{{"base", 1}, {"message", "x"}, {"files", raised_fee()}, {"allow_failing_tests", " "}}.dump());
  EXPECT_EQ(blank.status, 422) << blank.body;
  EXPECT_EQ(body(blank)["error"]["code"], "invalid-argument");

  auto admin = s().call("POST", "/v1/commits", tok().admin, req.dump());
  ASSERT_EQ(admin.status, 201) << admin.body;
  EXPECT_EQ(body(admin)["failing_tests_allowed"], "INC-9 approved");
  EXPECT_EQ(body(s().call("GET", "/v1/revisions/2", tok().reader))["failing_tests_allowed"], "INC-9 approved");
  auto log = body(s().call("GET", "/v1/revisions", tok().reader));
  std::string dump = log.dump();
  EXPECT_NE(dump.find("\"failing_tests_allowed\":\"INC-9 approved\""), std::string::npos) << dump;
  EXPECT_FALSE(body(s().call("GET", "/v1/revisions/1", tok().reader)).contains("failing_tests_allowed"));

  // Reverting 2 makes the tests pass again; reverting that revert is gated.
  auto back = s().call("POST", "/v1/revisions/2/revert", tok().admin, "{}");
  ASSERT_EQ(back.status, 201) << back.body;
  EXPECT_FALSE(body(back).contains("failing_tests_allowed"));
  auto again = s().call("POST", "/v1/revisions/3/revert", tok().admin, "{}");
  EXPECT_EQ(again.status, 422) << again.body;
  EXPECT_EQ(body(again)["error"]["code"], "tests-failed");
  auto allowed = s().call("POST", "/v1/revisions/3/revert", tok().admin, R"({"allow_failing_tests": "redo INC-9"})");
  ASSERT_EQ(allowed.status, 201) << allowed.body;
  EXPECT_EQ(body(allowed)["failing_tests_allowed"], "redo INC-9");
}

}  // namespace
}  // namespace paydomain::testing
