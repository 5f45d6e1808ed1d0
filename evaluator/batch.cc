#include "evaluator/batch.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "evaluator/result_json.h"

namespace paydomain::evaluator {
namespace {

// The evaluator's worker threads: started by the first batch that shares its
// work, stopped (and joined) when the process exits. Tasks run in order.
class Pool {
 public:
  static Pool& shared() {
    static Pool pool(std::max(2u, std::thread::hardware_concurrency()) - 1);
    return pool;
  }
  size_t size() const { return threads_.size(); }
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(m_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }
  ~Pool() {
    {
      std::lock_guard lock(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  explicit Pool(unsigned n) {
    for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { run(); });
  }
  void run() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return stop_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping, and nothing left
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Contexts handed out in blocks by index: the compiled domain is shared
// read-only and each result is written by exactly one thread. The caller
// works too and waits until every block is done; a pool thread that starts
// after the last block was taken finds nothing and touches nothing but the
// (shared, still alive) job.
struct Job {
  static constexpr size_t kBlock = 32;
  Job(const Program& d, const std::vector<std::string_view>& c, bool x, std::vector<std::string>& r,
      std::vector<std::optional<Error>>& e)
      : domain(d), contexts(c), n(c.size()), explain(x), results(r), errors(e) {}
  const Program& domain;
  const std::vector<std::string_view>& contexts;  // the caller's: read only for a block taken below n
  const size_t n;  // contexts.size(), kept: a late thread must not read the caller's vector
  bool explain;
  std::vector<std::string>& results;
  std::vector<std::optional<Error>>& errors;
  std::atomic<size_t> next{0};
  std::mutex m;
  std::condition_variable cv;
  size_t done = 0;  // contexts answered, under m

  void work() {
    for (size_t from = next.fetch_add(kBlock); from < n; from = next.fetch_add(kBlock)) {
      size_t to = std::min(from + kBlock, n);
      for (size_t i = from; i < to; ++i) {
        Status s = evaluate_text(domain, contexts[i], explain, results[i]);
        if (!s) {
          errors[i] = s.take_error();
          write_error(*errors[i], results[i]);
        }
      }
      std::lock_guard lock(m);
      done += to - from;
      if (done == n) cv.notify_all();
    }
  }
  void wait() {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done == n; });
  }
};

}  // namespace

BatchOutcome evaluate_batch(const Program& d, const std::vector<std::string_view>& contexts, bool explain,
                            unsigned threads) {
  BatchOutcome b;
  b.results.resize(contexts.size());
  std::vector<std::optional<Error>> errors(contexts.size());
  auto job = std::make_shared<Job>(d, contexts, explain, b.results, errors);
  // Two blocks per thread at least: below that, sharing costs more than it saves.
  size_t want = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  want = std::min(want, (contexts.size() + 2 * Job::kBlock - 1) / (2 * Job::kBlock));
  if (want > 1) {
    Pool& pool = Pool::shared();
    for (size_t t = 1; t < std::min(want, pool.size() + 1); ++t) pool.post([job] { job->work(); });
  }
  job->work();
  job->wait();
  for (size_t i = 0; i < errors.size(); ++i) {
    if (!errors[i]) continue;
    if (b.failed++ == 0) {
      b.first_failed = i;
      b.first_error = *errors[i];
    }
  }
  return b;
}

namespace {

struct BlockJob {
  static constexpr size_t kBlock = 64;
  BlockJob(size_t count, const std::function<void(size_t, size_t)>& f) : n(count), fn(f) {}
  size_t n;
  const std::function<void(size_t, size_t)>& fn;
  std::atomic<size_t> next{0};
  std::mutex m;
  std::condition_variable cv;
  size_t done = 0;
  void work() {
    for (size_t from = next.fetch_add(kBlock); from < n; from = next.fetch_add(kBlock)) {
      size_t to = std::min(from + kBlock, n);
      fn(from, to);
      std::lock_guard lock(m);
      done += to - from;
      if (done == n) cv.notify_all();
    }
  }
  void wait() {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done == n; });
  }
};

}  // namespace

void for_each_block(size_t n, unsigned threads, const std::function<void(size_t from, size_t to)>& fn) {
  if (n == 0) return;
  auto job = std::make_shared<BlockJob>(n, fn);
  size_t want = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  want = std::min(want, (n + 2 * BlockJob::kBlock - 1) / (2 * BlockJob::kBlock));
  if (want > 1) {
    Pool& pool = Pool::shared();
    for (size_t t = 1; t < std::min(want, pool.size() + 1); ++t) pool.post([job] { job->work(); });
  }
  job->work();
  job->wait();
}

}  // namespace paydomain::evaluator
