// The HTTP/1.1 transport: one Asio io_context run by N threads, requests read
// by RequestReader (Beast's tokenizer), responses written here. Owns sockets,
// keep-alive, limits, timeouts, the connection cap and graceful shutdown;
// hands each complete request to a HandleFn. Asio is included only by
// transport.cc (and Beast by it and request_reader.cc).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/result.h"
#include "server/http.h"

namespace paydomain::server {

class Metrics;

struct TransportConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port)
  int threads = 0;       // 0: one per core
  size_t body_limit = 8u << 20;    // bytes; larger bodies get 413
  size_t header_limit = 16u << 10; // bytes of request line + headers; more gets 431
  // A new connection must send its first byte within first_byte_timeout;
  // once a request has begun, it must be complete within read_timeout (slow
  // clients get 408 and are closed); an idle keep-alive connection is closed
  // after idle_timeout; a response must be written within write_timeout.
  std::chrono::milliseconds first_byte_timeout{5'000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{10'000};
  // On a graceful stop, a connection waiting for a request may still send
  // one for this long (it is answered with Connection: close).
  std::chrono::milliseconds shutdown_grace{1'000};
  // At max_connections the connection idle longest is closed to make room
  // (503 only when all are busy); one client address may hold at most
  // max_connections_per_client (429 beyond; 0: no per-client cap).
  size_t max_connections = 4096;
  size_t max_connections_per_client = 256;
};

class HttpServer {
 public:
  // Called on an I/O thread for every complete request; `reply` may be called
  // from any thread, exactly once.
  using HandleFn = std::function<void(Request req, std::function<void(Response)> reply)>;

  HttpServer(TransportConfig config, HandleFn handle, Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; a message when the address is unusable.
  paydomain::Result<Ok, std::string> listen();
  uint16_t port() const;  // the bound port (useful with port 0)

  // Called once when shutdown begins (SIGTERM/SIGINT or stop()), on an I/O
  // thread: wake long-polls, stop timers, so the io_context can run dry.
  void on_shutdown(std::function<void()> fn);

  // Runs the I/O threads (the caller is one of them) until a graceful stop:
  // stop accepting, give waiting connections shutdown_grace to send a request,
  // finish in-flight requests (their responses carry Connection: close),
  // then return.
  void run();
  void stop();  // thread-safe; begins the graceful stop
  bool stopping() const;

  struct Impl;  // public so that transport.cc's sessions can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace paydomain::server
