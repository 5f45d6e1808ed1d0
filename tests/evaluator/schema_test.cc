// The context schema (dsl::kContextFields, dsl::kAttributes) is the one list
// of context fields: these tests fail when a field is added to it but not
// read by the context reader, not named by missing-field reporting, or not
// converted from a test's `given`, or not in docs/language.md's table of
// `given` fields, and they pin the reader's "expected one of" messages,
// which are built from the table.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "dsl/checker.h"
#include "dsl/schema.h"
#include "evaluator/evaluator.h"
#include "evaluator/given.h"
#include "json_support.h"

namespace paydomain::evaluator {
namespace {

using nlohmann::json;

// One object of every kind a context can name.
const char* kDomain = R"(
currency RUB { numeric 643 exponent 2 }
category retail { }
payment_system visa { }
country RU { }
wallet_provider qiwi { }
adapter a { url "https://a.example" }
provider p { adapter a }
terminal t1 { provider p }
tariff standard { }
routing main { candidate t1 }
limit daily { scope [party]  period day  count < 3 }
payment_institution pi { realm live }
)";

struct Fixture {
  dsl::Domain domain;
  std::shared_ptr<const CompiledDomain> compiled;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    dsl::Diagnostics diags;
    Fixture x;
    x.domain = dsl::load({{"schema.pd", kDomain}}, diags);
    EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), x.domain.files);
    x.compiled = *compile(x.domain);
    return x;
  }();
  return f;
}

// A valid JSON value for a field, by its type.
json sample(const dsl::ContextField& f) {
  using T = dsl::FieldType;
  switch (f.type) {
    case T::Reference: {
      for (const dsl::Object& o : fixture().domain.objects)
        if (o.kind == f.ref_kind) return o.id.text;
      ADD_FAILURE() << "no " << dsl::to_string(f.ref_kind) << " in the test domain for " << f.path;
      return "";
    }
    case T::Enum: return std::string(f.values.back());  // not the first: operation defaults to payment
    case T::Text: return "x-1";
    case T::Bin: return "427600";
    case T::Money: return {{"amount", 100}, {"currency", "RUB"}};
    case T::Timestamp: return "2026-11-25T13:20:00Z";
    case T::Number: return 41;
    case T::Health: return {{"t1", {{"latency_ms", 5}}}};
    case T::Turnover: return {{"daily", 2}};
  }
  return nullptr;
}

json at_path(std::string_view path, json value) {
  json j = json::object();
  std::string pointer = "/" + std::string(path);
  for (char& c : pointer)
    if (c == '.') c = '/';
  j[json::json_pointer(pointer)] = std::move(value);
  return j;
}

// Everything the reader can store, as text: two contexts that print alike hold the same.
std::string fingerprint(const Context& c) {
  std::ostringstream s;
  s << c.facts.present << ":";
  for (int64_t v : c.facts.v) s << v << ",";
  s << c.facts.bin << "|" << c.tariff << "|" << c.routing << "|" << c.has_time << c.time << "|" << c.has_payment_key
    << c.payment_key << "|" << c.has_payment_amount << c.payment_amount << c.payment_currency << "|" << c.party << "|"
    << c.shop << "|" << c.tool_token << "|" << c.health.size() << "|" << c.turnover.size() << "|"
    << c.has_original_terminal << c.original_terminal << c.original_terminal_id << "|" << c.has_original_revision
    << c.original_revision << "|" << c.has_payment_time << c.payment_time;
  for (const std::string& a : c.merchant_accounts) s << "|" << a;
  return s.str();
}

TEST(ContextSchema, TheReaderReadsEveryField) {
  const CompiledDomain& d = *fixture().compiled;
  auto empty = parse_context(std::string_view("{}"), d);
  ASSERT_TRUE(empty.ok());
  for (const dsl::ContextField& f : dsl::context_fields()) {
    json j = at_path(f.path, sample(f));
    auto c = testing::parse_json(j, d);
    ASSERT_TRUE(c.ok()) << f.path << ": " << j.dump() << ": " << c.error().text();
    EXPECT_NE(fingerprint(*c), fingerprint(*empty)) << f.path << " was accepted but not stored";
  }
}

TEST(ContextSchema, MissingFieldReportingNamesEveryFieldAndAttribute) {
  for (size_t i = 0; i < dsl::kContextFieldCount; ++i) {
    EXPECT_EQ(missing_names(uint64_t{1} << (kMissFieldShift + i)),
              std::vector<std::string>{std::string(dsl::kContextFields[i].path)});
  }
  for (int i = 0; i < kAttrCount; ++i) {
    EXPECT_EQ(missing_names(bit(static_cast<Attr>(i))), std::vector<std::string>{std::string(dsl::kAttributes[i].path)});
  }
  EXPECT_EQ(missing_names(kMissTariff | kMissRoute), (std::vector<std::string>{"tariff", "route"}));
}

// An attribute is read from a field: its path is a field's path, or lies
// inside a field's value (amount.currency in the amount's money object,
// health.* in the health map).
TEST(ContextSchema, EveryAttributeComesFromAField) {
  for (const dsl::AttributeInfo& a : dsl::attributes()) {
    bool found = false;
    for (const dsl::ContextField& f : dsl::context_fields()) {
      bool inside = a.path.size() > f.path.size() && a.path.substr(0, f.path.size()) == f.path &&
                    a.path[f.path.size()] == '.' &&
                    (f.type == dsl::FieldType::Money || f.type == dsl::FieldType::Health);
      found = found || a.path == f.path || inside;
    }
    EXPECT_TRUE(found) << a.name << " (" << a.path << ") is not in any context field";
  }
}

TEST(ContextSchema, UnknownMembersListTheTable) {
  const CompiledDomain& d = *fixture().compiled;
  auto error = [&](const char* text) {
    auto r = parse_context(std::string_view(text), d);
    return r.ok() ? std::string("ok") : r.error().text();
  };
  EXPECT_EQ(error(R"({"colour": "red"})"),
            "$.colour: unknown context field (expected one of tariff, routing, operation, amount, payment_amount, "
            "original_terminal, original_revision, payment_time, category, payment_tool, party, shop, "
            "payment_institution, residence, realm, merchant_accounts, risk, flow, time, payment_key, health, turnover)");
  EXPECT_EQ(error(R"({"payment_tool": {"colour": "red"}})"),
            "$.payment_tool.colour: unknown payment_tool field (expected one of kind, payment_system, issuer_country, "
            "bin, wallet_provider, token_provider, card_type, card_category, issuer_bank, token)");
  EXPECT_EQ(error(R"({"payment_tool": "bank_card"})"),
            "$.payment_tool: expected an object {\"kind\": ..., ...} (payment_tool fields: kind, payment_system, "
            "issuer_country, bin, wallet_provider, token_provider, card_type, card_category, issuer_bank, token)");
  EXPECT_EQ(error(R"({"risk": "low", "risk": "high"})"), "$.risk: repeated member (each member may appear once)");
  EXPECT_EQ(error(R"({"payment_tool": {"kind": "wallet", "kind": "mobile"}})"),
            "$.payment_tool.kind: repeated member (each member may appear once)");
}

// Every field a `given` may set lands at its path, and reads back.
TEST(ContextSchema, GivenSetsEveryFieldAtItsPath) {
  std::string given;
  for (const dsl::ContextField& f : dsl::context_fields()) {
    if (!dsl::is_plain_given(f)) continue;
    json v = sample(f);
    std::string text = f.type == dsl::FieldType::Money ? "1.00 RUB"
                       : f.type == dsl::FieldType::Reference || f.type == dsl::FieldType::Enum
                           ? v.get<std::string>()
                           : v.dump();
    given += "    " + std::string(f.name) + " " + text + "\n";
  }
  given += "    health t1 latency_ms 5\n    turnover daily 2\n";
  std::string text = std::string(kDomain) + "test \"all\" {\n  given {\n" + given + "  }\n  expect allowed\n}\n";
  dsl::Diagnostics diags;
  dsl::Domain domain = dsl::load({{"schema.pd", text}}, diags);
  ASSERT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), domain.files);
  const dsl::Object& test = domain.objects.back();
  json c = json::parse(given_context_json(test));
  for (const dsl::ContextField& f : dsl::context_fields()) {
    std::string pointer = "/" + std::string(f.path);
    for (char& ch : pointer)
      if (ch == '.') ch = '/';
    EXPECT_TRUE(c.contains(json::json_pointer(pointer))) << f.path << " missing in " << c.dump();
  }
  EXPECT_TRUE(testing::parse_json(c, *fixture().compiled).ok()) << c.dump();
}

// The rows of the tables under a `### ` heading of docs/language.md that
// contains `heading`, by their first column.
std::map<std::string, std::string> language_doc_rows(const std::string& heading) {
  std::ifstream in(std::string(PAYDOMAIN_SOURCE_DIR) + "/docs/language.md");
  EXPECT_TRUE(in) << "docs/language.md";
  std::map<std::string, std::string> rows;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("### ", 0) == 0) in_section = line.find(heading) != std::string::npos;
    if (in_section && line.rfind("| ", 0) == 0) rows[line.substr(2, line.find(" |", 1) - 2)] = line;
  }
  EXPECT_FALSE(rows.empty()) << "no table under the heading " << heading;
  return rows;
}

// docs/language.md's table of `given` fields (section "`given`: the
// payment") names every field a test may give, each in its first column.
TEST(ContextSchema, TheLanguageDocListsEveryGivenField) {
  std::string names;
  for (const auto& [first, row] : language_doc_rows("`given`")) names += first + "\n";
  for (const dsl::ContextField& f : dsl::context_fields()) {
    if (!dsl::is_plain_given(f)) continue;
    EXPECT_NE(names.find("`" + std::string(f.name) + "`"), std::string::npos)
        << "docs/language.md's `given` table does not list " << f.name;
  }
}

// docs/language.md's attribute table has a row for every attribute a
// condition may name, listing every value of an enumeration, and so does
// the quick reference's table of fixed vocabularies.
TEST(ContextSchema, TheLanguageDocListsEveryAttributeAndItsValues) {
  const auto attributes = language_doc_rows("Attributes");
  const auto vocabularies = language_doc_rows("Fixed vocabularies");
  const std::map<std::string, std::string> vocabulary_of = {
      {"operation", "operations"},   {"payment_tool", "payment tools"},     {"risk", "risk levels"},
      {"token_provider", "token providers"}, {"card_type", "card types"}, {"card_category", "card categories"},
      {"flow", "flows"},             {"weekday", "weekdays"},             {"realm", "realms"}};
  for (const dsl::AttributeInfo& a : dsl::kAttributes) {
    if (a.derived) continue;
    const std::string name(a.name);
    auto row = attributes.find("`" + name + "`");
    ASSERT_NE(row, attributes.end()) << "docs/language.md's attribute table has no row for " << name;
    if (a.type != dsl::AttrType::Enum) continue;
    auto vocabulary = vocabulary_of.find(name);
    ASSERT_NE(vocabulary, vocabulary_of.end()) << name << ": which row of the fixed vocabularies lists it?";
    auto fixed = vocabularies.find(vocabulary->second);
    ASSERT_NE(fixed, vocabularies.end()) << "the fixed vocabularies have no row " << vocabulary->second;
    for (std::string_view v : a.values) {
      const std::string quoted = "`" + std::string(v) + "`";
      EXPECT_NE(row->second.find(quoted), std::string::npos) << "the attribute table's " << name << " lacks " << v;
      EXPECT_NE(fixed->second.find(quoted), std::string::npos) << "the fixed vocabulary " << fixed->first << " lacks " << v;
    }
  }
}

}  // namespace
}  // namespace paydomain::evaluator
