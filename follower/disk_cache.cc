#include "follower/disk_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

namespace paydomain::follower {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSuffix = ".pdc";
constexpr const char* kTempPrefix = ".tmp-";

// "42.pdc" -> 42; anything else (temporaries, other files) -> nullopt.
std::optional<int64_t> rev_of(const std::string& name) {
  size_t n = std::strlen(kSuffix);
  if (name.size() <= n || name.compare(name.size() - n, n, kSuffix) != 0) return std::nullopt;
  int64_t rev = -1;
  const char* end = name.data() + name.size() - n;
  auto [p, ec] = std::from_chars(name.data(), end, rev);
  if (ec != std::errc() || p != end || rev < 0) return std::nullopt;
  return rev;
}

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

bool write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t w = ::write(fd, data, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    len -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

Result<DiskCache> DiskCache::open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) return Error{"cache directory " + dir.string() + ": " + ec.message()};
  return DiskCache(dir);
}

fs::path DiskCache::path_of(int64_t rev) const { return dir_ / (std::to_string(rev) + kSuffix); }

std::vector<int64_t> DiskCache::revisions() const {
  std::vector<int64_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    if (auto rev = rev_of(e.path().filename().string()); rev && e.is_regular_file(ec)) out.push_back(*rev);
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

Result<std::string> DiskCache::read(int64_t rev, size_t max_bytes) const {
  fs::path p = path_of(rev);
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{errno_text(p.string())};
  std::string bytes;
  char buf[65536];
  while (true) {
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      Error e{errno_text(p.string())};
      ::close(fd);
      return e;
    }
    if (r == 0) break;
    if (bytes.size() + static_cast<size_t>(r) > max_bytes) {
      ::close(fd);
      return Error{p.string() + ": larger than " + std::to_string(max_bytes) + " bytes"};
    }
    bytes.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return bytes;
}

Status DiskCache::write(int64_t rev, const std::string& bytes) const {
  fs::path final_path = path_of(rev);
  fs::path temp = dir_ / (kTempPrefix + std::to_string(rev) + "-" + std::to_string(::getpid()));
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{errno_text(temp.string())};
  bool ok = write_all(fd, bytes.data(), bytes.size()) && ::fsync(fd) == 0;
  Error failed{errno_text(temp.string())};
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), final_path.c_str()) != 0) {
    if (ok) failed = Error{errno_text(final_path.string())};
    ::unlink(temp.c_str());
    return failed;
  }
  // The rename itself is durable once the directory is synced.
  if (int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Ok{};
}

void DiskCache::prune(const std::set<int64_t>& keep) const {
  std::error_code ec;
  std::vector<fs::path> doomed;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    std::string name = e.path().filename().string();
    auto rev = rev_of(name);
    // A temporary of this process is never left behind by write(); one of
    // a process that died mid-write is garbage.
    if ((rev && !keep.count(*rev)) || name.rfind(kTempPrefix, 0) == 0) doomed.push_back(e.path());
  }
  for (const auto& p : doomed) fs::remove(p, ec);
}

void DiskCache::remove(int64_t rev) const {
  std::error_code ec;
  fs::remove(path_of(rev), ec);
}

}  // namespace paydomain::follower
