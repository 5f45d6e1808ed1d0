// Parse + check throughput on a generated domain of 10,000 objects (~1 MB).
// Prints MB/s (median of several runs) against the 5 MB/s target.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "bench/support/generated_domains.h"
#include "dsl/checker.h"

int main() {
  using namespace paydomain::dsl;
  std::string text = paydomain::bench::mixed_domain(10000, 42);
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
