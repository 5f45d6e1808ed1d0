// The SQLite wrappers of the store (domain_store/sqlite/db.h): a statement's
// steps come back as values, a failing step as the store Error, never as an
// out-parameter to check afterwards.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "domain_store/sqlite/db.h"

namespace paydomain::store::sqlite {
namespace {

std::unique_ptr<Db> open_temp() {
  auto path = std::filesystem::temp_directory_path() / ("pd_stmt_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  auto db = Db::open(path.string(), true, 1000);
  EXPECT_TRUE(db.ok());
  std::filesystem::remove(path);  // the open connection keeps the file alive
  return std::move(*db);
}

TEST(SqliteStmt, StepsAreRowsThenDone) {
  auto db = open_temp();
  auto st = db->prepare("SELECT 1 UNION ALL SELECT 2");
  ASSERT_TRUE(st.ok());
  std::vector<int64_t> rows;
  Result<bool> row = false;
  while ((row = st->step()) && *row) rows.push_back(st->i64(0));
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(rows, (std::vector<int64_t>{1, 2}));
}

TEST(SqliteStmt, AFailingStepIsTheError) {
  auto db = open_temp();
  // Integer overflow is found while stepping, not when preparing.
  auto st = db->prepare("SELECT abs(-9223372036854775807 - 1)");
  ASSERT_TRUE(st.ok());
  auto row = st->step();
  ASSERT_FALSE(row.ok());
  EXPECT_EQ(row.error().code, ErrorCode::Internal);
  EXPECT_NE(row.error().message.find("query failed: integer overflow"), std::string::npos) << row.error().message;
  // run() and scalar() pass the same error on.
  auto again = db->prepare("SELECT abs(-9223372036854775807 - 1)");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->run().ok());
  EXPECT_FALSE(db->scalar("SELECT abs(-9223372036854775807 - 1)").ok());
  EXPECT_EQ(*db->scalar("SELECT 42"), 42);
  EXPECT_EQ(*db->scalar("SELECT 1 WHERE 0"), 0);
}

}  // namespace
}  // namespace paydomain::store::sqlite
