// Included last by the generated public_headers.cc, after every evaluator
// header and the check that none of them brought in nlohmann/json: a client
// of the evaluator alone reads a context, evaluates it and writes the result.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "dsl/checker.h"

namespace paydomain::evaluator {
namespace {

TEST(PublicHeaders, TextInTextOutWithoutNlohmann) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{"t.pd", "currency RUB { numeric 643 exponent 2 }\n"
                                      "tariff t { fees { merchant.settlement -> system.settlement : 1% of amount } }\n"}},
                            diags);
  ASSERT_FALSE(diags.has_errors());
  auto compiled = compile(d);
  ASSERT_TRUE(compiled.ok());
  std::string out;
  ASSERT_TRUE(evaluate_text(**compiled, R"({"tariff": "t", "amount": {"amount": 10000, "currency": "RUB"}})", false,
                            out)
                  .ok());
  EXPECT_NE(out.find(R"("amount":{"amount":100,"currency":"RUB"})"), std::string::npos) << out;
  std::string err;
  EXPECT_FALSE(evaluate_text(**compiled, R"({"tariff": 1})", false, err).ok());
  EXPECT_EQ(err, "");
}

}  // namespace
}  // namespace paydomain::evaluator
