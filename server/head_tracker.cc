#include "server/head_tracker.h"

#include <algorithm>
#include <vector>

#include "domain_store/store_factory.h"
#include "server/metrics.h"

namespace paydomain::server {

HeadTracker::HeadTracker(std::chrono::milliseconds poll, Hooks hooks) : poll_(poll), hooks_(std::move(hooks)) {}

HeadTracker::~HeadTracker() {
  stop();
  join();
}

void HeadTracker::start(store::Rev head, const std::string& watch_db) {
  {
    std::lock_guard lock(mu_);
    head_ = head;
    watching_ = true;
  }
  if (metrics_) metrics_->head_revision.store(head);
  // Another process's commit wakes the watcher like one of ours; without a
  // file watch the poll finds it.
  if (!watch_db.empty()) {
    auto watch = store::watch_store(watch_db, [this] { notify_commit(); });
    if (watch) file_watch_ = std::move(watch.value());
  }
  watcher_ = std::thread([this] { watch_loop(); });
}

void HeadTracker::stop() {
  std::list<Waiter> waiters;
  store::Rev rev;
  {
    std::lock_guard lock(mu_);
    if (!watching_ && waiters_.empty()) return;
    watching_ = false;
    waiters.swap(waiters_);
    rev = head_;
  }
  cv_.notify_all();
  if (!waiters.empty()) {
    Response r = hooks_.answer(rev);
    for (auto& w : waiters) w.done(r);
  }
}

void HeadTracker::join() {
  file_watch_.reset();  // its callback uses mu_: stopped before anything goes
  if (watcher_.joinable()) watcher_.join();
}

store::Rev HeadTracker::head() const {
  std::lock_guard lock(mu_);
  return head_;
}

void HeadTracker::notify_commit() {
  {
    std::lock_guard lock(mu_);
    commit_seen_ = true;
  }
  cv_.notify_all();
}

bool HeadTracker::wait(store::Rev after, Clock::time_point deadline, Done& done) {
  // The watcher notices the deadline within one poll.
  std::lock_guard lock(mu_);
  if (!watching_) return false;
  waiters_.push_back(Waiter{after, deadline, std::move(done)});
  return true;
}

size_t HeadTracker::waiting() const {
  std::lock_guard lock(mu_);
  return waiters_.size();
}

void HeadTracker::watch_loop() {
  while (true) {
    std::unique_lock lock(mu_);
    auto until = Clock::now() + poll_;
    for (const auto& w : waiters_) until = std::min(until, w.deadline);  // answer timeouts on time
    cv_.wait_until(lock, until, [&] { return !watching_ || commit_seen_; });
    if (!watching_) return;
    commit_seen_ = false;
    lock.unlock();
    auto h = hooks_.read_head();
    health_.note(h.ok() || h.error().code != store::ErrorCode::Io);
    lock.lock();
    bool fresh = false;
    if (h && *h > head_) {
      head_ = *h;
      fresh = true;
    }
    store::Rev rev = head_;
    auto now = Clock::now();
    std::vector<Done> ready;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (rev > it->after || now >= it->deadline) {
        ready.push_back(std::move(it->done));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    if (metrics_) metrics_->head_revision.store(rev);
    if (!ready.empty()) {
      Response r = hooks_.answer(rev);
      for (auto& d : ready) d(r);
    }
    if (fresh && hooks_.on_new_head) hooks_.on_new_head(rev);
  }
}

}  // namespace paydomain::server
