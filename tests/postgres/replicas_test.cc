// `paydomain serve` replicas on one PostgreSQL database: a commit through
// one replica (or the CLI) wakes the long-polls of another, which then
// evaluates the new revision.
#include <gtest/gtest.h>

#include <future>
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

}  // namespace
}  // namespace paydomain::testing
