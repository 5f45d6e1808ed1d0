// The real request pipeline in one process, without sockets: a Service over
// a fresh SQLite store seeded from examples/acme (revision 1), its routes,
// metrics and the App in front of them, and a token of every role. Used by
// the HTTP fuzz target and by tests that must cover every route.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include "domain_store/sqlite_store.h"
#include "domain_store/token_store.h"
#include "domain_store/working_copy.h"
#include "dsl/parser.h"
#include "server/app.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/service.h"

namespace paydomain::testing {

class InProcessService {
 public:
  InProcessService() {
    namespace st = paydomain::store;
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("paydomain-inproc-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string db = (dir_ / "store.db").string();
    {
      auto store = st::init_sqlite_store(db);
      if (!store) die("init store");
      paydomain::dsl::Diagnostics diags;
      auto files = paydomain::dsl::read_sources({PAYDOMAIN_SOURCE_DIR "/examples/acme"}, diags);
      st::CommitRequest r{0, "test", "seed", {}, std::nullopt, std::nullopt};
      if (!st::commit_sources(**store, files, st::working_copy_root(PAYDOMAIN_SOURCE_DIR "/examples/acme"), r))
        die("seed commit");
      auto ts = st::open_sqlite_token_store(db);
      if (!ts) die("token store");
      const char* roles[] = {"reader", "editor", "admin"};
      for (int i = 0; i < 3; ++i) {
        auto t = (*ts)->create(roles[i], roles[i]);
        if (!t) die("token");
        tokens_[i] = t->token;
      }
    }
    server::ServiceConfig cfg;
    cfg.db_path = db;
    cfg.workers = 1;
    cfg.max_wait_s = 0;  // long-polls answer at once
    cfg.max_batch = 50;
    cfg.batch_threads = 1;
    auto opened = server::Service::open(cfg);
    if (!opened) die(opened.error());
    service_ = std::move(opened).value();
    service_->add_routes(router_);
    std::vector<std::string> labels;
    for (const auto& r : router_.routes()) labels.push_back(r.method + " " + r.pattern);
    metrics_ = std::make_unique<server::Metrics>(labels);
    service_->attach_metrics(metrics_.get());
    if (auto started = service_->start(); !started) die(started.error());
    app_ = std::make_unique<server::App>(router_, *metrics_, service_->authenticator(), nullptr);
  }

  ~InProcessService() {
    service_->begin_shutdown();
    service_->finish();
    app_.reset();
    service_.reset();
    std::filesystem::remove_all(dir_);
  }

  const server::Router& router() const { return router_; }
  // "reader", "editor" or "admin" -> "Bearer <that role's token>"; "" for others.
  std::string bearer(std::string_view role) const {
    for (int i = 0; i < 3; ++i)
      if (role == kRoles[i]) return "Bearer " + tokens_[i];
    return "";
  }

  // Runs one request through the App; nullopt when no answer came within
  // `wait` (a handler that never answers is a bug). A second answer is
  // ignored, as the transport ignores it.
  std::optional<server::Response> handle(server::Request req, std::chrono::seconds wait = std::chrono::seconds(30)) {
    auto answered = std::make_shared<std::promise<server::Response>>();
    auto count = std::make_shared<std::atomic<int>>(0);
    app_->handle(std::move(req), [answered, count](server::Response r) {
      if (count->fetch_add(1) == 0) answered->set_value(std::move(r));
    });
    auto fut = answered->get_future();
    if (fut.wait_for(wait) != std::future_status::ready) return std::nullopt;
    return fut.get();
  }

  static constexpr const char* kRoles[3] = {"reader", "editor", "admin"};

 private:
  [[noreturn]] static void die(const std::string& why) {
    std::fprintf(stderr, "in-process service setup: %s\n", why.c_str());
    std::abort();
  }

  std::filesystem::path dir_;
  std::unique_ptr<server::Service> service_;
  server::Router router_;
  std::unique_ptr<server::Metrics> metrics_;
  std::unique_ptr<server::App> app_;
  std::string tokens_[3];
};

}  // namespace paydomain::testing
