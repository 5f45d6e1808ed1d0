// Every read/evaluate endpoint over a real server: happy paths, bad JSON,
// wrong types, unknown revisions, missing/invalid tokens, wrong roles.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "client/client.h"
#include "evaluator/result_json.h"
#include "server/router.h"
#include "server/service.h"
#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

// A Mastercard payment of 6000.00 RUB under the standard tariff.
const char* kContext = R"({"amount": {"amount": 600000, "currency": "RUB"}, "tariff": "standard",
  "party": "acme", "shop": "web", "category": "retail",
  "payment_tool": {"kind": "bank_card", "payment_system": "mastercard", "issuer_country": "RU", "bin": "555555", "token": "card-1"},
  "risk": "low", "flow": "instant", "time": "2026-11-25T13:20:00Z", "payment_key": "pay-1"})";

class Api : public ::testing::Test {
 protected:
  // A fresh server and store per test: tests commit, so they must not share.
  void SetUp() override { server_ = new ServerProcess(); }
  void TearDown() override {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess& s() { return *server_; }
  static const Tokens& tok() { return server_->tokens(); }
  static json body(const HttpResponse& r) { return json::parse(r.body); }
  // Every error has the one shape {"error": {"code", "message", "path"}}.
  static void expect_error(const HttpResponse& r, int status, const std::string& code, const std::string& path = "*") {
    EXPECT_EQ(r.status, status) << r.body;
    json j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
    EXPECT_EQ(j["error"]["code"], code) << r.body;
    EXPECT_TRUE(j["error"]["message"].is_string() && !j["error"]["message"].get<std::string>().empty());
    ASSERT_TRUE(j["error"]["path"].is_string());
    if (path != "*") {
      EXPECT_EQ(j["error"]["path"], path) << r.body;
    }
  }
  static ServerProcess* server_;
};
ServerProcess* Api::server_ = nullptr;

TEST_F(Api, OperationalEndpoints) {
  auto h = s().call("GET", "/healthz", "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(body(h)["status"], "ok");
  auto r = s().call("GET", "/readyz", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body(r)["head"], 1);
  s().call("POST", "/v1/revisions/head/evaluate", tok().reader, kContext);
  auto m = s().call("GET", "/metrics", "");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.header("content-type").find("text/plain"), std::string::npos);
  EXPECT_NE(m.body.find("paydomain_http_requests_total{route=\"POST /v1/revisions/{rev}/evaluate\",status=\"200\"}"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("paydomain_http_request_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(m.body.find("paydomain_head_revision 1"), std::string::npos);
  EXPECT_NE(m.body.find("paydomain_evaluations_total"), std::string::npos);
  EXPECT_NE(m.body.find("paydomain_compiled_cache_misses_total"), std::string::npos);
}

// The OpenAPI document and the router must list the same routes.
TEST_F(Api, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  auto r = s().call("GET", "/openapi.json", "");
  ASSERT_EQ(r.status, 200);
  json doc = body(r);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> documented;
  for (auto& [path, item] : doc["paths"].items())
    for (auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + path);
    }
  // The server's own route table, built the way `serve` builds it.
  server::ServiceConfig cfg;
  cfg.db_path = s().db();
  auto opened = server::Service::open(cfg);
  ASSERT_TRUE(opened) << opened.error();
  server::Router router;
  opened.value()->add_routes(router);
  std::set<std::string> served;
  for (const auto& route : router.routes()) served.insert(route.method + " " + route.pattern);
  EXPECT_EQ(served, documented);
  EXPECT_GE(served.size(), 20u);
}

TEST_F(Api, AuthenticationAndRoles) {
  auto none = s().call("GET", "/v1/head", "");
  expect_error(none, 401, "unauthenticated");
  EXPECT_EQ(none.header("www-authenticate").substr(0, 6), "Bearer");
  expect_error(s().call("GET", "/v1/head", "pd_not-a-token"), 401, "unauthenticated");
  {
    HttpClient c(s().port());
    expect_error(c.request("GET", "/v1/head", "", {{"Authorization", "Basic abc"}}), 401, "unauthenticated");
  }
  // reader: read and evaluate, but not check, commit, revert, tokens
  EXPECT_EQ(s().call("GET", "/v1/head", tok().reader).status, 200);
  EXPECT_EQ(s().call("POST", "/v1/revisions/1/evaluate", tok().reader, kContext).status, 200);
  expect_error(s().call("POST", "/v1/check", tok().reader, R"({"files": []})"), 403, "forbidden");
  expect_error(s().call("POST", "/v1/evaluate", tok().reader, "{}"), 403, "forbidden");
  expect_error(s().call("POST", "/v1/commits", tok().reader, "{}"), 403, "forbidden");
  // editor: + check, commit; not revert or tokens
  EXPECT_EQ(s().call("POST", "/v1/check", tok().editor, R"({"files": []})").status, 200);
  expect_error(s().call("POST", "/v1/revisions/1/revert", tok().editor, "{}"), 403, "forbidden");
  expect_error(s().call("GET", "/v1/tokens", tok().editor), 403, "forbidden");
  EXPECT_EQ(s().call("GET", "/v1/tokens", tok().admin).status, 200);
  auto who = s().call("GET", "/v1/whoami", tok().editor);
  EXPECT_EQ(body(who)["name"], "ann");
  EXPECT_EQ(body(who)["role"], "editor");
  // Public routes need no token.
  EXPECT_EQ(s().call("GET", "/openapi.json", "").status, 200);
}

TEST_F(Api, RevokedTokenIsRefusedWithinTheCacheTime) {
  std::string out;
  ASSERT_EQ(run_command(paydomain_bin() + " token create --db " + s().db() + " --role reader --name temp --json", &out), 0);
  json t = json::parse(out);
  std::string token = t["token"];
  EXPECT_EQ(s().call("GET", "/v1/head", token).status, 200);
  ASSERT_EQ(run_command(paydomain_bin() + " token revoke " + std::to_string(t["id"].get<int>()) + " --db " + s().db()), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2300));
  expect_error(s().call("GET", "/v1/head", token), 401, "unauthenticated");
  // The list shows it revoked, and never a secret.
  auto list = s().call("GET", "/v1/tokens", tok().admin);
  EXPECT_EQ(list.body.find(token), std::string::npos);
  EXPECT_EQ(list.body.find(tok().reader), std::string::npos);
}

// One writer per shape: the CLI's --json and the HTTP bodies are the same
// JSON for a revision, a commit and a token (issue: `log --json` said "rev",
// the API "revision", with and without milliseconds).
TEST_F(Api, CliAndHttpWriteTheSameShapes) {
  auto c = s().call("POST", "/v1/commits", tok().editor,
                    R"({"base": 1, "message": "rename", "ops": [{"op": "update", "kind": "category", "id": "retail",
                        "text": "category retail { name \"Retail goods\" }"}]})");
  ASSERT_EQ(c.status, 201) << c.body;
  std::string out;
  ASSERT_EQ(run_command(paydomain_bin() + " log --db " + s().db() + " --json", &out), 0);
  json cli_log = json::parse(out);
  json http_log = body(s().call("GET", "/v1/revisions", tok().reader))["revisions"];
  ASSERT_EQ(http_log.size(), 3u);  // 2, 1 and 0 (the empty domain)
  ASSERT_EQ(cli_log.size(), 3u);
  for (const json& h : http_log) {
    bool found = false;
    for (const json& r : cli_log) found = found || r == h;
    EXPECT_TRUE(found) << "GET /v1/revisions " << h.dump() << " is not in log --json " << cli_log.dump();
  }
  // A commit: the HTTP answer is the revision's members plus the commit's own.
  json commit = body(c);
  json rev2 = body(s().call("GET", "/v1/revisions/2", tok().reader));
  for (const auto& [k, v] : cli_log[0].items()) EXPECT_EQ(commit[k], v) << k;
  EXPECT_EQ(commit["revision"], 2);
  EXPECT_EQ(rev2["revision"], 2);
  EXPECT_EQ(rev2["time"], commit["time"]);
  std::string time = commit["time"];
  EXPECT_EQ(time.size(), 24u) << time;  // 2026-11-25T13:20:46.123Z: milliseconds everywhere
  // Tokens.
  ASSERT_EQ(run_command(paydomain_bin() + " token list --db " + s().db() + " --json", &out), 0);
  EXPECT_EQ(json::parse(out)["tokens"], body(s().call("GET", "/v1/tokens", tok().admin))["tokens"]);
}

// POST /v1/references: the id at a place and its uses as the checker
// resolves them (the editor's find references and rename).
TEST_F(Api, ReferencesAreTheCheckersUses) {
  std::string a = "currency RUB { numeric 643 exponent 2 }\n# retail in a comment\ncategory retail { name \"retail\" }\n";
  std::string b = "tariff t {\n  fees {\n    when category == retail { merchant.settlement -> system.settlement : 1% of amount }\n  }\n}\n";
  json files = json::array({{{"name", "a.pd"}, {"text", a}}, {{"name", "b.pd"}, {"text", b}}});
  auto at = [&](const std::string& file, int line, int column) {
    json req = {{"files", files}, {"file", file}, {"line", line}, {"column", column}};
    return s().call("POST", "/v1/references", tok().editor, req.dump());
  };
  auto r = at("b.pd", 3, 22);  // on "retail" in the condition
  ASSERT_EQ(r.status, 200) << r.body;
  json want = {{"kind", "category"}, {"id", "retail"}, {"uses", json::array({
    {{"file", "a.pd"}, {"line", 3}, {"column", 10}, {"length", 6}, {"declaration", true}},
    {{"file", "b.pd"}, {"line", 3}, {"column", 22}, {"length", 6}, {"declaration", false}}})}};
  EXPECT_EQ(body(r), want);
  EXPECT_EQ(body(at("a.pd", 3, 16)), want);  // just after the declaration's id
  expect_error(at("a.pd", 2, 5), 422, "no-id");     // the comment
  expect_error(at("a.pd", 3, 25), 422, "no-id");    // the string
  expect_error(at("c.pd", 1, 1), 422, "unknown-file");
  json broken = {{"files", json::array({{{"name", "a.pd"}, {"text", "category {"}}})}, {"file", "a.pd"}, {"line", 1}, {"column", 1}};
  expect_error(s().call("POST", "/v1/references", tok().editor, broken.dump()), 422, "invalid-domain");
  json no_line = {{"files", files}, {"file", "a.pd"}, {"line", -1}, {"column", 1}};
  expect_error(s().call("POST", "/v1/references", tok().editor, no_line.dump()), 422, "wrong-type");
  expect_error(s().call("POST", "/v1/references", tok().reader, no_line.dump()), 403, "forbidden");
}

// POST /v1/format: a file's text as `paydomain fmt` writes it, byte for byte
// (the editor's tables write through it), for readers too; syntax errors
// come back as diagnostics, and the text is bounded.
TEST_F(Api, FormatIsWhatFmtWrites) {
  std::filesystem::path dir = s().dir() / "format";
  std::filesystem::create_directories(dir);
  // acme's routing with its layout disturbed: spaces, indentation, a wrapped condition joined.
  std::ifstream in(source_dir() + "/examples/acme/routing.pd");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (size_t p = 0; (p = text.find("\n  candidate", p)) != std::string::npos; p += 4) text.replace(p, 3, "\n\t");
  for (size_t p = 0; (p = text.find(" priority", p)) != std::string::npos; p += 4) text.insert(p, "  ");
  std::string path = (dir / "routing.pd").string();
  std::ofstream(path) << text;
  std::string fmt;
  ASSERT_EQ(run_command(paydomain_bin() + " fmt " + path, &fmt), 0) << fmt;
  ASSERT_NE(fmt, text);
  auto r = s().call("POST", "/v1/format", tok().reader, json{{"name", "routing.pd"}, {"text", text}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r), (json{{"text", fmt}, {"changed", true}}));
  // Canonical text comes back unchanged.
  auto again = s().call("POST", "/v1/format", tok().reader, json{{"text", fmt}}.dump());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(body(again), (json{{"text", fmt}, {"changed", false}}));

  auto broken = s().call("POST", "/v1/format", tok().reader, json{{"name", "x.pd"}, {"text", "routing r {\n  candidate\n}\n"}}.dump());
  expect_error(broken, 422, "invalid-domain");
  json b = body(broken);
  ASSERT_TRUE(b["diagnostics"].is_array() && !b["diagnostics"].empty()) << broken.body;
  EXPECT_EQ(b["diagnostics"][0]["file"], "x.pd");
  expect_error(s().call("POST", "/v1/format", tok().reader, json{{"name", "x.pd"}}.dump()), 422, "missing-field", "/text");
  expect_error(s().call("POST", "/v1/format", tok().reader, json{{"text", 3}}.dump()), 422, "wrong-type", "/text");
  expect_error(s().call("POST", "/v1/format", tok().reader, json{{"text", ""}, {"files", 1}}.dump()), 422, "unknown-field", "/files");
  expect_error(s().call("POST", "/v1/format", "", json{{"text", ""}}.dump()), 401, "unauthenticated");

  ServerProcess small("--max-commit-bytes 300");
  expect_error(small.call("POST", "/v1/format", small.tokens().reader, json{{"text", text}}.dump()), 413, "text-too-large", "/text");
  EXPECT_EQ(small.call("POST", "/v1/format", small.tokens().reader, json{{"text", "currency RUB {  numeric 643 }\n"}}.dump()).status, 200);
}

// `paydomain check --json` and POST /v1/check run one function and print one
// report: the same JSON for the same files, warnings included.
TEST_F(Api, CheckIsTheSameReportFromCliAndHttp) {
  std::filesystem::path dir = s().dir() / "check-same";
  std::filesystem::create_directories(dir);
  std::string text =
      "currency RUB { numeric 643 exponent 2 }\n"
      "category retail { name \"Retail\" }\n"
      "tariff t {\n  fees {\n"
      "    when category == retail { merchant.settlement -> system.settlement : 1% of amount }\n"
      "    when category == retail { merchant.settlement -> system.settlement : 2% of amount }\n"
      "  }\n}\n";
  std::string path = (dir / "a.pd").string();
  std::ofstream(path) << text;
  std::string out;
  run_command(paydomain_bin() + " check --json " + path, &out);
  json cli = json::parse(out);
  json req = {{"files", json::array({{{"name", path}, {"text", text}}})}};
  auto http = s().call("POST", "/v1/check", tok().editor, req.dump());
  ASSERT_EQ(http.status, 200) << http.body;
  EXPECT_EQ(body(http), cli);
  EXPECT_GE(cli["warnings"].get<int>(), 1) << out;  // the shadowed second rule, found by both
}

// The server keeps each object's analysis warnings across live checks (the
// analysis cache): edits, a return to an earlier text, a new name in the
// vocabulary and concurrent checks from several editors all answer exactly
// what a fresh `paydomain check --json` of the same files prints.
TEST_F(Api, LiveChecksReuseAnalysisAndAnswerAsAFreshCheck) {
  std::filesystem::path dir = s().dir() / "check-cache";
  std::filesystem::create_directories(dir);
  auto tariff = [](const std::string& name, const std::string& first) {
    return "tariff " + name + " {\n  fees {\n    when " + first +
           " { merchant.settlement -> system.settlement : 1% of amount }\n"
           "    when payment_system == visa { merchant.settlement -> system.settlement : 2% of amount }\n  }\n}\n";
  };
  std::string ref = "currency RUB { numeric 643 exponent 2 }\npayment_system visa { }\npayment_system mir { }\n";
  std::vector<std::string> versions = {
      ref + tariff("a", "payment_system == visa") + tariff("b", "payment_system == mir"),
      ref + tariff("a", "payment_system == visa") + tariff("b", "payment_system == visa"),  // b edited
      ref + "payment_system maestro { }\n" + tariff("a", "payment_system == visa") +
          tariff("b", "payment_system == visa"),  // a new name: every object again, lines moved
  };
  std::vector<json> expected, requests;
  for (size_t i = 0; i < versions.size(); ++i) {
    std::string path = (dir / ("v" + std::to_string(i) + ".pd")).string();
    std::ofstream(path) << versions[i];
    std::string out;
    run_command(paydomain_bin() + " check --json " + path, &out);
    expected.push_back(json::parse(out));
    requests.push_back({{"files", json::array({{{"name", "t.pd"}, {"text", versions[i]}}})}});
    // The CLI names the file by its path; the editor's working copy by "t.pd".
    for (json& d : expected.back()["diagnostics"]) d["file"] = "t.pd";
  }
  ASSERT_GE(expected[1]["warnings"].get<int>(), 2);
  for (size_t i : {0, 1, 0, 2, 1, 2}) {
    auto http = s().call("POST", "/v1/check", tok().editor, requests[i].dump());
    ASSERT_EQ(http.status, 200) << http.body;
    EXPECT_EQ(body(http), expected[i]) << "version " << i;
  }
  std::vector<std::thread> editors;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    editors.emplace_back([&, t] {
      for (int k = 0; k < 6; ++k) {
        size_t i = static_cast<size_t>(t + k) % versions.size();
        auto http = s().call("POST", "/v1/check", tok().editor, requests[i].dump());
        if (http.status != 200 || body(http) != expected[i]) ++wrong;
      }
    });
  }
  for (auto& e : editors) e.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(Api, TokensOverHttp) {
  auto created = s().call("POST", "/v1/tokens", tok().admin, R"({"role": "reader", "name": "core-2"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string token = body(created)["token"];
  EXPECT_EQ(s().call("GET", "/v1/head", token).status, 200);
  int id = body(created)["id"];
  EXPECT_EQ(s().call("DELETE", "/v1/tokens/" + std::to_string(id), tok().admin).status, 200);
  expect_error(s().call("GET", "/v1/head", token), 401, "unauthenticated");  // at once on this server
  expect_error(s().call("POST", "/v1/tokens", tok().admin, R"({"role": "root", "name": "x"})"), 422, "invalid-argument");
  expect_error(s().call("POST", "/v1/tokens", tok().admin, R"({"role": 1, "name": "x"})"), 422, "wrong-type", "/role");
  expect_error(s().call("DELETE", "/v1/tokens/99999", tok().admin), 404, "not-found");
}

TEST_F(Api, UnknownRoutesAndMethods) {
  expect_error(s().call("GET", "/v1/nothing", tok().reader), 404, "not-found");
  auto r = s().call("DELETE", "/v1/head", tok().reader);
  expect_error(r, 405, "method-not-allowed");
  EXPECT_EQ(r.header("allow"), "GET, HEAD, OPTIONS");
}

TEST_F(Api, RequestIdIsEchoedOrGeneratedAndLoggedWithoutTheToken) {
  HttpClient c(s().port());
  auto r = c.request("GET", "/v1/head", "", {{"Authorization", "Bearer " + tok().reader}, {"X-Request-ID", "abc-123"}});
  EXPECT_EQ(r.header("x-request-id"), "abc-123");
  auto g = c.request("GET", "/v1/head", "", {{"Authorization", "Bearer " + tok().reader}});
  EXPECT_FALSE(g.header("x-request-id").empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::string log = s().log();
  size_t at = log.find("\"request_id\":\"abc-123\"");
  ASSERT_NE(at, std::string::npos) << log;
  size_t line_start = log.rfind('\n', at) + 1, line_end = log.find('\n', at);
  json line = json::parse(log.substr(line_start, line_end - line_start));
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["route"], "/v1/head");
  EXPECT_EQ(line["caller"], "core");
  EXPECT_EQ(log.find(tok().reader), std::string::npos);
  EXPECT_EQ(log.find(tok().editor), std::string::npos);
  EXPECT_EQ(log.find(tok().admin), std::string::npos);
}

TEST_F(Api, HeadAndLongPoll) {
  auto h = s().call("GET", "/v1/head", tok().reader);
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(body(h)["revision"], 1);
  EXPECT_EQ(body(h)["message"].get<std::string>().empty(), false);
  // Already newer: answers at once.
  EXPECT_EQ(body(s().call("GET", "/v1/head?wait_after=0", tok().reader))["revision"], 1);
  // Nothing new: waits the timeout, then the unchanged head.
  auto t0 = std::chrono::steady_clock::now();
  auto same = s().call("GET", "/v1/head?wait_after=1&timeout_s=1", tok().reader);
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(body(same)["revision"], 1);
  EXPECT_GE(waited, 0.9);  // it did wait (a lower bound holds on any machine)
  // A commit wakes the poll.
  HttpResponse woke;
  std::thread poller([&] { woke = s().call("GET", "/v1/head?wait_after=1&timeout_s=60", tok().reader); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto t1 = std::chrono::steady_clock::now();
  auto c = s().call("POST", "/v1/commits", tok().editor,
                    R"({"base": 1, "message": "rename", "ops": [{"op": "update", "kind": "category", "id": "retail",
                        "text": "category retail { name \"Retail goods\" }"}]})");
  ASSERT_EQ(c.status, 201) << c.body;
  poller.join();
  double latency = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  EXPECT_EQ(woke.status, 200);
  EXPECT_EQ(body(woke)["revision"], 2);
  EXPECT_LT(latency, 60.0);  // woken by the commit, not by its timeout
  expect_error(s().call("GET", "/v1/head?wait_after=x", tok().reader), 400, "bad-parameter");
  expect_error(s().call("GET", "/v1/head?wait_after=1&timeout_s=1000", tok().reader), 400, "bad-parameter");
}

TEST_F(Api, RevisionsHistoryAndImmutableCaching) {
  auto list = s().call("GET", "/v1/revisions", tok().reader);
  ASSERT_EQ(list.status, 200);
  auto revs = body(list)["revisions"];
  ASSERT_EQ(revs.size(), 2u);
  EXPECT_EQ(revs[0]["revision"], 1);  // newest first
  auto after = s().call("GET", "/v1/revisions?after=0&limit=1", tok().reader);
  EXPECT_EQ(body(after)["revisions"].size(), 1u);
  EXPECT_EQ(body(after)["revisions"][0]["revision"], 1);
  EXPECT_TRUE(body(after).contains("next"));
  expect_error(s().call("GET", "/v1/revisions?limit=-3", tok().reader), 400, "bad-parameter");

  auto one = s().call("GET", "/v1/revisions/1", tok().reader);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.header("etag"), "\"rev-1\"");
  EXPECT_NE(one.header("cache-control").find("immutable"), std::string::npos);
  json j = body(one);
  EXPECT_EQ(j["revision"], 1);
  ASSERT_FALSE(j["files"].empty());
  bool has_tariff = false;
  for (auto& f : j["files"]) has_tariff |= f["text"].get<std::string>().find("tariff standard") != std::string::npos;
  EXPECT_TRUE(has_tariff);
  EXPECT_FALSE(j["objects"].empty());
  HttpClient c(s().port());
  auto nm = c.request("GET", "/v1/revisions/1", "",
                      {{"Authorization", "Bearer " + tok().reader}, {"If-None-Match", "\"rev-1\""}});
  EXPECT_EQ(nm.status, 304);
  EXPECT_TRUE(nm.body.empty());
  auto head = s().call("GET", "/v1/revisions/head", tok().reader);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("cache-control"), "no-cache");
  expect_error(s().call("GET", "/v1/revisions/999", tok().reader), 404, "not-found");
  expect_error(s().call("GET", "/v1/revisions/abc", tok().reader), 400, "bad-revision");
}

// The compiled revision for embedded evaluators: the artifact the client
// loads, immutable by number with a strong ETag, `head` naming its revision,
// formats negotiated.
TEST_F(Api, CompiledRevisionArtifact) {
  auto one = s().call("GET", "/v1/revisions/1/compiled", tok().reader);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.header("content-type"), "application/vnd.paydomain.artifact");
  EXPECT_EQ(one.header("paydomain-revision"), "1");
  EXPECT_NE(one.header("cache-control").find("immutable"), std::string::npos);
  std::string etag = one.header("etag");
  const std::string format = "\"pdc-1-" + std::to_string(evaluator::pdc::kFormatMajor) + "." +
                             std::to_string(evaluator::pdc::kFormatMinor) + "-";
  ASSERT_EQ(etag.rfind(format, 0), 0u) << etag;
  auto a = client::Artifact::load(one.body);
  ASSERT_TRUE(a.ok()) << a.error().text();
  EXPECT_EQ((*a)->revision(), 1u);
  EXPECT_EQ((*a)->source_hash().size(), 64u);
  auto ctx = (*a)->read_context(kContext);
  ASSERT_TRUE(ctx.ok()) << ctx.error().text();
  // The same answer as the server's evaluation of that revision.
  auto served = s().call("POST", "/v1/revisions/1/evaluate", tok().reader, kContext);
  ASSERT_EQ(served.status, 200);
  std::string ours;
  evaluator::write_result((*a)->evaluate(*ctx), (*a)->program(), false, ours);
  EXPECT_EQ(body(served)["result"], json::parse(ours));

  HttpClient c(s().port());
  auto nm = c.request("GET", "/v1/revisions/1/compiled", "",
                      {{"Authorization", "Bearer " + tok().reader}, {"If-None-Match", etag}});
  EXPECT_EQ(nm.status, 304);
  EXPECT_TRUE(nm.body.empty());
  auto head = s().call("GET", "/v1/revisions/head/compiled", tok().reader);
  ASSERT_EQ(head.status, 200);
  EXPECT_EQ(head.header("cache-control"), "no-cache");
  EXPECT_EQ(head.header("paydomain-revision"), std::to_string(body(s().call("GET", "/v1/head", tok().reader))["revision"].get<int>()));
  const std::string major = std::to_string(evaluator::pdc::kFormatMajor);
  EXPECT_EQ(s().call("GET", "/v1/revisions/1/compiled?format=" + major, tok().reader).status, 200);
  // Format 1 (before the flat layout of 2.0) is no longer written: 406, naming the one served.
  auto old = s().call("GET", "/v1/revisions/1/compiled?format=1", tok().reader);
  expect_error(old, 406, "unsupported-format");
  EXPECT_NE(old.body.find("this server writes format " + major + "."), std::string::npos) << old.body;
  expect_error(s().call("GET", "/v1/revisions/999/compiled", tok().reader), 404, "unknown-revision");
  EXPECT_EQ(s().call("GET", "/v1/revisions/1/compiled", "").status, 401);
}

TEST_F(Api, OneObject) {
  auto r = s().call("GET", "/v1/revisions/1/objects/tariff/standard", tok().reader);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body(r);
  EXPECT_EQ(j["kind"], "tariff");
  EXPECT_EQ(j["id"], "standard");
  EXPECT_NE(j["text"].get<std::string>().find("tariff standard"), std::string::npos);
  EXPECT_EQ(r.header("etag"), "\"tariff:standard@1\"");
  EXPECT_NE(r.header("cache-control").find("immutable"), std::string::npos);
  expect_error(s().call("GET", "/v1/revisions/1/objects/tariff/nosuch", tok().reader), 404, "not-found");
  expect_error(s().call("GET", "/v1/revisions/1/objects/gizmo/x", tok().reader), 404, "unknown-kind");
  expect_error(s().call("GET", "/v1/revisions/77/objects/tariff/standard", tok().reader), 404, "not-found");
}

TEST_F(Api, EvaluateOneContextAtHeadAndPinnedRevision) {
  auto r = s().call("POST", "/v1/revisions/head/evaluate", tok().reader, kContext);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body(r);
  EXPECT_EQ(j["revision"], 1);  // names the revision, so the payment can pin it
  bool fee = false;
  for (auto& p : j["result"]["cash_flow"]["postings"])
    fee |= p["from"] == "merchant.settlement" && p["to"] == "system.settlement" && p["amount"]["amount"] == 6000 &&
           p["amount"]["currency"] == "RUB";
  EXPECT_TRUE(fee) << r.body;
  EXPECT_EQ(j["result"]["terms"]["status"], "allowed");
  EXPECT_EQ(j["result"]["route"]["status"], "chosen");
  auto pinned = s().call("POST", "/v1/revisions/1/evaluate", tok().reader, kContext);
  EXPECT_EQ(body(pinned)["result"], j["result"]);
  auto explained = s().call("POST", "/v1/revisions/1/evaluate?explain=true", tok().reader, kContext);
  ASSERT_EQ(explained.status, 200);
  EXPECT_NE(explained.body.find("tariff standard"), std::string::npos) << explained.body;
  EXPECT_GT(explained.body.size(), pinned.body.size());
}

TEST_F(Api, EvaluateBatch) {
  json ctx = json::parse(kContext);
  json other = ctx;
  other["payment_tool"]["payment_system"] = "visa";
  json batch = {{"contexts", {ctx, other, ctx}}};
  auto r = s().call("POST", "/v1/revisions/1/evaluate", tok().reader, batch.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json j = body(r);
  EXPECT_EQ(j["revision"], 1);
  ASSERT_EQ(j["results"].size(), 3u);
  EXPECT_EQ(j["results"][0], j["results"][2]);
  EXPECT_NE(j["results"][0], j["results"][1]);
  // A big batch (split over threads) answers in order.
  json big = {{"contexts", json::array()}};
  for (int i = 0; i < 600; ++i) big["contexts"].push_back(i % 2 ? ctx : other);
  auto rb = s().call("POST", "/v1/revisions/1/evaluate", tok().reader, big.dump());
  ASSERT_EQ(rb.status, 200);
  json jb = body(rb);
  ASSERT_EQ(jb["results"].size(), 600u);
  EXPECT_EQ(jb["results"][1], j["results"][0]);
  EXPECT_EQ(jb["results"][598], j["results"][1]);
  // "explain" in the body, like ?explain=true; an empty batch is answered.
  json explained = {{"contexts", {ctx}}, {"explain", true}};
  auto re = s().call("POST", "/v1/revisions/1/evaluate", tok().reader, explained.dump());
  ASSERT_EQ(re.status, 200) << re.body;
  EXPECT_TRUE(body(re)["results"][0]["terms"].contains("explain")) << re.body;
  auto empty = s().call("POST", "/v1/revisions/1/evaluate", tok().reader, R"({"contexts": []})");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(body(empty)["results"], json::array());
}

TEST_F(Api, EvaluateRejectsBadInput) {
  auto& t = tok().reader;
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, "{\"amount\": "), 400, "bad-json");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, ""), 400, "bad-json");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, "[1,2]"), 422, "wrong-type", "");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, R"({"amount": "lots"})"), 422, "invalid-context",
               "/amount");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, R"({"amount": {"amount": 1.5, "currency": "RUB"}})"),
               422, "invalid-context", "/amount/amount");
  json bad_batch = {{"contexts", {json::parse(kContext), {{"risk", 7}}}}};
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, bad_batch.dump()), 422, "invalid-context",
               "/contexts/1/risk");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, R"({"contexts": 3})"), 422, "wrong-type", "/contexts");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, R"({"contexts": [{}, 7]})"), 422, "wrong-type",
               "/contexts/1");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, R"({"contexts": [], "colour": 1})"), 422,
               "unknown-field", "/colour");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, R"({"contexts": [], "explain": "yes"})"), 422,
               "wrong-type", "/explain");
  // Syntax errors win over shape errors, and name the byte.
  auto broken = s().call("POST", "/v1/revisions/1/evaluate", t, R"({"contexts": [7, {"risk": "low",}]})");
  expect_error(broken, 400, "bad-json");
  EXPECT_NE(body(broken)["error"]["message"].get<std::string>().find("at byte 32"), std::string::npos) << broken.body;
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, "{\"risk\": \"lo\xffw\"}"), 400, "bad-json");
  // Inside a batch's contexts too, wherever the bad byte is, and exactly there.
  std::string ok = json::parse(kContext).dump();
  auto inner = s().call("POST", "/v1/revisions/1/evaluate", t, "{\"contexts\": [" + ok + ", {\"a\": [}]}");
  expect_error(inner, 400, "bad-json");
  EXPECT_NE(body(inner)["error"]["message"].get<std::string>().find("at byte " + std::to_string(23 + ok.size())),
            std::string::npos) << inner.body;
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, "{\"contexts\": [" + ok + ", {\"risk\": tru}]}"), 400,
               "bad-json");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, "{\"contexts\": [{\"risk\": \"low\x01\"}]}"), 400,
               "bad-json");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, std::string(kContext) + " x"), 400, "bad-json");
  // A single context's nested objects are checked when the context is read: still a 400.
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, R"({"amount": {"amount": 1,, "currency": "RUB"}})"), 400,
               "bad-json");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", t, R"({"risk": "x", "amount": {"amount": [}})"), 400,
               "bad-json");
  expect_error(s().call("POST", "/v1/revisions/42/evaluate", t, kContext), 404, "unknown-revision");
  expect_error(s().call("POST", "/v1/revisions/-1/evaluate", t, kContext), 400, "bad-revision");
  expect_error(s().call("POST", "/v1/revisions/1/evaluate", "", kContext), 401, "unauthenticated");
}

TEST_F(Api, CheckWorkingCopy) {
  std::string tariff = json::parse(s().call("GET", "/v1/revisions/1", tok().editor).body)["files"].dump();
  auto ok = s().call("POST", "/v1/check", tok().editor, "{\"files\": " + tariff + "}");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(body(ok)["ok"], true);
  EXPECT_EQ(body(ok)["errors"], 0);
  EXPECT_GT(body(ok)["objects"].get<int>(), 10);
  auto bad = s().call("POST", "/v1/check", tok().editor,
                      R"({"files": [{"name": "x.pd", "text": "terminal t { provider nosuch }"}]})");
  ASSERT_EQ(bad.status, 200);
  EXPECT_EQ(body(bad)["ok"], false);
  ASSERT_FALSE(body(bad)["diagnostics"].empty());
  EXPECT_EQ(body(bad)["diagnostics"][0]["file"], "x.pd");
  EXPECT_GT(body(bad)["diagnostics"][0]["line"].get<int>(), 0);
  // The analysis warnings of `paydomain check` come too (the editor shows them).
  auto shadowed = s().call("POST", "/v1/check", tok().editor, R"({"files": [{"name": "s.pd", "text":
    "currency RUB { numeric 643 exponent 2 }\ntariff t { fees {\n when currency == RUB { merchant.settlement -> system.settlement : 1% of amount }\n when currency == RUB { merchant.settlement -> system.settlement : 2% of amount }\n otherwise { } } }"}]})");
  ASSERT_EQ(shadowed.status, 200) << shadowed.body;
  json checked = body(shadowed);
  EXPECT_EQ(checked["ok"], true);
  bool saw_shadowed = false;
  for (const auto& d : checked["diagnostics"]) saw_shadowed |= d["code"] == "shadowed-rule" && d["line"] == 4;
  EXPECT_TRUE(saw_shadowed) << shadowed.body;
  expect_error(s().call("POST", "/v1/check", tok().editor, "nope"), 400, "bad-json");
  expect_error(s().call("POST", "/v1/check", tok().editor, R"({"files": 5})"), 422, "wrong-type", "/files");
  expect_error(s().call("POST", "/v1/check", tok().editor, R"({"files": [{"name": "a.pd", "text": 3}]})"), 422,
               "wrong-type", "/files/0/text");
  expect_error(s().call("POST", "/v1/check", tok().editor, R"({})"), 422, "missing-field", "/files");
}

TEST_F(Api, EvaluateWorkingCopyBeforeCommitting) {
  json files = json::parse(s().call("GET", "/v1/revisions/1", tok().editor).body)["files"];
  json req = {{"files", files}, {"context", json::parse(kContext)}};
  auto r = s().call("POST", "/v1/evaluate", tok().editor, req.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["result"], body(s().call("POST", "/v1/revisions/1/evaluate", tok().editor, kContext))["result"]);
  // Change the Mastercard fee in the working copy: the try-it answer follows.
  for (auto& f : files) {
    std::string text = f["text"];
    const std::string fee = "1% of amount \"1% processing fee\"";
    size_t at = text.find(fee);
    if (at != std::string::npos) f["text"] = text.replace(at, fee.size(), "2% of amount \"2% fee\"");
  }
  json req2 = {{"files", files}, {"contexts", {json::parse(kContext)}}, {"explain", true}};
  auto r2 = s().call("POST", "/v1/evaluate", tok().editor, req2.dump());
  ASSERT_EQ(r2.status, 200) << r2.body;
  EXPECT_NE(r2.body.find("12000"), std::string::npos);
  auto broken = s().call("POST", "/v1/evaluate", tok().editor,
                         R"({"files": [{"name": "x.pd", "text": "tariff {"}], "context": {}})");
  expect_error(broken, 422, "invalid-domain");
  EXPECT_FALSE(body(broken)["diagnostics"].empty());
  json bad_ctx = {{"files", files}, {"context", {{"amount", "x"}}}};
  expect_error(s().call("POST", "/v1/evaluate", tok().editor, bad_ctx.dump()), 422, "invalid-context",
               "/context/amount");
  expect_error(s().call("POST", "/v1/evaluate", tok().editor, json{{"files", files}}.dump()), 422, "missing-field");
}

// Without --editor, "/" is the editor compiled in (commit_test.cc checks its
// caching); nothing else is reachable through the static routes.
TEST_F(Api, StaticRoutesServeOnlyTheEditorsFiles) {
  EXPECT_EQ(s().call("GET", "/", "").status, 200);
  expect_error(s().call("GET", "/nosuch.js", ""), 404, "not-found");
  expect_error(s().call("GET", "/..%2Fstore.db", ""), 404, "not-found");
  expect_error(s().call("GET", "/.hidden", ""), 404, "not-found");
  expect_error(s().call("GET", "/app.js.map", ""), 404, "not-found");
}

}  // namespace
}  // namespace paydomain::testing
