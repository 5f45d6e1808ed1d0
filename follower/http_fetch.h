// GETs for the follower's one thread, over libcurl. The multi interface (not
// curl_easy_perform) so that wake() from any thread ends a wait at once
// (curl_multi_wakeup): a stop or a new pin cuts a 30 s long-poll short
// instead of waiting for curl's next progress tick. One easy handle is
// reused, so the connection stays open between requests (keep-alive).
//
// Contract: get() is called from one thread at a time; wake() from any.
// Every failure is a value: transport errors, a body longer than
// `max_bytes` (refused as it arrives, whatever Content-Length says), a
// transfer longer than `timeout`, or `abort()` turning true.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "follower/result.h"

namespace paydomain::follower {

struct HttpAnswer {
  long status = 0;
  std::string body;
};

class HttpFetch {
 public:
  // `base_url`: http:// or https://, no trailing slash needed; `token` goes
  // into an Authorization: Bearer header (CR, LF and NUL refused).
  static Result<std::unique_ptr<HttpFetch>> create(const std::string& base_url, const std::string& token,
                                                   std::chrono::milliseconds connect_timeout);
  ~HttpFetch();
  HttpFetch(const HttpFetch&) = delete;
  HttpFetch& operator=(const HttpFetch&) = delete;

  // GET base_url + target ("/v1/head?..."). `abort` is checked whenever the
  // transfer wakes (data, wake(), or every 250 ms at the latest).
  Result<HttpAnswer> get(const std::string& target, size_t max_bytes, std::chrono::milliseconds timeout,
                         const std::function<bool()>& abort);
  void wake();  // any thread: the transfer in progress re-checks `abort` now

 private:
  HttpFetch() = default;
  struct Handles;
  std::unique_ptr<Handles> h_;
  std::string base_;
};

}  // namespace paydomain::follower
