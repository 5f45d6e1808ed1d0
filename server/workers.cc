#include "server/workers.h"

#include <exception>

namespace paydomain::server {

namespace {
// No exception escapes a request: one that reaches here is a 500.
std::function<void()> guarded(Done done, Workers::Job job) {
  return [done = std::move(done), job = std::move(job)] {
    Response r;
    try {
      auto out = job();
      r = out ? std::move(out).value() : to_response(out.error());
    } catch (const std::exception& e) {
      r = error_response(500, "internal", std::string("internal error: ") + e.what());
    } catch (...) {
      r = error_response(500, "internal", "internal error");
    }
    done(std::move(r));
  };
}
}  // namespace

Workers::Workers(int pool_threads)
    : pool_(std::make_unique<WorkerPool>(pool_threads)), writes_(std::make_unique<WorkerPool>(1)) {}

void Workers::run(Done done, Job job) { pool_->submit(guarded(std::move(done), std::move(job))); }

void Workers::write(Done done, Job job) {
  ++writes_pending_;
  writes_->submit(guarded(std::move(done), [this, job = std::move(job)] {
    struct Finished {
      std::atomic<int64_t>& n;
      ~Finished() { --n; }
    } finished{writes_pending_};
    return job();
  }));
}

void Workers::shutdown() {
  pool_->shutdown();
  writes_->shutdown();
}

}  // namespace paydomain::server
