// Three replicas on one PostgreSQL under chaos: four committers spread over
// the replicas while evaluations run on all three; a replica is killed -9
// and restarted; PostgreSQL stops for a while and starts again. Afterwards:
// revisions dense, every acknowledged commit present with its exact
// content, no evaluation error, writes refused only with 503 during the
// outage, fsck clean. PAYDOMAIN_CHAOS_SECONDS sets the length (default 8;
// the outage lasts a third of it, at most 5 s).
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "domain_store/store_factory.h"
#include "tests/postgres/cluster.h"
#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

const char* kContext = R"({"amount": {"amount": 600000, "currency": "RUB"}, "tariff": "standard", "category": "retail",
  "payment_tool": {"kind": "bank_card", "payment_system": "mastercard"}, "risk": "low", "payment_key": "k"})";

int chaos_seconds() {
  if (const char* s = std::getenv("PAYDOMAIN_CHAOS_SECONDS")) return std::max(3, std::atoi(s));
  return 8;
}

// The replicas' ports, replaced when one restarts.
struct Ports {
  std::mutex mu;
  std::vector<uint16_t> ports;
  uint16_t at(size_t i) {
    std::lock_guard lock(mu);
    return ports[i % ports.size()];
  }
  void set(size_t i, uint16_t p) {
    std::lock_guard lock(mu);
    ports[i] = p;
  }
};

struct Tally {
  std::mutex mu;
  std::map<std::string, int64_t> acked;  // category id -> revision
  std::set<std::string> attempted;
  std::vector<std::string> errors;
  std::atomic<int> evaluations{0}, refused_writes{0};
  void error(const std::string& e) {
    std::lock_guard lock(mu);
    if (errors.size() < 20) errors.push_back(e);
  }
};

std::string category_text(const std::string& id) { return "category " + id + " { name \"Chaos " + id + "\" }"; }

// Committer c: inserts its own categories, one per commit, with an
// idempotency key; a refused or lost request is retried (same key) on the
// next replica until it is acknowledged.
void committer(int c, Ports& ports, const std::string& token, std::atomic<bool>& stop, Tally& t) {
  for (int i = 0; !stop.load(); ++i) {
    std::string id = "chaos_" + std::to_string(c) + "_" + std::to_string(i);
    {
      std::lock_guard lock(t.mu);
      t.attempted.insert(id);
    }
    json body = {{"base", 1}, {"message", "add " + id}, {"idempotency_key", "key-" + id},
                 {"ops", {{{"op", "insert"}, {"kind", "category"}, {"id", id}, {"text", category_text(id)}}}}};
    for (size_t replica = static_cast<size_t>(c + i);; ++replica) {
      // Give up on a commit only once the run is over and it still fails.
      if (stop.load() && replica > static_cast<size_t>(c + i) + 200) return;
      HttpResponse r;
      try {
        HttpClient client(ports.at(replica), std::chrono::seconds(30));
        r = client.request("POST", "/v1/commits", body.dump(), {{"Authorization", "Bearer " + token}});
      } catch (const std::exception&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a killed replica: try the next
        continue;
      }
      if (r.status == 201 || r.status == 200) {
        std::lock_guard lock(t.mu);
        t.acked[id] = json::parse(r.body)["revision"].get<int64_t>();
        break;
      }
      if (r.status == 503) {
        t.refused_writes.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      t.error("commit " + id + ": " + std::to_string(r.status) + " " + r.body);
      return;
    }
  }
}

// Evaluations on replica `replica` at head; every answer must be 200. A
// refused connection (the replica is being killed and restarted) is not an
// answer: the loop moves on to the replica's new port.
void evaluator(size_t replica, Ports& ports, const std::string& token, std::atomic<bool>& stop, Tally& t) {
  while (!stop.load()) {
    try {
      HttpClient client(ports.at(replica), std::chrono::seconds(30));
      while (!stop.load()) {
        auto r = client.request("POST", "/v1/revisions/head/evaluate", kContext, {{"Authorization", "Bearer " + token}});
        if (r.status != 200) {
          t.error("evaluate on replica " + std::to_string(replica) + ": " + std::to_string(r.status) + " " + r.body);
        } else {
          t.evaluations.fetch_add(1);
        }
      }
    } catch (const std::exception&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

TEST(Chaos, ThreeReplicasSurviveAKilledReplicaAndADatabaseOutage) {
  std::string why;
  auto* cluster = PgCluster::shared(&why);
  ASSERT_NE(cluster, nullptr) << why;
  const std::string url = cluster->create_database();
  const int seconds = chaos_seconds();
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int i = 0; i < 3; ++i) replicas.push_back(std::make_unique<ServerProcess>("", url));
  // Replica 0's tokens are used everywhere: tokens live in the database.
  const Tokens tokens = replicas[0]->tokens();
  Ports ports;
  for (auto& r : replicas) ports.ports.push_back(r->port());
  // Every replica has seen the tokens before the outage (cached through it).
  for (auto& r : replicas) {
    ASSERT_EQ(r->call("GET", "/v1/head", tokens.reader).status, 200);
    ASSERT_EQ(r->call("GET", "/v1/head", tokens.editor).status, 200);
  }

  Tally t;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < 4; ++c) threads.emplace_back(committer, c, std::ref(ports), tokens.editor, std::ref(stop), std::ref(t));
  for (size_t e = 0; e < 3; ++e) threads.emplace_back(evaluator, e, std::ref(ports), tokens.reader, std::ref(stop), std::ref(t));

  auto start = Clock::now();
  auto at = [&](double fraction) {
    std::this_thread::sleep_until(start + std::chrono::milliseconds(static_cast<int>(seconds * 1000 * fraction)));
  };
  // kill -9 replica 2 mid-run, and start a new one in its place.
  at(0.2);
  ::kill(replicas[2]->pid(), SIGKILL);
  replicas[2]->terminate();
  replicas[2] = std::make_unique<ServerProcess>("", url);
  ASSERT_EQ(replicas[2]->call("GET", "/v1/head", tokens.reader).status, 200);
  ASSERT_EQ(replicas[2]->call("GET", "/v1/head", tokens.editor).status, 200);
  ports.set(2, replicas[2]->port());
  // PostgreSQL away for a third of the run (at most 5 s).
  at(0.4);
  ASSERT_TRUE(cluster->stop());
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(5000, seconds * 1000 / 3)));
  ASSERT_TRUE(cluster->start());
  at(1.0);
  stop.store(true);
  for (auto& th : threads) th.join();

  printf("chaos: %zu commits acknowledged, %d writes refused with 503, %d evaluations\n", t.acked.size(),
         t.refused_writes.load(), t.evaluations.load());
  for (const auto& e : t.errors) ADD_FAILURE() << e;
  EXPECT_GT(t.evaluations.load(), 0);
  EXPECT_GT(t.refused_writes.load(), 0) << "the outage refused writes with 503";
  for (auto& r : replicas) EXPECT_EQ(r->terminate(), 0) << r->log();

  auto store = store::open_store(url);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto head = (*store)->head();
  ASSERT_TRUE(head.ok());
  EXPECT_GT(t.acked.size(), 4u);
  // Every acknowledged commit is its own revision with exactly its content.
  std::set<int64_t> acked_revs;
  for (const auto& [id, rev] : t.acked) {
    EXPECT_TRUE(acked_revs.insert(rev).second) << "revision " << rev << " acknowledged twice";
    auto ops = (*store)->revision_ops(rev);
    ASSERT_TRUE(ops.ok());
    ASSERT_EQ(ops->size(), 1u) << "revision " << rev;
    EXPECT_EQ((*ops)[0].key.id, id);
    auto object = (*store)->checkout_object(*head, (*ops)[0].key);
    ASSERT_TRUE(object.ok()) << id;
    EXPECT_NE(object->text.find("\"Chaos " + id + "\""), std::string::npos) << object->text;
  }
  // Nothing else: every revision after the seed is an attempted commit
  // (one whose answer was lost to the outage lands at most once).
  for (store::Rev rev = 2; rev <= *head; ++rev) {
    auto info = (*store)->revision(rev);
    ASSERT_TRUE(info.ok());
    ASSERT_TRUE(info->idempotency_key.has_value());
    EXPECT_TRUE(t.attempted.count(info->idempotency_key->substr(4))) << *info->idempotency_key;
  }
  auto report = (*store)->fsck(store::FsckOptions{false});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->revisions, *head + 1) << "dense";
}

}  // namespace
}  // namespace paydomain::testing
