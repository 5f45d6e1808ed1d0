// Change notification for a store file: inotify on the database file, which
// every commit of this library touches once the commit is visible (see
// SqliteStore::commit). Linux only; elsewhere watch_sqlite_store() is an
// error and the caller polls.
#include <cerrno>
#include <cstring>
#include <thread>

#include "domain_store/sqlite_store.h"

#ifdef __linux__
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>
#endif

namespace paydomain::store {

#ifdef __linux__
namespace {

class InotifyWatch final : public StoreWatch {
 public:
  InotifyWatch(int inotify, int stop, std::function<void()> on_change)
      : inotify_(inotify), stop_(stop), on_change_(std::move(on_change)) {
    thread_ = std::thread([this] { run(); });
  }
  ~InotifyWatch() override {
    uint64_t one = 1;
    // The eventfd wakes the thread; a failed write could only mean a closed fd.
    [[maybe_unused]] ssize_t n = ::write(stop_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    ::close(inotify_);
    ::close(stop_);
  }

 private:
  void run() {
    alignas(inotify_event) char buf[4096];
    while (true) {
      pollfd fds[2] = {{inotify_, POLLIN, 0}, {stop_, POLLIN, 0}};
      int n = ::poll(fds, 2, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || (fds[1].revents & POLLIN)) return;
      if (!(fds[0].revents & POLLIN)) continue;
      // Drain every queued event: one callback however many writes happened.
      bool any = false;
      while (::read(inotify_, buf, sizeof buf) > 0) any = true;
      if (any) on_change_();
    }
  }

  int inotify_;
  int stop_;
  std::function<void()> on_change_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<StoreWatch>> watch_sqlite_store(const std::string& path, std::function<void()> on_change) {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::Io, std::string("inotify: ") + std::strerror(errno));
  // IN_ATTRIB: the touch after each commit; IN_MODIFY: checkpoints and writers
  // that do not touch (the sqlite3 shell), seen at the latest by the next touch or poll.
  if (::inotify_add_watch(fd, path.c_str(), IN_ATTRIB | IN_MODIFY) < 0) {
    Error e = make_error(ErrorCode::Io, "cannot watch " + path + ": " + std::strerror(errno));
    ::close(fd);
    return e;
  }
  int stop = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop < 0) {
    Error e = make_error(ErrorCode::Io, std::string("eventfd: ") + std::strerror(errno));
    ::close(fd);
    return e;
  }
  return std::unique_ptr<StoreWatch>(new InotifyWatch(fd, stop, std::move(on_change)));
}

#else

Result<std::unique_ptr<StoreWatch>> watch_sqlite_store(const std::string& path, std::function<void()>) {
  return make_error(ErrorCode::Io, "watching " + path + " needs inotify (Linux); poll instead");
}

#endif

}  // namespace paydomain::store
