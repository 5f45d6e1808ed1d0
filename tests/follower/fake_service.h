// A scripted stand-in for the service, for what a real server never does:
// serve a damaged, truncated, oversized or mislabelled artifact. It answers
// GET /v1/head (a long-poll with wait_after waits up to 200 ms for a newer
// head) and GET /v1/revisions/{N}/compiled with whatever bytes the test set
// for N, one request per connection, on a free loopback port.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace paydomain::testing {

class FakeService {
 public:
  FakeService();
  ~FakeService();  // stops accepting and joins
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  void set_artifact(int64_t rev, std::string bytes);
  void set_head(int64_t rev);  // wakes long-polls
  int compiled_requests(int64_t rev) const;  // GETs of /v1/revisions/{rev}/compiled so far
  std::string last_authorization() const;    // the Authorization header last received

 private:
  void serve();
  void answer(int fd);
  std::string route(const std::string& target);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable head_changed_;
  bool stopping_ = false;
  int64_t head_ = -1;
  std::map<int64_t, std::string> artifacts_;
  std::map<int64_t, int> compiled_requests_;
  std::string authorization_;
  std::thread thread_;
};

}  // namespace paydomain::testing
