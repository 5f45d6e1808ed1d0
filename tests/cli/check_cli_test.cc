// `paydomain check` end to end: exit codes, human and JSON output.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/support/cli_fixture.h"

namespace paydomain {
namespace {

namespace fs = std::filesystem;
using CheckCli = testing::CliTest;

const std::string kExamples = PAYDOMAIN_SOURCE_DIR "/examples/acme";

// Clean but for negative-margin: Acme Pay's tariffs do lose money on some
// routes (Mastercard at 1% through Yellow Bank at 1.5%), which is what that
// warning is for; every other warning would be a mistake in the example.
TEST_F(CheckCli, ExampleDomainIsClean) {
  auto r = run("check " + kExamples);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("ok: "), std::string::npos);
  std::istringstream err(r.err);
  size_t margins = 0;
  for (std::string line; std::getline(err, line);) {
    if (line.find(": warning: ") == std::string::npos) continue;
    EXPECT_NE(line.find(": the platform loses money on payments routed to provider "), std::string::npos) << line;
    ++margins;
  }
  EXPECT_GT(margins, 0u);
}

// The examples are kept in canonical form, so `fmt --check` can guard them.
TEST_F(CheckCli, ExamplesAreCanonicallyFormatted) {
  auto r = run("fmt --check " + kExamples);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

TEST_F(CheckCli, MisspelledTerminalInACopyOfTheExamples) {
  fs::copy(kExamples, dir_ / "acme", fs::copy_options::recursive);
  fs::path routing = dir_ / "acme" / "routing.pd";
  std::string text = testing::slurp(routing);
  size_t at = text.find("candidate yb_fast");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "candidate yb_fsat");
  std::ofstream(routing, std::ios::binary | std::ios::trunc) << text;
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));

  auto r = run("check " + (dir_ / "acme").string());
  EXPECT_EQ(r.code, 1);
  std::string where = routing.string() + ":" + std::to_string(line) + ":";
  EXPECT_NE(r.err.find(where), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: unknown terminal 'yb_fsat'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'yb_fast'?"), std::string::npos) << r.err;

  // The README shows exactly this mistake: its example is what check prints
  // (with the copy's path written as examples/acme/), to the byte.
  std::string readme = testing::slurp(fs::path(PAYDOMAIN_SOURCE_DIR) / "README.md");
  size_t intro = readme.find("A mistake reads like this");
  ASSERT_NE(intro, std::string::npos);
  size_t open = readme.find("```\n", intro), close = readme.find("```", open + 4);
  ASSERT_TRUE(open != std::string::npos && close != std::string::npos);
  std::string shown = readme.substr(open + 4, close - open - 4);
  std::string printed = r.err;
  for (size_t p; (p = printed.find((dir_ / "acme").string() + "/")) != std::string::npos;)
    printed.replace(p, (dir_ / "acme").string().size() + 1, "examples/acme/");
  EXPECT_EQ(printed, shown);

  auto j = run("check --json " + (dir_ / "acme").string());
  EXPECT_EQ(j.code, 1);
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_FALSE(doc["ok"].get<bool>());
  bool found = false;
  for (const auto& d : doc["diagnostics"]) {
    if (d["code"] == "unknown-reference") {
      found = true;
      EXPECT_EQ(d["line"], line);
      EXPECT_EQ(d["suggestion"], "yb_fast");
      EXPECT_EQ(d["object"], "routing main");
    }
  }
  EXPECT_TRUE(found) << j.out;
}

TEST_F(CheckCli, SyntaxErrorExitsOne) {
  auto p = file("bad.pd", "currency RUB { numeric 643 exponent }\n");
  auto r = run("check " + p.string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.pd:1:37: error: unexpected '}'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("expected: a number"), std::string::npos) << r.err;
}

TEST_F(CheckCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("check").code, 2);
  EXPECT_EQ(run("check --no-such-flag x.pd").code, 2);
  EXPECT_EQ(run("no-such-command").code, 2);
  EXPECT_EQ(run("").code, 2);
}

// eval and test: a domain that does not check is a finding (1), a context
// file that cannot be read a usage error (2).
TEST_F(CheckCli, EvalAndTestExitCodes) {
  auto bad = file("bad.pd", "terminal t { provider nobody }\n");
  auto r = run("eval " + bad.string() + " --context " + kExamples + "/contexts/card_mastercard_rub_standard.json");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("1 error(s) in the domain"), std::string::npos) << r.err;
  EXPECT_EQ(run("test " + bad.string()).code, 1);
  auto missing = run("eval " + kExamples + " --context " + (dir_ / "none.json").string());
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
  auto ok = run("eval " + kExamples + " --context " + kExamples + "/contexts/card_mastercard_rub_standard.json");
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(run("test " + kExamples).code, 0);
}

TEST_F(CheckCli, HelpEverywhere) {
  auto top = run("--help");
  EXPECT_EQ(top.code, 0);
  EXPECT_NE(top.out.find("check"), std::string::npos);
  auto sub = run("check --help");
  EXPECT_EQ(sub.code, 0);
  EXPECT_NE(sub.out.find("--json"), std::string::npos);
}

TEST_F(CheckCli, MissingPathIsAFinding) {
  auto r = run("check " + (dir_ / "nope").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no such file or directory"), std::string::npos);
}

TEST_F(CheckCli, HostileInputsGetDiagnosticsNotCrashes) {
  std::string deep(5000, '(');
  auto p1 = file("deep.pd", "limit l { scope [shop] period day count <= 1 when " + deep + " }");
  auto p2 = file("bin.pd", std::string("\xff\xfe\x00garbage", 10));
  auto p3 = file("empty.pd", "");
  auto r = run("check --json " + p1.string() + " " + p2.string() + " " + p3.string());
  EXPECT_EQ(r.code, 1);
  auto doc = nlohmann::json::parse(r.out);
  std::set<std::string> codes;
  for (const auto& d : doc["diagnostics"]) codes.insert(d["code"].get<std::string>());
  EXPECT_TRUE(codes.count("too-deep"));
  EXPECT_TRUE(codes.count("encoding"));
  EXPECT_TRUE(codes.count("empty-file"));
}

}  // namespace
}  // namespace paydomain
