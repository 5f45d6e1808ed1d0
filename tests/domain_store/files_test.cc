// Foreign, corrupted and newer-schema files; fsck finding broken invariants.
#include <sqlite3.h>

#include <filesystem>
#include <random>

#include "tests/domain_store/util.h"

namespace paydomain::store::testing {
namespace {

// Runs SQL on the file directly, behind the store's back.
void raw_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(Files, ATextFileIsNotAStore) {
  TempDir dir;
  std::string junk;
  for (int i = 0; i < 300; ++i) junk += "this is not a database, just text\n";
  write_file(dir.file("x.db"), junk);
  auto s = open_sqlite_store(dir.file("x.db"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::NotAStore) << s.error().message;
  EXPECT_EQ(read_file(dir.file("x.db")), junk) << "a foreign file is never written";
  EXPECT_FALSE(init_sqlite_store(dir.file("x.db")).ok());
}

TEST(Files, AnotherApplicationsDatabaseIsNotAStore) {
  TempDir dir;
  raw_sql(dir.file("other.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
  auto s = open_sqlite_store(dir.file("other.db"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::NotAStore);
  EXPECT_NE(s.error().message.find("another application"), std::string::npos) << s.error().message;
  EXPECT_FALSE(std::filesystem::exists(dir.file("other.db-wal"))) << "journal mode untouched";
}

TEST(Files, EmptyFilesAndDirectories) {
  TempDir dir;
  write_file(dir.file("empty.db"), "");
  auto s = open_sqlite_store(dir.file("empty.db"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::NotAStore);
  EXPECT_OK(init_sqlite_store(dir.file("empty.db"))) << "init may use an empty file";
  EXPECT_FALSE(open_sqlite_store(dir.path()).ok());
}

TEST(Files, ANewerSchemaIsRefused) {
  TempDir dir;
  { ASSERT_TRUE(seeded_store(dir.file("s.db"))); }
  raw_sql(dir.file("s.db"), "PRAGMA user_version = " + std::to_string(sqlite_schema_version() + 1));
  auto s = open_sqlite_store(dir.file("s.db"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::SchemaTooNew);
  EXPECT_NE(s.error().message.find("newer"), std::string::npos);
}

TEST(Files, ACorruptedFileGivesErrorsNeverACrash) {
  TempDir dir;
  {
    auto store = seeded_store(dir.file("s.db"));
    ASSERT_TRUE(store);
    for (int i = 0; i < 30; ++i) {
      auto n = "c" + std::to_string(i);
      ASSERT_OK(store->commit(request(1 + i, {insert("terminal:" + n, terminal_text(n, "description \"" + std::string(300, 'x') + "\" "))})));
    }
  }
  std::string bytes = read_file(dir.file("s.db"));
  ASSERT_GT(bytes.size(), 8192u);
  // Overwrite everything after the first page with a pattern.
  for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 7) & 0xff);
  write_file(dir.file("s.db"), bytes);
  auto s = open_sqlite_store(dir.file("s.db"));
  if (!s.ok()) {
    EXPECT_TRUE(s.error().code == ErrorCode::Corrupt || s.error().code == ErrorCode::NotAStore) << s.error().message;
    return;
  }
  // Whatever still opens answers with errors or a failing fsck.
  (void)(*s)->head();
  (void)(*s)->checkout(5);
  (void)(*s)->changes(1, 20);
  (void)(*s)->commit(request(31, {insert("terminal:z", terminal_text("z"))}));
  auto report = (*s)->fsck(FsckOptions{});
  EXPECT_TRUE(!report.ok() || !report->ok());
}

TEST(Files, RandomlyDamagedFilesNeverCrash) {
  TempDir dir;
  {
    auto store = seeded_store(dir.file("s.db"));
    ASSERT_TRUE(store);
    for (int i = 0; i < 10; ++i) {
      auto n = "d" + std::to_string(i);
      ASSERT_OK(store->commit(request(1 + i, {insert("terminal:" + n, terminal_text(n))})));
    }
  }
  const std::string clean = read_file(dir.file("s.db"));
  std::mt19937 rng(99);
  int refused = 0;
  for (int round = 0; round < 40; ++round) {
    std::string bytes = clean;
    // Flip bytes anywhere, header included, so every layer sees damage.
    for (int k = 0; k < 1 + round % 8; ++k) bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    std::string path = dir.file("d" + std::to_string(round) + ".db");
    write_file(path, bytes);
    auto s = open_sqlite_store(path);
    if (!s.ok()) {
      ++refused;
      continue;
    }
    (void)(*s)->head();
    (void)(*s)->revisions_after(0, 100);
    (void)(*s)->checkout(5);
    (void)(*s)->changes(0, 11);
    (void)(*s)->object_history(key("terminal:d3"), -1, 10);
    (void)(*s)->commit(request(11, {insert("terminal:z", terminal_text("z"))}));
    auto report = (*s)->fsck(FsckOptions{});
    if (!report.ok() || !report->ok()) ++refused;
  }
  EXPECT_GT(refused, 0) << "some damage must be noticed";
}

TEST(Files, TruncatedFileGivesAnError) {
  TempDir dir;
  { ASSERT_TRUE(seeded_store(dir.file("s.db"))); }
  std::string bytes = read_file(dir.file("s.db"));
  write_file(dir.file("s.db"), bytes.substr(0, 50));
  auto s = open_sqlite_store(dir.file("s.db"));
  ASSERT_FALSE(s.ok());
}

TEST(Fsck, CleanStoreAndEachBrokenInvariant) {
  TempDir dir;
  {
    auto store = seeded_store(dir.file("s.db"));
    ASSERT_TRUE(store);
    ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a"))})));
    ASSERT_OK(store->commit(request(2, {update("terminal:a", terminal_text("a", "disabled "))})));
    auto report = store->fsck(FsckOptions{});
    ASSERT_OK(report);
    EXPECT_TRUE(report->ok());
    EXPECT_EQ(report->head, 3);
    EXPECT_EQ(report->revisions, 4);
    EXPECT_EQ(report->objects, 12);
    EXPECT_EQ(report->revisions_checked, 3);
  }
  auto broken_by = [&](const std::string& sql) {
    TempDir copy;
    std::filesystem::copy_file(dir.file("s.db"), copy.file("s.db"));
    raw_sql(copy.file("s.db"), sql);
    auto store = open_sqlite_store(copy.file("s.db"));
    EXPECT_OK(store);
    if (!store.ok()) return std::string("open failed");
    auto report = (*store)->fsck(FsckOptions{});
    EXPECT_OK(report);
    if (!report.ok() || report->ok()) return std::string("clean");
    return report->problems[0];
  };
  EXPECT_NE(broken_by("DELETE FROM ops WHERE rev = 2; DELETE FROM object_versions WHERE rev_from = 2;"
                      "UPDATE object_versions SET rev_from = 3 WHERE rev_from = 3; DELETE FROM revisions WHERE rev = 2"),
            "clean");
  EXPECT_NE(broken_by("UPDATE object_versions SET rev_to = 9223372036854775807 WHERE rev_to = 3"), "clean");
  EXPECT_NE(broken_by("DELETE FROM ops WHERE rev = 3"), "clean");
  EXPECT_NE(broken_by("UPDATE object_versions SET text = 'terminal a { provider nobank }' WHERE rev_from = 3"), "clean");
  EXPECT_NE(broken_by("UPDATE object_versions SET text = 'not the language' WHERE rev_from = 3"), "clean");
}

}  // namespace
}  // namespace paydomain::store::testing
