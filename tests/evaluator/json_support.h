// nlohmann/json conveniences for the evaluator's tests: the evaluator's own
// headers do not use it, so the tests build contexts as trees and go through
// the text API like any client.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

#include "evaluator/context_json.h"
#include "evaluator/result_json.h"

namespace paydomain::evaluator::testing {

inline Result<Context> parse_json(const nlohmann::json& context, const CompiledDomain& d) {
  return parse_context(context.dump(), d);
}

inline nlohmann::json result_json(const EvalResult& r, const CompiledDomain& d, bool explain) {
  std::string text;
  auto written = write_result(r, d, explain, text);
  EXPECT_TRUE(written.ok()) << written.error().text();
  return nlohmann::json::parse(text);
}

}  // namespace paydomain::evaluator::testing
