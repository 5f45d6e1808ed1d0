// Impact figures, printed from one run on the generated 10,000-rule domain
// (bench/support/generated_domains.h):
//   - the symbolic difference for a one-rule change (target <= 200 ms) and for
//     a change touching every rule (printed);
//   - the replay of 100,000 payment contexts at both revisions on every core
//     (target <= 1 s on 2 cores).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/support/generated_domains.h"
#include "dsl/checker.h"
#include "evaluator/evaluator.h"
#include "evaluator/impact.h"
#include "evaluator/replay.h"

namespace ev = paydomain::evaluator;
namespace dsl = paydomain::dsl;
namespace pb = paydomain::bench;
using Clock = std::chrono::steady_clock;

namespace {

std::shared_ptr<const ev::CompiledDomain> build(const std::string& text) {
  dsl::Diagnostics diags;
  dsl::Domain d = dsl::load({{"gen.pd", text}}, diags);
  if (diags.has_errors()) {
    std::fprintf(stderr, "%s", dsl::render_all(diags.items(), d.files).c_str());
    std::abort();
  }
  return *ev::compile(d);
}

// Median wall time of `runs` calls, in milliseconds.
double median_ms(int runs, const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int k = 0; k < runs; ++k) {
    auto t0 = Clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

std::string replace_nth(std::string s, const std::string& from, const std::string& to, size_t nth) {
  size_t at = 0;
  for (size_t i = 0; i <= nth; ++i) at = s.find(from, i == 0 ? 0 : at + 1);
  return s.replace(at, from.size(), to);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// Payments over the generated attributes, each hitting some rule's cell or none.
std::string corpus(size_t n) {
  std::mt19937 rng(42);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    int r = static_cast<int>(rng() % 10000);
    int band = (r / 2000) % 5;
    out += "{\"tariff\": \"big\", \"amount\": {\"amount\": " +
           std::to_string(band * 100000 + static_cast<int>(rng() % 99999)) + ", \"currency\": \"" +
           pb::kCurrency[(r / 20) % 5] + "\"}, \"payment_tool\": {\"kind\": \"bank_card\", " +
           "\"payment_system\": \"ps" + std::to_string(r % 20) + "\"}, \"category\": \"cat" +
           std::to_string((r / 100) % 20) + "\", \"risk\": \"" + pb::kRisk[rng() % 3] +
           "\", \"payment_key\": \"order-" + std::to_string(i) + "\"}\n";
  }
  return out;
}

}  // namespace

int main() {
  const std::string base = pb::fee_rules_domain(10000);
  const std::string fee = "1% of amount";
  auto a = build(base);
  auto one = build(replace_nth(base, fee, "2% of amount", 5000));
  auto every = build(replace_all(base, fee, "1.1% of amount"));

  ev::SymbolicImpact r1, r2;
  double one_ms = median_ms(5, [&] { r1 = ev::symbolic_impact(*a, *one); });
  double every_ms = median_ms(3, [&] { r2 = ev::symbolic_impact(*a, *every); });
  std::printf(
      "symbolic difference, one rule of 10,000 changed: %.1f ms (median of 5), %zu region(s)%s; target <= 200 ms: %s\n",
      one_ms, r1.regions.size() + r1.more, r1.complete ? "" : ", INCOMPLETE", one_ms <= 200 ? "met" : "NOT met");
  std::printf(
      "symbolic difference, every rule of 10,000 changed: %.1f ms (median of 3), %zu region(s) (%zu listed)%s\n",
      every_ms, r2.regions.size() + r2.more, r2.regions.size(), r2.complete ? "" : ", INCOMPLETE");

  const size_t n = 100000;
  std::string lines = corpus(n);
  ev::ReplayReport rep;
  double replay_ms = median_ms(3, [&] {
    auto r = ev::replay(*a, *one, lines);
    if (!r) {
      std::fprintf(stderr, "%s\n", r.error().text().c_str());
      std::abort();
    }
    rep = std::move(*r);
  });
  std::printf(
      "replay of %zu contexts at two revisions (10,000 rules), %u core(s): %.1f ms (median of 3), %zu changed; "
      "target <= 1000 ms on 2 cores: %s\n",
      rep.payments, std::thread::hardware_concurrency(), replay_ms, rep.changed, replay_ms <= 1000 ? "met" : "NOT met");
  return 0;
}
