// What the tests of an operation that goes back its payment's way share
// (refund_route_test.cc, capture_test.cc, chargeback_test.cc): a small domain
// in text, compiled (with more text appended) or only checked; a JSON
// context evaluated; a terminal's name; and the embedded client's answer
// (a program loaded from the artifact's bytes) against the service's.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "dsl/checker.h"
#include "evaluator/artifact.h"
#include "evaluator/evaluator.h"
#include "evaluator/program.h"
#include "json_support.h"

namespace paydomain::evaluator::testing {

class OperationDomain {
 public:
  OperationDomain(std::string file, std::string text) : file_(std::move(file)), text_(std::move(text)) {}

  // The domain with `extra` appended, compiled (null, with a test failure,
  // when it does not check or compile). The parsed domain is kept for the
  // process: the compiled form refers to it.
  std::shared_ptr<const CompiledDomain> compile(const std::string& extra = "") const {
    dsl::Diagnostics diags;
    kept().push_back(dsl::load({{file_, text_ + extra}}, diags));
    EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), kept().back().files);
    auto d = evaluator::compile(kept().back());
    EXPECT_TRUE(d.ok());
    return d.ok() ? *d : nullptr;
  }
  // The checker's findings on the domain with `extra` appended, rendered ("" when none).
  std::string check(const std::string& extra) const {
    dsl::Diagnostics diags;
    dsl::Domain dom = dsl::load({{file_, text_ + extra}}, diags);
    return dsl::render_all(diags.items(), dom.files);
  }

 private:
  static std::list<dsl::Domain>& kept() {
    static std::list<dsl::Domain> k;
    return k;
  }
  std::string file_, text_;
};

inline EvalResult eval(const CompiledDomain& d, const nlohmann::json& j, bool explain = false) {
  EvalOptions o;
  o.explain = explain;
  return evaluate(d, parse_kept(j, d), o);
}

inline std::string terminal(const CompiledDomain& d, int32_t t) {
  return d.vocab.object_name(dsl::ObjectKind::Terminal, t);
}

// The service (`d`'s own program) and `client` (loaded from d's artifact)
// answer `context` alike, explanations included.
inline void expect_client_answers_as_service(const CompiledDomain& d, const Program& client,
                                             const nlohmann::json& context) {
  const std::string text = context.dump();
  auto a = parse_context(std::string_view(text), *d.program);
  auto b = parse_context(std::string_view(text), client);
  ASSERT_TRUE(a.ok() && b.ok()) << text;
  EvalResult ra, rb;
  evaluate(*d.program, *a, {true}, ra);
  evaluate(client, *b, {true}, rb);
  std::string service, embedded;
  write_result(ra, *d.program, true, service);
  write_result(rb, client, true, embedded);
  EXPECT_EQ(service, embedded) << text;
}

// The artifact `bytes` with section `s` emptied (its checksum fixed): a
// terms section holds one record per object of its kind, so the loader
// must refuse it (there is no 2.x artifact without one).
inline void expect_refused_without(std::string bytes, pdc::Sec s) {
  auto* entries = reinterpret_cast<pdc::SectionEntry*>(bytes.data() + sizeof(pdc::Header));
  entries[static_cast<uint32_t>(s) - 1].size = 0;
  std::memset(bytes.data() + pdc::kCrcOffset, 0, 4);
  const uint32_t crc = crc32c(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  std::memcpy(bytes.data() + pdc::kCrcOffset, &crc, 4);
  auto p = Program::load(std::move(bytes));
  ASSERT_FALSE(p.ok()) << pdc::kSectionNames[static_cast<uint32_t>(s)];
  EXPECT_NE(p.error().text().find("section " + std::string(pdc::kSectionNames[static_cast<uint32_t>(s)]) + ": record 0"),
            std::string::npos)
      << p.error().text();
  EXPECT_NE(p.error().text().find("0 records for"), std::string::npos) << p.error().text();
}

}  // namespace paydomain::evaluator::testing
