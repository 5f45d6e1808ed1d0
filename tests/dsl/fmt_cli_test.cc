// `paydomain fmt` end to end: the real binary on real files in a temp dir.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

const char* kMessy = "currency RUB {name \"Ruble\"   numeric 643 exponent 2}\n"
                     "tariff t { currencies [RUB]  # rubles only\n fees { a.b->c.d:1% of amount } }\n";
const char* kFormatted = "currency RUB { name \"Ruble\"  numeric 643  exponent 2 }\n\n"
                         "tariff t {\n  currencies [RUB]  # rubles only\n  fees {\n"
                         "    a.b -> c.d : 1% of amount\n  }\n}\n";

struct CliRun {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class FmtCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("paydomain-fmt-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path file(const std::string& name, const std::string& text) {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

  CliRun run(const std::string& args) {
    fs::path out = dir_ / ".stdout", err = dir_ / ".stderr";
    std::string cmd = std::string(PAYDOMAIN_CLI) + " " + args + " >" + out.string() + " 2>" + err.string();
    int status = std::system(cmd.c_str());
    CliRun r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  fs::path dir_;
};

TEST_F(FmtCli, PrintsCanonicalTextAndLeavesTheFileAlone) {
  fs::path p = file("a.pd", kMessy);
  CliRun r = run("fmt " + p.string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kFormatted);
  EXPECT_EQ(slurp(p), kMessy);
}

TEST_F(FmtCli, CheckListsUnformattedFilesAndFails) {
  fs::path messy = file("d/messy.pd", kMessy);
  fs::path clean = file("d/clean.pd", kFormatted);
  CliRun r = run("fmt --check " + (dir_ / "d").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(messy.string()), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(clean.string()), std::string::npos) << r.out;
  EXPECT_EQ(slurp(messy), kMessy);  // --check never writes

  CliRun ok = run("fmt --check " + clean.string());
  EXPECT_EQ(ok.code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out, "");
}

TEST_F(FmtCli, WriteRewritesOnlyChangedFiles) {
  fs::path messy = file("d/messy.pd", kMessy);
  fs::path clean = file("d/clean.pd", kFormatted);
  auto clean_time = fs::last_write_time(clean);
  CliRun r = run("fmt --write " + (dir_ / "d").string());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "formatted " + messy.string() + "\n");
  EXPECT_EQ(slurp(messy), kFormatted);
  EXPECT_EQ(fs::last_write_time(clean), clean_time);

  CliRun again = run("fmt --write " + (dir_ / "d").string());
  EXPECT_EQ(again.code, 0);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(run("fmt --check " + (dir_ / "d").string()).code, 0);
}

TEST_F(FmtCli, SyntaxErrorsAreReportedAndNeverWritten) {
  const std::string broken = "currency RUB { numeric 643 exponent }\n";
  fs::path bad = file("d/bad.pd", broken);
  fs::path messy = file("d/messy.pd", kMessy);
  CliRun r = run("fmt --write " + (dir_ / "d").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.pd:1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(bad), broken);
  EXPECT_EQ(slurp(messy), kFormatted);  // the good file is still formatted

  EXPECT_EQ(run("fmt --check " + bad.string()).code, 1);
  EXPECT_EQ(run("fmt " + bad.string()).code, 1);
}

TEST_F(FmtCli, UsageErrorsExitTwo) {
  fs::path p = file("a.pd", kMessy);
  EXPECT_EQ(run("fmt").code, 2);
  EXPECT_EQ(run("fmt --write --check " + p.string()).code, 2);
  EXPECT_EQ(run("fmt --bogus " + p.string()).code, 2);
  CliRun help = run("fmt --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("--check"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--write"), std::string::npos) << help.out;
  EXPECT_EQ(run("fmt " + (dir_ / "missing.pd").string()).code, 1);
}

}  // namespace
