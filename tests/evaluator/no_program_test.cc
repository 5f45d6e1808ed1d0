// A CompiledDomain compiled without its program (CompileOptions::program
// false, as `check` compiles): the text paths over it answer an error value
// instead of reading through a null program.
#include <gtest/gtest.h>

#include "evaluator/context_fast.h"
#include "evaluator/context_json.h"
#include "evaluator/result_json.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

TEST(NoProgram, TextPathsAnswerAnError) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{"d.pd", testing::kDomain}}, diags);
  ASSERT_FALSE(diags.has_errors());
  CompileOptions o;
  o.program = false;
  auto c = compile(d, o);
  ASSERT_TRUE(c.ok()) << c.error().text();
  const CompiledDomain& cd = **c;
  ASSERT_EQ(cd.program, nullptr);
  const std::string ctx = R"({"tariff": "standard", "amount": {"amount": 100000, "currency": "RUB"}})";

  EXPECT_FALSE(program_of(cd).ok());
  auto parsed = parse_context(ctx, cd);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("no program"), std::string::npos) << parsed.error().message;
  Context into;
  EXPECT_FALSE(parse_context_into(ctx, cd, into).ok());
  EXPECT_FALSE(parse_context_general(ctx, cd, into).ok());
  EXPECT_FALSE(read_context_fast(ctx, cd, into));
  std::string out;
  auto text = evaluate_text(cd, ctx, true, out);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().message, parsed.error().message);
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(write_result(EvalResult{}, cd, true, out).ok());
  EXPECT_TRUE(out.empty());

  // With its program, the same calls answer.
  auto full = compile(d);
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE(program_of(**full).ok());
  ASSERT_TRUE(evaluate_text(**full, ctx, false, out).ok());
  EXPECT_NE(out.find("\"cash_flow\""), std::string::npos);
}

}  // namespace
}  // namespace paydomain::evaluator
