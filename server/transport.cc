// The Asio transport. Each connection is a Session on its own strand with
// one steady_timer that enforces whichever deadline the current phase has
// (idle wait, request read, response write, lingering close). A response is
// its status line and headers, written into one reused buffer, and its body,
// sent together in one gathered write; an answer given on the session's own
// strand (the evaluate hot path) is written without a trip through the queue.
#include "server/transport.h"

#include <array>
#include <atomic>
#include <charconv>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/status.hpp>
#include <csignal>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/metrics.h"
#include "server/request_reader.h"

namespace paydomain::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

class Session;

namespace {
void append_number(std::string& out, size_t v) {
  char buf[24];
  auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, end);
}
// Header values come from our own handlers; a CR or LF in one would split
// the response, so it is dropped rather than written.
void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ");
  if (value.find_first_of("\r\n") == std::string_view::npos) {
    out.append(value);
  } else {
    for (char c : value)
      if (c != '\r' && c != '\n') out += c;
  }
  out += "\r\n";
}
}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  TransportConfig cfg;
  HandleFn handle;
  Metrics* metrics;
  // One io_context per I/O thread, connections spread over them in turn: no
  // two threads contend for one scheduler or hand its reactor back and forth
  // (that cost more than a tenth of the hot path's CPU). Context 0 also runs
  // the acceptor, the signals and the stop. Pending handlers hold shared_ptrs
  // to this Impl (and to sessions), so the contexts are owned through
  // pointers that ~HttpServer resets first: that destroys the handlers left
  // after a stop and breaks the cycle.
  std::vector<std::unique_ptr<asio::io_context>> iocs = make_contexts(cfg.threads);
  asio::io_context& ioc = *iocs[0];
  size_t next_context = 0;  // the context of the next connection (control strand only)
  // Keep contexts 1.. running while they have no connection; dropped at the stop.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  // The acceptor, the signals, the stop and its monitor are used only on this
  // strand, so accepting and stopping never race.
  // (Held through an optional so ~HttpServer can drop it before the io_context.)
  std::optional<asio::strand<asio::io_context::executor_type>> control_holder{asio::make_strand(ioc)};
  asio::strand<asio::io_context::executor_type>& control = *control_holder;
  std::optional<tcp::acceptor> acceptor_holder{std::in_place, control};
  std::optional<asio::signal_set> signals_holder{std::in_place, control};
  tcp::acceptor& acceptor = *acceptor_holder;
  asio::signal_set& signals = *signals_holder;
  std::atomic<bool> stopping{false};
  std::mutex mu;  // guards sessions, per_client and shutdown_fns
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  std::unordered_map<std::string, size_t> per_client;  // open connections by peer address
  std::vector<std::function<void()>> shutdown_fns;
  std::atomic<int64_t> pending_replies{0};  // requests handed to the app, not yet written
  std::optional<asio::steady_timer> monitor;

  Impl(TransportConfig c, HandleFn h, Metrics* m) : cfg(std::move(c)), handle(std::move(h)), metrics(m) {}
  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(int threads) {
    int n = threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency());
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int i = 0; i < std::max(n, 1); ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }
  void stop_contexts() {
    keep_running.clear();
    for (auto& c : iocs) c->stop();
  }
  void do_accept();
  void admit(tcp::socket s);
  void reject(tcp::socket& s, int status, std::string_view code, const std::string& message);
  void forget(Session* s);
  void readmit(Session* s);
  void begin_stop();
  void watch_stop(Clock::time_point hard_deadline);
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, asio::io_context& context, std::shared_ptr<HttpServer::Impl> srv, std::string client)
      : context_(context),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        srv_(std::move(srv)),
        client_(std::move(client)),
        reader_(srv_->cfg.header_limit, srv_->cfg.body_limit) {}

  // Called on the acceptor's strand; everything after runs on the session's.
  void start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      self->timer_.expires_at(Clock::time_point::max());
      self->arm_timer();
      self->read_request();
    });
  }

  // Milliseconds (steady clock) since this connection began waiting for a
  // request with nothing received, or -1 while it is busy. Read by the
  // acceptor (any thread) to pick a connection to evict at the cap.
  int64_t idle_since() const { return idle_since_ms_.load(std::memory_order_relaxed); }
  bool never_sent() const { return never_sent_.load(std::memory_order_relaxed); }

  void post(void (Session::*fn)()) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), fn] { ((*self).*fn)(); });
  }

  // On the strand, when a graceful stop begins: a connection waiting for a
  // request gets a short grace to send one (a request already on its way
  // when the stop began is answered, with Connection: close) and is closed
  // after it; a request that has begun is finished the same way.
  void shutdown() {
    if (waiting()) set_deadline(std::min(deadline_, Clock::now() + srv_->cfg.shutdown_grace));
  }

  // On the strand: closes the connection if it is still waiting with
  // nothing received (the acceptor chose it to make room at the cap).
  void evict() {
    if (phase_ == Phase::Closed) return;
    if (waiting()) return close();
    srv_->readmit(this);  // a request arrived meanwhile: it is served after all
  }

  const std::string& client() const { return client_; }
  bool forgotten = false;  // out of the server's tables (guarded by Impl::mu)

 private:
  enum class Phase { Idle, Reading, Handling, Writing, Draining, Closed };

  bool waiting() const { return phase_ == Phase::Idle && inbuf_.empty() && !reader_.begun(); }

  static int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
  }

  void read_request() {
    if (!inbuf_.empty()) {  // pipelined: the next request has begun
      phase_ = Phase::Reading;
      set_deadline(Clock::now() + srv_->cfg.read_timeout);
      return parse();
    }
    phase_ = Phase::Idle;
    idle_since_ms_.store(now_ms(), std::memory_order_relaxed);
    // A new connection must send its first byte soon; a keep-alive one may
    // wait the idle timeout between requests.
    auto wait = served_ == 0 ? srv_->cfg.first_byte_timeout : srv_->cfg.idle_timeout;
    if (srv_->stopping.load()) wait = std::min(wait, srv_->cfg.shutdown_grace);
    set_deadline(Clock::now() + wait);
    read_some();
  }

  // Reads whatever arrives. The read timeout starts with the first byte of
  // a request, so a client trickling headers (slowloris) meets it rather
  // than the idle timeout.
  void read_some() {
    socket_.async_read_some(asio::buffer(read_buf_), [self = shared_from_this()](error_code ec, size_t n) {
      self->on_bytes(ec, n);
    });
  }

  void on_bytes(error_code ec, size_t n) {
    if (phase_ == Phase::Closed) return;
    bool begun = reader_.begun() || !inbuf_.empty() || n > 0;
    if (timed_out_) {
      if (begun && phase_ == Phase::Reading)
        return send_error({408, "request-timeout", "the request was not complete in time"});
      return close();
    }
    if (ec || n == 0) return close();  // EOF or reset: nobody to answer
    inbuf_.append(read_buf_.data(), n);
    if (phase_ == Phase::Idle) {
      phase_ = Phase::Reading;
      idle_since_ms_.store(-1, std::memory_order_relaxed);
      never_sent_.store(false, std::memory_order_relaxed);
      set_deadline(Clock::now() + srv_->cfg.read_timeout);
    }
    parse();
  }

  void parse() {
    size_t used = reader_.parse(inbuf_);
    inbuf_.erase(0, used);
    if (const auto& err = reader_.error()) return send_error(*err);
    if (reader_.done()) return dispatch();
    read_some();
  }

  void dispatch() {
    phase_ = Phase::Handling;
    deadline_ = Clock::time_point::max();  // handlers are not bounded by socket timeouts
    keep_alive_ = reader_.keep_alive();
    ++served_;
    Request req = reader_.take();
    // The pending reply is outstanding work: the io_context must not run dry
    // (during a graceful stop) while a worker thread still computes it.
    auto work = asio::make_work_guard(context_);
    auto self = shared_from_this();
    srv_->pending_replies.fetch_add(1);
    // A handler answering at once (the evaluate hot path) runs on this
    // strand: dispatch writes without a trip through the queue. An answer
    // from a worker thread is posted to the strand.
    srv_->handle(std::move(req), [self, work](Response res) mutable {
      auto ex = self->socket_.get_executor();
      asio::dispatch(ex, [self, work = std::move(work), res = std::move(res)]() mutable {
        self->write(std::move(res));
      });
    });
  }

  void write(Response r) {
    srv_->pending_replies.fetch_sub(1);
    if (phase_ == Phase::Closed) return;
    bool keep = keep_alive_ && !r.close && !srv_->stopping.load();
    // The status line and headers are written here, into one reused buffer,
    // and sent with the body in one gathered write.
    head_.clear();
    head_ += "HTTP/1.1 ";
    append_number(head_, r.status);
    head_ += ' ';
    beast::string_view reason = http::obsolete_reason(static_cast<http::status>(r.status));
    head_.append(reason.data(), reason.size());
    head_ += "\r\nServer: paydomain\r\n";
    if (r.status != 204) append_header(head_, "Content-Type", r.content_type);
    for (const auto& [k, v] : r.headers) append_header(head_, k, v);
    // No payload length for 1xx, 204 and 304 (RFC 9110 8.6); HEAD gets the GET's.
    if (r.status >= 200 && r.status != 204 && r.status != 304) {
      head_ += "Content-Length: ";
      append_number(head_, r.body.size());
      head_ += "\r\n";
    }
    if (!keep) head_ += "Connection: close\r\n";
    head_ += "\r\n";
    body_ = std::move(r.body);
    if (r.omit_body) body_.clear();
    phase_ = Phase::Writing;
    set_deadline(Clock::now() + srv_->cfg.write_timeout);
    std::array<asio::const_buffer, 2> out{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(socket_, out, [self = shared_from_this(), keep](error_code ec, size_t) {
      if (self->phase_ == Phase::Closed) return;
      if (ec) return self->close();
      if (!keep) return self->linger();
      self->read_request();
    });
  }

  // An error found while reading (limits, malformed, timeout): answer it in
  // the API's JSON shape, then close.
  void send_error(const ReadError& e) {
    keep_alive_ = false;
    timed_out_ = false;
    idle_since_ms_.store(-1, std::memory_order_relaxed);
    Response r = error_response(e.status, e.code, e.message);
    r.close = true;
    if (srv_->metrics) srv_->metrics->observe_request(srv_->metrics->unmatched_index(), e.status, 0);
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
    socket_.async_read_some(asio::buffer(read_buf_), [self = shared_from_this()](error_code ec, size_t) {
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
        socket_.cancel(ec);  // on_bytes sees timed_out_
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
    idle_since_ms_.store(-1, std::memory_order_relaxed);
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
    srv_->forget(this);
  }

  asio::io_context& context_;  // the context this connection runs on
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<HttpServer::Impl> srv_;
  std::string client_;  // the peer's address, for the per-client cap
  RequestReader reader_;
  std::string inbuf_;   // received, not yet consumed by the reader
  std::array<char, 16384> read_buf_{};
  std::string head_, body_;  // the response being written
  Phase phase_ = Phase::Idle;
  Clock::time_point deadline_ = Clock::time_point::max();
  uint64_t served_ = 0;  // requests answered on this connection
  bool keep_alive_ = true;
  bool timed_out_ = false;
  std::atomic<int64_t> idle_since_ms_{-1};
  std::atomic<bool> never_sent_{true};
};

void HttpServer::Impl::reject(tcp::socket& s, int status, std::string_view code, const std::string& message) {
  if (metrics) metrics->rejected_connections.fetch_add(1);
  std::string body = error_response(status, code, message).body;
  std::string reason = status == 429 ? "Too Many Requests" : "Service Unavailable";
  std::string msg = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                    "\r\nContent-Type: application/json\r\nConnection: close\r\nRetry-After: 1\r\n"
                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  error_code ec;
  s.non_blocking(true, ec);
  s.write_some(asio::buffer(msg), ec);  // best effort: never block the acceptor
  s.shutdown(tcp::socket::shutdown_send, ec);
  s.close(ec);
}

// Admission: at most max_connections_per_client from one address (429), and
// at most max_connections in all. At the global cap the connection that has
// waited longest without sending anything (a never-used one first) is
// evicted to make room, so idle sockets cannot lock out clients that behave;
// only when every connection is busy does a newcomer get 503.
void HttpServer::Impl::admit(tcp::socket s) {
  error_code ec;
  auto peer = s.remote_endpoint(ec);
  if (ec) return;  // already gone
  std::string client = peer.address().to_string();
  enum class Verdict { Admit, PerClient, Full } verdict = Verdict::Admit;
  std::shared_ptr<Session> victim;
  {
    std::lock_guard lock(mu);
    auto it = per_client.find(client);
    size_t mine = it == per_client.end() ? 0 : it->second;
    if (cfg.max_connections_per_client > 0 && mine >= cfg.max_connections_per_client) {
      verdict = Verdict::PerClient;
    } else if (sessions.size() >= cfg.max_connections) {
      int64_t best = INT64_MAX;
      bool best_fresh = false;
      for (auto& [p, w] : sessions) {
        auto candidate = w.lock();
        if (!candidate) continue;
        int64_t since = candidate->idle_since();
        if (since < 0) continue;
        bool fresh = candidate->never_sent();
        if ((fresh && !best_fresh) || (fresh == best_fresh && since < best)) {
          victim = std::move(candidate);
          best = since;
          best_fresh = fresh;
        }
      }
      if (!victim) verdict = Verdict::Full;
    }
    if (verdict == Verdict::Admit) {
      if (victim) {  // it leaves the tables now, so the next accept looks elsewhere
        sessions.erase(victim.get());
        auto v = per_client.find(victim->client());
        if (v != per_client.end() && --v->second == 0) per_client.erase(v);
        victim->forgotten = true;
      }
      ++per_client[client];
    }
  }
  if (verdict == Verdict::PerClient)
    return reject(s, 429, "too-many-connections",
                  "this client address already has " + std::to_string(cfg.max_connections_per_client) +
                      " open connections, the most allowed");
  if (verdict == Verdict::Full)
    return reject(s, 503, "too-many-connections", "the server is at its connection limit");
  if (victim) {
    if (metrics) metrics->evicted_connections.fetch_add(1);
    victim->post(&Session::evict);
  }
  s.set_option(tcp::no_delay(true), ec);
  if (metrics) metrics->open_connections.fetch_add(1);
  auto& context = static_cast<asio::io_context&>(asio::query(s.get_executor(), asio::execution::context));
  auto session = std::make_shared<Session>(std::move(s), context, shared_from_this(), std::move(client));
  {
    std::lock_guard lock(mu);
    sessions[session.get()] = session;
  }
  session->start();
}

void HttpServer::Impl::forget(Session* s) {
  {
    std::lock_guard lock(mu);
    if (!s->forgotten) {
      sessions.erase(s);
      auto it = per_client.find(s->client());
      if (it != per_client.end() && --it->second == 0) per_client.erase(it);
      s->forgotten = true;
    }
  }
  if (metrics) metrics->open_connections.fetch_sub(1);
}

void HttpServer::Impl::readmit(Session* s) {
  std::lock_guard lock(mu);
  if (!s->forgotten) return;
  sessions[s] = s->weak_from_this();
  ++per_client[s->client()];
  s->forgotten = false;
}

void HttpServer::Impl::do_accept() {
  asio::io_context& context = *iocs[next_context++ % iocs.size()];
  acceptor.async_accept(asio::make_strand(context), [self = shared_from_this()](error_code ec, tcp::socket s) {
    if (!self->acceptor.is_open() || self->stopping.load()) return;
    if (!ec) self->admit(std::move(s));
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
  for (auto& s : live) s->post(&Session::shutdown);
  // Stop once every request handed out is answered and every connection is
  // closed, rather than waiting for the io_context to run dry: a closed
  // session's timer may still be pending for up to its idle timeout. A hard
  // deadline bounds a stop that clients would otherwise keep open.
  monitor.emplace(control);
  watch_stop(Clock::now() + cfg.read_timeout + cfg.write_timeout + std::chrono::seconds(5));
}

void HttpServer::Impl::watch_stop(Clock::time_point hard_deadline) {
  bool idle;
  {
    std::lock_guard lock(mu);
    idle = sessions.empty() && pending_replies.load() == 0;
  }
  if (idle || Clock::now() >= hard_deadline) return stop_contexts();
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
  impl_->control_holder.reset();
  impl_->keep_running.clear();
  impl_->iocs.clear();
}

paydomain::Result<Ok, std::string> HttpServer::listen() {
  error_code ec;
  auto addr = asio::ip::make_address(impl_->cfg.address, ec);
  if (ec) return "bad listen address '" + impl_->cfg.address + "': " + ec.message();
  tcp::endpoint ep(addr, impl_->cfg.port);
  auto& a = impl_->acceptor;
  if (a.open(ep.protocol(), ec); !ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on " + impl_->cfg.address + ":" + std::to_string(impl_->cfg.port) + ": " + ec.message();
  return Ok{};
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
  impl->signals.async_wait([impl](error_code ec, int) {  // on the control strand
    if (!ec) impl->begin_stop();
  });
  impl->do_accept();
  for (size_t i = 1; i < impl->iocs.size(); ++i) impl->keep_running.push_back(asio::make_work_guard(*impl->iocs[i]));
  // The last line of defence: a handler that throws (a library's exception
  // on a path nobody foresaw) loses its connection, never the process. Asio
  // lets run() be called again after an exception left it.
  auto run_guarded = [impl](size_t i) {
    asio::io_context& context = *impl->iocs[i];
    while (true) {
      try {
        context.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "paydomain serve: a connection failed: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "paydomain serve: a connection failed\n");
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < impl->iocs.size(); ++i) threads.emplace_back(run_guarded, i);
  run_guarded(0);
  for (auto& t : threads) t.join();
}

void HttpServer::stop() {
  auto impl = impl_;
  asio::post(impl->control, [impl] { impl->begin_stop(); });
}

bool HttpServer::stopping() const { return impl_->stopping.load(); }

}  // namespace paydomain::server
