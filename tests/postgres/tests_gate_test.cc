// The tests gate of a commit, on both backends: a gate's failures refuse
// the commit (nothing written), an override reason lets it through and is
// recorded in the revision (every read path and `copy` carry it), a passing
// gate drops the reason; and a store of the schema before the reason column
// migrates. The gate here is a stand-in that fails while a terminal named
// "broken" exists: the store's contract does not depend on what a gate runs
// (the real one, server/tests_gate.h, is tested through the CLI and HTTP).
#include <libpq-fe.h>

#include "domain_store/copy.h"
#include "domain_store/operations.h"
#include "domain_store/postgres/pg_schema.h"
#include "tests/postgres/backends.h"

namespace paydomain::store::testing {
namespace {

class TestsGateStore : public Backends {};

// Fails two tests while terminal "broken" exists, and makes an artifact
// either way; counts its calls.
TestsGating gating(std::optional<std::string> allow = std::nullopt, int* calls = nullptr) {
  RevisionBuilder build = [calls](Rev rev, const std::vector<StoredObject>& objects) {
    if (calls) ++*calls;
    RevisionBuild out;
    out.artifact = StoredArtifact{rev, 1, 1, "sources", "artifact of " + std::to_string(rev)};
    for (const auto& o : objects) {
      if (o.key == ObjectKey{dsl::ObjectKind::Terminal, "broken"}) {
        out.failing_tests.push_back({"zeta pays", {"line 3: expected x, got y"}});
        out.failing_tests.push_back({"alpha pays", {"line 4: expected route a, got route broken"}});
      }
    }
    return out;
  };
  return TestsGating{build, std::move(allow)};
}

TEST_P(TestsGateStore, FailingTestsRefuseTheCommitAndWriteNothing) {
  auto store = seeded();
  ASSERT_TRUE(store);
  int calls = 0;
  auto r = store->commit(request(1, {insert("terminal:broken", terminal_text("broken"))}), gating(std::nullopt, &calls));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(calls, 1) << "the gate saw the resulting domain once";
  EXPECT_EQ(r.error().code, ErrorCode::TestsFailed);
  ASSERT_EQ(r.error().failing_tests.size(), 2u);
  EXPECT_EQ(r.error().failing_tests[0].name, "alpha pays") << "sorted by name";
  EXPECT_EQ(r.error().failing_tests[1].failures, std::vector<std::string>{"line 3: expected x, got y"});
  EXPECT_NE(r.error().message.find("2 test(s) fail"), std::string::npos) << r.error().message;
  EXPECT_EQ(*store->head(), 1);
  // The gate ran on the revision's rows inside the transaction: rolled
  // back, they left no trace, nor did its artifact, in the database or the
  // store's cached head: the next commit (a passing one) is revision 2
  // again and does not contain it.
  ASSERT_OK(store->commit(request(1, {insert("terminal:fine", terminal_text("fine"))}), gating(std::nullopt, &calls)));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(*store->head(), 2);
  EXPECT_FALSE(store->checkout_object(2, key("terminal:broken")).ok());
  EXPECT_FALSE(store->revision(2)->failing_tests_allowed.has_value());
  auto artifact = store->artifact(2, 1, 1);
  ASSERT_OK(artifact);
  ASSERT_TRUE(artifact->has_value());
  EXPECT_EQ((*artifact)->bytes, "artifact of 2") << "the passing commit's artifact, not the refused one's";
}

TEST_P(TestsGateStore, AnOverrideIsRecordedAndReadEverywhere) {
  auto store = seeded();
  ASSERT_TRUE(store);
  auto r = store->commit(request(1, {insert("terminal:broken", terminal_text("broken"))}), gating("hotfix, INC-42"));
  ASSERT_OK(r);
  EXPECT_EQ(r->revision.failing_tests_allowed, "hotfix, INC-42");
  EXPECT_EQ(store->revision(2)->failing_tests_allowed, "hotfix, INC-42");
  auto log = store->revisions_before(-1, 10);
  ASSERT_OK(log);
  EXPECT_EQ((*log)[0].failing_tests_allowed, "hotfix, INC-42");
  EXPECT_FALSE((*log)[1].failing_tests_allowed.has_value());
  auto after = store->revisions_after(1, 10);
  ASSERT_OK(after);
  EXPECT_EQ((*after)[0].failing_tests_allowed, "hotfix, INC-42");
  auto history = store->object_history(key("terminal:broken"), -1, 10);
  ASSERT_OK(history);
  EXPECT_EQ((*history)[0].revision.failing_tests_allowed, "hotfix, INC-42");

  // `copy` carries it verbatim, and the content hash covers it.
  std::string there = other_backend_location();
  ASSERT_OK(copy_store(location(), there));
  auto copied = open_store(there);
  ASSERT_OK(copied);
  EXPECT_EQ((*copied)->revision(2)->failing_tests_allowed, "hotfix, INC-42");
  EXPECT_EQ(*revision_content_hash(*store, 2), *revision_content_hash(**copied, 2));
}

TEST_P(TestsGateStore, AReasonIsDroppedWhenTestsPassAndMustNotBeBlank) {
  auto store = seeded();
  ASSERT_TRUE(store);
  auto r = store->commit(request(1, {insert("terminal:fine", terminal_text("fine"))}), gating("just in case"));
  ASSERT_OK(r);
  EXPECT_FALSE(r->revision.failing_tests_allowed.has_value()) << "no test failed: nothing was allowed";
  auto blank = store->commit(request(2, {insert("terminal:broken", terminal_text("broken"))}), gating("  "));
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().code, ErrorCode::InvalidArgument);
}

TEST_P(TestsGateStore, RevertAndRestoreAreGatedToo) {
  auto store = seeded();
  ASSERT_TRUE(store);
  // 2 adds "broken" (allowed), 3 removes it; reverting 3 brings it back.
  ASSERT_OK(store->commit(request(1, {insert("terminal:broken", terminal_text("broken"))}), gating("known")));
  ASSERT_OK(store->commit(request(2, {remove("terminal:broken")}), gating()));
  auto revert = revert_revision(*store, 3, CommitMeta{"ops", "revert 3", std::nullopt}, gating());
  ASSERT_FALSE(revert.ok());
  EXPECT_EQ(revert.error().code, ErrorCode::TestsFailed);
  auto restore = restore_revision(*store, 2, CommitMeta{"ops", "back to 2", std::nullopt}, gating());
  ASSERT_FALSE(restore.ok());
  EXPECT_EQ(restore.error().code, ErrorCode::TestsFailed);
  auto allowed = revert_revision(*store, 3, CommitMeta{"ops", "revert 3", std::nullopt}, gating("roll back INC-7"));
  ASSERT_OK(allowed);
  EXPECT_EQ(store->revision(4)->failing_tests_allowed, "roll back INC-7");
}

// A store written before the reason column existed opens (migrating) with
// its revisions intact, and then records reasons.
// PostgreSQL only: SQLite's migration is tested in
// tests/domain_store/tests_gate_test.cc (its version 1 is made differently).
class TestsGatePgMigration : public Backends {};

TEST_P(TestsGatePgMigration, AStoreOfTheOlderSchemaMigrates) {
  // Schema version 1 exactly as it shipped, by hand.
  PGconn* c = PQconnectdb(location().c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  std::string script = std::string("CREATE TABLE paydomain_meta(key text PRIMARY KEY, value text NOT NULL);"
                                   "INSERT INTO paydomain_meta VALUES ('application', 'paydomain'), ('schema_version', '1');") +
                       pg::migrations()[0].sql;
  PGresult* res = PQexec(c, script.c_str());
  EXPECT_EQ(PQresultStatus(res), PGRES_COMMAND_OK) << PQresultErrorMessage(res);
  PQclear(res);
  PQfinish(c);

  auto store = open_store(location());
  ASSERT_OK(store);
  auto empty = (*store)->revision(0);
  ASSERT_OK(empty);
  EXPECT_EQ(empty->message, "empty domain");
  EXPECT_FALSE(empty->failing_tests_allowed.has_value());
  seed(**store);
  ASSERT_OK((*store)->commit(request(1, {insert("terminal:broken", terminal_text("broken"))}), gating("after migrating")));
  EXPECT_EQ((*store)->revision(2)->failing_tests_allowed, "after migrating");
  auto fsck = (*store)->fsck(FsckOptions{});
  ASSERT_OK(fsck);
  EXPECT_TRUE(fsck->ok());
}

PAYDOMAIN_ALL_BACKENDS(TestsGateStore);
INSTANTIATE_TEST_SUITE_P(, TestsGatePgMigration, ::testing::Values(Backend::Postgres), backend_name);

}  // namespace
}  // namespace paydomain::store::testing
