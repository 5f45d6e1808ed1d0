// Who gets which tariff: the tariff_binding's first matching rule, the
// payment institution's default_tariff and routing, the context's `tariff`
// as an override, and what an undecided tariff is missing — end to end, and
// as a property: evaluation decides every random binding as the rule-by-rule
// interpreter (the oracle) does, on complete and partial payments.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "evaluator/testing.h"
#include "random_domain.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

using nlohmann::json;
using OK = dsl::ObjectKind;

const std::string kBound = std::string(testing::kDomain) + R"(
country US { }
tariff gold {
  currencies [RUB]
  fees { merchant.settlement -> system.settlement : 0.5% of amount "gold fee" }
}
payment_institution acme { realm live  residences [RU]  default_tariff standard }
payment_institution sandbox { realm test  routing usd }
tariff_binding who {
  when party == "big": tariff gold
  when payment_institution == sandbox and category == gaming: tariff gold
}
)";

const CompiledDomain& bound() {
  static const dsl::Domain d = [] {
    dsl::Diagnostics diags;
    dsl::Domain x = dsl::load({{"bound.pd", kBound}}, diags);
    EXPECT_FALSE(diags.has_errors()) << dsl::render_all(diags.items(), x.files);
    return x;
  }();
  static const std::shared_ptr<const CompiledDomain> c = *compile(d);
  return *c;
}

uint32_t line_of(const std::string& needle) {
  size_t at = kBound.find(needle);
  return static_cast<uint32_t>(std::count(kBound.begin(), kBound.begin() + static_cast<long>(at), '\n') + 1);
}

EvalResult eval(json j, bool explain = false) {
  EvalOptions o;
  o.explain = explain;
  return evaluate(bound(), testing::parse_kept(j, bound()), o);
}

json payment_without_tariff() {
  json j = testing::payment();
  j.erase("tariff");
  return j;
}

// The context's payment institution, and a merchant and payment it serves:
// acme serves live payments of merchants residing in RU, the sandbox test ones.
void served_by(json& j, const char* institution) {
  j["payment_institution"] = institution;
  j["residence"] = "RU";
  j["realm"] = std::string(institution) == "sandbox" ? "test" : "live";
}

std::string tariff_name(int32_t t) { return bound().vocab.object_name(OK::Tariff, t); }

TEST(Binding, TheFirstMatchingRuleChoosesTheTariffAndSaysWhy) {
  json j = payment_without_tariff();
  j["party"] = "big";
  served_by(j, "acme");
  EvalResult r = eval(j, true);
  ASSERT_GE(r.terms.tariff, 0);
  EXPECT_EQ(tariff_name(r.terms.tariff), "gold");
  std::string why = "tariff_binding who, rule 1 (line " + std::to_string(line_of("when party == \"big\"")) + "): tariff gold";
  EXPECT_EQ(r.terms.tariff_from, why);
  ASSERT_FALSE(r.terms.explain.empty());
  EXPECT_EQ(r.terms.explain[0], why);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Allowed);
  ASSERT_FALSE(r.cash_flow.postings.empty());
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{3000, "RUB"}));  // 0.5% of 6000.00
  EXPECT_EQ(r.cash_flow.postings[0].details, "gold fee");
  json out = testing::result_json(r, bound(), false);
  EXPECT_EQ(out["terms"]["tariff"], "gold");
  EXPECT_EQ(out["terms"]["tariff_from"], why);
  // gold names no routing, and acme none either: no routing.
  EXPECT_EQ(r.route.status, RouteResult::Status::NoRouting);
}

TEST(Binding, NoRuleMatchesThePaymentInstitutionsDefaultApplies) {
  json j = payment_without_tariff();
  served_by(j, "acme");
  EvalResult r = eval(j);
  ASSERT_GE(r.terms.tariff, 0);
  EXPECT_EQ(tariff_name(r.terms.tariff), "standard");
  EXPECT_EQ(r.terms.tariff_from, "payment_institution acme, default_tariff standard (line " +
                                     std::to_string(line_of("payment_institution acme")) + ")");
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{6000, "RUB"}));  // standard's 1% for Mastercard
  EXPECT_EQ(r.route.status, RouteResult::Status::Chosen);          // standard's routing main
}

TEST(Binding, TheContextsTariffOverridesTheBinding) {
  json j = testing::payment();  // tariff standard
  j["party"] = "big";
  served_by(j, "acme");
  EvalResult r = eval(j);
  EXPECT_EQ(r.terms.tariff, -1);  // not chosen by the domain
  EXPECT_TRUE(r.terms.tariff_from.empty());
  EXPECT_EQ(r.cash_flow.postings[0].amount, (Money{6000, "RUB"}));
  EXPECT_FALSE(testing::result_json(r, bound(), false)["terms"].contains("tariff"));
}

TEST(Binding, ThePaymentInstitutionsRoutingServesATariffWithoutOne) {
  json j = payment_without_tariff();
  served_by(j, "sandbox");
  j["category"] = "gaming";
  EvalResult r = eval(j);
  EXPECT_EQ(tariff_name(r.terms.tariff), "gold");
  ASSERT_EQ(r.route.status, RouteResult::Status::Chosen);
  EXPECT_EQ(bound().vocab.object_name(OK::Terminal, r.route.terminal), "yb_3ds");  // routing usd
}

TEST(Binding, AnUndecidedTariffNamesWhatIsMissing) {
  // No rule matches and no payment institution: its default would decide.
  json j = payment_without_tariff();
  EvalResult r = eval(j);
  EXPECT_EQ(r.terms.tariff, -1);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
  EXPECT_EQ(missing_names(r.terms.missing), (std::vector<std::string>{"tariff", "payment_institution"}));
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Undetermined);
  EXPECT_EQ(missing_names(r.cash_flow.missing), (std::vector<std::string>{"tariff", "payment_institution"}));
  EXPECT_EQ(r.route.status, RouteResult::Status::Undetermined);
  // Without the party, the first rule cannot be decided (nor, without the
  // payment institution, the default).
  j.erase("party");
  r = eval(j);
  EXPECT_EQ(missing_names(r.terms.missing), (std::vector<std::string>{"party", "payment_institution", "tariff"}));
  // The sandbox has no default tariff: only `tariff` is missing.
  j["party"] = "small";
  served_by(j, "sandbox");
  r = eval(j);
  EXPECT_EQ(missing_names(r.terms.missing), (std::vector<std::string>{"tariff"}));
  json out = testing::result_json(r, bound(), false);
  EXPECT_EQ(out["terms"]["status"], "undetermined");
  EXPECT_FALSE(out["terms"].contains("tariff"));
}

TEST(Binding, TheArtifactCarriesItAndAClientAnswersAlike) {
  const Program& p = *bound().program;
  ASSERT_NE(p.binding(), nullptr);
  EXPECT_EQ(p.binding()->rules.count, 2u);
  EXPECT_EQ(p.object_count(OK::PaymentInstitution), 2);
  EXPECT_EQ(p.format_minor(), pdc::kFormatMinor);
  auto again = Program::load(std::string(p.bytes()));
  ASSERT_TRUE(again.ok()) << again.error().text();
  for (const char* party : {"big", "small"}) {
    json j = payment_without_tariff();
    j["party"] = party;
    served_by(j, "acme");
    auto ctx = testing::parse_json(j, bound());
    ASSERT_TRUE(ctx.ok());
    EvalResult a, b;
    evaluate(p, *ctx, EvalOptions{true}, a);
    evaluate(**again, *ctx, EvalOptions{true}, b);
    EXPECT_EQ(testing::result_json(a, bound(), true), testing::result_json(b, bound(), true));
  }
  // A domain without institutions writes no table for the kind (a 1.1 reader reads it).
  EXPECT_EQ(testing::compiled()->program->object_count(OK::PaymentInstitution), 0);
  EXPECT_EQ(testing::compiled()->program->binding(), nullptr);
}

// `expect tariff` in a test: passes on the chosen (or given) tariff, and a
// failure says which tariff the payment got and why, or what was missing.
TEST(Binding, TestsExpectTheTariff) {
  std::string text = kBound + R"(
test "big gets gold" {
  given { payment_institution acme  residence RU  realm live  party "big"  amount 10.00 RUB }
  expect tariff gold
}
test "wrong" {
  given { payment_institution acme  residence RU  realm live  party "big"  amount 10.00 RUB }
  expect tariff standard
}
test "given wins" {
  given { tariff standard  party "big"  amount 10.00 RUB }
  expect tariff standard
}
test "nothing decides" {
  given { party "small"  amount 10.00 RUB }
  expect tariff standard
}
)";
  TestReport r = testing::run_test_text(text);
  ASSERT_EQ(r.cases.size(), 4u);
  EXPECT_TRUE(r.cases[0].passed);
  ASSERT_EQ(r.cases[1].failures.size(), 1u);
  EXPECT_NE(r.cases[1].failures[0].find("expected tariff standard\n      got tariff gold (tariff_binding who, rule 1"),
            std::string::npos)
      << r.cases[1].failures[0];
  EXPECT_TRUE(r.cases[2].passed);
  ASSERT_EQ(r.cases[3].failures.size(), 1u);
  EXPECT_NE(r.cases[3].failures[0].find("got no tariff (missing category, payment_institution, tariff)"), std::string::npos)
      << r.cases[3].failures[0];
}

// ---- whom an institution serves ------------------------------------------------

TEST(InstitutionServes, AResidenceItDoesNotServeIsRefusedWhole) {
  json j = testing::payment();  // tariff standard: the override does not escape the judgement
  served_by(j, "acme");
  j["residence"] = "US";
  EvalResult r = eval(j);
  const std::string why = "payment_institution acme does not serve merchants residing in US (its residences: RU)";
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Forbidden);
  ASSERT_FALSE(r.terms.reasons.empty());
  EXPECT_EQ(r.terms.reasons[0], why);
  EXPECT_EQ(r.route.status, RouteResult::Status::Declined);
  EXPECT_EQ(r.route.decline(), why);
  EXPECT_EQ(r.cash_flow.status, CashFlowResult::Status::Forbidden);
  EXPECT_TRUE(r.cash_flow.postings.empty());
  json out = testing::result_json(r, bound(), false);
  EXPECT_EQ(out["route"]["status"], "declined");
  EXPECT_EQ(out["terms"]["status"], "forbidden");
  // Served: allowed and routed as before.
  j["residence"] = "RU";
  r = eval(j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Allowed);
  EXPECT_EQ(r.route.status, RouteResult::Status::Chosen);
}

TEST(InstitutionServes, ARealmItDoesNotServeIsRefusedAndBothReasonsAreGiven) {
  json j = payment_without_tariff();
  served_by(j, "sandbox");  // no residences: any country
  j["residence"] = "US";
  j["realm"] = "live";
  EvalResult r = eval(j);
  const std::string why = "payment_institution sandbox does not serve live payments (its realm is test)";
  ASSERT_EQ(r.terms.reasons.size(), 1u);
  EXPECT_EQ(r.terms.reasons[0], why);
  EXPECT_EQ(r.route.decline(), why);
  served_by(j, "acme");
  j["residence"] = "US";
  j["realm"] = "test";
  r = eval(j);
  ASSERT_EQ(r.terms.reasons.size(), 2u);
  EXPECT_EQ(r.route.decline(), r.terms.reasons[0] + "; " + r.terms.reasons[1]);
  EXPECT_NE(r.terms.reasons[1].find("does not serve test payments (its realm is live)"), std::string::npos);
}

TEST(InstitutionServes, WithoutTheFieldsTheTermsAreUndetermined) {
  json j = testing::payment();
  served_by(j, "acme");
  j.erase("residence");
  j.erase("realm");
  EvalResult r = eval(j);
  EXPECT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
  EXPECT_EQ(missing_names(r.terms.missing), (std::vector<std::string>{"residence", "realm"}));
  EXPECT_EQ(r.route.status, RouteResult::Status::Chosen);  // what would be chosen if served
  // The sandbox lists no residences: only the realm is missing.
  served_by(j, "sandbox");
  j.erase("realm");
  r = eval(j);
  EXPECT_EQ(missing_names(r.terms.missing), (std::vector<std::string>{"realm"}));
  // No institution named: nothing to judge.
  j.erase("payment_institution");
  EXPECT_EQ(eval(j).terms.verdict, TermsResult::Verdict::Allowed);
}

TEST(InstitutionServes, ARefundIsNotJudgedAgainAndExplanationsNameTheClauses) {
  json j = testing::payment();
  served_by(j, "acme");
  j["residence"] = "US";
  EvalResult r;
  for (const char* op : {"refund", "capture", "chargeback"}) {  // each goes back the way its payment came
    j["operation"] = op;
    r = eval(j);
    for (const std::string& why : r.terms.reasons) EXPECT_EQ(why.find("does not serve"), std::string::npos) << op << ": " << why;
  }
  j["operation"] = "payment";
  j["residence"] = "RU";
  r = eval(j, true);
  std::string serves = "payment_institution acme, realm live (line " + std::to_string(line_of("payment_institution acme")) +
                       "), residences [RU] (line " + std::to_string(line_of("payment_institution acme")) + ")";
  EXPECT_NE(std::find(r.terms.explain.begin(), r.terms.explain.end(), serves), r.terms.explain.end());
}

TEST(InstitutionServes, TheLoaderChecksTheSection) {
  std::string b(bound().program->bytes());
  auto* entries = reinterpret_cast<pdc::SectionEntry*>(b.data() + sizeof(pdc::Header));
  const pdc::SectionEntry& e = entries[static_cast<int>(pdc::Sec::InstitutionResidences) - 1];
  ASSERT_EQ(e.size, 2 * sizeof(pdc::InstitutionResidences));
  auto fix_crc = [](std::string& bytes) {
    std::memset(bytes.data() + pdc::kCrcOffset, 0, 4);
    uint32_t crc = crc32c(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    std::memcpy(bytes.data() + pdc::kCrcOffset, &crc, 4);
  };
  std::string bad = b;
  bad[e.offset] = 2;  // institution 0's `any`
  fix_crc(bad);
  auto p = Program::load(bad);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().text().find("institution_residences"), std::string::npos) << p.error().text();
  bad = b;
  uint32_t count = 0;  // institution 0 (residences [RU]) without its flags
  std::memcpy(bad.data() + e.offset + 12, &count, 4);
  fix_crc(bad);
  ASSERT_FALSE(Program::load(bad).ok());
  // One record per institution, always (format 2.0 has no artifact without them).
  bad = b;
  reinterpret_cast<pdc::SectionEntry*>(bad.data() + sizeof(pdc::Header))[static_cast<int>(pdc::Sec::InstitutionResidences) - 1]
      .size = 0;
  fix_crc(bad);
  p = Program::load(bad);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().text().find("0 records for 2 institutions"), std::string::npos) << p.error().text();
}

// ---- property: evaluation decides every binding as the interpreter does ------------

using testing::RandomDomain;
using testing::Space;

// Whom the payment's institution serves, from the object form: 1 served (or
// nothing to judge), 0 refused, -1 undecided (a field missing).
int oracle_serves(const CompiledDomain& d, const Facts& f) {
  if (f.has(Attr::Operation) && f.get(Attr::Operation) != kOperationPayment) return 1;  // goes back its payment's way
  if (!f.has(Attr::PaymentInstitution)) return 1;
  const CompiledInstitution& pi = d.institutions[static_cast<size_t>(f.get(Attr::PaymentInstitution))];
  bool refused = false, undecided = false;
  if (pi.residences) {
    if (!f.has(Attr::Residence)) undecided = true;
    else refused = !(*pi.residences)[static_cast<size_t>(f.get(Attr::Residence))];
  }
  if (!f.has(Attr::Realm)) undecided = true;
  else refused = refused || f.get(Attr::Realm) != pi.realm;
  return refused ? 0 : undecided ? -1 : 1;
}

// The tariff the oracle gives for a complete payment: the first true rule's
// (interpreted rule by rule), else the payment institution's default; -1 none.
int32_t oracle(const CompiledDomain& d, const Facts& f) {
  int32_t o = interpret(d.binding->rules.rules, f);
  if (o >= 0) return d.binding->tariffs[static_cast<size_t>(o)];
  if (!f.has(Attr::PaymentInstitution)) return -1;
  return d.institutions[static_cast<size_t>(f.get(Attr::PaymentInstitution))].default_tariff;
}

int served = 0, refused = 0, undecided = 0;

// Whether evaluation judged the institution as the oracle does: the oracle's
// answer (1, 0, -1), or -2 when the result disagrees.
int judged_as_the_oracle(const CompiledDomain& d, const Facts& f, const EvalResult& r) {
  const int serves = oracle_serves(d, f);
  (serves == 0 ? refused : serves < 0 ? undecided : served)++;
  bool declined = r.route.status == RouteResult::Status::Declined &&
                  r.route.decline().find("does not serve") != std::string_view::npos;
  if (declined != (serves == 0)) return -2;
  if (serves == 0 && (r.terms.verdict != TermsResult::Verdict::Forbidden ||
                      r.cash_flow.status != CashFlowResult::Status::Forbidden || !r.cash_flow.postings.empty()))
    return -2;
  if (serves < 0 && (r.terms.verdict == TermsResult::Verdict::Allowed ||
                     (r.terms.missing & (bit(Attr::Residence) | bit(Attr::Realm))) == 0))
    return -2;
  return serves;
}

TEST(BindingProperty, EvaluationDecidesAsTheInterpreter) {
  int checked = 0, partial = 0, by_default = 0, by_rule = 0;
  for (uint32_t seed = 900; seed < 1000; ++seed) {
    RandomDomain gen(seed);
    std::string text = gen.bound_domain(8);
    dsl::Domain dom = testing::load_checked(text);
    if (::testing::Test::HasFailure()) return;
    auto compiled = compile(dom);
    ASSERT_TRUE(compiled.ok()) << compiled.error().text();
    const CompiledDomain& d = **compiled;
    ASSERT_TRUE(d.binding.has_value());
    Space sp(d.vocab);
    std::vector<Attr> attrs = sp.attrs();
    attrs.push_back(Attr::PaymentInstitution);
    for (int k = 0; k < 100; ++k) {
      Context c;
      for (Attr a : attrs)
        if (sp.count(a) > 0) sp.set(c.facts, a, static_cast<size_t>(gen.pick(static_cast<int>(sp.count(a)))));
      EvalResult r = evaluate(d, c);
      int32_t want = oracle(d, c.facts);
      ASSERT_EQ(r.terms.tariff, want) << "seed " << seed << " payment " << k << "\n" << text;
      const int serves = judged_as_the_oracle(d, c.facts, r);
      ASSERT_GE(serves, 0) << "seed " << seed << " payment " << k << "\n" << text;
      if (want < 0 && serves != 0) {
        ASSERT_EQ(r.terms.verdict, TermsResult::Verdict::Undetermined);
        ASSERT_NE(r.terms.missing & kMissTariff, 0u);
      } else {
        (interpret(d.binding->rules.rules, c.facts) >= 0 ? by_rule : by_default)++;
      }
      ++checked;
      // Partial: drop one or two attributes; decided exactly when every completion agrees.
      if (k % 3 != 0) continue;
      std::vector<Attr> missing;
      for (int m = 0, n = 1 + gen.pick(2); m < n; ++m) {
        Attr a = gen.one(attrs);
        if (std::find(missing.begin(), missing.end(), a) == missing.end() && c.facts.has(a)) missing.push_back(a);
      }
      if (std::find(missing.begin(), missing.end(), Attr::Currency) != missing.end() &&
          std::find(missing.begin(), missing.end(), Attr::Amount) == missing.end())
        missing.push_back(Attr::Amount);
      Context pc = c;
      for (Attr a : missing) pc.facts.clear(a);
      std::set<int32_t> outcomes;
      testing::outcomes_over_completions(sp, d.binding->rules.rules, pc.facts, missing, outcomes);
      EvalResult pr = evaluate(d, pc);
      ASSERT_GE(judged_as_the_oracle(d, pc.facts, pr), -1) << "seed " << seed << " partial " << k << "\n" << text;
      if (outcomes.size() == 1 && *outcomes.begin() >= 0) {
        ASSERT_EQ(pr.terms.tariff, d.binding->tariffs[static_cast<size_t>(*outcomes.begin())]) << "seed " << seed;
      } else if (outcomes.size() == 1) {  // no rule: the payment institution's default, if known
        int32_t want_default = pc.facts.has(Attr::PaymentInstitution)
                                   ? d.institutions[static_cast<size_t>(pc.facts.get(Attr::PaymentInstitution))].default_tariff
                                   : -1;
        ASSERT_EQ(pr.terms.tariff, want_default) << "seed " << seed;
      } else {
        ASSERT_EQ(pr.terms.tariff, -1) << "seed " << seed << " partial " << k << "\n" << text;
        ASSERT_NE(pr.terms.missing & ~kMissTariff, 0u) << "seed " << seed;  // names what would decide
      }
      ++partial;
    }
  }
  EXPECT_GT(checked, 5000);
  EXPECT_GT(partial, 1000);
  EXPECT_GT(by_rule, 500);
  EXPECT_GT(by_default, 100);
  EXPECT_GT(served, 1000);  // refunds among them
  EXPECT_GT(refused, 1000);
  EXPECT_GT(undecided, 50);
}

}  // namespace
}  // namespace paydomain::evaluator
