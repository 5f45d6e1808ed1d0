// Write endpoints over a real server: commits (working copy and operations;
// 201/409/422), diff, revert, and the editor's static files.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

class Writes : public ::testing::Test {
 protected:
  void SetUp() override { srv_ = std::make_unique<ServerProcess>(); }
  ServerProcess& s() { return *srv_; }
  const Tokens& tok() { return srv_->tokens(); }
  static json body(const HttpResponse& r) { return json::parse(r.body); }
  static void expect_error(const HttpResponse& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
    EXPECT_EQ(j["error"]["code"], code) << r.body;
    EXPECT_TRUE(j["error"]["path"].is_string());
  }
  json files_at(int rev) { return body(s().call("GET", "/v1/revisions/" + std::to_string(rev), tok().reader))["files"]; }
  static json replace_in(json files, const std::string& from, const std::string& to) {
    for (auto& f : files) {
      std::string text = f["text"];
      size_t at = text.find(from);
      if (at != std::string::npos) f["text"] = text.replace(at, from.size(), to);
    }
    return files;
  }
  std::unique_ptr<ServerProcess> srv_;
};

TEST_F(Writes, CommitWorkingCopyThenConflictThenInvalid) {
  json files = replace_in(files_at(1), "1% of amount \"1% processing fee\"", "1.2% of amount \"1.2% processing fee\"");
  auto c = s().call("POST", "/v1/commits", tok().editor,
                    json{{"base", 1}, {"message", "raise the mastercard fee"}, {"files", files}}.dump());
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(body(c)["revision"], 2);
  EXPECT_EQ(body(c)["author"], "ann");  // the token's name is the author
  EXPECT_EQ(c.header("location"), "/v1/revisions/2");
  EXPECT_EQ(body(s().call("GET", "/v1/head", tok().reader))["revision"], 2);

  // Another analyst edited the same tariff from revision 1: 409 naming it.
  json other = replace_in(files_at(1), "1% of amount \"1% processing fee\"", "0.9% of amount \"0.9% fee\"");
  auto conflict = s().call("POST", "/v1/commits", tok().editor,
                           json{{"base", 1}, {"message", "lower it"}, {"files", other}}.dump());
  expect_error(conflict, 409, "conflict");
  ASSERT_TRUE(body(conflict).contains("conflicts"));
  EXPECT_EQ(body(conflict)["conflicts"][0]["kind"], "tariff");
  EXPECT_EQ(body(conflict)["conflicts"][0]["id"], "standard");

  // A working copy that does not check: 422 with diagnostics, nothing written.
  json broken = replace_in(files_at(2), "provider yellowbank", "provider nosuchbank");
  auto invalid = s().call("POST", "/v1/commits", tok().editor,
                          json{{"base", 2}, {"message", "typo"}, {"files", broken}}.dump());
  expect_error(invalid, 422, "invalid");
  EXPECT_FALSE(body(invalid)["diagnostics"].empty());
  EXPECT_EQ(body(s().call("GET", "/v1/head", tok().reader))["revision"], 2);

  // Nothing changed: refused as empty.
  expect_error(s().call("POST", "/v1/commits", tok().editor,
                        json{{"base", 2}, {"message", "noop"}, {"files", files_at(2)}}.dump()),
               422, "empty-commit");
  // The new fee is live at head and revision 1 still answers the old one.
  const char* ctx = R"({"amount": {"amount": 600000, "currency": "RUB"}, "tariff": "standard", "category": "retail",
    "payment_tool": {"kind": "bank_card", "payment_system": "mastercard"}, "risk": "low", "payment_key": "k"})";
  EXPECT_NE(s().call("POST", "/v1/revisions/2/evaluate", tok().reader, ctx).body.find("7200"), std::string::npos);
  EXPECT_NE(s().call("POST", "/v1/revisions/1/evaluate", tok().reader, ctx).body.find("6000"), std::string::npos);
}

TEST_F(Writes, CommitOperationsAndValidation) {
  auto ok = s().call("POST", "/v1/commits", tok().editor,
                     R"({"base": 1, "message": "new category", "idempotency_key": "k-1", "ops": [
                          {"op": "insert", "kind": "category", "id": "books", "text": "category books { name \"Books\" }"}]})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  // The same request again is recognised, not applied twice.
  auto again = s().call("POST", "/v1/commits", tok().editor,
                        R"({"base": 1, "message": "new category", "idempotency_key": "k-1", "ops": [
                          {"op": "insert", "kind": "category", "id": "books", "text": "category books { name \"Books\" }"}]})");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(body(again)["revision"], 2);
  EXPECT_EQ(body(again)["replayed"], true);
  expect_error(s().call("POST", "/v1/commits", tok().editor, "{"), 400, "bad-json");
  expect_error(s().call("POST", "/v1/commits", tok().editor, R"({"message": "m", "ops": []})"), 422, "missing-field");
  expect_error(s().call("POST", "/v1/commits", tok().editor, R"({"base": "1", "message": "m", "ops": []})"), 422,
               "wrong-type");
  expect_error(s().call("POST", "/v1/commits", tok().editor, R"({"base": 1, "message": 5, "ops": []})"), 422,
               "wrong-type");
  expect_error(s().call("POST", "/v1/commits", tok().editor, R"({"base": 1, "message": "m"})"), 422, "missing-field");
  expect_error(s().call("POST", "/v1/commits", tok().editor,
                        R"({"base": 1, "message": "m", "ops": [{"op": "explode", "kind": "category", "id": "x"}]})"),
               422, "bad-op");
  expect_error(s().call("POST", "/v1/commits", tok().editor,
                        R"({"base": 1, "message": "m", "ops": [{"op": "remove", "kind": "currency", "id": "RUB"}]})"),
               422, "invalid");  // still referenced
  expect_error(s().call("POST", "/v1/commits", tok().editor,
                        R"({"base": 99, "message": "m", "ops": [{"op": "remove", "kind": "category", "id": "books"}]})"),
               422, "invalid-argument");
}

TEST_F(Writes, DiffAndRevert) {
  json files = replace_in(files_at(1), "1% of amount \"1% processing fee\"", "1.2% of amount \"1.2% processing fee\"");
  ASSERT_EQ(s().call("POST", "/v1/commits", tok().editor,
                     json{{"base", 1}, {"message", "fee"}, {"files", files}}.dump())
                .status,
            201);
  auto d = s().call("GET", "/v1/diff?from=1&to=2", tok().reader);
  ASSERT_EQ(d.status, 200) << d.body;
  json j = body(d);
  ASSERT_EQ(j["objects"].size(), 1u);
  EXPECT_EQ(j["objects"][0]["kind"], "tariff");
  EXPECT_EQ(j["objects"][0]["id"], "standard");
  EXPECT_NE(d.body.find("1.2%"), std::string::npos);
  EXPECT_NE(j["summary"].get<std::string>().find("tariff standard"), std::string::npos);
  auto dh = s().call("GET", "/v1/diff?from=1&to=head", tok().reader);
  EXPECT_EQ(body(dh)["objects"], j["objects"]);
  EXPECT_EQ(s().call("GET", "/v1/diff?from=1", tok().reader).status, 400);
  EXPECT_EQ(s().call("GET", "/v1/diff?from=x&to=1", tok().reader).status, 400);
  EXPECT_EQ(s().call("GET", "/v1/diff?from=1&to=50", tok().reader).status, 404);

  expect_error(s().call("POST", "/v1/revisions/2/revert", tok().editor, "{}"), 403, "forbidden");
  auto rv = s().call("POST", "/v1/revisions/2/revert", tok().admin, R"({"message": "back out the fee"})");
  ASSERT_EQ(rv.status, 201) << rv.body;
  EXPECT_EQ(body(rv)["revision"], 3);
  EXPECT_EQ(body(rv)["author"], "root");
  EXPECT_EQ(body(s().call("GET", "/v1/diff?from=1&to=3", tok().reader))["objects"].size(), 0u);
  expect_error(s().call("POST", "/v1/revisions/77/revert", tok().admin, "{}"), 404, "not-found");
  expect_error(s().call("POST", "/v1/revisions/0/revert", tok().admin, "{}"), 422, "bad-revision");
  expect_error(s().call("POST", "/v1/revisions/2/revert", tok().admin, R"({"message": 1})"), 422, "wrong-type");
  expect_error(s().call("POST", "/v1/revisions/2/revert", tok().admin, "{oops"), 400, "bad-json");
}

TEST(Editor, SampleContextsFromContextsDir) {
  ServerProcess s("--contexts " + source_dir() + "/examples/acme/contexts");
  auto r = s.call("GET", "/v1/contexts", s.tokens().reader);
  ASSERT_EQ(r.status, 200) << r.body;
  json list = json::parse(r.body)["contexts"];
  ASSERT_FALSE(list.empty());
  bool found = false;
  for (auto& c : list) {
    if (c["name"] != "card_mastercard_rub_standard") continue;
    found = true;
    // A sample evaluates as it is.
    EXPECT_EQ(s.call("POST", "/v1/revisions/head/evaluate", s.tokens().reader, c["context"].dump()).status, 200);
  }
  EXPECT_TRUE(found);
  ServerProcess none;
  EXPECT_EQ(json::parse(none.call("GET", "/v1/contexts", none.tokens().reader).body)["contexts"].size(), 0u);
}

TEST(Editor, ServesStaticFilesFromEditorDirOnly) {
  auto dir = std::filesystem::temp_directory_path() / ("paydomain-editor-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "index.html") << "<html>editor</html>";
  std::ofstream(dir / "app.js") << "console.log(1)";
  {
    ServerProcess s("--editor " + dir.string());
    auto index = s.call("GET", "/", "");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<html>editor</html>");
    EXPECT_NE(index.header("content-type").find("text/html"), std::string::npos);
    auto js = s.call("GET", "/app.js", "");
    EXPECT_EQ(js.status, 200);
    EXPECT_NE(js.header("content-type").find("javascript"), std::string::npos);
    EXPECT_EQ(s.call("GET", "/nosuch.js", "").status, 404);
    EXPECT_EQ(s.call("GET", "/..%2Fstore.db", "").status, 404);
    EXPECT_EQ(s.call("GET", "/.hidden", "").status, 404);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace paydomain::testing
