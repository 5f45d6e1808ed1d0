// nlohmann/json conveniences for the evaluator's tests: the evaluator's own
// headers do not use it, so the tests build contexts as trees and go through
// the text API like any client.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "evaluator/context_json.h"
#include "evaluator/result_json.h"

namespace paydomain::evaluator::testing {

inline Result<Context> parse_json(const nlohmann::json& context, const CompiledDomain& d) {
  return parse_context(context.dump(), d);
}

// A result views its context (a merchant's accounts, a limit's scope key:
// evaluator/eval_result.h), so a helper that evaluates a context it parsed
// keeps that context for the test binary's whole run: its results can be
// read whenever. A context that does not parse fails the test and is empty.
inline const Context& parse_kept(const nlohmann::json& context, const CompiledDomain& d) {
  static std::mutex lock;
  static std::vector<std::unique_ptr<Context>> kept;
  auto ctx = parse_json(context, d);
  EXPECT_TRUE(ctx.ok()) << ctx.error().text();
  std::lock_guard<std::mutex> hold(lock);
  kept.push_back(std::make_unique<Context>(ctx.ok() ? std::move(*ctx) : Context{}));
  return *kept.back();
}

inline nlohmann::json result_json(const EvalResult& r, const CompiledDomain& d, bool explain) {
  std::string text;
  auto written = write_result(r, d, explain, text);
  EXPECT_TRUE(written.ok()) << written.error().text();
  return nlohmann::json::parse(text);
}

}  // namespace paydomain::evaluator::testing
