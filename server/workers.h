// Where request work runs off the I/O threads: a pool for reads, checks,
// diffs and compiles, and one write thread on which store writes (commits,
// reverts) run one at a time in arrival order -- so a long commit delays only
// the writes queued after it, never a check. A job answers with an
// ApiResult; its ApiError, or an exception it throws (a 500), becomes the
// response here, so every request is answered exactly once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "server/api_error.h"
#include "server/router.h"
#include "server/worker_pool.h"

namespace paydomain::server {

class Workers {
 public:
  using Job = std::function<ApiResult<Response>()>;
  explicit Workers(int pool_threads);

  void run(Done done, Job job);    // on the pool
  void write(Done done, Job job);  // on the write thread
  void submit(std::function<void()> task) { pool_->submit(std::move(task)); }  // background work
  int64_t writes_pending() const { return writes_pending_.load(); }  // queued or running writes
  // Waits for queued work. The pool first: a working-copy commit prepared
  // there hands its write to the write thread.
  void shutdown();

 private:
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<WorkerPool> writes_;
  std::atomic<int64_t> writes_pending_{0};
};

}  // namespace paydomain::server
