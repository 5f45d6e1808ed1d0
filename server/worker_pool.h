// A fixed pool of threads for work that must not occupy the I/O threads:
// SQLite writes, compiling a revision, checking a working copy, diffs.
// Tasks start in submission order; with one thread they run one at a time.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace paydomain::server {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();  // runs every queued task, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; after shutdown() it runs on the caller's thread instead,
  // so a submitted task always runs (and its request is always answered).
  void submit(std::function<void()> task);
  void shutdown();  // idempotent; what was submitted still runs

 private:
  void loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;  // threads leave once the queue is empty
  bool closed_ = false;    // threads gone: submit() runs tasks inline
  std::once_flag joined_;  // shutdown() may be called from two threads
  std::vector<std::thread> threads_;
};

}  // namespace paydomain::server
