#include "tests/server/server_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace paydomain::testing {

std::string paydomain_bin() {
  if (const char* b = std::getenv("PAYDOMAIN_BIN"); b && *b) return b;
  return PAYDOMAIN_CLI;
}

std::string source_dir() { return PAYDOMAIN_SOURCE_DIR; }

std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run_command(const std::string& cmd, std::string* out) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int status = pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(uint16_t port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {
  connect_now();
}

HttpClient::~HttpClient() {
  if (fd_ >= 0) ::close(fd_);
}

void HttpClient::connect_now() {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  buf_.clear();
}

void HttpClient::send_raw(const std::string& bytes) {
  if (fd_ < 0) connect_now();
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      throw std::runtime_error(std::string("send failed: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST") {
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  send_raw(req);
  return read_response();
}

HttpResponse HttpClient::read_response(bool head_only) {
  auto deadline = std::chrono::steady_clock::now() + timeout_;
  auto fill = [&]() {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("timeout reading the response");
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r == 0) throw std::runtime_error("timeout reading the response");
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("connection closed while reading the response");
    }
    buf_.append(tmp, static_cast<size_t>(n));
  };
  size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos) fill();
  HttpResponse res;
  std::istringstream head(buf_.substr(0, end));
  std::string line;
  std::getline(head, line);
  if (line.size() < 12 || line.compare(0, 5, "HTTP/") != 0) throw std::runtime_error("bad status line: " + line);
  res.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = line.find_first_not_of(' ', colon + 1);
    res.headers[name] = v == std::string::npos ? "" : line.substr(v);
  }
  size_t len = res.headers.count("content-length") && !head_only ? std::stoul(res.headers["content-length"]) : 0;
  while (buf_.size() < end + 4 + len) fill();
  res.body = buf_.substr(end + 4, len);
  buf_.erase(0, end + 4 + len);
  if (res.header("connection") == "close") {
    ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }
  return res;
}

bool HttpClient::closed_by_peer(std::chrono::milliseconds within) {
  if (fd_ < 0) return true;
  auto deadline = std::chrono::steady_clock::now() + within;
  while (true) {  // at least one poll, even with within == 0
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, left.count()))) == 0) return false;
    char tmp[4096];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      ::close(fd_);
      fd_ = -1;
      return true;
    }
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

namespace {
std::string token_for(const std::string& db, const std::string& role, const std::string& name) {
  std::string out;
  int rc = run_command(paydomain_bin() + " token create --db '" + db + "' --role " + role + " --name " + name +
                           " 2>/dev/null",
                       &out);
  if (rc != 0) throw std::runtime_error("token create failed");
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}
std::atomic<int> counter{0};
}  // namespace

ServerProcess::ServerProcess(const std::string& extra_flags) : ServerProcess(extra_flags, "") {}

ServerProcess::ServerProcess(const std::string& extra_flags, const std::string& store) {
  dir_ = std::filesystem::temp_directory_path() /
         ("paydomain-server-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  db_ = store.empty() ? (dir_ / "store.db").string() : store;
  std::string out;
  bool exists = !store.empty() && run_command(paydomain_bin() + " log --db '" + db_ + "' >/dev/null 2>&1") == 0;
  if (!exists && run_command(paydomain_bin() + " init --db '" + db_ + "' --from " + source_dir() + "/examples/acme 2>&1",
                             &out) != 0)
    throw std::runtime_error("init failed: " + out);
  tokens_.reader = token_for(db(), "reader", "core");
  tokens_.editor = token_for(db(), "editor", "ann");
  tokens_.admin = token_for(db(), "admin", "root");

  std::string log = (dir_ / "server.log").string();
  std::string cmd = "exec " + paydomain_bin() + " serve --db '" + db() + "'" +
                    (extra_flags.find("--listen") == std::string::npos ? " --listen 127.0.0.1:0" : "") + " --threads 2 " +
                    (extra_flags.find("--head-poll-ms") == std::string::npos ? "--head-poll-ms 50 " : "") + extra_flags +
                    " >" + log + " 2>&1";
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // The server logs {"msg":"listening",...,"port":N} once it accepts.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = slurp_file(log);
    size_t at = text.find("\"msg\":\"listening\"");
    if (at != std::string::npos) {
      size_t p = text.find("\"port\":", at);
      port_ = static_cast<uint16_t>(std::stoi(text.substr(p + 7)));
      return;
    }
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("server exited at start: " + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("server did not start: " + slurp_file(log));
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) terminate();
  if (!std::getenv("PAYDOMAIN_KEEP_TEST_DIRS")) std::filesystem::remove_all(dir_);
}

std::string ServerProcess::log() const { return slurp_file(dir_ / "server.log"); }

int ServerProcess::terminate(std::chrono::seconds wait) {
  if (pid_ <= 0) return exit_status_;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + wait;
  int status = 0;
  while (true) {
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return exit_status_ = -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return exit_status_;
}

HttpResponse ServerProcess::call(const std::string& method, const std::string& target, const std::string& token,
                                 const std::string& body) {
  HttpClient c(port_);
  std::vector<std::pair<std::string, std::string>> h;
  if (!token.empty()) h.emplace_back("Authorization", bearer(token));
  return c.request(method, target, body, h);
}

}  // namespace paydomain::testing
