// A SQLite store of the schema before the tests gate's reason column (schema
// version 1, as it shipped) migrates on open: its revisions read as before,
// and new revisions record an override reason. (The gate's semantics on both
// backends: tests/postgres/tests_gate_test.cc.)
#include <sqlite3.h>

#include "domain_store/sqlite/schema.h"
#include "domain_store/working_copy.h"
#include "tests/domain_store/util.h"

namespace paydomain::store::testing {
namespace {

TEST(TestsGateMigration, AnOldSqliteStoreMigratesAndRecordsReasons) {
  TempDir dir;
  const std::string path = dir.file("old.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::string script = std::string(sqlite::migrations()[0].sql) + "PRAGMA application_id=" +
                         std::to_string(sqlite::kApplicationId) + "; PRAGMA user_version=1;";
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, script.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  auto store = open_sqlite_store(path);
  ASSERT_OK(store);
  auto empty = (*store)->revision(0);
  ASSERT_OK(empty);
  EXPECT_EQ(empty->message, "empty domain");
  EXPECT_FALSE(empty->failing_tests_allowed.has_value());

  ASSERT_OK(commit_sources(**store, {dsl::SourceFile{"/wc/domain.pd", kSampleDomain}}, "/wc", request(0, {}, "seed")));
  RevisionBuilder failing = [](Rev, const std::vector<StoredObject>&) {
    return RevisionBuild{{{"a test", {"line 2: differs"}}}, std::nullopt};
  };
  auto refused = (*store)->commit(request(1, {insert("terminal:x", terminal_text("x"))}), TestsGating{failing, std::nullopt});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::TestsFailed);
  ASSERT_OK((*store)->commit(request(1, {insert("terminal:x", terminal_text("x"))}), TestsGating{failing, "known, INC-1"}));
  store->reset();
  auto reopened = open_sqlite_store(path);
  ASSERT_OK(reopened);
  EXPECT_EQ((*reopened)->revision(2)->failing_tests_allowed, "known, INC-1");
  EXPECT_FALSE((*reopened)->revision(1)->failing_tests_allowed.has_value());
}

}  // namespace
}  // namespace paydomain::store::testing
