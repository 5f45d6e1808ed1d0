// Follows the store's head: one watcher thread re-reads head at once after a
// commit through this server (notify_commit) or one a file watch on the
// store saw (the CLI's), else every `poll`; it answers long-polls whose
// revision arrived or whose time ran out, and reports each newer head
// (`on_new_head`, where the compiled head is advanced). Long-poll waiters
// wait here, on no thread: `wait` parks a Done, the watcher answers it.
// All state is under one mutex; answers and hooks run outside it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "domain_store/store.h"
#include "server/router.h"
#include "server/store_health.h"

namespace paydomain::server {

class Metrics;

class HeadTracker {
 public:
  using Clock = std::chrono::steady_clock;
  struct Hooks {
    std::function<store::Result<store::Rev>()> read_head;  // the store's head now
    std::function<Response(store::Rev)> answer;            // a long-poll's answer at this head
    std::function<void(store::Rev)> on_new_head;           // a newer head was seen (watcher thread)
  };
  HeadTracker(std::chrono::milliseconds poll, Hooks hooks);
  ~HeadTracker();  // stop() + join()
  void attach_metrics(Metrics* metrics) { metrics_ = metrics; }  // before start

  // Starts following from `head`; with a non-empty `watch_db` (a SQLite
  // file or a postgresql:// URL), the store's watch (inotify, LISTEN)
  // wakes the watcher on every commit (poll only where it cannot be set up).
  void start(store::Rev head, const std::string& watch_db);
  // Answers every waiter now (at the current head) and stops following.
  void stop();
  // Stops the file watch and joins the watcher (after stop()).
  void join();

  store::Rev head() const;  // newest revision known to exist; -1 before start
  void notify_commit();     // a commit landed: re-read head now

  // Parks `done` until a revision after `after` exists or `deadline` passes;
  // false (and `done` untouched) when not following: answer at once.
  bool wait(store::Rev after, Clock::time_point deadline, Done& done);
  size_t waiting() const;  // parked long-polls
  // Whether the watcher's last head read reached the store (and since when
  // it has not): a replica keeps evaluating during a database outage.
  const StoreHealth& store_health() const { return health_; }

 private:
  struct Waiter {
    store::Rev after = 0;
    Clock::time_point deadline;
    Done done;
  };
  void watch_loop();

  const std::chrono::milliseconds poll_;
  const Hooks hooks_;
  Metrics* metrics_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  store::Rev head_ = -1;
  std::list<Waiter> waiters_;
  bool watching_ = false;
  bool commit_seen_ = false;  // a commit (ours, or another process's) to pick up
  std::thread watcher_;
  std::unique_ptr<store::StoreWatch> file_watch_;  // null: poll only
  StoreHealth health_;
};

}  // namespace paydomain::server
