// What only the PostgreSQL backend has: database identity and schema
// versions, the token table, LISTEN/NOTIFY head following, and surviving
// the database going away and coming back.
#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "domain_store/postgres_store.h"
#include "domain_store/token_store.h"
#include "tests/postgres/backends.h"
#include "tests/postgres/cluster.h"

namespace paydomain::store::testing {
namespace {

using paydomain::testing::PgCluster;

class Postgres : public Backends {};

// Runs SQL on the database at `url` outside the store; "" or the error.
std::string sql(const std::string& url, const std::string& text) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, text.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return error;
}

TEST_P(Postgres, EmptyForeignAndNewerDatabasesAreRefused) {
  auto empty = open_store(location());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::NotAStore) << empty.error().message;

  std::string foreign = fresh_location();
  ASSERT_EQ(sql(foreign, "CREATE TABLE invoices(id int)"), "");
  auto other = open_store(foreign);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::NotAStore);
  auto init_there = init_store(foreign);
  ASSERT_FALSE(init_there.ok()) << "init never writes into a database of something else";
  EXPECT_EQ(init_there.error().code, ErrorCode::NotAStore);

  ASSERT_TRUE(init());
  ASSERT_EQ(sql(location(), "UPDATE paydomain_meta SET value = '99' WHERE key = 'schema_version'"), "");
  auto newer = open_store(location());
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code, ErrorCode::SchemaTooNew);
}

TEST_P(Postgres, PasswordsStayOutOfMessages) {
  auto s = open_store("postgresql://ann:sekrit@127.0.0.1:1/x?connect_timeout=2");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::Io);
  EXPECT_EQ(s.error().message.find("sekrit"), std::string::npos) << s.error().message;
  EXPECT_EQ(store_display_name("postgresql://ann:sekrit@db/x"), "postgresql://ann:***@db/x");
  EXPECT_EQ(store_display_name("postgresql:///x?password=sekrit&host=h"), "postgresql:///x?password=***&host=h");
}

TEST_P(Postgres, TokensLiveInTheDatabaseForEveryReplica) {
  ASSERT_TRUE(init());
  auto a = open_token_store(location());
  auto b = open_token_store(location());
  ASSERT_OK(a);
  ASSERT_OK(b);
  auto t = (*a)->create("editor", "anna");
  ASSERT_OK(t);
  EXPECT_EQ(t->token.rfind("pd_", 0), 0u);
  auto seen = (*b)->lookup(t->token);
  ASSERT_OK(seen);
  EXPECT_EQ(seen->name, "anna");
  EXPECT_EQ(seen->role, "editor");
  EXPECT_EQ((*a)->create("owner", "x").error().code, ErrorCode::InvalidArgument);
  ASSERT_OK((*b)->revoke(t->info.id));
  ASSERT_OK((*b)->revoke(t->info.id)) << "revoking twice is fine";
  EXPECT_EQ((*a)->lookup(t->token).error().code, ErrorCode::NotFound);
  EXPECT_EQ((*a)->revoke(99).error().code, ErrorCode::NotFound);
  auto list = (*a)->list();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].revoked_ms.has_value());
}

// With the poll an hour away, only the notification can wake the watch.
TEST_P(Postgres, NotifyWakesAWatchAtOnce) {
  auto a = seeded();
  ASSERT_TRUE(a);
  auto b = open();
  ASSERT_TRUE(b);
  std::mutex mu;
  std::condition_variable cv;
  Rev seen = 1;
  auto watch = watch_postgres_store(location(), [&] {
    auto h = b->head();
    std::lock_guard lock(mu);
    if (h && *h > seen) seen = *h;
    cv.notify_all();
  }, 3600 * 1000);
  ASSERT_OK(watch);
  ASSERT_OK(a->commit(request(1, {insert("terminal:w", terminal_text("w"))})));
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return seen == 2; })) << "no callback saw revision 2";
  lock.unlock();
  watch->reset();
}

TEST_P(Postgres, FsckFindsDamage) {
  auto store = seeded();
  ASSERT_TRUE(store);
  ASSERT_OK(store->commit(request(1, {insert("terminal:x", terminal_text("x"))})));
  auto clean = store->fsck(FsckOptions{});
  ASSERT_OK(clean);
  EXPECT_TRUE(clean->ok());
  EXPECT_EQ(clean->revisions, 3);
  EXPECT_EQ(clean->objects, 12);
  ASSERT_EQ(sql(location(), "DELETE FROM ops WHERE rev = 2"), "");
  auto damaged = store->fsck(FsckOptions{});
  ASSERT_OK(damaged);
  ASSERT_FALSE(damaged->ok());
  EXPECT_NE(damaged->problems[0].find("operation count"), std::string::npos) << damaged->problems[0];
}

// The database stops and starts again: operations fail with Io meanwhile
// (never a crash, never a hang), then work again on fresh connections,
// and a watch reconnects and reports commits made after the restart.
TEST_P(Postgres, SurvivesTheDatabaseRestarting) {
  auto store = seeded();
  ASSERT_TRUE(store);
  auto other = open();
  ASSERT_TRUE(other);
  std::mutex mu;
  std::condition_variable cv;
  Rev seen = 1;
  auto watch = watch_postgres_store(location(), [&] {
    auto h = store->head();
    std::lock_guard lock(mu);
    if (h && *h > seen) seen = *h;
    cv.notify_all();
  }, 3600 * 1000);
  ASSERT_OK(watch);
  ASSERT_OK(store->commit(request(1, {insert("terminal:before", terminal_text("before"))})));

  auto* cluster = PgCluster::shared();
  ASSERT_TRUE(cluster->stop());
  auto head = store->head();
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.error().code, ErrorCode::Io) << head.error().message;
  auto refused = store->commit(request(2, {insert("terminal:during", terminal_text("during"))}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::Io) << refused.error().message;
  ASSERT_TRUE(cluster->start());

  auto after = store->head();
  ASSERT_OK(after);
  EXPECT_EQ(*after, 2) << "the refused commit left nothing";
  ASSERT_OK(other->commit(request(2, {insert("terminal:after", terminal_text("after"))})));
  ASSERT_OK(store->commit(request(3, {insert("terminal:mine", terminal_text("mine"))})));
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return seen >= 4; }))
      << "the watch did not come back";
  lock.unlock();
  watch->reset();
  auto report = store->fsck(FsckOptions{});
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(, Postgres, ::testing::Values(Backend::Postgres), backend_name);

}  // namespace paydomain::store::testing
