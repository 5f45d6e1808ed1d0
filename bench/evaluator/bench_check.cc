// The check's figures (issue 14, item 5), from one run:
//   - `paydomain check` of the 10,000-rule bench domain (bench_evaluator's
//     fee selector, plus 30 tests): parse, check, compile, the analysis with
//     warnings, and the whole check_sources; target <= 1 s in all;
//   - the editor's live check (POST /v1/check's evaluator::live_check: check,
//     analysis, the domain's tests) of a ~3,000-line mixed domain, cold (no
//     caches) and after a one-object edit with the server's caches
//     warm, median and worst of 20 edits, each a different tariff; target
//     <= 50 ms; with the edit's parts (parse+check, compile, analysis, tests).
// (A commit's cost with its tests gate and artifact: bench/store/bench_commit.)
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/support/generated_domains.h"
#include "dsl/checker.h"
#include "dsl/parser.h"
#include "evaluator/analyze.h"
#include "evaluator/check.h"
#include "evaluator/compiled.h"

namespace {

using namespace paydomain;
using Clock = std::chrono::steady_clock;

// CPU time of this thread: on a shared 2-core machine the wall clock mostly
// measures other processes (every figure here runs on one thread).
struct Cpu {
  static double now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  }
};
struct Stamp {
  Clock::time_point wall = Clock::now();
  double cpu = Cpu::now_ms();
};
double ms_since(const Stamp& t) { return Cpu::now_ms() - t.cpu; }
double wall_ms_since(const Stamp& t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t.wall).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double worst(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

const char* verdict(double value, double target) { return value <= target ? "met" : "NOT met"; }

// A few tests against the mixed domain's tariffs, so the live check runs tests as the editor's does.
std::string mixed_tests(int count) {
  std::string s;
  for (int k = 0; k < count; ++k) {
    s += "test \"tariff tf" + std::to_string(k) + " takes a card payment\" {\n  given {\n    tariff tf" +
         std::to_string(k) + "\n    amount 100.00 RUB\n    payment_tool bank_card\n    payment_system ps" +
         std::to_string(k % 50) + "\n    category cat" + std::to_string(k % 50) + "\n  }\n  expect allowed\n}\n";
  }
  return s;
}

size_t lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

bool fail(const dsl::Diagnostics& diags, const dsl::Domain& d) {
  if (!diags.has_errors()) return false;
  std::fprintf(stderr, "%s", dsl::render_all(diags.items(), d.files).c_str());
  return true;
}

int check_10k(const char* what, const std::string& text) {
  std::vector<double> parse, check, compile, analysis, whole, whole_wall;
  size_t warnings = 0;
  for (int run = 0; run < 3; ++run) {
    dsl::Diagnostics diags;
    Stamp t0;
    dsl::Domain d = dsl::parse({{"gen.pd", text}}, diags);
    parse.push_back(ms_since(t0));
    Stamp t1;
    dsl::check(d, diags);
    check.push_back(ms_since(t1));
    if (fail(diags, d)) return 1;
    Stamp t2;
    auto c = evaluator::compile(d);
    compile.push_back(ms_since(t2));
    if (!c) return 1;
    Stamp t3;
    evaluator::analyze(d, **c, diags);
    analysis.push_back(ms_since(t3));
    Stamp t4;
    evaluator::CheckReport r = evaluator::check_sources({{"gen.pd", text}});
    whole.push_back(ms_since(t4));
    whole_wall.push_back(wall_ms_since(t4));
    warnings = r.diagnostics.warning_count();
  }
  std::printf("check of %s (%zu lines, %.2f MB), median of 3, CPU:\n", what, lines(text),
              static_cast<double>(text.size()) / 1e6);
  std::printf("  parse %.0f ms, check %.0f ms, compile %.0f ms, analysis with warnings %.0f ms (%zu warning(s))\n",
              median(parse), median(check), median(compile), median(analysis), warnings);
  double total = median(whole);
  std::printf(
      "  whole check (check_sources, as `paydomain check`): %.0f ms CPU, %.0f ms wall (target <= 1000 ms: %s, "
      "ratio %.2fx)\n",
      total, median(whole_wall), verdict(total, 1000), total / 1000);
  return 0;
}

// One edit of tariff tf<k>: its `otherwise` rate, on the same line (the
// line count and every other object stay as they were).
std::string edited(const std::string& base, int k) {
  std::string at = "tariff tf" + std::to_string(k) + " {";
  size_t p = base.find(at);
  size_t q = base.find("2.5% of amount", p);
  std::string s = base;
  s.replace(q, 3, "2." + std::to_string(1 + k % 9));
  return s;
}

// One edit of the small tariff appended to a big fee decision: its rate.
std::string edited_small(const std::string& base, int k) {
  std::string s = base;
  size_t q = s.find("7% of amount", s.find("tariff small {"));
  s.replace(q, 1, std::to_string(1 + k % 9));
  return s;
}

int live_check(const char* what, const std::string& base, std::string (*edit)(const std::string&, int)) {
  evaluator::CheckCaches caches;
  std::vector<double> cold, warm, warm_wall;
  size_t warnings = 0, tests = 0, objects = 0;
  std::string body;
  for (int run = 0; run < 3; ++run) {
    Stamp t0;
    evaluator::LiveCheck c = evaluator::live_check({{"mixed.pd", base}}, nullptr);
    body.clear();
    evaluator::write_check_report(c.report, body, c.tests ? &*c.tests : nullptr);
    cold.push_back(ms_since(t0));
    if (!c.report.ok()) {
      std::fprintf(stderr, "%s", dsl::render_all(c.report.diagnostics.items(), c.report.domain.files).c_str());
      return 1;
    }
    if (c.tests && c.tests->failed) {
      std::fprintf(stderr, "a test of the mixed domain fails\n");
      return 1;
    }
    warnings = c.report.diagnostics.warning_count();
    tests = c.tests ? c.tests->cases.size() : 0;
    objects = c.report.domain.objects.size();
  }
  (void)evaluator::live_check({{"mixed.pd", base}}, &caches);  // the editor's first check fills the caches
  for (int k = 0; k < 20; ++k) {
    std::string text = edit(base, k);
    Stamp t0;
    evaluator::LiveCheck c = evaluator::live_check({{"mixed.pd", text}}, &caches);
    body.clear();
    evaluator::write_check_report(c.report, body, c.tests ? &*c.tests : nullptr);
    warm.push_back(ms_since(t0));
    warm_wall.push_back(wall_ms_since(t0));
  }
  // The parts of one edit, with the caches warm, and without them.
  std::vector<double> pc, pc_cold, comp, comp_cold, an, an_cold, te;
  for (int k = 0; k < 5; ++k) {
    std::string text = edit(base, 20 + k);
    dsl::Diagnostics diags, diags_cold;
    Stamp t0;
    dsl::Domain d = dsl::load({{"mixed.pd", text}}, diags, &caches.parse);
    pc.push_back(ms_since(t0));
    Stamp t4;
    (void)dsl::load({{"mixed.pd", text}}, diags_cold);
    pc_cold.push_back(ms_since(t4));
    Stamp t1;
    evaluator::CompileOptions cached;
    cached.cache = &caches.compile;
    auto c = evaluator::compile(d, cached);
    comp.push_back(ms_since(t1));
    if (!c) return 1;
    Stamp t6;
    (void)evaluator::compile(d);
    comp_cold.push_back(ms_since(t6));
    Stamp t2;
    evaluator::analyze(d, **c, diags, &caches.analysis);
    an.push_back(ms_since(t2));
    dsl::Diagnostics uncached;
    Stamp t5;
    evaluator::analyze(d, **c, uncached, nullptr);
    an_cold.push_back(ms_since(t5));
    Stamp t3;
    evaluator::TestReport r = evaluator::run_tests(d, **c);
    te.push_back(ms_since(t3));
  }
  auto st = caches.analysis.stats();
  auto ps = caches.parse.stats();
  auto cs = caches.compile.stats();
  std::printf("live check (POST /v1/check) of a %zu-line domain, %s (%zu objects, %zu tests, %zu warning(s)):\n",
              lines(base), what, objects, tests, warnings);
  std::printf("  cold, no cache: %.1f ms CPU\n", median(cold));
  double m = median(warm);
  std::printf(
      "  after a one-object edit, cache warm: median %.1f ms CPU (%.1f ms wall), worst %.1f ms CPU of 20 "
      "(target <= 50 ms: %s, ratio %.2fx; %.1fx less than cold)\n",
      m, median(warm_wall), worst(warm), verdict(m, 50), m / 50, median(cold) / std::max(m, 0.001));
  std::printf(
      "  its parts (without the caches): parse+check %.1f ms (%.1f), compile %.1f ms (%.1f), analysis %.2f ms "
      "(%.2f), tests %.1f ms\n",
      median(pc), median(pc_cold), median(comp), median(comp_cold), median(an), median(an_cold), median(te));
  auto show = [](const char* name, auto s) {
    std::printf("  %s cache: %zu entries, %.1f KB, %llu hits, %llu misses\n", name, s.entries,
                static_cast<double>(s.bytes) / 1024, static_cast<unsigned long long>(s.hits),
                static_cast<unsigned long long>(s.misses));
  };
  show("parse", ps);
  show("compile", cs);
  show("analysis", st);
  return 0;
}

}  // namespace

int main() {
  std::string big = bench::fee_rules_domain(10000) + bench::fee_rule_tests(10000, 30);
  if (check_10k("the 10,000-rule domain", big)) return 1;
  if (check_10k("the 10,000-rule domain with a nested decision in each rule", bench::fee_rules_domain(10000, true)))
    return 1;
  int objects = 420;  // about 3,000 lines with the tests
  std::string mixed = bench::mixed_domain(objects, 7) + mixed_tests(20);
  if (live_check("every kind of object", mixed, edited)) return 1;
  // Most of the lines one big fee decision: its analysis is what the cache saves.
  std::string one_big = bench::fee_rules_domain(3000) +
                        "tariff small {\n  fees {\n    when payment_system == ps1 { merchant.settlement -> "
                        "system.settlement : 7% of amount }\n    otherwise { merchant.settlement -> system.settlement : "
                        "1% of amount }\n  }\n}\n" +
                        bench::fee_rule_tests(3000, 20);
  if (live_check("a 3,000-rule tariff and a small one, the small one edited", one_big, edited_small)) return 1;
  return 0;
}
