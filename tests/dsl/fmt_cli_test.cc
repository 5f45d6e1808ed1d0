// `paydomain fmt` end to end: the real binary on real files in a temp dir.
#include "tests/support/cli_fixture.h"

namespace {

namespace fs = std::filesystem;

const char* kMessy = "currency RUB {name \"Ruble\"   numeric 643 exponent 2}\n"
                     "tariff t { currencies [RUB]  # rubles only\n fees { a.b->c.d:1% of amount } }\n";
const char* kFormatted = "currency RUB { name \"Ruble\"  numeric 643  exponent 2 }\n\n"
                         "tariff t {\n  currencies [RUB]  # rubles only\n  fees {\n"
                         "    a.b -> c.d : 1% of amount\n  }\n}\n";

using paydomain::testing::CliRun;
using paydomain::testing::slurp;
using FmtCli = paydomain::testing::CliTest;

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
