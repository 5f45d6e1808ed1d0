// The live check's caches (evaluator::CheckCaches: parsed definitions,
// compiled objects, analysis warnings) change what a check costs, never
// what it answers: through a series of edits of examples/acme — a value
// changed, a criterion that a routing names changed, lines inserted above,
// a syntax error and its fix, non-ASCII text and a byte-order mark, a new
// name in the vocabulary, a too-long number —
// the cached check's report, spans and evaluations equal a fresh check's.
#include <gtest/gtest.h>

#include <sstream>

#include "acme_files.h"
#include "dsl/formatter.h"
#include "evaluator/check.h"
#include "evaluator/result_json.h"

namespace paydomain::evaluator {
namespace {

using testing::acme;
using testing::read_text;

dsl::SourceFile& file(std::vector<dsl::SourceFile>& files, const std::string& name) {
  for (auto& f : files) {
    if (f.path == "examples/acme/" + name) return f;
  }
  ADD_FAILURE() << name;
  return files[0];
}

void replace(std::string& text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

// Everything a check answers: the report's JSON, every object's spans, the
// meaning of every object, and the explained evaluation of acme's contexts.
std::string answer(const std::vector<dsl::SourceFile>& files, CheckCaches* caches) {
  CheckReport r = check_sources(files, dsl::Diagnostics(), caches, CheckUse::Evaluation);  // it evaluates the batch below
  std::string out;
  write_check_report(r, out);
  out += '\n';
  for (const dsl::Object& o : r.domain.objects) {
    const dsl::Span& s = o.span;
    out += std::to_string(s.file) + ':' + std::to_string(s.line) + ':' + std::to_string(s.column) + ':' +
           std::to_string(s.offset) + '-' + std::to_string(s.end_offset) + ':' + std::to_string(s.end_line) + ' ' +
           std::to_string(o.id.span.offset) + ' ' + dsl::dump_semantic(o) + '\n';
  }
  for (const dsl::Comment& c : r.domain.comments) out += std::to_string(c.span.offset) + c.text + '\n';
  if (r.compiled) {
    out += std::to_string(r.compiled->selector_count) + ' ' + std::to_string(r.compiled->dag_nodes) + ' ' +
           std::to_string(r.compiled->dag_bytes) + '\n';
    std::string batch = read_text(std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme/contexts/batch.jsonl");
    // Besides acme's own: foreign cards around high_value_foreign's threshold.
    for (const char* amount : {"6000000", "15000000"}) {
      batch += std::string("\n{\"operation\":\"payment\",\"party\":\"acme-retail-llc\",\"shop\":\"shop-1\",") +
               "\"flow\":\"instant\",\"time\":\"2026-11-25T12:00:00Z\",\"tariff\":\"standard\",\"amount\":{" +
               "\"amount\":" + amount + ",\"currency\":\"RUB\"},\"payment_tool\":{\"kind\":\"bank_card\"," +
               "\"payment_system\":\"visa\",\"issuer_country\":\"DE\",\"bin\":\"41111111\",\"token\":\"t\"}," +
               "\"category\":\"travel\",\"risk\":\"low\",\"payment_key\":\"k\"}";
    }
    std::istringstream lines(batch);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty()) continue;
      Status st = evaluate_text(*r.compiled, line, true, out);
      if (!st.ok()) out += "error: " + st.error().text();
      out += '\n';
    }
  }
  return out;
}

TEST(CheckCaches, AnswerWhatAFreshCheckAnswers) {
  CheckCaches caches;
  std::vector<dsl::SourceFile> files = acme();
  auto same = [&](const char* step) {
    std::string fresh = answer(files, nullptr);
    EXPECT_EQ(answer(files, &caches), fresh) << step;
    EXPECT_EQ(answer(files, &caches), fresh) << step << ", twice";  // now every definition is cached
  };
  same("acme as it is");
  ASSERT_EQ(answer(files, nullptr).find("\"ok\":false"), std::string::npos) << "acme checks";
  auto hits = caches.parse.stats().hits;
  EXPECT_GT(hits, 0u);
  EXPECT_GT(caches.compile.stats().hits, 0u);

  replace(file(files, "tariffs.pd").text, "1.2%", "1.3%");
  same("a fee changed");
  replace(file(files, "criteria.pd").text, "100000.00 RUB", "50000.00 RUB");
  same("a criterion changed (the routing that names it did not)");
  replace(file(files, "tariffs.pd").text, "tariff ", "# a new comment\n\ntariff ");
  same("lines inserted above a tariff");
  std::string before = file(files, "routing.pd").text;
  replace(file(files, "routing.pd").text, "{", "{ when when");
  same("a syntax error");
  file(files, "routing.pd").text = before;
  same("the syntax error fixed");
  file(files, "providers.pd").text = "\xEF\xBB\xBF# Поставщики: банки\n" + file(files, "providers.pd").text;
  replace(file(files, "reference.pd").text, "{", "{ name \"Рубль — российский\"");
  same("non-ASCII text and a byte-order mark");
  file(files, "reference.pd").text += "\npayment_system unionpay { }\n";
  same("a new name in the vocabulary");
  replace(file(files, "limits.pd").text, "{", "{ description \"x\" }\nlimit too_long { bound 1234567890123456789012 RUB");
  same("a number too long");
}

}  // namespace
}  // namespace paydomain::evaluator
