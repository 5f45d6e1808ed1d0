// The result writer's memo of a program's fixed texts (evaluator/result_json.cc,
// ProgramBlocks: postings by record, terminals, rejections for prepared
// reasons, limits): every result is written as the
// reference writer (result_json_reference.h) writes it, whatever was written
// before — for programs in turn (more than the memo keeps), explanations on
// and off, plain and escaped texts, and results edited by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "evaluator/result_json.h"
#include "result_json_reference.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

std::string written(const EvalResult& r, const CompiledDomain& d, bool explain, bool plain) {
  std::string out;
  write_result(r, *d.program, explain, plain, out);
  return out;
}

std::string reference_written(const EvalResult& r, const CompiledDomain& d, bool explain, bool plain) {
  std::string out;
  reference::write_result(r, d, explain, out, plain);
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

// kDomain with its terminals, a posting's details and a decline reason
// renamed by `tag` (`details` may need escapes).
std::shared_ptr<const CompiledDomain> renamed(const std::string& tag, const std::string& details) {
  std::string source = testing::kDomain;
  for (const char* t : {"yb_3ds", "yb_fast", "bb ", "off "}) {
    std::string name = t;
    const bool spaced = name.back() == ' ';
    if (spaced) name.pop_back();
    replace_all(source, name + (spaced ? " " : ""), name + "_" + tag + (spaced ? " " : ""));
  }
  replace_all(source, "\"1% processing fee\"", "\"" + details + "\"");
  replace_all(source, "\"risk too high\"", "\"too risky for " + tag + "\"");
  static std::vector<std::unique_ptr<dsl::Domain>> domains;  // the programs view their domains
  dsl::Diagnostics diags;
  domains.push_back(std::make_unique<dsl::Domain>(dsl::load({{"renamed.pd", source}}, diags)));
  EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), domains.back()->files);
  auto c = compile(*domains.back());
  EXPECT_TRUE(c.ok());
  return c.ok() ? *c : nullptr;
}

// Payments that post, route and reject differently.
std::vector<nlohmann::json> payments() {
  std::vector<nlohmann::json> out;
  for (const char* system : {"mastercard", "visa"}) {
    for (const char* risk : {"low", "high", "fatal"}) {
      for (int64_t amount : {600000, 150000, 250}) {
        nlohmann::json c = testing::payment();
        c["payment_tool"]["payment_system"] = system;
        c["risk"] = risk;
        c["amount"]["amount"] = amount;
        out.push_back(c);
      }
    }
  }
  return out;
}

// Six programs (the memo keeps four) in turn, each payment with and without
// explanations, plain and escaped: each written as the reference writes it,
// with its own program's texts.
TEST(ResultBlocks, FollowTheirProgram) {
  std::vector<std::shared_ptr<const CompiledDomain>> programs;
  for (int i = 0; i < 6; ++i) {
    const std::string tag = "p" + std::to_string(i);
    programs.push_back(renamed(tag, i % 2 ? "fee \\\"" + tag + "\\\"\\tquoted" : "fee " + tag));
    ASSERT_TRUE(programs.back());
    EXPECT_EQ(programs.back()->program->json_plain(), i % 2 == 0);
  }
  size_t compared = 0;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < programs.size(); ++i) {
      const CompiledDomain& d = *programs[i];
      for (const nlohmann::json& c : payments()) {
        for (bool explain : {false, true, false}) {
          EvalResult r = evaluate(d, testing::parse_kept(c, d), {explain});
          for (bool plain : {true, false}) {
            const std::string ours = written(r, d, explain, plain);
            ASSERT_EQ(ours, reference_written(r, d, explain, plain)) << i << " " << c.dump();
            ++compared;
            if (r.route.status == RouteResult::Status::Chosen) {
              EXPECT_NE(ours.find("_p" + std::to_string(i) + "\""), std::string::npos) << ours;
            }
          }
          // The text path writes the same.
          std::string text_out;
          ASSERT_TRUE(evaluate_text(d, c.dump(), explain, text_out).ok());
          ASSERT_EQ(text_out, reference_written(r, d, explain, true)) << c.dump();
        }
      }
    }
  }
  EXPECT_EQ(compared, 3u * 6u * payments().size() * 3u * 2u);
}

// A posting result whose texts are not its record's, one with no record, a
// rejection with a built reason next to prepared ones, a reason in a buffer
// that changes, and a route edited after the memo holds it: each written
// from its own texts.
TEST(ResultBlocks, EditedResultsAreWrittenFromTheirOwnTexts) {
  const CompiledDomain& d = *testing::compiled();
  nlohmann::json c = testing::payment();
  EvalResult base = evaluate(d, testing::parse_kept(c, d), {});
  ASSERT_EQ(base.route.status, RouteResult::Status::Chosen);
  ASSERT_GE(base.route.rejected.size(), 2u);
  ASSERT_FALSE(base.cash_flow.postings.empty());
  ASSERT_GE(base.cash_flow.postings[0].record, 0);
  auto alike = [&](const EvalResult& r, const char* what) {
    for (bool explain : {false, true}) {
      for (bool plain : {true, false}) {
        ASSERT_EQ(written(r, d, explain, plain), reference_written(r, d, explain, plain)) << what;
      }
    }
  };
  alike(base, "as evaluated");  // the memo now holds this program's texts and route

  EvalResult r = base;
  r.cash_flow.postings[0].from = "edited.from";
  r.cash_flow.postings[0].details = "edited \"details\"";
  alike(r, "a posting's texts edited");
  EXPECT_NE(written(r, d, false, true).find("edited.from"), std::string::npos);

  r = base;
  r.cash_flow.postings.push_back(r.cash_flow.postings[0]);
  r.cash_flow.postings.back().record = -1;
  r.cash_flow.postings.back().rule = "no record";
  alike(r, "a posting without a record");

  r = base;
  r.cash_flow.postings[0].record = static_cast<int32_t>(d.program->count(pdc::Sec::Postings)) - 1;
  alike(r, "a posting naming another record");

  r = base;
  r.route.rejected[1].built = "would exceed card_daily: 1000.00 RUB";
  alike(r, "a built reason among prepared ones");

  std::string buffer = "a reason outside the program";
  r = base;
  r.route.rejected[0].reason = buffer;
  alike(r, "a reason outside the program");
  buffer.replace(0, 1, "A");  // the same view, another text
  alike(r, "the reason changed in place");
  EXPECT_NE(written(r, d, false, true).find("A reason outside"), std::string::npos);

  r = base;
  r.route.candidates.push_back(r.route.candidates[0]);
  alike(r, "another candidate list");
  r = base;
  r.route.rejected.pop_back();
  alike(r, "one rejection fewer");
  r = base;
  r.route.provider = -1;
  alike(r, "no provider");
  alike(base, "as evaluated, again");
}

}  // namespace
}  // namespace paydomain::evaluator
