#include "server/worker_pool.h"

namespace paydomain::server {

WorkerPool::WorkerPool(int threads) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (!closed_) {
      queue_.push_back(std::move(task));
      task = nullptr;
    }
  }
  if (task) return task();  // shut down: nobody else would run it
  cv_.notify_one();
}

void WorkerPool::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  std::call_once(joined_, [this] {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  });
  // What was queued after the threads left runs here; later submits run inline.
  std::deque<std::function<void()>> rest;
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    rest.swap(queue_);
  }
  for (auto& task : rest) task();
}

void WorkerPool::loop() {
  while (true) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace paydomain::server
