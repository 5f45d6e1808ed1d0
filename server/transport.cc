// Boost.Beast/Asio transport. Each connection is a Session on its own strand
// with one steady_timer that enforces whichever deadline the current phase
// has (idle wait, request read, response write, lingering close).
#include "server/transport.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/metrics.h"

namespace paydomain::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

class Session;

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  TransportConfig cfg;
  HandleFn handle;
  Metrics* metrics;
  // Pending handlers hold shared_ptrs to this Impl (and to sessions), so the
  // io_context is owned through a pointer that ~HttpServer resets first:
  // that destroys the handlers left after a stop and breaks the cycle.
  std::unique_ptr<asio::io_context> ioc_holder = std::make_unique<asio::io_context>();
  asio::io_context& ioc = *ioc_holder;
  std::optional<tcp::acceptor> acceptor_holder{std::in_place, ioc};
  std::optional<asio::signal_set> signals_holder{std::in_place, ioc};
  tcp::acceptor& acceptor = *acceptor_holder;
  asio::signal_set& signals = *signals_holder;
  std::atomic<bool> stopping{false};
  std::mutex mu;  // guards sessions and shutdown_fns
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::vector<std::function<void()>> shutdown_fns;
  std::atomic<int64_t> pending_replies{0};  // requests handed to the app, not yet written
  std::optional<asio::steady_timer> monitor;

  Impl(TransportConfig c, HandleFn h, Metrics* m) : cfg(std::move(c)), handle(std::move(h)), metrics(m) {}
  void do_accept();
  void reject(tcp::socket& s);
  void begin_stop();
  void watch_stop(Clock::time_point hard_deadline);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> srv)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), srv_(std::move(srv)) {}

  void start() {
    {
      std::lock_guard lock(srv_->mu);
      srv_->sessions[this] = weak_from_this();
    }
    timer_.expires_at(Clock::time_point::max());
    arm_timer();
    read_request();
  }

  void post_shutdown() {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->shutdown(); });
  }

  // On the session's strand: drop an idle connection now; a request that has
  // begun is finished (its response says Connection: close).
  void shutdown() {
    if (phase_ == Phase::Idle && !(parser_ && parser_->got_some()) && buffer_.size() == 0) close();
  }

 private:
  enum class Phase { Idle, Reading, Handling, Writing, Draining, Closed };

  void read_request() {
    if (srv_->stopping.load()) return close();
    parser_.emplace();
    parser_->body_limit(srv_->cfg.body_limit);
    parser_->header_limit(static_cast<uint32_t>(srv_->cfg.header_limit));
    if (buffer_.size() > 0) {  // pipelined: the next request has begun
      phase_ = Phase::Reading;
      set_deadline(Clock::now() + srv_->cfg.read_timeout);
      return parse_more();
    }
    phase_ = Phase::Idle;
    set_deadline(Clock::now() + srv_->cfg.idle_timeout);
    // The first bytes are read here rather than by Beast, whose read does not
    // complete before a whole header has arrived: the read timeout must start
    // with the first byte, or a client trickling headers (slowloris) would
    // only ever meet the idle timeout.
    socket_.async_read_some(buffer_.prepare(8192), [self = shared_from_this()](error_code ec, size_t n) {
      self->on_first_bytes(ec, n);
    });
  }

  void on_first_bytes(error_code ec, size_t n) {
    if (phase_ == Phase::Closed) return;
    if (ec || n == 0) return close();  // EOF, reset, idle timeout or shutdown
    buffer_.commit(n);
    phase_ = Phase::Reading;
    set_deadline(Clock::now() + srv_->cfg.read_timeout);
    parse_more();
  }

  void parse_more() {
    http::async_read_some(socket_, buffer_, *parser_,
                          [self = shared_from_this()](error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(error_code ec) {
    if (phase_ == Phase::Closed) return;
    // Beast parses a header only once it is complete, so bytes waiting in the
    // buffer also mean a request has begun (a slowloris trickling headers).
    bool begun = parser_->got_some() || buffer_.size() > 0;
    if (timed_out_) {
      if (begun) return send_error(408, "request-timeout", "the request was not complete in time");
      return close();
    }
    if (ec == http::error::body_limit)
      return send_error(413, "body-too-large",
                        "the request body exceeds " + std::to_string(srv_->cfg.body_limit) + " bytes");
    if (ec == http::error::header_limit)
      return send_error(431, "headers-too-large", "the request headers are too large");
    if (ec) {
      if (begun && ec != http::error::end_of_stream && ec != asio::error::eof &&
          ec != asio::error::operation_aborted && ec != asio::error::connection_reset)
        return send_error(400, "bad-request", "malformed HTTP request: " + ec.message());
      return close();
    }
    if (!parser_->is_done()) return parse_more();
    dispatch();
  }

  void dispatch() {
    phase_ = Phase::Handling;
    deadline_ = Clock::time_point::max();  // handlers are not bounded by socket timeouts
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    if (q != std::string::npos) req.query = parse_query(std::string_view(req.target).substr(q + 1));
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value(field.value().data(), field.value().size());
      auto [it, fresh] = req.headers.try_emplace(std::move(name), value);
      if (!fresh) it->second.append(", ").append(value);
    }
    req.body = std::move(msg.body());
    keep_alive_ = msg.keep_alive();
    // The pending reply is outstanding work: the io_context must not run dry
    // (during a graceful stop) while a worker thread still computes it.
    auto work = asio::make_work_guard(srv_->ioc);
    auto self = shared_from_this();
    srv_->pending_replies.fetch_add(1);
    srv_->handle(std::move(req), [self, work](Response res) mutable {
      auto ex = self->socket_.get_executor();
      asio::post(ex, [self, work = std::move(work), res = std::move(res)]() mutable {
        self->write(std::move(res));
      });
    });
  }

  void write(Response r) {
    srv_->pending_replies.fetch_sub(1);
    if (phase_ == Phase::Closed) return;
    bool keep = keep_alive_ && !r.close && !srv_->stopping.load();
    res_.emplace();
    res_->version(11);
    res_->result(static_cast<unsigned>(r.status));
    res_->set(http::field::server, "paydomain");
    res_->set(http::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res_->set(k, v);
    res_->body() = std::move(r.body);
    res_->keep_alive(keep);
    res_->prepare_payload();
    phase_ = Phase::Writing;
    set_deadline(Clock::now() + srv_->cfg.write_timeout);
    http::async_write(socket_, *res_, [self = shared_from_this(), keep](error_code ec, size_t) {
      if (self->phase_ == Phase::Closed) return;
      if (ec) return self->close();
      if (!keep) return self->linger();
      self->read_request();
    });
  }

  // An error found while reading (limits, malformed, timeout): answer it in
  // the API's JSON shape, then close.
  void send_error(int status, std::string_view code, const std::string& message) {
    keep_alive_ = false;
    timed_out_ = false;
    Response r = error_response(status, code, message);
    r.close = true;
    if (srv_->metrics) srv_->metrics->observe_request(srv_->metrics->unmatched_index(), status, 0);
    srv_->pending_replies.fetch_add(1);  // balanced by write()
    write(std::move(r));
  }

  // Closing with unread request bytes would send an RST that can destroy the
  // response in flight; so half-close and drain for a moment first.
  void linger() {
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    phase_ = Phase::Draining;
    set_deadline(Clock::now() + std::chrono::milliseconds(500));
    drain();
  }

  void drain() {
    socket_.async_read_some(asio::buffer(drain_buf_), [self = shared_from_this()](error_code ec, size_t) {
      if (self->phase_ == Phase::Closed) return;
      if (ec) return self->close();
      self->drain();
    });
  }

  void set_deadline(Clock::time_point d) {
    deadline_ = d;
    // Only an earlier deadline needs the timer moved; a later one is picked
    // up when the timer fires and re-arms (one wait is ever pending).
    if (d < timer_.expiry()) timer_.expires_at(d);
  }

  void arm_timer() {
    timer_.async_wait([self = shared_from_this()](error_code) { self->on_timer(); });
  }

  void on_timer() {
    if (phase_ == Phase::Closed) return;
    if (deadline_ <= Clock::now()) {
      if (phase_ == Phase::Idle || phase_ == Phase::Reading) {
        timed_out_ = true;
        error_code ec;
        socket_.cancel(ec);  // on_read sees timed_out_
        deadline_ = Clock::time_point::max();
      } else {
        return close();  // a client that does not read its response, or lingering ended
      }
    }
    if (timer_.expiry() != deadline_) timer_.expires_at(deadline_);
    arm_timer();
  }

  void close() {
    if (phase_ == Phase::Closed) return;
    phase_ = Phase::Closed;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
    {
      std::lock_guard lock(srv_->mu);
      srv_->sessions.erase(this);
    }
    if (srv_->metrics) srv_->metrics->open_connections.fetch_sub(1);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<HttpServer::Impl> srv_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  std::array<char, 4096> drain_buf_{};
  Phase phase_ = Phase::Idle;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool keep_alive_ = true;
  bool timed_out_ = false;
};

void HttpServer::Impl::reject(tcp::socket& s) {
  if (metrics) metrics->rejected_connections.fetch_add(1);
  static const std::string body = [] {
    return error_response(503, "too-many-connections", "the server is at its connection limit").body;
  }();
  std::string msg = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  error_code ec;
  s.non_blocking(true, ec);
  s.write_some(asio::buffer(msg), ec);  // best effort: never block the acceptor
  s.shutdown(tcp::socket::shutdown_send, ec);
  s.close(ec);
}

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](error_code ec, tcp::socket s) {
    if (!self->acceptor.is_open() || self->stopping.load()) return;
    if (!ec) {
      int64_t open = self->metrics ? self->metrics->open_connections.load() : 0;
      if (static_cast<size_t>(open) >= self->cfg.max_connections) {
        self->reject(s);
      } else {
        error_code ignore;
        s.set_option(tcp::no_delay(true), ignore);
        if (self->metrics) self->metrics->open_connections.fetch_add(1);
        std::make_shared<Session>(std::move(s), self)->start();
      }
    }
    self->do_accept();
  });
}

void HttpServer::Impl::begin_stop() {
  if (stopping.exchange(true)) return;
  error_code ec;
  acceptor.close(ec);
  signals.cancel(ec);
  std::vector<std::function<void()>> fns;
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu);
    fns = shutdown_fns;
    for (auto& [p, w] : sessions)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& fn : fns) fn();
  for (auto& s : live) s->post_shutdown();
  // Stop once every request handed out is answered and every connection is
  // closed, rather than waiting for the io_context to run dry: a closed
  // session's timer may still be pending for up to its idle timeout. A hard
  // deadline bounds a stop that clients would otherwise keep open.
  monitor.emplace(ioc);
  watch_stop(Clock::now() + cfg.read_timeout + cfg.write_timeout + std::chrono::seconds(5));
}

void HttpServer::Impl::watch_stop(Clock::time_point hard_deadline) {
  bool idle;
  {
    std::lock_guard lock(mu);
    idle = sessions.empty() && pending_replies.load() == 0;
  }
  if (idle || Clock::now() >= hard_deadline) return ioc.stop();
  monitor->expires_after(std::chrono::milliseconds(10));
  monitor->async_wait([self = shared_from_this(), hard_deadline](error_code) { self->watch_stop(hard_deadline); });
}

HttpServer::HttpServer(TransportConfig config, HandleFn handle, Metrics* metrics)
    : impl_(std::make_shared<Impl>(std::move(config), std::move(handle), metrics)) {}

HttpServer::~HttpServer() {
  // Objects bound to the io_context go before it; then the io_context, whose
  // destruction destroys every handler still queued (a closed session's
  // timer, a reply posted after the stop).
  impl_->monitor.reset();
  impl_->signals_holder.reset();
  impl_->acceptor_holder.reset();
  impl_->ioc_holder.reset();
}

bool HttpServer::listen(std::string& error) {
  error_code ec;
  auto addr = asio::ip::make_address(impl_->cfg.address, ec);
  if (ec) {
    error = "bad listen address '" + impl_->cfg.address + "': " + ec.message();
    return false;
  }
  tcp::endpoint ep(addr, impl_->cfg.port);
  auto& a = impl_->acceptor;
  if (a.open(ep.protocol(), ec); !ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + impl_->cfg.address + ":" + std::to_string(impl_->cfg.port) + ": " + ec.message();
    return false;
  }
  return true;
}

uint16_t HttpServer::port() const {
  error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void HttpServer::on_shutdown(std::function<void()> fn) {
  std::lock_guard lock(impl_->mu);
  impl_->shutdown_fns.push_back(std::move(fn));
}

void HttpServer::run() {
  auto impl = impl_;
  impl->signals.add(SIGTERM);
  impl->signals.add(SIGINT);
  impl->signals.async_wait([impl](error_code ec, int) {
    if (!ec) impl->begin_stop();
  });
  impl->do_accept();
  int n = impl->cfg.threads > 0 ? impl->cfg.threads : static_cast<int>(std::thread::hardware_concurrency());
  if (n < 1) n = 1;
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([impl] { impl->ioc.run(); });
  impl->ioc.run();
  for (auto& t : threads) t.join();
}

void HttpServer::stop() {
  auto impl = impl_;
  asio::post(impl->ioc, [impl] { impl->begin_stop(); });
}

bool HttpServer::stopping() const { return impl_->stopping.load(); }

}  // namespace paydomain::server
