// Write endpoints over a real server: commits (working copy and operations;
// 201/409/422), diff, revert, restore, and the editor's files (from --editor DIR
// and compiled in).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

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
  // The first occurrence in each file, or every one (`all`: all the tests
  // that expect a figure).
  static json replace_in(json files, const std::string& from, const std::string& to, bool all = false) {
    for (auto& f : files) {
      std::string text = f["text"];
      for (size_t at = text.find(from); at != std::string::npos; at = all ? text.find(from, at + to.size()) : text.npos)
        text.replace(at, from.size(), to);
      f["text"] = text;
    }
    return files;
  }
  std::unique_ptr<ServerProcess> srv_;
};

TEST_F(Writes, CommitWorkingCopyThenConflictThenInvalid) {
  json files = replace_in(files_at(1), "1% of amount \"1% processing fee\"", "1.2% of amount \"1.2% processing fee\"");
  // ...and the tests that expect 1% follow it (the tests gate).
  files = replace_in(files, "system.settlement 60.00 RUB", "system.settlement 72.00 RUB", true);
  files = replace_in(files, "system.settlement 25.00 RUB", "system.settlement 30.00 RUB");
  files = replace_in(files, "expect route yb_3ds\n  expect posting merchant.settlement -> system.settlement 25.00 RUB",
                     "expect route yb_3ds\n  expect posting merchant.settlement -> system.settlement 30.00 RUB");  // the capture
  files = replace_in(files, "expect route yb_fast\n  expect posting merchant.settlement -> system.settlement 10.00 RUB",
                     "expect route yb_fast\n  expect posting merchant.settlement -> system.settlement 12.00 RUB");
  files = replace_in(files, "system.settlement 0.50 USD", "system.settlement 0.60 USD");
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
  // One object changes; acme's tests expect 1%: an admin commits it anyway.
  ASSERT_EQ(s().call("POST", "/v1/commits", tok().admin,
                     json{{"base", 1}, {"message", "fee"}, {"files", files}, {"allow_failing_tests", "diff test"}}.dump())
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

// Restore: where a revert is blocked by a later revision of the same object,
// head is made equal to the earlier revision as a new commit (admin only).
TEST_F(Writes, RestoreWhereRevertIsBlocked) {
  auto fee = [&](int base, const std::string& from, const std::string& to) {
    json files = replace_in(files_at(base), from, to);
    return s().call("POST", "/v1/commits", tok().admin,
                    json{{"base", base}, {"message", "fee " + to}, {"files", files}, {"allow_failing_tests", "restore test"}}
                        .dump());
  };
  ASSERT_EQ(fee(1, "1% of amount \"1% processing fee\"", "1.2% of amount \"1% processing fee\"").status, 201);
  ASSERT_EQ(fee(2, "1.2% of amount", "1.4% of amount").status, 201);
  auto blocked = s().call("POST", "/v1/revisions/2/revert", tok().admin, "{}");
  ASSERT_EQ(blocked.status, 409) << blocked.body;
  EXPECT_EQ(body(blocked)["conflicts"][0]["revisions"], json::array({3}));
  expect_error(s().call("POST", "/v1/revisions/1/restore", tok().editor, "{}"), 403, "forbidden");
  auto rs = s().call("POST", "/v1/revisions/1/restore", tok().admin, R"({"message": "back to the seed"})");
  ASSERT_EQ(rs.status, 201) << rs.body;
  EXPECT_EQ(body(rs)["revision"], 4);
  EXPECT_EQ(body(s().call("GET", "/v1/diff?from=1&to=4", tok().reader))["objects"].size(), 0u);
  EXPECT_EQ(body(s().call("GET", "/v1/revisions/4", tok().reader))["message"], "back to the seed");
  expect_error(s().call("POST", "/v1/revisions/1/restore", tok().admin, "{}"), 422, "empty-commit");
  expect_error(s().call("POST", "/v1/revisions/77/restore", tok().admin, "{}"), 404, "not-found");
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

// Without --editor the binary serves the editor compiled into it: gzip when
// accepted, a strong ETag per form (If-None-Match -> 304), HEAD, a favicon.
TEST(Editor, ServesTheEmbeddedEditorWithoutEditorDir) {
  ServerProcess s;
  auto index = s.call("GET", "/", "");
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_NE(index.body.find("<title>paydomain editor</title>"), std::string::npos);
  EXPECT_NE(index.body.find("favicon.svg"), std::string::npos);
  EXPECT_EQ(index.header("content-encoding"), "");
  HttpClient c(s.port());
  auto plain = c.request("GET", "/app.js");
  ASSERT_EQ(plain.status, 200);
  auto gz = c.request("GET", "/app.js", "", {{"Accept-Encoding", "br, gzip;q=0.8"}});
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.header("content-encoding"), "gzip");
  EXPECT_EQ(gz.header("vary"), "Accept-Encoding");
  ASSERT_GE(gz.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(gz.body[0]), 0x1f);  // the gzip magic
  EXPECT_EQ(static_cast<unsigned char>(gz.body[1]), 0x8b);
  EXPECT_LT(gz.body.size() * 2, plain.body.size()) << "compressed to less than half";
  EXPECT_NE(gz.header("etag"), plain.header("etag"));
  EXPECT_EQ(gz.header("etag").front(), '"');  // strong
  EXPECT_EQ(c.request("GET", "/app.js", "", {{"Accept-Encoding", "gzip;q=0"}}).header("content-encoding"), "");
  auto same = c.request("GET", "/app.js", "", {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz.header("etag")}});
  EXPECT_EQ(same.status, 304);
  EXPECT_EQ(same.body, "");
  EXPECT_EQ(c.request("GET", "/app.js", "", {{"If-None-Match", "\"other\""}}).status, 200);
  c.send_raw("HEAD /style.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  auto head = c.read_response(true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  EXPECT_NE(head.header("etag"), "");
  EXPECT_NE(std::stoul(head.header("content-length")), 0u);
  auto icon = c.request("GET", "/favicon.svg");
  EXPECT_EQ(icon.status, 200);
  EXPECT_EQ(icon.header("content-type"), "image/svg+xml");
  EXPECT_EQ(c.request("GET", "/nosuch.js").status, 404);
  EXPECT_EQ(c.request("GET", "/app.js.map").status, 404);
}

// A gauge of GET /metrics ("name value" line); -1 when absent.
long long gauge(ServerProcess& s, const std::string& name) {
  std::string m = s.call("GET", "/metrics", "").body;
  size_t at = m.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stoll(m.substr(at + name.size() + 2));
}

// Waits (bounded) until `pred` holds; false if it never did.
template <class Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

json category_inserts(const std::string& prefix, int n) {
  json ops = json::array();
  for (int i = 0; i < n; ++i) {
    std::string id = prefix + std::to_string(i);
    ops.push_back({{"op", "insert"}, {"kind", "category"}, {"id", id}, {"text", "category " + id + " { name \"C\" }"}});
  }
  return ops;
}

// Writes have their own thread: with a big commit running and another
// queued behind it, a check is answered before either. (When commits and
// checks shared two workers, the two commits held both and the check waited
// for one of them.) Order is asserted, not time.
TEST(WriteIsolation, ACheckIsAnsweredWhileCommitsRunAndWait) {
  ServerProcess s;
  std::atomic<int> finished{0};
  struct Post {
    std::string body;
    HttpResponse res{};
    int order = -1;
  } first{json{{"base", 1}, {"message", "bulk a"}, {"ops", category_inserts("bulka", 15000)}}.dump(), {}, -1},
      second{json{{"base", 1}, {"message", "bulk b"}, {"ops", category_inserts("bulkb", 15000)}}.dump(), {}, -1};
  auto post = [&](Post& p) {
    try {
      HttpClient c(s.port(), std::chrono::seconds(300));
      p.res = c.request("POST", "/v1/commits", p.body, {{"Authorization", s.bearer(s.tokens().editor)}});
    } catch (const std::exception& e) {
      p.res.body = e.what();  // status 0: the assertions below report it
    }
    p.order = finished++;
  };
  std::thread a([&] { post(first); });
  ASSERT_TRUE(eventually([&] { return gauge(s, "paydomain_writes_pending") >= 1; }));
  std::thread b([&] { post(second); });
  ASSERT_TRUE(eventually([&] { return gauge(s, "paydomain_writes_pending") >= 2 || finished > 0; }));
  bool both_pending = finished == 0;
  json check_body = {{"files", json::array({{{"name", "a.pd"}, {"text", "category x { name \"X\" }\n"}}})}};
  auto check = s.call("POST", "/v1/check", s.tokens().editor, check_body.dump());
  int check_order = finished++;
  a.join();
  b.join();
  EXPECT_EQ(check.status, 200) << check.body;
  ASSERT_EQ(first.res.status, 201) << first.res.body;
  ASSERT_EQ(second.res.status, 201) << second.res.body;
  ASSERT_TRUE(both_pending) << "a commit finished before the check was sent: nothing was tested";
  EXPECT_LT(check_order, first.order) << "the check waited for a commit";
  EXPECT_LT(first.order, second.order) << "writes run in arrival order";
  EXPECT_TRUE(json::parse(second.res.body)["rebased"]) << "made on 1, queued behind the first, rebased on it";
}

// One request's commit is bounded in operations and in bytes of object text.
TEST(WriteIsolation, CommitsBeyondTheSizeLimitsAre413) {
  ServerProcess s("--max-commit-objects 3 --max-commit-bytes 300");
  auto commit = [&](const json& ops) {
    return s.call("POST", "/v1/commits", s.tokens().editor, json{{"base", 1}, {"message", "m"}, {"ops", ops}}.dump());
  };
  auto many = commit(category_inserts("c", 4));
  EXPECT_EQ(many.status, 413) << many.body;
  EXPECT_EQ(json::parse(many.body)["error"]["code"], "commit-too-large");
  EXPECT_NE(json::parse(many.body)["error"]["message"].get<std::string>().find("--max-commit-objects"), std::string::npos);
  json fat = category_inserts("f", 1);
  fat[0]["text"] = "category f0 { name \"" + std::string(400, 'x') + "\" }";
  auto bytes = commit(fat);
  EXPECT_EQ(bytes.status, 413) << bytes.body;
  EXPECT_NE(json::parse(bytes.body)["error"]["message"].get<std::string>().find("--max-commit-bytes"), std::string::npos);
  // A working copy counts the operations it makes, not the objects it holds.
  json files = json::parse(s.call("GET", "/v1/revisions/1", s.tokens().reader).body)["files"];
  files.push_back({{"name", "more.pd"}, {"text", "category m1 {}\ncategory m2 {}\ncategory m3 {}\ncategory m4 {}\n"}});
  auto wc = s.call("POST", "/v1/commits", s.tokens().editor, json{{"base", 1}, {"message", "m"}, {"files", files}}.dump());
  EXPECT_EQ(wc.status, 413) << wc.body;
  EXPECT_EQ(json::parse(s.call("GET", "/v1/head", s.tokens().reader).body)["revision"], 1) << "nothing was written";
  auto fits = commit(category_inserts("ok", 3));
  EXPECT_EQ(fits.status, 201) << fits.body;
}

// A commit by another process (the CLI) wakes a long-poll through the file
// watch, with the head poll effectively off: without the watch the waiter
// would sleep until its 60 s timeout and the client (20 s) would give up.
TEST(WriteIsolation, ACliCommitWakesALongPollWithoutPolling) {
  ServerProcess s("--head-poll-ms 3600000");
  HttpResponse waited;
  std::thread waiter([&] {
    try {
      HttpClient c(s.port(), std::chrono::seconds(20));
      waited = c.request("GET", "/v1/head?wait_after=1&timeout_s=60", "", {{"Authorization", s.bearer(s.tokens().reader)}});
    } catch (const std::exception& e) {
      waited.body = e.what();  // not woken: status 0
    }
  });
  ASSERT_TRUE(eventually([&] { return gauge(s, "paydomain_head_waiters") >= 1; }));
  const std::string wc = (s.dir() / "wc").string();
  std::string out;
  ASSERT_EQ(run_command(paydomain_bin() + " checkout 1 --db " + s.db() + " -o " + wc + " 2>&1", &out), 0) << out;
  std::ofstream(wc + "/extra.pd") << "category woken { name \"Woken\" }\n";
  ASSERT_EQ(run_command(paydomain_bin() + " commit " + wc + " --db " + s.db() + " -m cli 2>&1", &out), 0) << out;
  waiter.join();
  ASSERT_EQ(waited.status, 200) << waited.body;
  EXPECT_EQ(json::parse(waited.body)["revision"], 2);
}

}  // namespace
}  // namespace paydomain::testing
