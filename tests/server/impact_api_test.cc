// POST /v1/impact over a real server: the same report as `paydomain impact
// --json` for the same change, roles, and 4xx answers for bad inputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/server/server_harness.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string error_code(const HttpResponse& r) {
  json j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"]["code"].get<std::string>() : "";
}

TEST(ImpactApi, SameReportAsTheCliAndBadInputsAre4xx) {
  ServerProcess s;
  const std::filesystem::path acme = std::filesystem::path(PAYDOMAIN_SOURCE_DIR) / "examples/acme";
  // The working copy: acme with the Mastercard fee raised to 1.2%.
  std::filesystem::path work = s.dir() / "work";
  std::filesystem::create_directories(work);
  json files = json::array();
  for (const auto& e : std::filesystem::directory_iterator(acme)) {
    if (e.path().extension() != ".pd") continue;
    std::string text = read_file(e.path());
    if (e.path().filename() == "tariffs.pd") {
      const std::string from = "1% of amount \"1% processing fee\"";
      size_t at = text.find(from);
      ASSERT_NE(at, std::string::npos);
      text.replace(at, from.size(), "1.2% of amount \"1% processing fee\"");
    }
    std::ofstream(work / e.path().filename()) << text;
    files.push_back({{"name", e.path().filename().string()}, {"text", text}});
  }
  std::string corpus = read_file(acme / "contexts/batch.jsonl");
  json req = {{"base", 1}, {"files", files}, {"contexts", corpus}};
  auto http = s.call("POST", "/v1/impact", s.tokens().editor, req.dump());
  ASSERT_EQ(http.status, 200) << http.body;
  json got = json::parse(http.body);
  EXPECT_FALSE(got["regions"].empty());
  EXPECT_GT(got["replay"]["changed"].get<int>(), 0);

  std::string out;
  ASSERT_EQ(run_command(paydomain_bin() + " impact 1 " + work.string() + " --db " + s.db() + " --contexts " +
                            (acme / "contexts/batch.jsonl").string() + " --json",
                        &out),
            0)
      << out;
  json cli = json::parse(out);
  EXPECT_EQ(cli["before"], "revision 1");
  EXPECT_EQ(cli["after"], work.string());
  for (json* j : {&got, &cli}) j->erase("after");
  EXPECT_EQ(got, cli);

  // Two revisions: nothing changes between a revision and itself.
  auto same = s.call("POST", "/v1/impact", s.tokens().editor, R"({"base": 1, "revision": "head"})");
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_TRUE(json::parse(same.body)["regions"].empty());

  // Roles and bad inputs.
  EXPECT_EQ(s.call("POST", "/v1/impact", s.tokens().reader, req.dump()).status, 403);
  auto no_base = s.call("POST", "/v1/impact", s.tokens().editor, R"({"revision": 1})");
  EXPECT_EQ(no_base.status, 422);
  EXPECT_EQ(error_code(no_base), "missing-field");
  auto both = s.call("POST", "/v1/impact", s.tokens().editor,
                     json({{"base", 1}, {"revision", 1}, {"files", files}}).dump());
  EXPECT_EQ(both.status, 422);
  EXPECT_EQ(s.call("POST", "/v1/impact", s.tokens().editor, R"({"base": 99, "revision": 1})").status, 404);
  auto bad_line =
      s.call("POST", "/v1/impact", s.tokens().editor,
             json({{"base", 1}, {"revision", 1}, {"contexts", "{\"tariff\": \"standard\"}\n{oops\n"}}).dump());
  EXPECT_EQ(bad_line.status, 422) << bad_line.body;
  EXPECT_EQ(error_code(bad_line), "invalid-context");
  EXPECT_NE(bad_line.body.find("line 2"), std::string::npos) << bad_line.body;
  auto broken = s.call("POST", "/v1/impact", s.tokens().editor,
                       json({{"base", 1}, {"files", json::array({{{"name", "a.pd"}, {"text", "tariff {"}}})}}).dump());
  EXPECT_EQ(broken.status, 422);
  EXPECT_EQ(error_code(broken), "invalid-domain");
  auto cap = s.call("POST", "/v1/impact", s.tokens().editor, R"({"base": 1, "revision": 1, "max_regions": 0})");
  EXPECT_EQ(cap.status, 422);
}

}  // namespace
}  // namespace paydomain::testing
