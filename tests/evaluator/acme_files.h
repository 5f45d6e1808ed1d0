// examples/acme as the evaluator tests read it: its files in one order,
// with one file's text optionally changed (an analyst's edit).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/sources.h"

namespace paydomain::evaluator::testing {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// examples/acme with the first `from` in `file` replaced by `to`.
inline std::vector<dsl::SourceFile> acme(const std::string& file = "", const std::string& from = "",
                                         const std::string& to = "") {
  std::vector<dsl::SourceFile> out;
  for (const char* f :
       {"reference.pd", "criteria.pd", "providers.pd", "routing.pd", "tariffs.pd", "limits.pd", "institutions.pd",
        "tests.pd"}) {
    std::string text = read_text(std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme/" + f);
    if (f == file) {
      size_t at = text.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) text.replace(at, from.size(), to);
    }
    out.push_back({std::string("examples/acme/") + f, text});
  }
  return out;
}

}  // namespace paydomain::evaluator::testing
