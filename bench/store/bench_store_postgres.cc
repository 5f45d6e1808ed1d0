// The store on PostgreSQL vs SQLite, on a throwaway local cluster (the
// tests' harness, tests/postgres/cluster.h, here with fsync on, as SQLite's
// synchronous=FULL; PAYDOMAIN_PG_FSYNC=off measures without the disk):
//  - one-object commit latency, p50/p99, on each backend;
//  - commit throughput of 3 processes ("replicas") committing disjoint
//    objects at once vs 1 process;
//  - head propagation: a commit in one process -> the LISTEN watch of
//    another process calls back, p50/p99.
// Prints figures; asserts nothing. PAYDOMAIN_BENCH_ROUNDS: commits per figure.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/str_cat.h"
#include "domain_store/postgres_store.h"
#include "domain_store/store_factory.h"
#include "tests/postgres/cluster.h"

namespace st = paydomain::store;
using Clock = std::chrono::steady_clock;

namespace {

int rounds() {
  const char* s = std::getenv("PAYDOMAIN_BENCH_ROUNDS");
  return s ? std::max(10, std::atoi(s)) : 300;
}

st::Op category(st::OpType type, const std::string& id, int version) {
  return st::Op{type, st::ObjectKey{paydomain::dsl::ObjectKind::Category, id},
                "category " + id + " { name \"C " + std::to_string(version) + "\" }", "", std::nullopt};
}

st::CommitRequest request(st::Rev base, std::vector<st::Op> ops) {
  st::CommitRequest r;
  r.base = base;
  r.author = "bench";
  r.message = "bench";
  r.ops = std::move(ops);
  return r;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// A store with 200 categories at revision 1.
std::unique_ptr<st::Store> seeded(const std::string& where) {
  auto s = st::init_store(where);
  if (!s) {
    fprintf(stderr, "init %s: %s\n", where.c_str(), s.error().message.c_str());
    exit(1);
  }
  std::vector<st::Op> ops;
  for (int i = 0; i < 200; ++i) ops.push_back(category(st::OpType::Insert, paydomain::str_cat("c", std::to_string(i)), 0));
  if (auto r = (*s)->commit(request(0, ops)); !r) {
    fprintf(stderr, "seed: %s\n", r.error().message.c_str());
    exit(1);
  }
  return std::move(*s);
}

void commit_latency(const char* name, const std::string& where) {
  auto store = seeded(where);
  std::vector<double> lat;
  st::Rev head = 1;
  for (int i = 0; i < rounds(); ++i) {
    auto t0 = Clock::now();
    auto r = store->commit(request(head, {category(st::OpType::Update, paydomain::str_cat("c", std::to_string(i % 200)), i + 1)}));
    lat.push_back(ms(Clock::now() - t0));
    if (!r) {
      fprintf(stderr, "commit: %s\n", r.error().message.c_str());
      exit(1);
    }
    head = r->revision.rev;
  }
  printf("%-10s one-object commit: p50 %.2f ms, p99 %.2f ms (%d commits)\n", name, percentile(lat, 0.5),
         percentile(lat, 0.99), rounds());
}

// `procs` processes each commit rounds()/procs new objects of their own.
double throughput(const std::string& where, int procs) {
  const int each = rounds() / procs;
  auto t0 = Clock::now();
  std::vector<pid_t> pids;
  for (int p = 0; p < procs; ++p) {
    pid_t pid = fork();
    if (pid == 0) {
      auto s = st::open_store(where);
      if (!s) _exit(2);
      for (int i = 0; i < each; ++i) {
        auto head = (*s)->head();
        auto id = paydomain::str_cat("p", std::to_string(procs), "_", std::to_string(p), "_", std::to_string(i));
        if (!head || !(*s)->commit(request(*head, {category(st::OpType::Insert, id, 0)}))) _exit(3);
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "a committer failed\n");
      exit(1);
    }
  }
  return each * procs / (ms(Clock::now() - t0) / 1000);
}

// Commit in this process; another process's watch answers through a pipe.
void propagation(const std::string& url) {
  auto store = seeded(url);
  int to_parent[2];
  if (pipe(to_parent) != 0) exit(1);
  pid_t pid = fork();
  if (pid == 0) {
    close(to_parent[0]);
    auto reader = st::open_store(url);
    if (!reader) _exit(2);
    std::atomic<st::Rev> seen{1};
    // Poll an hour away: only NOTIFY wakes it.
    auto watch = st::watch_postgres_store(url, [&] {
      auto h = (*reader)->head();
      if (h && *h > seen.load()) {
        seen.store(*h);
        int64_t v = *h;
        if (write(to_parent[1], &v, sizeof v) != sizeof v) _exit(4);
      }
    }, 3600 * 1000);
    if (!watch) _exit(3);
    pause();  // killed by the parent
    _exit(0);
  }
  close(to_parent[1]);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the child LISTENs
  std::vector<double> lat;
  st::Rev head = 1;
  const int n = std::min(rounds(), 200);
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    auto r = store->commit(request(head, {category(st::OpType::Update, paydomain::str_cat("c", std::to_string(i % 200)), i + 1)}));
    if (!r) exit(1);
    head = r->revision.rev;
    int64_t got = 0;
    while (got < head) {
      if (read(to_parent[0], &got, sizeof got) != sizeof got) exit(1);
    }
    lat.push_back(ms(Clock::now() - t0));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  printf("postgres   commit in one process -> watch (LISTEN) of another sees it: p50 %.2f ms, p99 %.2f ms (%d commits, commit included)\n",
         percentile(lat, 0.5), percentile(lat, 0.99), n);
}

}  // namespace

int main() {
  setenv("PAYDOMAIN_PG_FSYNC", "on", 0);
  printf("PostgreSQL fsync=%s (PAYDOMAIN_PG_FSYNC)\n", std::getenv("PAYDOMAIN_PG_FSYNC"));
  std::string why;
  auto* cluster = paydomain::testing::PgCluster::shared(&why);
  if (!cluster) {
    fprintf(stderr, "bench_store_postgres: %s\n", why.c_str());
    return 1;
  }
  std::string dir = std::filesystem::temp_directory_path() / ("pd-bench-pg-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  commit_latency("sqlite", dir + "/latency.db");
  commit_latency("postgres", cluster->create_database());
  for (const char* name : {"sqlite", "postgres"}) {
    bool pg = std::string(name) == "postgres";
    std::string one = pg ? cluster->create_database() : dir + "/one.db";
    std::string three = pg ? cluster->create_database() : dir + "/three.db";
    seeded(one);
    seeded(three);
    double t1 = throughput(one, 1), t3 = throughput(three, 3);
    printf("%-10s commits/s, disjoint objects: 1 process %.0f, 3 processes %.0f (ratio %.2f)\n", name, t1, t3, t3 / t1);
  }
  propagation(cluster->create_database());
  std::filesystem::remove_all(dir);
  return 0;
}
