// `paydomain` store commands end to end: real binary, real files, exit codes.
#include <sqlite3.h>

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
  // The wallet test expects 2.5% (the tests gate): committed with a reason.
  Outcome commit = run("commit " + dir() + "/wc --db " + db_ +
                       " -m 'raise fee' --author anna --json --allow-failing-tests 'tests follow'");
  ASSERT_EQ(commit.code, 0) << commit.err;
  EXPECT_EQ(nlohmann::json::parse(commit.out)["revision"], 2);

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
  EXPECT_EQ(nlohmann::json::parse(again.out)["error"]["code"], "conflict");
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
  // A revision argument: a number or head; anything else is a usage error
  // with the command's own message.
  Outcome bad_rev = run("show -3 --db " + db_);
  EXPECT_EQ(bad_rev.code, 2);
  EXPECT_NE(bad_rev.err.find("REV must be a revision number or 'head'"), std::string::npos) << bad_rev.err;
  EXPECT_EQ(run("checkout x --db " + db_ + " -o " + dir() + "/co").code, 2);
  EXPECT_EQ(run("revert 1x --db " + db_ + " -m m").code, 2);
  Outcome bad_base = run("commit " + dir() + " --db " + db_ + " -m m --base 1.5");
  EXPECT_EQ(bad_base.code, 2);
  EXPECT_NE(bad_base.err.find("--base must be a revision number or 'head'"), std::string::npos) << bad_base.err;
  EXPECT_EQ(run("diff head head --db " + db_).code, 0);
  EXPECT_EQ(run("show head --db " + db_).code, 0);
  // An unreadable working copy is a failure (1), reported with its path.
  Outcome missing_wc = run("commit " + dir() + "/no-such-dir --db " + db_ + " -m m --base head");
  EXPECT_EQ(missing_wc.code, 1);
  EXPECT_NE(missing_wc.err.find("cannot read " + dir() + "/no-such-dir"), std::string::npos) << missing_wc.err;
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

// Replaces the first `from` in the file with `to`; false when it is not there.
bool edit(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = slurp(path);
  size_t at = text.find(from);
  if (at == std::string::npos) return false;
  text.replace(at, from.size(), to);
  std::ofstream(path) << text;
  return true;
}

// A working copy remembers the revision it was checked out from: a commit
// from a stale checkout conflicts on objects changed since (instead of
// silently undoing them) and is rebased when it touches only other objects.
TEST_F(StoreCli, ACommitFromAStaleCheckoutConflictsOrRebasesButNeverUndoes) {
  ASSERT_EQ(run("init --db " + db_ + " --from " + kAcme + " -m import").code, 0);
  for (const char* wc : {"/fresh", "/stale_same", "/stale_other"}) {
    Outcome co = run("checkout 1 --db " + db_ + " -o " + dir() + wc);
    ASSERT_EQ(co.code, 0) << co.err;
    EXPECT_EQ(slurp(dir() + wc + "/.paydomain/base"), "1\n");
  }
  // Someone commits revision 2 from a checkout of 1: the base moves to 2.
  ASSERT_TRUE(edit(dir() + "/fresh/providers.pd", "\"Yellow Bank 3-D Secure\"", "\"YB 3DS\""));
  Outcome second = run("commit " + dir() + "/fresh --db " + db_ + " -m rename --json");
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(nlohmann::json::parse(second.out)["revision"], 2);
  EXPECT_FALSE(nlohmann::json::parse(second.out)["rebased"]);
  EXPECT_EQ(slurp(dir() + "/fresh/.paydomain/base"), "2\n");

  // The same object, edited in a checkout of 1: a conflict naming it, head unchanged.
  ASSERT_TRUE(edit(dir() + "/stale_same/providers.pd", "\"Yellow Bank 3-D Secure\"", "\"Yellow 3DS\""));
  Outcome conflict = run("commit " + dir() + "/stale_same --db " + db_ + " -m mine --json");
  EXPECT_EQ(conflict.code, 1);
  auto err = nlohmann::json::parse(conflict.out);
  EXPECT_EQ(err["error"]["code"], "conflict") << conflict.out;
  ASSERT_EQ(err["conflicts"].size(), 1u) << conflict.out;
  EXPECT_EQ(err["conflicts"][0]["kind"], "terminal") << conflict.out;
  EXPECT_EQ(err["conflicts"][0]["id"], "yb_3ds") << conflict.out;
  EXPECT_EQ(err["conflicts"][0]["revisions"], nlohmann::json::array({2})) << conflict.out;
  Outcome head = run("checkout head --db " + db_ + " --object terminal:yb_3ds");
  EXPECT_NE(head.out.find("YB 3DS"), std::string::npos) << "revision 2 is not undone: " << head.out;
  EXPECT_EQ(slurp(dir() + "/stale_same/.paydomain/base"), "1\n");

  // Another object, edited in a checkout of 1: rebased, both changes kept;
  // the working copy lacks revision 2, so its base stays 1 (and it says so).
  ASSERT_TRUE(edit(dir() + "/stale_other/providers.pd", "\"Blue Bank main\"", "\"BB main\""));
  Outcome rebased = run("commit " + dir() + "/stale_other --db " + db_ + " -m other --json");
  ASSERT_EQ(rebased.code, 0) << rebased.err << rebased.out;
  auto done = nlohmann::json::parse(rebased.out);
  EXPECT_EQ(done["revision"], 3);
  EXPECT_TRUE(done["rebased"]);
  EXPECT_NE(done.value("note", "").find("stays based on 1"), std::string::npos) << rebased.out;
  EXPECT_EQ(slurp(dir() + "/stale_other/.paydomain/base"), "1\n");
  EXPECT_NE(run("checkout 3 --db " + db_ + " --object terminal:yb_3ds").out.find("YB 3DS"), std::string::npos);
  EXPECT_NE(run("checkout 3 --db " + db_ + " --object terminal:bb_main").out.find("BB main"), std::string::npos);

  // --base overrides the recorded base: the analyst says what they saw.
  Outcome forced = run("commit " + dir() + "/stale_same --db " + db_ + " -m 'mine, on 3' --base 3");
  ASSERT_EQ(forced.code, 0) << forced.err;
  EXPECT_EQ(slurp(dir() + "/stale_same/.paydomain/base"), "4\n");
  EXPECT_NE(run("checkout 4 --db " + db_ + " --object terminal:yb_3ds").out.find("Yellow 3DS"), std::string::npos);
}

TEST_F(StoreCli, AWorkingCopyWithNoRecordedBaseCommitsOnHeadAndSaysSo) {
  ASSERT_EQ(run("init --db " + db_ + " --from " + kAcme + " -m import").code, 0);
  ASSERT_EQ(run("checkout head --db " + db_ + " -o " + dir() + "/wc").code, 0);
  fs::remove_all(dir() + "/wc/.paydomain");
  ASSERT_TRUE(edit(dir() + "/wc/providers.pd", "\"Blue Bank main\"", "\"BB main\""));
  Outcome c = run("commit " + dir() + "/wc --db " + db_ + " -m untracked");
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_NE(c.err.find("records no base revision"), std::string::npos) << c.err;
  EXPECT_FALSE(fs::exists(dir() + "/wc/.paydomain")) << "a directory never checked out is not marked";
  // An unreadable base file is an error, not a guess.
  fs::create_directories(dir() + "/wc/.paydomain");
  std::ofstream(dir() + "/wc/.paydomain/base") << "latest\n";
  Outcome bad = run("commit " + dir() + "/wc --db " + db_ + " -m bad");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("does not hold a revision"), std::string::npos) << bad.err;
}

// Flips one byte of revision `rev`'s stored artifact in the SQLite store at `db`.
void damage_artifact(const std::string& db, int rev) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  sqlite3_stmt* read = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "SELECT bytes FROM artifacts WHERE rev = ?1", -1, &read, nullptr), SQLITE_OK);
  sqlite3_bind_int(read, 1, rev);
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
  std::string bytes(static_cast<const char*>(sqlite3_column_blob(read, 0)), static_cast<size_t>(sqlite3_column_bytes(read, 0)));
  sqlite3_finalize(read);
  bytes[300] = static_cast<char>(bytes[300] ^ 1);
  sqlite3_stmt* write = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "UPDATE artifacts SET bytes = ?1 WHERE rev = ?2", -1, &write, nullptr), SQLITE_OK);
  sqlite3_bind_blob(write, 1, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int(write, 2, rev);
  ASSERT_EQ(sqlite3_step(write), SQLITE_DONE);
  sqlite3_finalize(write);
  sqlite3_close(h);
}

// fsck verifies the artifacts stored with the revisions, and repairs a
// damaged one by compiling its revision again; copy carries them.
TEST_F(StoreCli, FsckVerifiesAndRepairsStoredArtifactsAndCopyCarriesThem) {
  ASSERT_EQ(run("init --db " + db_ + " --from " + kAcme + " -m import").code, 0);  // revision 1, with its artifact
  Outcome clean = run("fsck --db " + db_ + " --json");
  ASSERT_EQ(clean.code, 0) << clean.out;
  EXPECT_EQ(nlohmann::json::parse(clean.out)["artifacts_checked"], 1);

  damage_artifact(db_, 1);
  Outcome damaged = run("fsck --db " + db_);
  EXPECT_EQ(damaged.code, 1);
  EXPECT_NE(damaged.out.find("problem: the stored artifact of revision 1 (format 2."), std::string::npos) << damaged.out;
  EXPECT_NE(damaged.out.find("is refused: checksum mismatch"), std::string::npos) << damaged.out;
  // A copy carries the artifacts as they are, and its fsck refuses a damaged one.
  Outcome refused = run("copy --from " + db_ + " --to " + dir() + "/c0.db");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("the copy fails fsck: the stored artifact of revision 1"), std::string::npos)
      << refused.err;

  Outcome repair = run("fsck --db " + db_ + " --repair-artifacts --json");
  ASSERT_EQ(repair.code, 0) << repair.out;
  auto r = nlohmann::json::parse(repair.out);
  ASSERT_EQ(r["repaired"].size(), 1u);
  EXPECT_NE(r["repaired"][0].get<std::string>().find("compiled again and replaced"), std::string::npos);
  EXPECT_EQ(run("fsck --db " + db_).code, 0);

  Outcome copy = run("copy --from " + db_ + " --to " + dir() + "/c.db --json");
  ASSERT_EQ(copy.code, 0) << copy.err;
  EXPECT_EQ(nlohmann::json::parse(copy.out)["artifacts"], 1);
  Outcome copied = run("fsck --db " + dir() + "/c.db --json");
  EXPECT_EQ(copied.code, 0) << copied.out;
  EXPECT_EQ(nlohmann::json::parse(copied.out)["artifacts_checked"], 1);

  // A row of an older format major, kept for the replicas still reading it,
  // is not this program's to verify: counted, not a problem.
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h, "INSERT INTO artifacts(rev, format_major, format_minor, source_hash, bytes) "
                            "VALUES (1, 1, 4, 'older', x'00')", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(h);
  Outcome older = run("fsck --db " + db_ + " --json");
  ASSERT_EQ(older.code, 0) << older.out;
  auto o = nlohmann::json::parse(older.out);
  EXPECT_EQ(o["artifacts_checked"], 1);
  EXPECT_EQ(o["artifacts_other_format"], 1);
  EXPECT_NE(run("fsck --db " + db_).out.find("1 of another format left for older readers"), std::string::npos);
}

}  // namespace
