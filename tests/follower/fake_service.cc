#include "tests/follower/fake_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace paydomain::testing {

FakeService::FakeService() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("fake service: cannot listen");
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeService::~FakeService() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  head_changed_.notify_all();
  thread_.join();
  ::close(listen_fd_);
}

void FakeService::set_artifact(int64_t rev, std::string bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  artifacts_[rev] = std::move(bytes);
}

void FakeService::set_head(int64_t rev) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    head_ = rev;
  }
  head_changed_.notify_all();
}

int FakeService::compiled_requests(int64_t rev) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = compiled_requests_.find(rev);
  return it == compiled_requests_.end() ? 0 : it->second;
}

std::string FakeService::last_authorization() const {
  std::lock_guard<std::mutex> lock(mu_);
  return authorization_;
}

void FakeService::serve() {
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    answer(fd);
    ::close(fd);
  }
}

void FakeService::answer(int fd) {
  std::string req;
  char buf[4096];
  while (req.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    req.append(buf, static_cast<size_t>(n));
  }
  size_t sp1 = req.find(' '), sp2 = req.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos) return;
  size_t auth = req.find("\r\nAuthorization: ");
  if (auth != std::string::npos) {
    size_t from = auth + 17;
    std::lock_guard<std::mutex> lock(mu_);
    authorization_ = req.substr(from, req.find("\r\n", from) - from);
  }
  std::string response = route(req.substr(sp1 + 1, sp2 - sp1 - 1));
  size_t off = 0;
  while (off < response.size()) {
    ssize_t n = ::send(fd, response.data() + off, response.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string FakeService::route(const std::string& target) {
  auto reply = [](int status, const std::string& type, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") + "\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  };
  std::unique_lock<std::mutex> lock(mu_);
  if (target.rfind("/v1/head", 0) == 0) {
    size_t w = target.find("wait_after=");
    if (w != std::string::npos) {
      int64_t after = std::stoll(target.substr(w + 11));
      head_changed_.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping_ || head_ > after; });
    }
    if (head_ < 0) return reply(404, "application/json", R"({"error":{"code":"no-head","message":"","path":""}})");
    return reply(200, "application/json", "{\"revision\":" + std::to_string(head_) + ",\"message\":\"m\"}");
  }
  const std::string prefix = "/v1/revisions/", suffix = "/compiled";
  std::string path = target.substr(0, target.find('?'));
  if (path.rfind(prefix, 0) == 0 && path.size() > prefix.size() + suffix.size() &&
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) {
    int64_t rev = std::stoll(path.substr(prefix.size()));
    ++compiled_requests_[rev];
    auto it = artifacts_.find(rev);
    if (it != artifacts_.end()) return reply(200, "application/octet-stream", it->second);
  }
  return reply(404, "application/json", R"({"error":{"code":"not-found","message":"","path":""}})");
}

}  // namespace paydomain::testing
