// Head following for PostgreSQL: a connection of its own LISTENs on the
// channel every commit notifies; the thread waits on its socket (and on an
// eventfd that stops it), calls back on each notification, and every poll
// interval anyway. A lost connection is retried with backoff; each
// reconnection calls back too (commits may have been missed meanwhile).
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "domain_store/postgres/pg_schema.h"
#include "domain_store/postgres/pg_store_impl.h"

namespace paydomain::store {
namespace {

class PgWatch final : public StoreWatch {
 public:
  PgWatch(std::string url, std::unique_ptr<pg::Conn> conn, int stop, std::function<void()> on_change, int poll_ms)
      : url_(std::move(url)), conn_(std::move(conn)), stop_(stop), on_change_(std::move(on_change)), poll_ms_(poll_ms) {
    thread_ = std::thread([this] { run(); });
  }
  ~PgWatch() override {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    ::close(stop_);
  }

 private:
  // Waits up to `ms` for the socket or the stop signal; false when stopped.
  bool wait(int fd, int ms) {
    pollfd fds[2] = {{stop_, POLLIN, 0}, {fd, POLLIN, 0}};
    int n = ::poll(fds, fd >= 0 ? 2 : 1, ms);
    return !(n > 0 && (fds[0].revents & POLLIN));
  }

  Status listen() {
    auto c = pg::Conn::connect(url_);
    if (!c) return c.take_error();
    if (Status s = (*c)->run(std::string("LISTEN ") + pg::kHeadChannel); !s) return s;
    conn_ = std::move(*c);
    return Ok{};
  }

  void run() {
    int backoff_ms = 50;
    while (true) {
      if (!conn_) {
        if (!wait(-1, backoff_ms)) return;
        if (!listen()) {
          backoff_ms = std::min(backoff_ms * 2, 2000);
          continue;
        }
        backoff_ms = 50;
        on_change_();  // commits made while we were away
      }
      int fd = PQsocket(conn_->raw());
      if (!wait(fd, poll_ms_)) return;
      // Reads whatever arrived (nothing on a timeout: then it is the poll).
      if (!PQconsumeInput(conn_->raw()) || conn_->broken()) {
        conn_.reset();
        on_change_();
        continue;
      }
      while (PGnotify* n = PQnotifies(conn_->raw())) PQfreemem(n);
      on_change_();
    }
  }

  std::string url_;
  std::unique_ptr<pg::Conn> conn_;
  int stop_;
  std::function<void()> on_change_;
  int poll_ms_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<StoreWatch>> watch_postgres_store(const std::string& url, std::function<void()> on_change,
                                                         int poll_ms) {
  auto c = pg::Conn::connect(url);
  if (!c) return c.take_error();
  if (Status s = (*c)->run(std::string("LISTEN ") + pg::kHeadChannel); !s) return s.take_error();
  int stop = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop < 0) return make_error(ErrorCode::Io, std::string("eventfd: ") + std::strerror(errno));
  return std::unique_ptr<StoreWatch>(new PgWatch(url, std::move(*c), stop, std::move(on_change), std::max(poll_ms, 10)));
}

}  // namespace paydomain::store
