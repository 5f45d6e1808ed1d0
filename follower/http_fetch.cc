#include "follower/http_fetch.h"

#include <curl/curl.h>

#include <mutex>

namespace paydomain::follower {

namespace {

// curl_global_init is not thread-safe in every libcurl build: once per process.
bool global_init() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

struct Sink {
  std::string* body;
  size_t max_bytes;
  bool too_large = false;
};

size_t on_data(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (sink->body->size() + len > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // curl ends the transfer with CURLE_WRITE_ERROR
  }
  sink->body->append(data, len);
  return len;
}

}  // namespace

struct HttpFetch::Handles {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
  curl_slist* headers = nullptr;
  std::mutex wake_mu;  // wake() against the destructor's curl_multi_cleanup
  ~Handles() {
    std::lock_guard<std::mutex> lock(wake_mu);
    if (multi) curl_multi_cleanup(multi);
    if (easy) curl_easy_cleanup(easy);
    if (headers) curl_slist_free_all(headers);
  }
};

Result<std::unique_ptr<HttpFetch>> HttpFetch::create(const std::string& base_url, const std::string& token,
                                                     std::chrono::milliseconds connect_timeout) {
  if (base_url.rfind("http://", 0) != 0 && base_url.rfind("https://", 0) != 0)
    return Error{"service URL must start with http:// or https://: " + base_url};
  if (token.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
    return Error{"token holds a line break or NUL"};
  if (!global_init()) return Error{"curl_global_init failed"};
  std::unique_ptr<HttpFetch> f(new HttpFetch());
  f->h_ = std::make_unique<Handles>();
  f->base_ = base_url;
  while (!f->base_.empty() && f->base_.back() == '/') f->base_.pop_back();
  Handles& h = *f->h_;
  h.easy = curl_easy_init();
  h.multi = curl_multi_init();
  if (!h.easy || !h.multi) return Error{"curl handles could not be created"};
  if (!token.empty()) {
    h.headers = curl_slist_append(h.headers, ("Authorization: Bearer " + token).c_str());
    if (!h.headers) return Error{"curl header list could not be created"};
  }
  curl_easy_setopt(h.easy, CURLOPT_HTTPHEADER, h.headers);
  curl_easy_setopt(h.easy, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(h.easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout.count()));
  curl_easy_setopt(h.easy, CURLOPT_FOLLOWLOCATION, 0L);  // the token goes to the service only
  curl_easy_setopt(h.easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h.easy, CURLOPT_WRITEFUNCTION, &on_data);
  return f;
}

HttpFetch::~HttpFetch() = default;

void HttpFetch::wake() {
  std::lock_guard<std::mutex> lock(h_->wake_mu);
  curl_multi_wakeup(h_->multi);
}

Result<HttpAnswer> HttpFetch::get(const std::string& target, size_t max_bytes, std::chrono::milliseconds timeout,
                                  const std::function<bool()>& abort) {
  HttpAnswer answer;
  Sink sink{&answer.body, max_bytes};
  std::string url = base_ + target;
  std::string what = "GET " + target + ": ";
  CURL* easy = h_->easy;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  if (curl_multi_add_handle(h_->multi, easy) != CURLM_OK) return Error{what + "curl_multi_add_handle failed"};

  CURLcode done = CURLE_OK;
  bool finished = false, aborted = false;
  while (!finished) {
    if (abort && abort()) {
      aborted = true;
      break;
    }
    int running = 0;
    if (curl_multi_perform(h_->multi, &running) != CURLM_OK) {
      done = CURLE_FAILED_INIT;
      break;
    }
    int left = 0;
    while (CURLMsg* m = curl_multi_info_read(h_->multi, &left)) {
      if (m->msg == CURLMSG_DONE) {
        done = m->data.result;
        finished = true;
      }
    }
    if (finished || running == 0) break;
    curl_multi_poll(h_->multi, nullptr, 0, 250, nullptr);
  }
  curl_multi_remove_handle(h_->multi, easy);  // an unfinished transfer's connection is closed
  if (aborted) return Error{what + "stopped"};
  if (sink.too_large || done == CURLE_FILESIZE_EXCEEDED)
    return Error{what + "the answer is larger than " + std::to_string(max_bytes) + " bytes"};
  if (!finished) return Error{what + "the transfer did not finish"};
  if (done != CURLE_OK) return Error{what + curl_easy_strerror(done)};
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

}  // namespace paydomain::follower
