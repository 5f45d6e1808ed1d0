// Crash safety and multi-process concurrency on every backend, with real
// processes (fork): kill -9 mid-commit, contended bases, many committers,
// idempotency keys across connections.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "tests/postgres/backends.h"

namespace paydomain::store::testing {
namespace {

class BackendProcesses : public Backends {
 protected:
  // SQLite rounds are cheap, so it runs the heavier form; PostgreSQL's
  // connection setup per round makes the same count slow under ASan.
  bool sqlite() const { return GetParam() == Backend::Sqlite; }
};

// Child side of the kill test: commit forever, acknowledging each revision
// (and the terminals it inserted) on the pipe only after commit() returned.
[[noreturn]] void commit_forever(const std::string& path, int round, int fd) {
  auto store = open_store(path);
  if (!store.ok()) _exit(3);
  for (int i = 0;; ++i) {
    auto head = (*store)->head();
    if (!head.ok()) _exit(4);
    // One to three objects per commit, so a partial revision would show.
    std::vector<Op> ops;
    for (int j = 0; j <= i % 3; ++j) {
      auto name = "k" + std::to_string(round) + "_" + std::to_string(i) + "_" + std::to_string(j);
      ops.push_back(insert("terminal:" + name, terminal_text(name)));
    }
    auto r = (*store)->commit(request(*head, ops));
    if (!r.ok()) {
      fprintf(stderr, "writer: %s\n", r.error().message.c_str());
      _exit(5);
    }
    int64_t ack[2] = {r->revision.rev, i};
    if (write(fd, ack, sizeof ack) != sizeof ack) _exit(6);
  }
}

TEST_P(BackendProcesses, KillNineMidCommitLosesNothingAcknowledged) {
  { ASSERT_TRUE(seeded()); }
  std::mt19937 rng(12345);
  std::map<Rev, std::pair<int, int>> acked;  // rev -> (round, i)
  const int kRounds = sqlite() ? 25 : 12;
  for (int round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      commit_forever(location(), round, fds[1]);
    }
    close(fds[1]);
    // Kill at a random point: before the first commit (every fourth round),
    // otherwise mid-transaction or mid-fsync after the writer's first commit
    // is in, however slow the machine is (a fixed delay from the fork lets
    // nothing commit under load, and then the test proves nothing).
    int64_t ack[2];
    if (round % 4 != 0) {
      pollfd p{fds[0], POLLIN, 0};
      const bool ready = poll(&p, 1, 120000) == 1;
      if (!ready) kill(pid, SIGKILL);
      ASSERT_TRUE(ready) << "the writer acknowledged no commit in 120 s";
      ASSERT_EQ(read(fds[0], ack, sizeof ack), static_cast<ssize_t>(sizeof ack)) << "the writer stopped before its first commit";
      acked[ack[0]] = {round, static_cast<int>(ack[1])};
    }
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 150000)(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed on its own, exit " << WEXITSTATUS(status);
    while (read(fds[0], ack, sizeof ack) == sizeof ack) acked[ack[0]] = {round, static_cast<int>(ack[1])};
    close(fds[0]);

    auto store = open_store(location());
    ASSERT_OK(store);
    auto head = (*store)->head();
    ASSERT_OK(head);
    if (!acked.empty()) {
      EXPECT_GE(*head, acked.rbegin()->first);
    }
    auto report = (*store)->fsck(FsckOptions{false});
    ASSERT_OK(report);
    ASSERT_TRUE(report->ok()) << report->problems[0];
  }
  auto store = open_store(location());
  ASSERT_OK(store);
  Rev head = *(*store)->head();
  // Every acknowledged commit is there, whole: its revision holds exactly its objects.
  for (const auto& [rev, who] : acked) {
    auto ops = (*store)->revision_ops(rev);
    ASSERT_OK(ops);
    ASSERT_EQ(ops->size(), static_cast<size_t>(who.second % 3 + 1)) << "revision " << rev;
    std::string prefix = "k" + std::to_string(who.first) + "_" + std::to_string(who.second) + "_";
    for (const auto& op : *ops) EXPECT_EQ(op.key.id.rfind(prefix, 0), 0u) << op.key.id;
    EXPECT_OK((*store)->checkout_object(head, (*ops)[0].key));
  }
  auto full = (*store)->fsck(FsckOptions{true});
  ASSERT_OK(full);
  EXPECT_TRUE(full->ok()) << full->problems[0];
  EXPECT_EQ(full->revisions, head + 1);
}

// What attempt i of process `proc` touches: its own terminal, and every
// fourth time the same shared terminal as the other process.
std::vector<std::string> touched(int proc, int i) {
  std::vector<std::string> out{"p" + std::to_string(proc) + "_" + std::to_string(i % 10)};
  if (i % 4 == 0) out.push_back("s" + std::to_string((i / 4) % 3));
  return out;
}

// Meets the other process: one byte each way. EOF means it died: stop.
void barrier(int to, int from) {
  char c = 1;
  if (write(to, &c, 1) != 1 || read(from, &c, 1) != 1) _exit(7);
}

// Child: each attempt reads head, meets the other process (so both commit
// against the same base), commits, logs the outcome, meets it again (so the
// next base is read after both commits).
[[noreturn]] void contend(const std::string& path, int proc, int attempts, const std::string& log, int to, int from) {
  auto store = open_store(path);
  if (!store.ok()) _exit(3);
  std::ofstream out(log);
  for (int i = 0; i < attempts; ++i) {
    auto head = (*store)->head();
    if (!head.ok()) _exit(4);
    std::vector<Op> ops;
    for (const auto& name : touched(proc, i)) {
      ops.push_back(update("terminal:" + name, terminal_text(name, "description \"p" + std::to_string(proc) + " " + std::to_string(i) + "\" ")));
    }
    barrier(to, from);
    auto r = (*store)->commit(request(*head, ops, "p" + std::to_string(proc) + " " + std::to_string(i)));
    if (r.ok()) {
      out << "ok " << i << " " << *head << " " << r->revision.rev << "\n";
    } else if (r.error().code == ErrorCode::Conflict) {
      out << "conflict " << i << " " << *head;
      for (const auto& c : r.error().conflicts) {
        out << " " << c.key.id;
        for (Rev rev : c.revisions) out << "," << rev;
      }
      out << "\n";
    } else {
      out << "error " << i << " " << r.error().message << "\n";
    }
    out.flush();
    barrier(to, from);
  }
  _exit(0);
}

struct Outcome {
  bool ok = false;
  Rev base = 0, rev = 0;
  std::map<std::string, std::vector<Rev>> conflicts;
};

std::vector<Outcome> read_log(const std::string& path) {
  std::vector<Outcome> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string what;
    int i;
    Outcome o;
    ls >> what >> i >> o.base;
    EXPECT_NE(what, "error") << line;
    EXPECT_EQ(i, static_cast<int>(out.size()));
    o.ok = what == "ok";
    if (o.ok) ls >> o.rev;
    std::string item;
    while (!o.ok && ls >> item) {
      std::istringstream is(item);
      std::string id, num;
      std::getline(is, id, ',');
      while (std::getline(is, num, ',')) o.conflicts[id].push_back(std::stoll(num));
    }
    out.push_back(o);
  }
  return out;
}

TEST_P(BackendProcesses, TwoProcessesCommittingAgainstTheSameBase) {
  {
    auto store = seeded();
    ASSERT_TRUE(store);
    std::vector<Op> ops;
    for (int p = 0; p < 2; ++p)
      for (int k = 0; k < 10; ++k) ops.push_back(insert("terminal:p" + std::to_string(p) + "_" + std::to_string(k), terminal_text("p" + std::to_string(p) + "_" + std::to_string(k))));
    for (int s = 0; s < 3; ++s) ops.push_back(insert("terminal:s" + std::to_string(s), terminal_text("s" + std::to_string(s))));
    ASSERT_OK(store->commit(request(1, ops, "pool")));
  }
  const int kAttempts = sqlite() ? 500 : 200;  // per process
  int ab[2], ba[2];
  ASSERT_EQ(pipe(ab), 0);
  ASSERT_EQ(pipe(ba), 0);
  pid_t pids[2];
  for (int p = 0; p < 2; ++p) {
    pids[p] = fork();
    ASSERT_GE(pids[p], 0);
    if (pids[p] == 0) {
      // Keep only this side's ends, so the other's death reads as EOF.
      int to = p == 0 ? ab[1] : ba[1], from = p == 0 ? ba[0] : ab[0];
      close(p == 0 ? ab[0] : ba[0]);
      close(p == 0 ? ba[1] : ab[1]);
      contend(location(), p, kAttempts, dir_.file("log" + std::to_string(p)), to, from);
    }
  }
  for (int fd : {ab[0], ab[1], ba[0], ba[1]}) close(fd);
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  auto store = open_store(location());
  ASSERT_OK(store);
  Rev head = *(*store)->head();
  std::map<Rev, std::set<std::string>> touched_by;  // from the store itself
  for (Rev r = 3; r <= head; ++r) {
    auto ops = (*store)->revision_ops(r);
    ASSERT_OK(ops);
    for (const auto& op : *ops) touched_by[r].insert(op.key.id);
  }
  auto logs = std::vector<std::vector<Outcome>>{read_log(dir_.file("log0")), read_log(dir_.file("log1"))};
  ASSERT_EQ(logs[0].size(), static_cast<size_t>(kAttempts));
  ASSERT_EQ(logs[1].size(), static_cast<size_t>(kAttempts));
  std::set<Rev> acked;
  int conflicts = 0;
  for (int i = 0; i < kAttempts; ++i) {
    const Outcome& a = logs[0][i];
    const Outcome& b = logs[1][i];
    ASSERT_EQ(a.base, b.base) << "attempt " << i << ": both commit against the same base";
    bool same_object = i % 4 == 0;
    // Exactly when both touched the same object, exactly one is refused.
    ASSERT_EQ(a.ok && b.ok, !same_object) << "attempt " << i;
    ASSERT_TRUE(a.ok || b.ok) << "attempt " << i << ": one of them always lands";
    for (int p = 0; p < 2; ++p) {
      const Outcome& mine = logs[p][i];
      const Outcome& other = logs[1 - p][i];
      auto names = touched(p, i);
      if (mine.ok) {
        EXPECT_TRUE(acked.insert(mine.rev).second) << "revision " << mine.rev << " acknowledged twice";
        EXPECT_EQ(touched_by[mine.rev], std::set<std::string>(names.begin(), names.end())) << "revision " << mine.rev;
        EXPECT_EQ((*store)->revision(mine.rev)->message, "p" + std::to_string(p) + " " + std::to_string(i));
      } else {
        ++conflicts;
        // The conflict names the shared object and the other's revision only.
        std::map<std::string, std::vector<Rev>> expected{{"s" + std::to_string((i / 4) % 3), {other.rev}}};
        EXPECT_EQ(mine.conflicts, expected) << "attempt " << i;
      }
    }
  }
  // Dense, no duplicates, every acknowledged commit present and nothing else.
  EXPECT_EQ(conflicts, kAttempts / 4);
  EXPECT_EQ(static_cast<Rev>(acked.size()), head - 2);
  EXPECT_EQ(*acked.begin(), 3);
  EXPECT_EQ(*acked.rbegin(), head);
  auto report = (*store)->fsck(FsckOptions{false});
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems[0];
  EXPECT_EQ(report->revisions, head + 1);
}


// Four processes commit disjoint objects as fast as they can, each against
// whatever head it last read: every commit lands (rebased), the numbers are
// dense, each process's acknowledged revisions hold exactly its objects.
TEST_P(BackendProcesses, ManyCommittersGetDenseNumbers) {
  { ASSERT_TRUE(seeded()); }
  constexpr int kProcs = 4, kEach = 25;
  pid_t pids[kProcs];
  for (int p = 0; p < kProcs; ++p) {
    pids[p] = fork();
    ASSERT_GE(pids[p], 0);
    if (pids[p] == 0) {
      auto store = open_store(location());
      if (!store.ok()) _exit(3);
      std::ofstream out(dir_.file("acks" + std::to_string(p)));
      for (int i = 0; i < kEach; ++i) {
        auto head = (*store)->head();
        if (!head.ok()) _exit(4);
        auto name = "m" + std::to_string(p) + "_" + std::to_string(i);
        auto r = (*store)->commit(request(*head, {insert("terminal:" + name, terminal_text(name))}, name));
        if (!r.ok()) {
          fprintf(stderr, "committer %d: %s\n", p, r.error().message.c_str());
          _exit(5);
        }
        out << r->revision.rev << " " << name << "\n";
        out.flush();
      }
      _exit(0);
    }
  }
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  auto store = open();
  ASSERT_TRUE(store);
  std::set<Rev> revs;
  for (int p = 0; p < kProcs; ++p) {
    std::ifstream in(dir_.file("acks" + std::to_string(p)));
    Rev rev;
    std::string name;
    int n = 0;
    while (in >> rev >> name) {
      ++n;
      EXPECT_TRUE(revs.insert(rev).second) << "revision " << rev << " acknowledged twice";
      auto ops = store->revision_ops(rev);
      ASSERT_OK(ops);
      ASSERT_EQ(ops->size(), 1u);
      EXPECT_EQ((*ops)[0].key.id, name);
      EXPECT_EQ(store->revision(rev)->message, name);
    }
    EXPECT_EQ(n, kEach);
  }
  EXPECT_EQ(*store->head(), 1 + kProcs * kEach);
  EXPECT_EQ(static_cast<int>(revs.size()), kProcs * kEach);
  EXPECT_EQ(*revs.begin(), 2);
  EXPECT_EQ(*revs.rbegin(), 1 + kProcs * kEach);
  auto report = store->fsck(FsckOptions{false});
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems[0];
}

// The same commit with the same idempotency key from two processes at once
// (two store connections): one revision, the same answer to both, one of
// them marked replayed.
TEST_P(BackendProcesses, IdempotencyKeyHonouredAcrossConnections) {
  { ASSERT_TRUE(seeded()); }
  constexpr int kRounds = 10;
  int ab[2], ba[2];
  ASSERT_EQ(pipe(ab), 0);
  ASSERT_EQ(pipe(ba), 0);
  pid_t pids[2];
  for (int p = 0; p < 2; ++p) {
    pids[p] = fork();
    ASSERT_GE(pids[p], 0);
    if (pids[p] == 0) {
      int to = p == 0 ? ab[1] : ba[1], from = p == 0 ? ba[0] : ab[0];
      close(p == 0 ? ab[0] : ba[0]);
      close(p == 0 ? ba[1] : ab[1]);
      auto store = open_store(location());
      if (!store.ok()) _exit(3);
      std::ofstream out(dir_.file("idem" + std::to_string(p)));
      for (int i = 0; i < kRounds; ++i) {
        CommitRequest r = request(1, {insert("terminal:i" + std::to_string(i), terminal_text("i" + std::to_string(i)))});
        r.idempotency_key = "key-" + std::to_string(i);
        barrier(to, from);
        auto done = (*store)->commit(r);
        if (!done.ok()) {
          fprintf(stderr, "process %d: %s\n", p, done.error().message.c_str());
          _exit(5);
        }
        out << done->revision.rev << " " << done->replayed << "\n";
      }
      out.flush();
      _exit(0);
    }
  }
  for (int fd : {ab[0], ab[1], ba[0], ba[1]}) close(fd);
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  }
  std::ifstream in0(dir_.file("idem0")), in1(dir_.file("idem1"));
  for (int i = 0; i < kRounds; ++i) {
    Rev r0 = -1, r1 = -2;
    bool p0 = false, p1 = false;
    in0 >> r0 >> p0;
    in1 >> r1 >> p1;
    EXPECT_EQ(r0, r1) << "round " << i << ": both get the one revision";
    EXPECT_NE(p0, p1) << "round " << i << ": exactly one of them is the replay";
  }
  auto store = open();
  ASSERT_TRUE(store);
  EXPECT_EQ(*store->head(), 1 + kRounds) << "no key made two revisions";
}

}  // namespace

PAYDOMAIN_ALL_BACKENDS(BackendProcesses);

}  // namespace paydomain::store::testing
