// `paydomain` store commands end to end: real binary, real files, exit codes.
#include <nlohmann/json.hpp>

#include "tests/support/cli_fixture.h"

namespace {

namespace fs = std::filesystem;

using Outcome = paydomain::testing::CliRun;
using paydomain::testing::slurp;

// The shared CLI fixture (fresh temp dir, real binary) plus a store file in it.
class StoreCli : public paydomain::testing::CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    db_ = dir() + "/s.db";
  }
  std::string dir() const { return dir_.string(); }
  std::string db_;
};

const std::string kAcme = std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme";

TEST_F(StoreCli, InitCommitDiffShowRevertFsck) {
  Outcome init = run("init --db " + db_ + " --from " + kAcme + " -m import --author ops");
  ASSERT_EQ(init.code, 0) << init.err;
  Outcome co = run("checkout head --db " + db_ + " -o " + dir() + "/wc");
  ASSERT_EQ(co.code, 0) << co.err;
  // Unchanged working copy: nothing to commit.
  Outcome empty = run("commit " + dir() + "/wc --db " + db_ + " -m nothing");
  EXPECT_EQ(empty.code, 1);
  EXPECT_NE(empty.err.find("nothing to commit"), std::string::npos) << empty.err;

  // Raise the first 2.5% posting in tariffs.pd.
  std::string path = dir() + "/wc/tariffs.pd";
  std::string text = slurp(path);
  size_t at = text.find(": 2.5% of amount");
  if (at != std::string::npos) at += 2;
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 4, "2.7%");
  std::ofstream(path) << text;
  Outcome commit = run("commit " + dir() + "/wc --db " + db_ + " -m 'raise fee' --author anna --json");
  ASSERT_EQ(commit.code, 0) << commit.err;
  EXPECT_EQ(nlohmann::json::parse(commit.out)["revision"]["rev"], 2);

  Outcome diff = run("diff 1 2 --db " + db_ + " --json --text");
  ASSERT_EQ(diff.code, 0) << diff.err;
  auto d = nlohmann::json::parse(diff.out);
  ASSERT_EQ(d["objects"].size(), 1u);
  EXPECT_EQ(d["objects"][0]["kind"], "tariff");
  EXPECT_EQ(d["objects"][0]["parts"][0]["brief"], "2.5% -> 2.7%");
  EXPECT_NE(d["objects"][0]["unified"].get<std::string>().find("+"), std::string::npos);
  Outcome plain = run("diff 1 2 --db " + db_);
  EXPECT_EQ(plain.out.find("\033["), std::string::npos) << "no colour when not a terminal";
  EXPECT_NE(plain.out.find("2.5% -> 2.7%"), std::string::npos) << plain.out;

  Outcome show = run("show 2 --db " + db_);
  EXPECT_EQ(show.code, 0);
  EXPECT_NE(show.out.find("anna"), std::string::npos);
  Outcome log = run("log --db " + db_ + " --json --limit 5");
  EXPECT_EQ(nlohmann::json::parse(log.out).size(), 3u);
  Outcome revert = run("revert 2 --db " + db_ + " -m undo");
  ASSERT_EQ(revert.code, 0) << revert.err;
  Outcome hist = run("log --db " + db_ + " --object tariff:" + d["objects"][0]["id"].get<std::string>() + " --json");
  EXPECT_EQ(nlohmann::json::parse(hist.out).size(), 3u) << hist.out;
  // Reverting 2 again conflicts with 3.
  Outcome again = run("revert 2 --db " + db_ + " -m again --json");
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(nlohmann::json::parse(again.out)["error"], "conflict");
  Outcome fsck = run("fsck --db " + db_ + " --json");
  EXPECT_EQ(fsck.code, 0) << fsck.out;
  EXPECT_TRUE(nlohmann::json::parse(fsck.out)["ok"]);
  Outcome backup = run("backup --db " + db_ + " " + dir() + "/b.db");
  EXPECT_EQ(backup.code, 0) << backup.err;
  EXPECT_EQ(run("fsck --quick --db " + dir() + "/b.db").code, 0);
}

TEST_F(StoreCli, ErrorsAndExitCodes) {
  std::ofstream(dir() + "/junk.db") << std::string(5000, 'j');
  Outcome junk = run("log --db " + dir() + "/junk.db");
  EXPECT_EQ(junk.code, 1);
  EXPECT_NE(junk.err.find("not a paydomain store"), std::string::npos) << junk.err;
  EXPECT_EQ(run("log --db " + dir() + "/missing.db").code, 1);
  ASSERT_EQ(run("init --db " + db_).code, 0);
  EXPECT_EQ(run("diff 0 x --db " + db_).code, 2);
  EXPECT_EQ(run("log --db " + db_ + " --object nokind").code, 2);
  EXPECT_EQ(run("commit --db " + db_).code, 2) << "PATH and -m are required";
  EXPECT_EQ(run("show 7 --db " + db_).code, 1);
  // An invalid working copy: diagnostics point into its file; nothing is written.
  fs::create_directories(dir() + "/wc");
  std::ofstream(dir() + "/wc/a.pd") << "terminal t { provider nobody }\n";
  Outcome bad = run("commit " + dir() + "/wc --db " + db_ + " -m bad");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("a.pd:1:"), std::string::npos) << bad.err;
  Outcome bad_init = run("init --db " + dir() + "/new.db --from " + dir() + "/wc");
  EXPECT_EQ(bad_init.code, 1);
  EXPECT_FALSE(fs::exists(dir() + "/new.db")) << "an invalid seed creates no store";
}

}  // namespace
