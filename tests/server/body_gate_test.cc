// Every route that takes a body, taken from the route table itself (so a new
// endpoint cannot skip this), refuses JSON nested too deep and JSON with a
// repeated member, naming where, before any handler or recursive code sees
// it. Runs the real App and Service in process.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/in_process_service.h"

namespace paydomain::testing {
namespace {

using nlohmann::json;

bool takes_body(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// The route's pattern with every {param} filled with a value it accepts.
std::string concrete(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    size_t end = pattern.find('}', i);
    std::string name = pattern.substr(i + 1, end - i - 1);
    out += name == "kind" ? "tariff" : name == "file" ? "index.html" : "1";
    i = end;
  }
  return out;
}

struct Case {
  std::string name, body;
  std::string pointer;  // where the error must point; empty: not checked
};

std::vector<Case> cases() {
  std::string deep = "{\"contexts\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  std::string over = "{\"files\":" + std::string(server::kMaxBodyDepth, '[') + std::string(server::kMaxBodyDepth, ']') + "}";
  return {
      {"nested 100,000 deep", deep, ""},
      {"nested one level beyond the limit", over, ""},
      {"repeated member in a context", R"({"amount": {"amount": 100, "currency": "RUB", "currency": "USD"}})",
       "/amount/currency"},
      {"repeated member at the top", R"({"contexts": [], "contexts": []})", "/contexts"},
      {"repeated member in a batch element",
       R"({"contexts": [{"amount": {"amount": 1, "amount": 2, "currency": "RUB"}}]})", "/contexts/0/amount/amount"},
      {"repeated member spelled with an escape", R"({"files": [], "fil\u0065s": []})", "/files"},
  };
}

TEST(BodyGate, EveryRouteWithABodyRefusesDeepNestingAndRepeatedMembers) {
  InProcessService s;
  int routes = 0;
  for (const server::Route& route : s.router().routes()) {
    if (!takes_body(route.method)) continue;
    ++routes;
    for (const Case& c : cases()) {
      SCOPED_TRACE(route.method + " " + route.pattern + ": " + c.name);
      server::Request req;
      req.method = route.method;
      req.target = req.path = concrete(route.pattern);
      req.headers["authorization"] = s.bearer("admin");
      req.headers["content-type"] = "application/json";
      req.body = c.body;
      auto res = s.handle(std::move(req));
      ASSERT_TRUE(res) << "no answer";
      EXPECT_TRUE(res->status == 400 || res->status == 422) << res->status << " " << res->body;
      json j = json::parse(res->body, nullptr, false);
      ASSERT_TRUE(j.is_object() && j.contains("error")) << res->body;
      EXPECT_TRUE(j["error"]["message"].is_string());
      if (!c.pointer.empty()) {
        EXPECT_EQ(j["error"]["path"], c.pointer) << res->body;
      }
    }
  }
  EXPECT_GE(routes, 6);  // the table really was read
}

}  // namespace
}  // namespace paydomain::testing
