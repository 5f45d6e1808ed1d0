// `paydomain serve` replicas on one PostgreSQL database: a commit through
// one replica (or the CLI) wakes the long-polls of another, which then
// evaluates the new revision.
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <thread>
#include <nlohmann/json.hpp>

#include "tests/postgres/cluster.h"
#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

const char* kContext = R"({"amount": {"amount": 600000, "currency": "RUB"}, "tariff": "standard", "category": "retail",
  "payment_tool": {"kind": "bank_card", "payment_system": "mastercard"}, "risk": "low", "payment_key": "k"})";

TEST(Replicas, ACommitOnOneWakesALongPollOnTheOther) {
  std::string why;
  auto* cluster = PgCluster::shared(&why);
  ASSERT_NE(cluster, nullptr) << why;
  std::string url = cluster->create_database();
  // The head poll an hour away: only the store's notification can tell.
  ServerProcess a("--head-poll-ms 3600000", url);
  ServerProcess b("--head-poll-ms 3600000", url);

  auto head = b.call("GET", "/v1/head", b.tokens().reader);
  ASSERT_EQ(head.status, 200) << head.body;
  ASSERT_EQ(json::parse(head.body)["revision"], 1);
  auto waiting = std::async(std::launch::async, [&] {
    HttpClient client(b.port(), std::chrono::seconds(60));
    return client.request("GET", "/v1/head?wait_after=1&timeout_s=50", "",
                          {{"Authorization", "Bearer " + b.tokens().reader}});
  });
  // Tokens live in the database: A's editor token works on B as well.
  auto commit = a.call("POST", "/v1/commits", b.tokens().editor,
                       R"({"base": 1, "message": "new category", "ops": [
                            {"op": "insert", "kind": "category", "id": "books", "text": "category books { name \"Books\" }"}]})");
  ASSERT_EQ(commit.status, 201) << commit.body;
  auto woken = waiting.get();
  ASSERT_EQ(woken.status, 200) << woken.body;
  EXPECT_EQ(json::parse(woken.body)["revision"], 2);
  EXPECT_EQ(json::parse(woken.body)["author"], "ann");

  auto eval = b.call("POST", "/v1/revisions/2/evaluate", b.tokens().reader, kContext);
  EXPECT_EQ(eval.status, 200) << eval.body;

  // A commit by the CLI wakes A too.
  auto waiting_a = std::async(std::launch::async, [&] {
    HttpClient client(a.port(), std::chrono::seconds(60));
    return client.request("GET", "/v1/head?wait_after=2&timeout_s=50", "",
                          {{"Authorization", "Bearer " + a.tokens().reader}});
  });
  std::string wc = (a.dir() / "wc").string();
  ASSERT_EQ(run_command(paydomain_bin() + " checkout head --db '" + url + "' -o " + wc + " >/dev/null 2>&1"), 0);
  ASSERT_EQ(run_command(paydomain_bin() + " revert 2 --db '" + url + "' -m undo --author cli >/dev/null 2>&1"), 0);
  auto woken_a = waiting_a.get();
  ASSERT_EQ(woken_a.status, 200) << woken_a.body;
  EXPECT_EQ(json::parse(woken_a.body)["revision"], 3);
  EXPECT_EQ(json::parse(woken_a.body)["author"], "cli");
  EXPECT_EQ(a.terminate(), 0) << a.log();
  EXPECT_EQ(b.terminate(), 0) << b.log();
}

// Waits (bounded) until `check` holds for GET `target`; the last answer.
HttpResponse wait_for(ServerProcess& s, const std::string& target, const std::function<bool(const HttpResponse&)>& check) {
  HttpResponse r;
  for (int i = 0; i < 600; ++i) {
    r = s.call("GET", target, s.tokens().reader);
    if (check(r)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return r;
}

// PostgreSQL stops: the replica keeps evaluating its compiled revisions,
// says so on /readyz and /metrics, refuses writes with 503 and a JSON
// error, and is back by itself when the database returns.
TEST(Replicas, ADatabaseOutageKeepsEvaluationsAndRefusesWrites) {
  std::string why;
  auto* cluster = PgCluster::shared(&why);
  ASSERT_NE(cluster, nullptr) << why;
  ServerProcess s("", cluster->create_database());
  const char* commit_body = R"({"base": 1, "message": "new category", "idempotency_key": "outage-1", "ops": [
      {"op": "insert", "kind": "category", "id": "books", "text": "category books { name \"Books\" }"}]})";

  // Tokens seen before the outage keep working through it.
  ASSERT_EQ(s.call("GET", "/v1/head", s.tokens().reader).status, 200);
  ASSERT_EQ(s.call("GET", "/v1/head", s.tokens().editor).status, 200);
  ASSERT_TRUE(cluster->stop());
  auto down = wait_for(s, "/readyz", [](const HttpResponse& r) {
    return r.status == 200 && json::parse(r.body)["store"]["reachable"] == false;
  });
  ASSERT_EQ(down.status, 200) << "evaluations go on: still ready";
  auto ready = json::parse(down.body);
  EXPECT_EQ(ready["store"]["reachable"], false) << down.body;
  EXPECT_TRUE(ready["store"]["since"].is_string()) << down.body;
  auto metrics = s.call("GET", "/metrics", "");
  EXPECT_NE(metrics.body.find("paydomain_store_up 0"), std::string::npos);
  auto eval = s.call("POST", "/v1/revisions/head/evaluate", s.tokens().reader, kContext);
  EXPECT_EQ(eval.status, 200) << eval.body;
  auto refused = s.call("POST", "/v1/commits", s.tokens().editor, commit_body);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_NE(json::parse(refused.body)["error"]["message"].get<std::string>().find("PostgreSQL unreachable"), std::string::npos)
      << refused.body;

  ASSERT_TRUE(cluster->start());
  auto up = wait_for(s, "/readyz", [](const HttpResponse& r) {
    return r.status == 200 && json::parse(r.body)["store"]["reachable"] == true;
  });
  EXPECT_EQ(json::parse(up.body)["store"]["reachable"], true) << up.body;
  EXPECT_NE(s.call("GET", "/metrics", "").body.find("paydomain_store_up 1"), std::string::npos);
  auto commit = s.call("POST", "/v1/commits", s.tokens().editor, commit_body);
  EXPECT_EQ(commit.status, 201) << commit.body;
  EXPECT_EQ(s.terminate(), 0) << s.log();
}

// What a replica keeps in memory is never needed for correctness: a keyed
// commit retried on another replica is answered with the revision the
// first made (one revision, the retry marked replayed), and a token made
// through one replica works on the other until it is revoked through either.
TEST(Replicas, IdempotencyKeysAndTokensHoldAcrossReplicas) {
  std::string why;
  auto* cluster = PgCluster::shared(&why);
  ASSERT_NE(cluster, nullptr) << why;
  std::string url = cluster->create_database();
  ServerProcess a("", url);
  ServerProcess b("", url);

  const char* keyed = R"({"base": 1, "message": "new category", "idempotency_key": "retry-me", "ops": [
      {"op": "insert", "kind": "category", "id": "books", "text": "category books { name \"Books\" }"}]})";
  auto first = a.call("POST", "/v1/commits", a.tokens().editor, keyed);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(json::parse(first.body)["replayed"], false);
  auto retried = b.call("POST", "/v1/commits", b.tokens().editor, keyed);
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(json::parse(retried.body)["revision"], json::parse(first.body)["revision"]);
  EXPECT_EQ(json::parse(retried.body)["replayed"], true);
  auto head = b.call("GET", "/v1/head", b.tokens().reader);
  EXPECT_EQ(json::parse(head.body)["revision"], json::parse(first.body)["revision"]) << "one revision, not two";
  // The same key with another commit is refused on any replica.
  std::string other = keyed;
  other.replace(other.find("new category"), 12, "another one!");
  EXPECT_EQ(a.call("POST", "/v1/commits", a.tokens().editor, other).status / 100, 4);

  auto made = a.call("POST", "/v1/tokens", a.tokens().admin, R"({"role": "reader", "name": "temp"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string token = json::parse(made.body)["token"];
  int64_t id = json::parse(made.body)["id"];
  EXPECT_EQ(b.call("GET", "/v1/head", token).status, 200);
  auto revoked = b.call("DELETE", "/v1/tokens/" + std::to_string(id), b.tokens().admin);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(b.call("GET", "/v1/head", token).status, 401) << "at once on the replica that revoked it";
  // On the other replica within its token cache's lifetime (bounded wait).
  int status = 0;
  for (int i = 0; i < 600 && status != 401; ++i) {
    status = a.call("GET", "/v1/head", token).status;
    if (status != 401) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 401);
  EXPECT_EQ(a.terminate(), 0) << a.log();
  EXPECT_EQ(b.terminate(), 0) << b.log();
}

}  // namespace
}  // namespace paydomain::testing
