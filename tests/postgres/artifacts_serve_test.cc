// Replicas on one PostgreSQL database and the artifacts stored with the
// revisions (docs/store.md, "Compiled artifacts"): a replica serves a
// revision from its stored artifact without compiling (the compile counter
// of /metrics stays 0), a damaged stored artifact is refused, compiled again
// (same answers) and replaced, one of an older format minor is replaced, and
// a writer killed -9 in the middle of commits leaves every revision with a
// whole artifact of its own.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "domain_store/store_factory.h"
#include "domain_store/working_copy.h"
#include "evaluator/program.h"
#include "tests/postgres/cluster.h"
#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

const char* kContext = R"({"amount": {"amount": 600000, "currency": "RUB"}, "tariff": "standard", "category": "retail",
  "payment_tool": {"kind": "bank_card", "payment_system": "mastercard"}, "risk": "low", "payment_key": "k"})";

// A counter of the replica's /metrics.
long metric(ServerProcess& s, const std::string& name) {
  std::string body = s.call("GET", "/metrics", "").body;
  size_t at = body.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stol(body.substr(at + name.size() + 2));
}

void sql(const std::string& url, const std::string& statement) {
  PGconn* c = PQconnectdb(url.c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PGresult* r = PQexec(c, statement.c_str());
  EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
}

std::string evaluate(ServerProcess& s, int rev) {
  auto r = s.call("POST", "/v1/revisions/" + std::to_string(rev) + "/evaluate?explain=true", s.tokens().reader, kContext);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.body;
}

std::string commit_category(ServerProcess& s, int base, const std::string& id) {
  auto r = s.call("POST", "/v1/commits", s.tokens().editor,
                  R"({"base": )" + std::to_string(base) + R"(, "message": "category", "ops": [{"op": "insert",
                      "kind": "category", "id": ")" + id + R"(", "text": "category )" + id + R"( { }"}]})");
  EXPECT_EQ(r.status, 201) << r.body;
  return r.body;
}

constexpr uint16_t kMajor = evaluator::pdc::kFormatMajor, kMinor = evaluator::pdc::kFormatMinor;

TEST(StoredArtifacts, AReplicaServesRevisionsFromTheirStoredArtifactsWithoutCompiling) {
  std::string why;
  auto* cluster = PgCluster::shared(&why);
  ASSERT_NE(cluster, nullptr) << why;
  std::string url = cluster->create_database();
  ServerProcess a("", url);  // `paydomain init` stored revision 1's artifact with it
  EXPECT_EQ(metric(a, "paydomain_revision_compiles_total"), 0) << a.log();
  EXPECT_EQ(metric(a, "paydomain_artifact_loads_total"), 1);
  commit_category(a, 1, "books");  // revision 2, its artifact in the same transaction

  ServerProcess b("", url);
  EXPECT_EQ(evaluate(b, 2), evaluate(a, 2));
  EXPECT_EQ(evaluate(b, 1), evaluate(a, 1));
  EXPECT_EQ(metric(b, "paydomain_revision_compiles_total"), 0) << b.log();
  EXPECT_EQ(metric(b, "paydomain_artifact_loads_total"), 2);
  EXPECT_EQ(metric(a, "paydomain_revision_compiles_total"), 0) << "the writer loads its own new head too";
  // The artifact served is the stored one.
  auto stored = store::open_store(url);
  ASSERT_TRUE(stored.ok());
  auto artifact = (*stored)->artifact(2, kMajor, kMinor);
  ASSERT_TRUE(artifact.ok() && artifact->has_value());
  auto served = b.call("GET", "/v1/revisions/2/compiled", b.tokens().reader);
  ASSERT_EQ(served.status, 200);
  EXPECT_EQ(served.body, (*artifact)->bytes);
  EXPECT_EQ(a.terminate(), 0) << a.log();
  EXPECT_EQ(b.terminate(), 0) << b.log();
}

TEST(StoredArtifacts, ADamagedArtifactIsCompiledAgainAndAnOlderMinorIsReplaced) {
  std::string why;
  auto* cluster = PgCluster::shared(&why);
  ASSERT_NE(cluster, nullptr) << why;
  std::string url = cluster->create_database();
  ServerProcess a("", url);
  commit_category(a, 1, "books");
  const std::string answer = evaluate(a, 2);
  auto stored = store::open_store(url);
  ASSERT_TRUE(stored.ok());
  const std::string good = (**(*stored)->artifact(2, kMajor, kMinor)).bytes;

  // One byte flipped in the database.
  sql(url, "UPDATE artifacts SET bytes = set_byte(bytes, 300, get_byte(bytes, 300) # 1) WHERE rev = 2");
  {
    ServerProcess c("", url);
    EXPECT_EQ(evaluate(c, 2), answer);
    EXPECT_EQ(metric(c, "paydomain_artifact_rejects_total"), 1) << c.log();
    EXPECT_EQ(metric(c, "paydomain_revision_compiles_total"), 1);
    EXPECT_EQ(metric(c, "paydomain_artifacts_stored_total"), 1);
    EXPECT_NE(c.log().find("the stored artifact of revision 2 is refused (checksum mismatch"), std::string::npos)
        << c.log();
  }
  EXPECT_EQ((**(*stored)->artifact(2, kMajor, kMinor)).bytes, good) << "replaced by the compiled one";

  // Written by a reader of an older major (1.4, before the flat layout of
  // 2.0): not this reader's format, so compiled; the 1.4 row stays for the
  // replicas still reading it.
  sql(url, "UPDATE artifacts SET format_major = format_major - 1, format_minor = 4 WHERE rev = 2");
  {
    ServerProcess d("", url);
    EXPECT_EQ(evaluate(d, 2), answer);
    EXPECT_EQ(metric(d, "paydomain_revision_compiles_total"), 1) << d.log();
    EXPECT_EQ(metric(d, "paydomain_artifact_rejects_total"), 0);
  }
  EXPECT_TRUE((*stored)->artifact(2, kMajor, kMinor)->has_value());
  EXPECT_TRUE((*stored)->artifact(2, kMajor - 1, 4)->has_value()) << "another major stays";
  ServerProcess e("", url);
  EXPECT_EQ(evaluate(e, 2), answer);
  EXPECT_EQ(metric(e, "paydomain_revision_compiles_total"), 0) << e.log();
}

TEST(StoredArtifacts, AWriterKilledMidCommitLeavesEveryRevisionWithAWholeArtifact) {
  std::string why;
  auto* cluster = PgCluster::shared(&why);
  ASSERT_NE(cluster, nullptr) << why;
  std::string url = cluster->create_database();
  auto writer = std::make_unique<ServerProcess>("", url);
  const uint16_t port = writer->port();
  const std::string editor = writer->tokens().editor;
  std::atomic<int> committed{0};
  // Commits one after another until the writer is gone.
  std::thread committer([&] {
    try {
      HttpClient client(port, std::chrono::seconds(30));
      for (int i = 0;; ++i) {
        std::string body = R"({"base": )" + std::to_string(1 + i) +
                           R"(, "message": "c", "ops": [{"op": "insert", "kind": "category", "id": "c)" +
                           std::to_string(i) + R"(", "text": "category c)" + std::to_string(i) + R"( { }"}]})";
        auto r = client.request("POST", "/v1/commits", body, {{"Authorization", "Bearer " + editor}});
        if (r.status != 201) return;
        ++committed;
      }
    } catch (const std::exception&) {
      // the writer was killed
    }
  });
  while (committed.load() < 5) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(writer->pid(), SIGKILL);  // most likely inside a commit: they follow each other without a pause
  committer.join();
  writer->terminate();

  auto stored = store::open_store(url);
  ASSERT_TRUE(stored.ok());
  auto head = (*stored)->head();
  ASSERT_TRUE(head.ok());
  ASSERT_GE(*head, 6);
  for (store::Rev rev = 1; rev <= *head; ++rev) {
    auto a = (*stored)->artifact(rev, kMajor, kMinor);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(a->has_value()) << "revision " << rev << " has no artifact";
    auto objects = (*stored)->checkout(rev);
    ASSERT_TRUE(objects.ok());
    const std::string hash = store::sources_hash(store::working_copy_files(*objects));
    EXPECT_EQ((*a)->source_hash, hash);
    auto p = evaluator::Program::load((*a)->bytes);
    ASSERT_TRUE(p.ok()) << "revision " << rev << ": " << p.error().message;
    EXPECT_EQ((*p)->revision(), static_cast<uint64_t>(rev));
    EXPECT_EQ((*p)->source_hash(), hash);
  }
  // And a replica started now serves head without compiling.
  ServerProcess next("", url);
  EXPECT_EQ(metric(next, "paydomain_revision_compiles_total"), 0) << next.log();
}

}  // namespace
}  // namespace paydomain::testing
