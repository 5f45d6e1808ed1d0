// The API over the store and the evaluator: route handlers, the compiled-
// revision cache, head tracking with long-poll, token authentication.
// Handlers are split by area: api_read.cc (head, revisions, objects, diff),
// api_write.cc (commits, revert, tokens), api_eval.cc (compile, evaluate,
// check), service.cc (lifecycle, head watcher, auth, operational routes).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "domain_store/sqlite_store.h"
#include "domain_store/store.h"
#include "domain_store/token_store.h"
#include "server/app.h"
#include "server/compiled_cache.h"
#include "server/router.h"
#include "server/store_health.h"
#include "server/worker_pool.h"

namespace paydomain::server {

struct ServiceConfig {
  std::string db_path;
  std::string editor_dir;  // the web editor's built files, served at "/"; "" for none
  std::string contexts_dir;  // sample payment contexts (*.json) for GET /v1/contexts; "" for none
  size_t cache_bytes = 512u << 20;  // compiled revisions kept in memory
  int workers = 2;                   // threads for compiles, checks, diffs, working-copy evaluations
  // Store writes (commits, reverts) run one at a time on their own thread, so
  // a long commit delays only the writes queued after it, never a check.
  // One request's commit is bounded: operations and bytes of object text
  // (beyond: 413 commit-too-large).
  size_t max_commit_objects = 50000;
  size_t max_commit_bytes = 8u << 20;
  // Commits by other processes (the CLI) wake the head watcher at once through
  // a file watch (inotify); this poll is the fallback where that is missing.
  std::chrono::milliseconds head_poll{100};
  int max_wait_s = 60;         // longest long-poll
  size_t max_batch = 10000;    // contexts per evaluate request
  unsigned batch_threads = 0;  // threads for one big batch (0: one per core)
  std::chrono::milliseconds token_cache_ttl{2000};  // revocations take effect within this
};

// A compiled revision as the server keeps it (defined in api_eval.cc).
struct CompiledRevision;
store::Rev revision_of(const CompiledRevision& c);

// Why a revision has no compiled form. Not an HTTP answer: the handlers turn
// it into one (404 unknown-revision, the store's error, 500 compile-failed),
// and start() into a message.
struct CompileError {
  enum class Kind { UnknownRevision, Store, Compile };
  Kind kind = Kind::Compile;
  std::string message;
  std::optional<store::Error> store;  // Kind::Store
};

class Service {
 public:
  // Opens the store and its token table; a message on failure.
  static std::variant<std::unique_ptr<Service>, std::string> open(const ServiceConfig& config);
  ~Service();

  void add_routes(Router& router);  // every route of the API
  void attach_metrics(Metrics* metrics) { metrics_ = metrics; }
  void set_stopping_probe(std::function<bool()> probe) { stopping_ = std::move(probe); }
  // Reads head and compiles it, so the first evaluation does not wait; then
  // starts following head. A message on failure.
  std::optional<std::string> start();
  // Answers every long-poll now (with the current head) and stops following
  // head; called when a graceful stop begins. Queued work still completes.
  void begin_shutdown();
  // Waits for queued work (commits in progress) to finish.
  void finish();

  Authenticator& authenticator() { return auth_; }

 private:
  explicit Service(const ServiceConfig& config);

  // ---- authentication: token -> caller, cached briefly -----------------
  class TokenAuth : public Authenticator {
   public:
    explicit TokenAuth(Service& s) : s_(s) {}
    std::optional<Caller> authenticate(std::string_view token) override;
    void forget_all();  // after a revocation through this server: effective at once

   private:
    struct Cached {
      std::optional<Caller> caller;
      std::chrono::steady_clock::time_point expires;
    };
    Service& s_;
    std::mutex mu_;
    std::map<std::string, Cached, std::less<>> cache_;
  };

  // ---- head following and long-poll ------------------------------------
  struct Waiter {
    store::Rev after = 0;
    std::chrono::steady_clock::time_point deadline;
    Done done;
  };
  void watch_loop();
  void on_new_head(store::Rev rev);  // compile in the background, then serve it as head
  void notify_commit();  // a commit landed: the watcher re-reads head now
  store::Rev known_head() const;
  Response head_response(store::Rev rev);

  // ---- compiled revisions ----------------------------------------------
  using Cache = CompiledCache<CompiledRevision, CompileError>;
  // The compiled revision, compiling on this thread if needed.
  paydomain::Result<std::shared_ptr<const CompiledRevision>, CompileError> compiled(store::Rev rev);
  std::shared_ptr<const CompiledRevision> serving_head() const;
  // Resolves a {rev} path parameter ("head" or a number) to a revision.
  std::variant<store::Rev, Response> parse_rev(const std::string& text, bool allow_head);

  // ---- handlers ----------------------------------------------------------
  void get_head(Request& req, const Caller& caller, Done done);
  void get_revisions(Request& req, const Caller& caller, Done done);
  void get_revision(Request& req, const Caller& caller, Done done);
  void get_object(Request& req, const Caller& caller, Done done);
  void get_diff(Request& req, const Caller& caller, Done done);
  void post_evaluate_at(Request& req, const Caller& caller, Done done);
  void post_evaluate_working(Request& req, const Caller& caller, Done done);
  void post_check(Request& req, const Caller& caller, Done done);
  void post_commit(Request& req, const Caller& caller, Done done);
  void post_revert(Request& req, const Caller& caller, Done done);
  void get_whoami(Request& req, const Caller& caller, Done done);
  void get_tokens(Request& req, const Caller& caller, Done done);
  void post_tokens(Request& req, const Caller& caller, Done done);
  void delete_token(Request& req, const Caller& caller, Done done);
  void get_static(Request& req, const Caller& caller, Done done);
  void get_contexts(Request& req, const Caller& caller, Done done);

  // Evaluates `body` (one context, or {"contexts": [...]}) against `rev`.
  Response evaluate(const CompiledRevision& rev, const std::string& body, bool explain);
  // Runs `fn` on the worker pool (reads, checks, compiles) and answers with its response.
  void offload(Done done, std::function<Response()> fn);
  // The same on the write thread: store writes, one at a time, in arrival order.
  void offload_write(Done done, std::function<Response()> fn);
  // A 413 when `ops` exceed max_commit_objects / max_commit_bytes.
  std::optional<Response> commit_too_large(const std::vector<store::Op>& ops) const;

  ServiceConfig config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::TokenStore> tokens_;
  TokenAuth auth_{*this};
  Metrics* metrics_ = nullptr;
  std::function<bool()> stopping_;
  Cache cache_;
  std::unique_ptr<WorkerPool> pool_;    // checks, diffs, compiles
  std::unique_ptr<WorkerPool> writes_;  // store writes, serialised
  std::atomic<int64_t> writes_pending_{0};  // queued or running on writes_ (a metric)

  mutable std::mutex head_mu_;
  std::condition_variable head_cv_;
  store::Rev head_ = -1;                       // newest revision known to exist
  std::shared_ptr<const CompiledRevision> serving_;  // newest compiled head
  store::Rev compiling_ = -1;                  // head compile in flight
  std::list<Waiter> waiters_;
  bool watching_ = false;
  bool commit_seen_ = false;  // a commit (ours, or another process's) to pick up
  std::thread watcher_;
  std::unique_ptr<store::StoreWatch> file_watch_;  // null: poll only
  StoreHealth store_health_;
};

}  // namespace paydomain::server
