// Weekday and time conditions in a time zone (`time("Europe/Berlin")`): what
// they mean, checked against date/tz's own UTC -> local conversion over many
// instants (around every DST transition of the zones, and far from them);
// the decision DAG against the rule-by-rule interpreter (the oracle) on
// random zoned domains, complete and partial; and end to end, a domain's
// own tests across a transition, as the service and `paydomain test` run them.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "date/tz.h"
#include "dsl/checker.h"
#include "dsl/timezone.h"
#include "evaluator/compiled.h"
#include "evaluator/impact.h"
#include "evaluator/testing.h"
#include "evaluator/time.h"
#include "random_domain.h"

namespace paydomain::evaluator {
namespace {

using testing::RandomDomain;
using testing::Space;

dsl::Domain load(const std::string& text) { return testing::load_checked(text, "zoned.pd"); }

// The payment's local weekday (0 Monday) and minute of the day, by date/tz.
std::pair<int32_t, int32_t> local_of(const std::string& zone, int64_t t) {
  int64_t local = t;
  if (auto fixed = dsl::fixed_offset_minutes(zone)) {
    local += int64_t{*fixed} * 60;
  } else {
    auto l = date::locate_zone(zone)->to_local(date::sys_seconds{std::chrono::seconds{t}});
    local = l.time_since_epoch().count();
  }
  return {weekday_of(local), minute_of_day(local)};
}

// One random zoned comparison, as text and as the meaning it should have.
struct Spec {
  std::string zone;
  int kind = 0;  // 0 between a and b (inclusive, past midnight when a > b), 1 < a, 2 >= a, 3 weekday in days, 4 weekday != a
  int a = 0, b = 0;
  std::vector<int> days;

  static std::string hhmm(int m) {
    char s[16];
    std::snprintf(s, sizeof s, "%02d:%02d", m / 60, m % 60);
    return s;
  }
  std::string text() const {
    static const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    std::string z = "(\"" + zone + "\")";
    switch (kind) {
      case 0: return "time" + z + " between " + hhmm(a) + " and " + hhmm(b);
      case 1: return "time" + z + " < " + hhmm(a);
      case 2: return "time" + z + " >= " + hhmm(a);
      case 3: {
        std::string s = "weekday" + z + " in [";
        for (size_t i = 0; i < days.size(); ++i) s += (i ? ", " : "") + std::string(names[days[i]]);
        return s + "]";
      }
      default: return "weekday" + z + " != " + names[a];
    }
  }
  bool holds(int64_t t) const {
    auto [day, minute] = local_of(zone, t);
    switch (kind) {
      case 0: return a <= b ? minute >= a && minute <= b : minute >= a || minute <= b;
      case 1: return minute < a;
      case 2: return minute >= a;
      case 3: return std::find(days.begin(), days.end(), day) != days.end();
      default: return day != a;
    }
  }
};

const std::vector<std::string> kZones = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
                                         "Europe/Moscow", "Pacific/Chatham",  "America/St_Johns",    "+05:30",
                                         "-09:30",        "UTC"};

// Instants around every transition of the zones in the covered years
// (a second, a minute, half an hour and an hour either side) and at random.
std::vector<int64_t> instants(RandomDomain& gen) {
  std::vector<int64_t> out;
  const int64_t from = 31536000, to = 2145916800;  // 1971 .. 2038
  for (const std::string& z : kZones) {
    auto t = dsl::zone_transitions(z);
    if (!t) continue;
    for (int64_t s : t->starts) {
      if (s < from || s >= to || gen.pick(4) != 0) continue;
      for (int64_t d : {1, 60, 1800, 3600}) out.insert(out.end(), {s - d, s, s + d});
    }
  }
  for (int i = 0; i < 3000; ++i) out.push_back(from + int64_t{gen.pick(static_cast<int>((to - from) / 2))} * 2);
  return out;
}

TEST(ZonedTime, ConditionsMeanTheLocalTimeAcrossTransitions) {
  RandomDomain gen(41);
  std::vector<int64_t> times = instants(gen);
  ASSERT_GT(times.size(), 4000u);
  int compared = 0;
  for (int domain = 0; domain < 12; ++domain) {
    std::vector<Spec> specs;
    std::string text = std::string(testing::kReference) + "tariff t {\n  fees {\n";
    for (int i = 0; i < 6; ++i) {
      Spec s;
      s.zone = gen.one(kZones);
      s.kind = gen.pick(5);
      s.a = gen.pick(4) == 0 ? 60 * gen.pick(24) : gen.pick(24 * 60);
      s.b = gen.pick(24 * 60);
      if (s.kind == 4) s.a = gen.pick(7);
      for (int k = 0, n = 1 + gen.pick(3); k < n; ++k) s.days.push_back(gen.pick(7));
      specs.push_back(s);
      text += "    when " + s.text() + " { merchant.settlement -> system.settlement : " + std::to_string(i + 1) +
              "% of amount }\n";
    }
    text += "  }\n}\n";
    auto c = compile(load(text));
    ASSERT_TRUE(c.ok()) << c.error().text();
    const Selector& sel = (*c)->tariffs[0].fees->arms;
    ASSERT_FALSE(sel.fallback);
    for (int64_t t : times) {
      int32_t want = kNoMatch;
      for (size_t i = 0; i < specs.size() && want == kNoMatch; ++i)
        if (specs[i].holds(t)) want = static_cast<int32_t>(i);
      Context ctx;
      ctx.set_time(t);
      ASSERT_EQ(interpret(sel.rules, ctx.facts), want) << format_time(t, 0) << "\n" << text;
      ASSERT_EQ(sel.dag.decide(ctx.facts), want) << format_time(t, 0) << "\n" << text;
      ++compared;
    }
  }
  EXPECT_GT(compared, 50000);
}

// Random zoned domains (with every other kind of atom): the DAG answers as
// the interpreter, and a partial payment's possible rules are those of its
// completions (brute force over the Space: an instant in every stretch
// between two transitions of the zones, every weekday, the telling minutes).
TEST(ZonedTime, TheDagAnswersAsTheInterpreter) {
  int checked = 0, partial = 0, zoned = 0;
  for (uint32_t seed = 1; seed <= 80; ++seed) {
    RandomDomain gen(seed, true);
    std::string text = gen.domain(1 + gen.pick(20), gen.pick(2) == 0);
    zoned += text.find("(\"") != std::string::npos;
    auto c = compile(load(text));
    ASSERT_TRUE(c.ok()) << c.error().text();
    const Selector& sel = (*c)->tariffs[0].fees->arms;
    Space sp((*c)->vocab, true);
    ASSERT_FALSE(sp.instants.empty());
    // Zoned bounds move the minutes by the zones' offsets (whole half hours
    // here): every boundary is 0, 1 or 29 past a half hour, so these minutes
    // sit in every stretch a DAG can tell apart.
    sp.minutes.clear();
    for (int64_t m = 0; m < 24 * 60; ++m)
      if (m % 30 == 0 || m % 30 == 1 || m % 30 == 29) sp.minutes.push_back(m);
    for (int k = 0; k < 150; ++k) {
      Facts f;
      for (Attr a : sp.attrs())
        if (sp.count(a) > 0) sp.set(f, a, static_cast<size_t>(gen.pick(static_cast<int>(sp.count(a)))));
      ASSERT_EQ(sel.dag.decide(f), interpret(sel.rules, f)) << "seed " << seed << " context " << k;
      ++checked;
      if (k % 5 != 0) continue;
      // The payment time gone (weekday, time of day and instant go together;
      // for a few domains only, as that is every completion of all three),
      // or the instant alone, or the weekday and time of day alone.
      std::vector<Attr> missing = k == 0 && seed <= 4 ? std::vector<Attr>{Attr::Instant, Attr::Weekday, Attr::TimeOfDay}
                                  : k % 2 ? std::vector<Attr>{Attr::Instant}
                                          : std::vector<Attr>{Attr::Weekday, Attr::TimeOfDay};
      Facts pf = f;
      for (Attr a : missing) pf.clear(a);
      std::set<int32_t> expect;
      testing::outcomes_over_completions(sp, sel.rules, pf, missing, expect);
      std::vector<int32_t> got;
      uint32_t miss = 0;
      sel.dag.explore(pf, got, miss);
      ASSERT_EQ(std::vector<int32_t>(expect.begin(), expect.end()), got) << "seed " << seed << " partial " << k;
      ++partial;
    }
  }
  EXPECT_GT(zoned, 60);
  EXPECT_EQ(checked, 80 * 150);
  EXPECT_EQ(partial, 80 * 30);
}

// End to end: a domain's tests evaluate zoned conditions through the
// compiled program (the artifact form), on both sides of Berlin's spring
// transition and of New York's autumn one.
TEST(ZonedTime, ADomainsOwnTestsAcrossTransitions) {
  const std::string text = std::string(testing::kReference) + R"pd(
tariff t {
  currencies [RUB]
  fees {
    when time("Europe/Berlin") between 02:00 and 02:59 {
      merchant.settlement -> system.settlement : 3% of amount "never on the spring-forward night"
    }
    when weekday("America/New_York") in [sat, sun] {
      merchant.settlement -> system.settlement : 2% of amount "weekend in New York"
    }
    otherwise { merchant.settlement -> system.settlement : 1% of amount }
  }
}
test "01:59 CET, a Sunday in Berlin: the weekday in New York is Saturday" {
  given { tariff t amount 100.00 RUB time "2026-03-29T00:59:00Z" }
  expect posting merchant.settlement -> system.settlement 2.00 RUB
}
test "03:00 CEST: the clock skipped 02:00-02:59" {
  given { tariff t amount 100.00 RUB time "2026-03-29T01:00:00Z" }
  expect posting merchant.settlement -> system.settlement 2.00 RUB
}
test "02:30 CEST in summer" {
  given { tariff t amount 100.00 RUB time "2026-07-01T00:30:00Z" }
  expect posting merchant.settlement -> system.settlement 3.00 RUB
}
test "Monday 00:30 UTC is still Sunday in New York (EDT, -04:00)" {
  given { tariff t amount 100.00 RUB time "2026-10-26T00:30:00Z" }
  expect posting merchant.settlement -> system.settlement 2.00 RUB
}
test "Monday 04:30 UTC is Monday in New York (EDT)" {
  given { tariff t amount 100.00 RUB time "2026-10-26T04:30:00Z" }
  expect posting merchant.settlement -> system.settlement 1.00 RUB
}
test "Monday 04:30 UTC is Sunday 23:30 in New York after the change to EST" {
  given { tariff t amount 100.00 RUB time "2026-11-02T04:30:00Z" }
  expect posting merchant.settlement -> system.settlement 2.00 RUB
}
)pd";
  dsl::Domain d = load(text);
  auto c = compile(d);
  ASSERT_TRUE(c.ok()) << c.error().text();
  TestReport r = run_tests(d, **c);
  ASSERT_EQ(r.cases.size(), 6u);
  for (const TestCase& tc : r.cases) {
    std::string why;
    for (const std::string& f : tc.failures) why += f + "\n";
    EXPECT_TRUE(tc.passed) << tc.name << "\n" << why;
  }
}

// Impact analysis of a zoned rule: the regions' payment times are ranges of
// instants (when each offset holds), and every region's example, a payment
// time consistent with its weekday and time of day, evaluates differently.
TEST(ZonedTime, ImpactRegionsHaveConsistentExamples) {
  auto domain = [](const std::string& zone) {
    return std::string(testing::kReference) + R"(
tariff t {
  currencies [RUB]
  fees {
    when weekday(")" + zone + R"(") in [sat, sun] and time(")" + zone + R"(") between 09:00 and 17:59 {
      merchant.settlement -> system.settlement : 2% of amount
    }
    otherwise { merchant.settlement -> system.settlement : 1% of amount }
  }
}
)";
  };
  auto a = compile(load(domain("UTC"))), b = compile(load(domain("Europe/Berlin")));
  ASSERT_TRUE(a.ok() && b.ok());
  SymbolicImpact im = symbolic_impact(**a, **b);
  ASSERT_TRUE(im.complete);
  ASSERT_FALSE(im.regions.empty());
  size_t timed = 0;
  for (const ImpactRegion& r : im.regions) {
    timed += r.where.find("payment time") != std::string::npos;
    EXPECT_TRUE(r.example_differs) << r.where << "\n" << r.example;
  }
  EXPECT_GT(timed, 0u);
}

}  // namespace
}  // namespace paydomain::evaluator
