// The CLI with --db postgresql://...: every store command, tokens, and
// `copy` to a SQLite file and back.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/postgres/cluster.h"
#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

class PostgresCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto* cluster = PgCluster::shared(&why);
    ASSERT_NE(cluster, nullptr) << why;
    url_ = cluster->create_database();
    ASSERT_FALSE(url_.empty());
    dir_ = std::filesystem::temp_directory_path() / ("pd-pgcli-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // `paydomain ARGS`; stdout (and stderr, appended) in *out.
  int run(const std::string& args, std::string* out = nullptr) {
    return run_command(paydomain_bin() + " " + args + " 2>" + (dir_ / "err").string(), out);
  }
  std::string err() const { return slurp_file(dir_ / "err"); }
  std::string db() const { return "'" + url_ + "'"; }

  std::string url_;
  std::filesystem::path dir_;
};

TEST_F(PostgresCli, EveryStoreCommandTakesAPostgresUrl) {
  const std::string acme = source_dir() + "/examples/acme", wc = (dir_ / "wc").string();
  ASSERT_EQ(run("init --db " + db() + " --from " + acme + " -m import --author ops"), 0) << err();
  EXPECT_NE(run("init --db " + db()), 0) << "a second init is refused";
  ASSERT_EQ(run("checkout head --db " + db() + " -o " + wc), 0) << err();

  // Raise the first 2.5% posting in tariffs.pd and commit the working copy.
  std::string text = slurp_file(wc + "/tariffs.pd");
  size_t at = text.find(": 2.5% of amount");
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 2, 4, "2.7%");
  std::ofstream(wc + "/tariffs.pd") << text;
  std::string out;
  // The wallet test expects 2.5% (the tests gate): committed with a reason.
  ASSERT_EQ(run("commit " + wc + " --db " + db() + " -m 'raise fee' --author anna --json --allow-failing-tests 'tests follow'", &out),
            0)
      << err();
  EXPECT_EQ(nlohmann::json::parse(out)["revision"], 2);
  ASSERT_EQ(run("log --db " + db() + " --json", &out), 0) << err();
  auto log = nlohmann::json::parse(out);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["author"], "anna");
  EXPECT_EQ(log[0]["message"], "raise fee");
  ASSERT_EQ(run("diff 1 2 --db " + db() + " --json", &out), 0) << err();
  EXPECT_EQ(nlohmann::json::parse(out)["objects"].size(), 1u);
  ASSERT_EQ(run("checkout 1 --db " + db() + " -o " + (dir_ / "wc1").string()), 0) << err();
  EXPECT_NE(slurp_file(dir_ / "wc1" / "tariffs.pd").find(": 2.5% of amount"), std::string::npos);
  ASSERT_EQ(run("fsck --db " + db()), 0) << err();
  ASSERT_EQ(run("show 2 --db " + db() + " --json", &out), 0) << err();
  EXPECT_EQ(nlohmann::json::parse(out)["author"], "anna") << out;

  std::string token;
  ASSERT_EQ(run("token create --db " + db() + " --role reader --name core", &token), 0) << err();
  ASSERT_EQ(run("token list --db " + db() + " --json", &out), 0) << err();
  EXPECT_EQ(nlohmann::json::parse(out).size(), 1u);
  std::string made;
  ASSERT_EQ(run("token create --db " + db() + " --role reader --name temp --json", &made), 0) << err();
  ASSERT_EQ(run("token revoke " + std::to_string(nlohmann::json::parse(made)["id"].get<int64_t>()) + " --db " + db()), 0)
      << err();
  ASSERT_EQ(run("token list --db " + db() + " --json", &out), 0) << err();
  auto tokens = nlohmann::json::parse(out)["tokens"];
  ASSERT_EQ(tokens.size(), 2u) << out;
  int revoked = 0;
  for (const auto& t : tokens) revoked += t["revoked"].is_string() ? (t["name"] == "temp" ? 1 : 100) : 0;
  EXPECT_EQ(revoked, 1) << "only the revoked one says so: " << out;

  // To a SQLite file and back into a new database: identical, tokens too.
  const std::string file = (dir_ / "copy.db").string();
  ASSERT_EQ(run("copy --from " + db() + " --to " + file + " --json", &out), 0) << err();
  auto report = nlohmann::json::parse(out);
  EXPECT_EQ(report["head"], 2);
  EXPECT_EQ(report["tokens"], 2);
  EXPECT_EQ(report["revisions_verified"], 3);
  std::string back = PgCluster::shared()->create_database();
  ASSERT_EQ(run("copy --from " + file + " --to '" + back + "'", &out), 0) << err();
  EXPECT_NE(out.find("all 3 revisions identical"), std::string::npos) << out;
  std::string log_back;
  ASSERT_EQ(run("log --db '" + back + "' --json", &log_back), 0) << err();
  EXPECT_EQ(nlohmann::json::parse(log_back), log);
  EXPECT_NE(run("copy --from " + file + " --to '" + back + "'"), 0) << "never into an existing store";

  // backup of a database writes a SQLite file with the same history.
  const std::string saved = (dir_ / "backup.db").string();
  ASSERT_EQ(run("backup " + saved + " --db " + db()), 0) << err();
  std::string log_saved;
  ASSERT_EQ(run("log --db " + saved + " --json", &log_saved), 0) << err();
  EXPECT_EQ(nlohmann::json::parse(log_saved), log);

  // restore: head becomes revision 1 again, as a new revision.
  ASSERT_EQ(run("restore 1 --db " + db() + " -m back --author ops --json", &out), 0) << err();
  EXPECT_EQ(nlohmann::json::parse(out)["revision"], 3) << out;
  ASSERT_EQ(run("checkout head --db " + db() + " -o " + (dir_ / "wc3").string()), 0) << err();
  EXPECT_NE(slurp_file(dir_ / "wc3" / "tariffs.pd").find(": 2.5% of amount"), std::string::npos);
}

}  // namespace
}  // namespace paydomain::testing
