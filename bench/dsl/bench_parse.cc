// Parse + check throughput on a generated domain of 10,000 objects (~1 MB).
// Prints MB/s (median of several runs) against the 5 MB/s target.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "dsl/checker.h"

namespace {

// A realistic mix: reference data, providers and terminals, tariffs with
// decision-heavy fees, routing rulesets, limits and tests.
std::string generate_domain(int objects, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out;
  const char* currencies[] = {"RUB", "USD", "EUR", "KZT"};
  int codes[] = {643, 840, 978, 398};
  for (int i = 0; i < 4; ++i) {
    out += "currency " + std::string(currencies[i]) + " { name \"Currency " + currencies[i] + "\" numeric " +
           std::to_string(codes[i]) + " exponent 2 }\n";
  }
  int n = 4;
  auto emit = [&](const std::string& s) {
    out += s;
    ++n;
  };
  for (int i = 0; i < 50; ++i) emit("payment_system ps" + std::to_string(i) + " { name \"System " + std::to_string(i) + "\" }\n");
  for (int i = 0; i < 50; ++i) emit("category cat" + std::to_string(i) + " { name \"Category " + std::to_string(i) + "\" }\n");
  emit("adapter ad { url \"https://bank.example/api\" option \"timeout\" \"5s\" }\n");
  for (int i = 0; i < 100; ++i) {
    emit("provider p" + std::to_string(i) + " {\n  adapter ad\n  account RUB " + std::to_string(10000 + i) +
         "\n  accepts currency in [RUB, USD] and payment_tool is bank_card\n  fees {\n"
         "    system.settlement -> provider.settlement : 1.5% of amount\n  }\n}\n");
  }
  int terminals = 0;
  while (n < objects * 6 / 10) {
    emit("terminal t" + std::to_string(terminals) + " { provider p" + std::to_string(rng() % 100) +
         " risk_coverage " + (rng() % 2 ? "high" : "low") + " }\n");
    ++terminals;
  }
  int routings = 0;
  while (n < objects * 7 / 10) {
    std::string r = "routing r" + std::to_string(routings++) + " {\n  when risk == fatal: decline \"risk\"\n";
    for (int c = 0; c < 4; ++c) {
      r += "  candidate t" + std::to_string(rng() % terminals) + " priority " + std::to_string(1000 - c * 100) +
           " weight " + std::to_string(1 + rng() % 100) + " when amount < " + std::to_string(1000 + rng() % 100000) +
           ".00 RUB\n";
    }
    r += "  exclude when health.failure_rate >= 70%\n}\n";
    emit(r);
  }
  int tariffs = 0;
  while (n < objects * 9 / 10) {
    std::string t = "tariff tf" + std::to_string(tariffs++) + " {\n  name \"Tariff\"\n  currencies [RUB, USD]\n"
                    "  amount between 10.00 RUB and 500000.00 RUB\n  routing r" + std::to_string(rng() % routings) +
                    "\n  fees {\n";
    for (int k = 0; k < 3; ++k) {
      t += "    when payment_system in [ps" + std::to_string(rng() % 50) + ", ps" + std::to_string(rng() % 50) +
           "] and category == cat" + std::to_string(rng() % 50) + " {\n"
           "      merchant.settlement -> system.settlement : max(" + std::to_string(1 + rng() % 3) + "." +
           std::to_string(rng() % 10) + "% of amount, 10.00 RUB) \"fee\"\n    }\n";
    }
    t += "    otherwise {\n      merchant.settlement -> system.settlement : 2.5% of amount round half_even\n    }\n"
         "  }\n}\n";
    emit(t);
  }
  int limits = 0;
  while (n < objects) {
    emit("limit l" + std::to_string(limits++) + " { scope [shop, payment_tool] period day amount <= 100000.00 RUB "
         "when category == cat" + std::to_string(rng() % 50) + " }\n");
  }
  return out;
}

}  // namespace

int main() {
  using namespace paydomain::dsl;
  std::string text = generate_domain(10000, 42);
  double mb = text.size() / 1e6;
  std::vector<double> seconds;
  size_t objects = 0;
  for (int run = 0; run < 7; ++run) {
    Diagnostics diags;
    auto t0 = std::chrono::steady_clock::now();
    Domain d = load({SourceFile{"generated.pd", text}}, diags);
    auto t1 = std::chrono::steady_clock::now();
    if (diags.has_errors()) {
      std::fprintf(stderr, "%s", render_all(diags.items(), d.files).c_str());
      return 1;
    }
    objects = d.objects.size();
    seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  double median = seconds[seconds.size() / 2];
  double rate = mb / median;
  std::printf("parse+check: %zu objects, %.2f MB, median %.1f ms over %zu runs\n", objects, mb, median * 1e3,
              seconds.size());
  std::printf("parse+check throughput: %.2f MB/s (target >= 5 MB/s: %s, ratio to target %.2fx)\n", rate,
              rate >= 5 ? "met" : "NOT met", rate / 5.0);
  return 0;
}
