// The store's three figures on a domain of 10,000 objects with 1,000
// revisions of history: one-object commit (<= 20 ms), checkout of any
// revision (<= 100 ms), diff of two adjacent revisions (<= 10 ms). A real
// SQLite file in a temp dir, synchronous=FULL (each commit fsyncs).
// Then big working-copy commits (insert / remove N objects at once for
// N = 2,500 / 10,000 / 40,000) with their cost per object relative to the
// smallest N: a ratio near 1 means commit cost is linear in the change.
// BENCH_STORE_SCALE=2500,10000 picks other sizes (e.g. to time an old build).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "base/str_cat.h"
#include "domain_store/diff.h"
#include "domain_store/sqlite_store.h"
#include "domain_store/working_copy.h"

namespace {

using namespace paydomain;
using Clock = std::chrono::steady_clock;

// Built field by field: brace temporaries trip GCC 12 -Wmaybe-uninitialized at -O2.
store::Op make_op(store::OpType type, dsl::ObjectKind kind, std::string id, std::string text) {
  store::Op op;
  op.type = type;
  op.key.kind = kind;
  op.key.id = std::move(id);
  op.text = std::move(text);
  return op;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

struct Stats {
  std::vector<double> v;
  double pct(double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  }
};

// 10,000 objects in one file per kind: reference data, providers, terminals,
// routing rulesets with candidates, tariffs with decision fees.
std::vector<dsl::SourceFile> generate(int objects) {
  std::mt19937 rng(7);
  std::string ref, providers, terminals, routing, tariffs;
  int n = 0;
  ref += "currency RUB { name \"Russian ruble\" numeric 643 exponent 2 }\n";
  ref += "currency USD { name \"US dollar\" numeric 840 exponent 2 }\n";
  ref += "payment_system visa { name \"Visa\" }\npayment_system mastercard { name \"Mastercard\" }\n";
  ref += "adapter ad { url \"https://bank.example/api\" option \"timeout\" \"5s\" }\n";
  n += 5;
  for (int i = 0; i < 200; ++i, ++n) ref += "category cat" + std::to_string(i) + " { name \"Category " + std::to_string(i) + "\" }\n";
  for (int i = 0; i < 300; ++i, ++n) {
    providers += "provider p" + std::to_string(i) + " {\n  adapter ad\n  account RUB " + std::to_string(10000 + i) +
                 "\n  accepts currency in [RUB, USD] and payment_tool is bank_card\n}\n";
  }
  const int kTerminals = objects / 2;
  for (int i = 0; i < kTerminals; ++i, ++n) {
    terminals += "terminal t" + std::to_string(i) + " { provider p" + std::to_string(rng() % 300) + " risk_coverage " +
                 (rng() % 2 ? "high" : "low") + " }\n";
  }
  const int kRoutings = 1000;
  for (int i = 0; i < kRoutings; ++i, ++n) {
    routing += "routing r" + std::to_string(i) + " {\n  when risk == fatal: decline \"risk\"\n";
    for (int c = 0; c < 3; ++c) {
      routing += "  candidate t" + std::to_string(rng() % kTerminals) + " priority " + std::to_string(1000 - 100 * c) +
                 " weight " + std::to_string(1 + rng() % 100) + " when amount < " + std::to_string(1000 + rng() % 9000) + ".00 RUB\n";
    }
    routing += "}\n";
  }
  for (int i = 0; n < objects; ++i, ++n) {
    tariffs += "tariff tf" + std::to_string(i) + " {\n  currencies [RUB, USD]\n  categories [cat" +
               std::to_string(rng() % 200) + "]\n  routing r" + std::to_string(rng() % kRoutings) +
               "\n  fees {\n    when payment_system == visa {\n      merchant.settlement -> system.settlement : " +
               std::to_string(1 + rng() % 3) + "% of amount\n    }\n    otherwise {\n"
               "      merchant.settlement -> system.settlement : 2.5% of amount\n    }\n  }\n}\n";
  }
  return {{"/wc/reference.pd", ref},   {"/wc/providers.pd", providers}, {"/wc/terminals.pd", terminals},
          {"/wc/routing.pd", routing}, {"/wc/tariffs.pd", tariffs}};
}

std::vector<int> scale_sizes() {
  std::vector<int> sizes;
  const char* env = std::getenv("BENCH_STORE_SCALE");
  std::string spec = env ? env : "2500,10000,40000";
  for (size_t at = 0; at < spec.size();) {
    size_t comma = spec.find(',', at);
    if (comma == std::string::npos) comma = spec.size();
    int n = std::atoi(spec.substr(at, comma - at).c_str());
    if (n > 0) sizes.push_back(n);
    at = comma + 1;
  }
  return sizes;
}

// A working copy of `n` small objects on a fixed reference base: terminals
// (each names a provider: reference checks), categories and limits, so an
// insert resolves names and a removal looks for the objects naming each id.
std::vector<dsl::SourceFile> scale_files(int n) {
  std::string base =
      "currency RUB { name \"Russian ruble\" numeric 643 exponent 2 }\n"
      "adapter ad { url \"https://bank.example/api\" }\n";
  for (int i = 0; i < 50; ++i) base += str_cat("provider p", std::to_string(i), " {\n  adapter ad\n  account RUB ", std::to_string(10000 + i), "\n}\n");
  std::string bulk;
  for (int i = 0; i < n; ++i) {
    std::string id = std::to_string(i);
    switch (i % 3) {
      case 0: bulk += str_cat("terminal st", id, " { provider p", std::to_string(i % 50), " risk_coverage low }\n"); break;
      case 1: bulk += str_cat("category sc", id, " { name \"Category ", id, "\" }\n"); break;
      default: bulk += str_cat("limit sl", id, " { scope [shop]  period day  amount <= ", std::to_string(1000 + i), ".00 RUB }\n"); break;
    }
  }
  std::vector<dsl::SourceFile> files{{"/wc/base.pd", base}};
  if (n > 0) files.push_back({"/wc/bulk.pd", bulk});
  return files;
}

// Inserts n objects in one working-copy commit, then removes them all in
// another, on a fresh store; returns false after printing a failure.
bool scale_run(const std::string& dir, int n, double& insert_ms, double& remove_ms) {
  using namespace paydomain::store;
  const std::string db = str_cat(dir, "/scale", std::to_string(n), ".db");
  auto store = init_sqlite_store(db);
  if (!store) return std::fprintf(stderr, "scale: %s\n", store.error().message.c_str()), false;
  auto base = commit_sources(**store, scale_files(0), "/wc", CommitRequest{0, "bench", "base", {}, std::nullopt, std::nullopt});
  if (!base) return std::fprintf(stderr, "scale base: %s\n", base.error().message.c_str()), false;
  auto with = scale_files(n);
  auto t = Clock::now();
  auto ins = commit_sources(**store, with, "/wc", CommitRequest{1, "bench", "insert", {}, std::nullopt, std::nullopt});
  insert_ms = ms_since(t);
  if (!ins) return std::fprintf(stderr, "scale insert %d: %s\n", n, ins.error().message.c_str()), false;
  t = Clock::now();
  auto rem = commit_sources(**store, scale_files(0), "/wc", CommitRequest{2, "bench", "remove", {}, std::nullopt, std::nullopt});
  remove_ms = ms_since(t);
  if (!rem) return std::fprintf(stderr, "scale remove %d: %s\n", n, rem.error().message.c_str()), false;
  store->reset();
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  return true;
}

bool report(const char* what, Stats& s, double target) {
  double median = s.pct(0.5), p95 = s.pct(0.95), max = s.pct(1.0);
  bool ok = p95 <= target;
  std::printf("%-34s median %7.2f ms  p95 %7.2f ms  max %7.2f ms  target <= %5.1f ms  %s\n", what, median, p95, max,
              target, ok ? "ok" : "OVER");
  return ok;
}

}  // namespace

int main() {
  using namespace paydomain::store;
  constexpr int kObjects = 10000, kRevisions = 1000;
  std::string tmpl = (std::filesystem::temp_directory_path() / "bench_store_XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return 2;
  const std::string db = tmpl + "/store.db";
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{tmpl};

  // BENCH_STORE_SCALE_ONLY=1: only the big commits (profiling, quick runs).
  if (const char* only = std::getenv("BENCH_STORE_SCALE_ONLY"); only && *only == '1') {
    for (int n : scale_sizes()) {
      double ins = 0, rem = 0;
      if (!scale_run(tmpl, n, ins, rem)) return 1;
      std::printf("working-copy commit of %6d objects: insert %8.0f ms  remove %8.0f ms\n", n, ins, rem);
    }
    return 0;
  }
  auto files = generate(kObjects);
  size_t bytes = 0;
  for (const auto& f : files) bytes += f.text.size();
  auto store = init_sqlite_store(db);
  if (!store) return std::fprintf(stderr, "%s\n", store.error().message.c_str()), 1;
  auto t0 = Clock::now();
  auto seed = commit_sources(**store, files, "/wc", CommitRequest{0, "bench", "seed", {}, std::nullopt, std::nullopt});
  if (!seed) return std::fprintf(stderr, "seed: %s\n", seed.error().message.c_str()), 1;
  std::printf("seed: %d objects (%.1f MB) committed in %.0f ms\n", kObjects, static_cast<double>(bytes) / 1e6, ms_since(t0));

  // History: one-object commits (updates of terminals and tariffs, some
  // inserts), each on the current head, timed end to end.
  std::mt19937 rng(11);
  Stats commit;
  for (int i = 1; i < kRevisions; ++i) {
    CommitRequest r{i, "bench", str_cat("change ", std::to_string(i)), {}, std::nullopt, std::nullopt};
    int pick = static_cast<int>(rng() % 10);
    if (pick < 6) {
      std::string id = str_cat("t", std::to_string(rng() % (kObjects / 2)));
      r.ops.push_back(make_op(OpType::Update, dsl::ObjectKind::Terminal, id, str_cat("terminal ", id, " { provider p", std::to_string(rng() % 300),
                             " risk_coverage low description \"rev ", std::to_string(i), "\" }")));
    } else if (pick < 9) {
      std::string id = str_cat("tf", std::to_string(rng() % 2000));
      r.ops.push_back(make_op(OpType::Update, dsl::ObjectKind::Tariff, id, str_cat("tariff ", id, " {\n currencies [RUB]\n routing r", std::to_string(rng() % 1000),
                             "\n fees {\n merchant.settlement -> system.settlement : ", std::to_string(i % 7 + 1),
                             ".5% of amount\n }\n}")));
    } else {
      std::string id = str_cat("new", std::to_string(i));
      r.ops.push_back(make_op(OpType::Insert, dsl::ObjectKind::Category, id, str_cat("category ", id, " { name \"New\" }")));
    }
    auto t = Clock::now();
    auto done = (*store)->commit(r);
    commit.v.push_back(ms_since(t));
    if (!done) return std::fprintf(stderr, "commit %d: %s\n", i, done.error().message.c_str()), 1;
  }
  Rev head = *(*store)->head();

  Stats checkout, diff;
  size_t seen = 0;
  for (int i = 0; i < 30; ++i) {
    Rev rev = 1 + static_cast<Rev>(rng() % static_cast<uint32_t>(head));
    auto t = Clock::now();
    auto objects = (*store)->checkout(rev);
    checkout.v.push_back(ms_since(t));
    if (!objects) return 1;
    seen = objects->size();
  }
  for (int i = 0; i < 100; ++i) {
    Rev rev = 2 + static_cast<Rev>(rng() % static_cast<uint32_t>(head - 1));
    auto t = Clock::now();
    auto d = diff_revisions(**store, rev - 1, rev, DiffOptions{true, true, 3});
    diff.v.push_back(ms_since(t));
    if (!d || d->objects.empty()) return std::fprintf(stderr, "diff %lld failed\n", static_cast<long long>(rev)), 1;
  }
  // A currency's exponent is read by every money literal in that currency:
  // its update re-checks each object that names it.
  Stats currency;
  int users = 0;
  for (const auto& o : *(*store)->checkout(head)) users += o.text.find("USD") != std::string::npos;
  for (int i = 0; i < 5; ++i) {
    CommitRequest r{head, "bench", "usd", {make_op(OpType::Update, dsl::ObjectKind::Currency, "USD", str_cat("currency USD { name \"US dollar ", std::to_string(i), "\" numeric 840 exponent 2 }"))}, std::nullopt, std::nullopt};
    auto t = Clock::now();
    auto done = (*store)->commit(r);
    currency.v.push_back(ms_since(t));
    if (!done) return std::fprintf(stderr, "usd: %s\n", done.error().message.c_str()), 1;
    head = done->revision.rev;
  }
  // A fresh instance pays one full parse to build its head cache on its first commit.
  auto cold = open_sqlite_store(db);
  t0 = Clock::now();
  auto first = (*cold)->commit(CommitRequest{head, "bench", "cold", {make_op(OpType::Insert, dsl::ObjectKind::Category, "cold", "category cold {}")}, std::nullopt, std::nullopt});
  double cold_ms = ms_since(t0);
  if (!first) return 1;

  // Removals re-check every object that names the removed id: the
  // categories inserted above, removed one by one.
  Stats removal;
  for (int i = 0; i < 20; ++i) {
    auto objects = (*store)->checkout(head);
    std::optional<ObjectKey> victim;
    for (const auto& o : *objects) {
      if (o.key.kind == dsl::ObjectKind::Category && o.key.id.rfind("new", 0) == 0) victim = o.key;
    }
    if (!victim) break;
    CommitRequest r{head, "bench", "remove", {make_op(OpType::Remove, victim->kind, victim->id, "")}, std::nullopt, std::nullopt};
    auto t = Clock::now();
    auto done = (*store)->commit(r);
    removal.v.push_back(ms_since(t));
    if (!done) return std::fprintf(stderr, "remove: %s\n", done.error().message.c_str()), 1;
    head = done->revision.rev;
  }
  std::printf("store: %d objects, %lld revisions (checkout returned %zu objects)\n", kObjects, static_cast<long long>(head), seen);
  bool ok = report("one-object commit (1,000 commits)", commit, 20);
  ok = report("checkout of a revision (30 random)", checkout, 100) && ok;
  ok = report("diff of adjacent revisions (100)", diff, 10) && ok;
  std::printf("%-34s median %7.2f ms  max %7.2f ms\n", "one-object removal (20)", removal.pct(0.5), removal.pct(1.0));
  std::printf("%-34s median %7.2f ms  max %7.2f ms  (re-checks its ~%d users)\n", "currency update (5)", currency.pct(0.5),
              currency.pct(1.0), users);
  std::printf("%-34s %7.0f ms (once per process: builds the head cache)\n", "first commit of a fresh instance", cold_ms);

  // Big commits: cost per object should not grow with the size of the change.
  double first_insert = 0, first_remove = 0;
  for (int n : scale_sizes()) {
    double ins = 0, rem = 0;
    if (!scale_run(tmpl, n, ins, rem)) return 1;
    double ins_us = ins * 1000 / n, rem_us = rem * 1000 / n;
    if (first_insert == 0) first_insert = ins_us, first_remove = rem_us;
    std::printf("working-copy commit of %6d objects: insert %8.0f ms (%6.1f us/object, x%.2f)  remove %8.0f ms (%6.1f us/object, x%.2f)\n",
                n, ins, ins_us, ins_us / first_insert, rem, rem_us, rem_us / first_remove);
  }
  return ok ? 0 : 1;
}
