// What one commit costs on every commit path (server::commit_gating: the
// domain's tests gate and the compiled artifact stored with the revision,
// docs/store.md "Tests gate" and "Compiled artifacts"): one-object commits
// into a real SQLite store (synchronous=FULL) of examples/acme and of the
// 10,000-rule bench domain with 30 tests, median wall and CPU time of this
// thread (the commit runs on it; on the shared 2-core machine the wall
// clock mostly measures other processes); the same commits without gating,
// the revision's build alone, and the compiles per commit (1).
// BENCH_COMMIT_ROUNDS=N commits N times per domain and way (default 9; the
// acme figure uses 5x as many).
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/support/generated_domains.h"
#include "domain_store/sqlite_store.h"
#include "domain_store/working_copy.h"
#include "dsl/sources.h"
#include "evaluator/compiled.h"
#include "server/tests_gate.h"

namespace {

using namespace paydomain;
using Clock = std::chrono::steady_clock;

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Commits `rounds` renames of payment system `ps` onto `files` seeded in a
// fresh store; prints the medians. 1 when a commit fails.
int commit_figures(const char* label, const std::vector<dsl::SourceFile>& files, const std::string& ps, int rounds) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("bench_commit_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{dir};
  auto store = store::init_sqlite_store((dir / "commit.db").string());
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  store::CommitRequest seed;
  seed.author = "bench";
  seed.message = "seed";
  if (auto s = store::commit_sources(**store, files, "/wc", seed, server::commit_gating(std::nullopt)); !s) {
    std::fprintf(stderr, "seed: %s\n", s.error().message.c_str());
    return 1;
  }
  const uint64_t compiles_before = evaluator::compile_count();
  // With every commit path's gating, then (the same renames) without any:
  // the difference is the revision's one compile with its tests.
  std::vector<double> wall, cpu, bare_wall, bare_cpu;
  for (int k = 0; k < 2 * rounds; ++k) {
    const bool gated = k < rounds;
    store::CommitRequest r;
    r.base = *(*store)->head();
    r.author = "bench";
    r.message = "rename";
    store::Op op;
    op.type = store::OpType::Update;
    op.key.kind = dsl::ObjectKind::PaymentSystem;
    op.key.id = ps;
    op.text = "payment_system " + ps + " { name \"System " + std::to_string(k) + "\" }";
    r.ops.push_back(op);
    const Clock::time_point t0 = Clock::now();
    const double c0 = thread_cpu_ms();
    auto res = (*store)->commit(r, gated ? server::commit_gating(std::nullopt) : store::TestsGating{});
    (gated ? cpu : bare_cpu).push_back(thread_cpu_ms() - c0);
    (gated ? wall : bare_wall).push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!res) {
      std::fprintf(stderr, "commit: %s\n", res.error().message.c_str());
      return 1;
    }
  }
  const uint64_t compiles = evaluator::compile_count();
  const store::Rev head = *(*store)->head();
  auto objects = (*store)->checkout(head);
  if (!objects) return 1;
  const double c0 = thread_cpu_ms();
  server::build_revision(head, *objects);
  const double alone = thread_cpu_ms() - c0;
  std::printf("  %s: one-object commit (tests gate + stored artifact), median of %d: %.1f ms CPU, %.1f ms wall\n",
              label, rounds, median(cpu), median(wall));
  std::printf("    without gating %.1f ms CPU, %.1f ms wall; the revision's build alone (server::build_revision: "
              "parse, check, compile, tests, artifact) %.1f ms CPU; %.2f compiles per gated commit\n",
              median(bare_cpu), median(bare_wall), alone, static_cast<double>(compiles - compiles_before) / rounds);
  return 0;
}

}  // namespace

int main() {
  int rounds = 9;
  if (const char* r = std::getenv("BENCH_COMMIT_ROUNDS")) rounds = std::max(1, std::atoi(r));
  dsl::Diagnostics diags;
  auto acme = dsl::read_sources({PAYDOMAIN_SOURCE_DIR "/examples/acme"}, diags);
  if (diags.has_errors()) {
    std::fprintf(stderr, "cannot read examples/acme\n");
    return 1;
  }
  std::printf("commit latency, SQLite (synchronous=FULL):\n");
  if (commit_figures("examples/acme", acme, "visa", 5 * rounds)) return 1;
  std::vector<dsl::SourceFile> big{{"gen.pd", bench::fee_rules_domain(10000) + bench::fee_rule_tests(10000, 30)}};
  return commit_figures("the 10,000-rule domain with 30 tests", big, "ps1", rounds);
}
