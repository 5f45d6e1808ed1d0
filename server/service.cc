// Service lifecycle, head following (poll + commit notification) with
// long-poll waiters, token authentication, operational routes.
#include "server/service.h"

#include <charconv>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "domain_store/store_factory.h"
#include "domain_store/json.h"
#include "server/json_util.h"
#include "server/openapi.h"

namespace paydomain::server {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

Service::Service(const ServiceConfig& config)
    : config_(config),
      cache_(config.cache_bytes),
      pool_(std::make_unique<WorkerPool>(config.workers)),
      writes_(std::make_unique<WorkerPool>(1)) {}

Service::~Service() {
  begin_shutdown();
  finish();
}

std::variant<std::unique_ptr<Service>, std::string> Service::open(const ServiceConfig& config) {
  std::unique_ptr<Service> s(new Service(config));
  auto st = store::open_store(config.db_path);
  if (!st) return "cannot open store " + store::store_display_name(config.db_path) + ": " + st.error().message;
  s->store_ = std::move(st.value());
  auto tokens = store::open_token_store(config.db_path);
  if (!tokens) return "cannot open the token table of " + store::store_display_name(config.db_path) + ": " + tokens.error().message;
  s->tokens_ = std::move(tokens.value());
  return s;
}

std::optional<std::string> Service::start() {
  auto h = store_->head();
  if (!h) return "cannot read head: " + h.error().message;
  auto c = compiled(*h);
  if (!c) return "cannot compile head revision " + std::to_string(*h) + ": " + c.error().message;
  {
    std::lock_guard lock(head_mu_);
    head_ = *h;
    serving_ = *c;
    compiling_ = *h;
    watching_ = true;
  }
  if (metrics_) metrics_->head_revision.store(*h);
  // Another process's commit wakes the watcher like one of ours; without a
  // file watch the head_poll finds it.
  auto watch = store::watch_store(config_.db_path, [this] {
    {
      std::lock_guard lock(head_mu_);
      commit_seen_ = true;
    }
    head_cv_.notify_all();
  });
  if (watch) file_watch_ = std::move(watch.value());
  watcher_ = std::thread([this] { watch_loop(); });
  return std::nullopt;
}

void Service::begin_shutdown() {
  std::list<Waiter> waiters;
  store::Rev rev;
  {
    std::lock_guard lock(head_mu_);
    if (!watching_ && waiters_.empty()) return;
    watching_ = false;
    waiters.swap(waiters_);
    rev = head_;
  }
  head_cv_.notify_all();
  if (!waiters.empty()) {
    Response r = head_response(rev);
    for (auto& w : waiters) w.done(r);
  }
}

void Service::finish() {
  file_watch_.reset();  // its callback uses head_mu_: stopped before anything goes
  if (watcher_.joinable()) watcher_.join();
  // The pool first: a working-copy commit prepared there hands its write to writes_.
  if (pool_) pool_->shutdown();
  if (writes_) writes_->shutdown();
}

// ---- head following ------------------------------------------------------

store::Rev Service::known_head() const {
  std::lock_guard lock(head_mu_);
  return head_;
}

std::shared_ptr<const CompiledRevision> Service::serving_head() const {
  std::lock_guard lock(head_mu_);
  return serving_;
}

Response Service::head_response(store::Rev rev) {
  auto info = store_->revision(rev);
  if (!info) return store_error(info.error());
  return json_response(200, store::to_json(info.value()));
}

void Service::notify_commit() {
  {
    std::lock_guard lock(head_mu_);
    commit_seen_ = true;
  }
  head_cv_.notify_all();
}

// One thread re-reads head at once after a commit through this server or
// one the file watch saw (the CLI), else every head_poll; answers long-polls whose
// revision arrived or whose time ran out; starts compiling each new head.
void Service::watch_loop() {
  while (true) {
    std::unique_lock lock(head_mu_);
    auto until = Clock::now() + config_.head_poll;
    for (const auto& w : waiters_) until = std::min(until, w.deadline);  // answer timeouts on time
    head_cv_.wait_until(lock, until, [&] { return !watching_ || commit_seen_; });
    if (!watching_) return;
    commit_seen_ = false;
    lock.unlock();
    auto h = store_->head();
    store_health_.note(h.ok() || h.error().code != store::ErrorCode::Io);
    lock.lock();
    bool fresh = false;
    if (h && *h > head_) {
      head_ = *h;
      fresh = true;
    }
    store::Rev rev = head_;
    auto now = Clock::now();
    std::vector<Done> ready;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (rev > it->after || now >= it->deadline) {
        ready.push_back(std::move(it->done));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    if (metrics_) metrics_->head_revision.store(rev);
    if (!ready.empty()) {
      Response r = head_response(rev);
      for (auto& d : ready) d(r);
    }
    if (fresh) on_new_head(rev);
  }
}

// Evaluations "at head" keep using the previous compiled head until the new
// one is ready: a head change never makes an evaluation wait for a compile.
void Service::on_new_head(store::Rev rev) {
  {
    std::lock_guard lock(head_mu_);
    if (compiling_ >= rev) return;
    compiling_ = rev;
  }
  pool_->submit([this, rev] {
    auto c = compiled(rev);
    if (!c) return;  // reported to the next request that needs it
    std::lock_guard lock(head_mu_);
    if (!serving_ || revision_of(*serving_) < rev) serving_ = *c;
  });
}

std::variant<store::Rev, Response> Service::parse_rev(const std::string& text, bool allow_head) {
  if (text == "head" && allow_head) {
    auto h = store_->head();
    if (!h) return store_error(h.error());
    return *h;
  }
  int64_t rev = -1;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), rev);
  if (ec != std::errc() || p != text.data() + text.size() || rev < 0)
    return error_response(400, "bad-revision",
                          "'" + text + "' is not a revision (a non-negative integer" +
                              (allow_head ? std::string(" or \"head\")") : std::string(")")));
  return rev;
}

namespace {
// No exception escapes a request: one that reaches here is a 500.
std::function<void()> guarded(Done done, std::function<Response()> fn) {
  return [done = std::move(done), fn = std::move(fn)] {
    Response r;
    try {
      r = fn();
    } catch (const std::exception& e) {
      r = error_response(500, "internal", std::string("internal error: ") + e.what());
    } catch (...) {
      r = error_response(500, "internal", "internal error");
    }
    done(std::move(r));
  };
}
}  // namespace

void Service::offload(Done done, std::function<Response()> fn) { pool_->submit(guarded(std::move(done), std::move(fn))); }

void Service::offload_write(Done done, std::function<Response()> fn) {
  ++writes_pending_;
  writes_->submit(guarded(std::move(done), [this, fn = std::move(fn)] {
    struct Finished {
      std::atomic<int64_t>& n;
      ~Finished() { --n; }
    } finished{writes_pending_};
    return fn();
  }));
}

std::optional<Response> Service::commit_too_large(const std::vector<store::Op>& ops) const {
  size_t bytes = 0;
  for (const auto& op : ops) bytes += op.text.size() + op.key.id.size() + op.path.size();
  if (ops.size() > config_.max_commit_objects) {
    return error_response(413, "commit-too-large",
                          "the commit has " + std::to_string(ops.size()) + " operations; at most " +
                              std::to_string(config_.max_commit_objects) +
                              " are accepted in one commit (--max-commit-objects): split it into several commits");
  }
  if (bytes > config_.max_commit_bytes) {
    return error_response(413, "commit-too-large",
                          "the commit holds " + std::to_string(bytes) + " bytes of object text; at most " +
                              std::to_string(config_.max_commit_bytes) +
                              " are accepted in one commit (--max-commit-bytes): split it into several commits");
  }
  return std::nullopt;
}

// ---- authentication ------------------------------------------------------

// Tokens are cached by their hash (never in clear) for token_cache_ttl, so
// the hot evaluate path does not query SQLite; a revocation takes effect
// within that time.
std::optional<Caller> Service::TokenAuth::authenticate(std::string_view token) {
  std::string key = store::sha256_hex(token);
  auto now = Clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.expires > now) return it->second.caller;
  }
  std::optional<Caller> caller;
  auto found = s_.tokens_->lookup(token);
  if (found) {
    Access role;
    if (access_from_string(found->role, role)) caller = Caller{found->name, role};
  } else if (found.error().code != store::ErrorCode::NotFound) {
    // A busy or unreachable database is no answer about the token: the last
    // answer, even expired, stands until it can answer again.
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    return it != cache_.end() ? it->second.caller : std::nullopt;
  }
  {
    std::lock_guard lock(mu_);
    if (cache_.size() > 10000) cache_.clear();  // bounded even under a flood of bad tokens
    cache_[key] = Cached{caller, now + s_.config_.token_cache_ttl};
  }
  return caller;
}

void Service::TokenAuth::forget_all() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

// ---- operational routes and the editor ----------------------------------

void Service::get_whoami(Request&, const Caller& caller, Done done) {
  done(json_response(200, {{"name", caller.name}, {"role", to_string(caller.role)}}));
}

namespace {
std::string content_type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json") || ends(".map")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}
}  // namespace

void Service::get_static(Request& req, const Caller&, Done done) {
  std::string name = req.params.empty() ? "index.html" : req.params[0];
  if (config_.editor_dir.empty())
    return done(error_response(404, "not-found", "the web editor is not served (start with --editor DIR)"));
  // One path segment of safe characters: no traversal out of editor_dir.
  bool safe = !name.empty() && name[0] != '.';
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) safe = false;
  if (!safe) return done(error_response(404, "not-found", "no such file"));
  std::ifstream in(config_.editor_dir + "/" + name, std::ios::binary);
  if (!in) return done(error_response(404, "not-found", "no such file: " + name));
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r;
  r.content_type = content_type_of(name);
  r.body = ss.str();
  r.headers.emplace_back("Cache-Control", "no-cache");
  done(std::move(r));
}

// GET /v1/contexts: the sample payment contexts of --contexts DIR (the
// editor offers them in its try-it panel), as [{"name", "context"}].
void Service::get_contexts(Request&, const Caller&, Done done) {
  json list = json::array();
  if (!config_.contexts_dir.empty()) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(config_.contexts_dir, ec))
      if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      json ctx = json::parse(ss.str(), nullptr, false);
      if (ctx.is_object()) list.push_back({{"name", f.stem().string()}, {"context", ctx}});
    }
  }
  done(json_response(200, {{"contexts", list}}));
}

void Service::add_routes(Router& r) {
  auto bind = [this](void (Service::*m)(Request&, const Caller&, Done)) {
    return [this, m](Request& req, const Caller& c, Done d) { (this->*m)(req, c, std::move(d)); };
  };
  r.add("GET", "/healthz", Access::Public, [](Request&, const Caller&, Done d) {
    d(json_response(200, {{"status", "ok"}}));
  });
  r.add("GET", "/readyz", Access::Public, [this](Request&, const Caller&, Done d) {
    if (stopping_ && stopping_()) return d(error_response(503, "stopping", "the server is shutting down"));
    if (!serving_head()) return d(error_response(503, "not-ready", "the head revision is not compiled yet"));
    // Still ready without the store: compiled revisions keep evaluating.
    json store = {{"reachable", true}};
    if (auto since = store_health_.unreachable_since_ms()) store = {{"reachable", false}, {"since", store::format_time(*since)}};
    d(json_response(200, {{"status", "ready"}, {"head", known_head()}, {"store", store}}));
  });
  r.add("GET", "/metrics", Access::Public, [this](Request&, const Caller&, Done d) {
    Response res;
    auto st = cache_.stats();
    if (metrics_) {
      metrics_->cache_bytes.store(st.bytes);
      metrics_->cache_evictions.store(st.evictions);
      metrics_->writes_pending.store(writes_pending_.load());
      metrics_->store_unreachable_since_ms.store(store_health_.unreachable_since_ms().value_or(0));
      {
        std::lock_guard lock(head_mu_);
        metrics_->head_waiters.store(static_cast<int64_t>(waiters_.size()));
      }
      res.body = metrics_->render();
    }
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    d(std::move(res));
  });
  r.add("GET", "/openapi.json", Access::Public, [](Request&, const Caller&, Done d) {
    Response res;
    res.body = std::string(openapi_json());
    d(std::move(res));
  });
  r.add("GET", "/v1/whoami", Access::Reader, bind(&Service::get_whoami));
  r.add("GET", "/v1/head", Access::Reader, bind(&Service::get_head));
  r.add("GET", "/v1/revisions", Access::Reader, bind(&Service::get_revisions));
  r.add("GET", "/v1/revisions/{rev}", Access::Reader, bind(&Service::get_revision));
  r.add("GET", "/v1/revisions/{rev}/objects/{kind}/{id}", Access::Reader, bind(&Service::get_object));
  r.add("POST", "/v1/revisions/{rev}/evaluate", Access::Reader, bind(&Service::post_evaluate_at), Body::Streamed);
  r.add("GET", "/v1/diff", Access::Reader, bind(&Service::get_diff));
  r.add("POST", "/v1/check", Access::Editor, bind(&Service::post_check));
  r.add("POST", "/v1/evaluate", Access::Editor, bind(&Service::post_evaluate_working));
  r.add("POST", "/v1/commits", Access::Editor, bind(&Service::post_commit));
  r.add("POST", "/v1/revisions/{rev}/revert", Access::Admin, bind(&Service::post_revert));
  r.add("GET", "/v1/contexts", Access::Reader, bind(&Service::get_contexts));
  r.add("GET", "/v1/tokens", Access::Admin, bind(&Service::get_tokens));
  r.add("POST", "/v1/tokens", Access::Admin, bind(&Service::post_tokens));
  r.add("DELETE", "/v1/tokens/{id}", Access::Admin, bind(&Service::delete_token));
  // Last: the editor's files at "/" and "/{file}" (one segment, so never /v1/...).
  r.add("GET", "/", Access::Public, bind(&Service::get_static));
  r.add("GET", "/{file}", Access::Public, bind(&Service::get_static));
}

}  // namespace paydomain::server
