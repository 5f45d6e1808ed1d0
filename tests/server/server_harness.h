// Test harness for the HTTP service: a real `paydomain serve` process on a
// free loopback port over a temp store seeded from examples/acme, tokens of
// every role, and a tiny blocking HTTP/1.1 client over POSIX sockets.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace paydomain::testing {

// The CLI under test: $PAYDOMAIN_BIN (set by scripts/test.sh), else the
// build's own binary (PAYDOMAIN_CLI, a compile definition).
std::string paydomain_bin();
std::string source_dir();
std::string slurp_file(const std::filesystem::path& p);

// Runs a command line with the shell; stdout captured; the exit code.
int run_command(const std::string& cmd, std::string* out = nullptr);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const;
};

// One keep-alive connection. Every call throws std::runtime_error on a
// transport failure (closed, timeout), which tests treat as an error.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Raw bytes, for malformed and slow requests.
  void send_raw(const std::string& bytes);
  // `head`: the response to a HEAD request (a Content-Length, no body).
  HttpResponse read_response(bool head = false);
  // True when the server closed the connection (EOF) within `within`.
  bool closed_by_peer(std::chrono::milliseconds within);
  bool connected() const { return fd_ >= 0; }

 private:
  void connect_now();
  uint16_t port_;
  int fd_ = -1;
  std::string buf_;
  std::chrono::milliseconds timeout_;
};

struct Tokens {
  std::string reader, editor, admin;
};

// A running server; stopped (SIGTERM) by the destructor.
class ServerProcess {
 public:
  // Extra `serve` flags, e.g. "--body-limit 1000 --read-timeout-ms 500";
  // "--listen 127.0.0.1:PORT" replaces the default (any free port), e.g. to
  // restart a killed server where its clients expect it.
  explicit ServerProcess(const std::string& extra_flags = "");
  // On the store at `db` (a path or postgresql:// URL; "" = a new file in
  // dir()): seeded from examples/acme unless it is a store already (another
  // replica's), with tokens of its own.
  ServerProcess(const std::string& extra_flags, const std::string& db);
  ~ServerProcess();

  uint16_t port() const { return port_; }
  const Tokens& tokens() const { return tokens_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& db() const { return db_; }
  std::string log() const;  // the server's stdout+stderr so far
  pid_t pid() const { return pid_; }

  // Sends SIGTERM and waits; the exit status (-1 if killed by a signal).
  int terminate(std::chrono::seconds wait = std::chrono::seconds(30));

  std::string bearer(const std::string& token) const { return "Bearer " + token; }
  HttpResponse call(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "");

 private:
  std::filesystem::path dir_;
  std::string db_;
  Tokens tokens_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int exit_status_ = -2;
};

}  // namespace paydomain::testing
