// `paydomain serve` and `paydomain token create|list|revoke`.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "domain_store/json.h"
#include "domain_store/token_store.h"
#include "server/json_util.h"
#include "server/run.h"

namespace paydomain::cli {
namespace {

struct ServeArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  int threads = 0;
  int workers = 2;
  std::string editor;
  std::string contexts;
  size_t body_limit = 8u << 20;
  int read_timeout_ms = 10'000;
  int idle_timeout_ms = 60'000;
  int first_byte_timeout_ms = 5'000;
  int shutdown_grace_ms = 1'000;
  size_t max_connections = 4096;
  size_t max_connections_per_client = 256;
  size_t cache_mb = 512;
  int head_poll_ms = 100;
  size_t max_commit_objects = 50000;
  size_t max_commit_bytes = 8u << 20;
  bool no_access_log = false;
};

int run_serve(const ServeArgs& a) {
  server::ServeOptions o;
  auto listen = server::parse_listen(a.listen);
  if (!listen) {
    std::cerr << "paydomain serve: " << listen.error() << "\n";
    return kExitUsage;
  }
  o.transport.address = listen->host;
  o.transport.port = listen->port;
  o.transport.threads = a.threads;
  o.transport.body_limit = a.body_limit;
  o.transport.read_timeout = std::chrono::milliseconds(a.read_timeout_ms);
  o.transport.write_timeout = std::chrono::milliseconds(a.read_timeout_ms);
  o.transport.idle_timeout = std::chrono::milliseconds(a.idle_timeout_ms);
  o.transport.first_byte_timeout = std::chrono::milliseconds(a.first_byte_timeout_ms);
  o.transport.shutdown_grace = std::chrono::milliseconds(a.shutdown_grace_ms);
  o.transport.max_connections = a.max_connections;
  o.transport.max_connections_per_client = a.max_connections_per_client;
  o.service.db_path = a.db;
  o.service.editor_dir = a.editor;
  o.service.contexts_dir = a.contexts;
  o.service.workers = a.workers;
  o.service.cache_bytes = a.cache_mb << 20;
  o.service.head_poll = std::chrono::milliseconds(a.head_poll_ms);
  o.service.max_commit_objects = a.max_commit_objects;
  o.service.max_commit_bytes = a.max_commit_bytes;
  o.access_log = !a.no_access_log;
  return server::serve(o) == 0 ? kExitOk : kExitFindings;
}

struct TokenArgs {
  std::string db, role, name;
  int64_t id = -1;
  bool json = false;
};

std::unique_ptr<store::TokenStore> open_tokens(const std::string& db) {
  auto ts = store::open_token_store(db);
  if (!ts) {
    std::cerr << "paydomain token: " << ts.error().message << "\n";
    return nullptr;
  }
  return std::move(ts.value());
}

int run_token_create(const TokenArgs& a) {
  auto ts = open_tokens(a.db);
  if (!ts) return kExitFindings;
  auto t = ts->create(a.role, a.name);
  if (!t) {
    std::cerr << "paydomain token create: " << t.error().message << "\n";
    return t.error().code == store::ErrorCode::InvalidArgument ? kExitUsage : kExitFindings;
  }
  if (a.json) {
    nlohmann::json j = {{"id", t->info.id}, {"name", t->info.name}, {"role", t->info.role}, {"token", t->token}};
    std::cout << j.dump(2) << "\n";
  } else {
    // The token alone on stdout, so scripts can capture it; the note on stderr.
    std::cout << t->token << "\n";
    std::cerr << "token " << t->info.id << " (" << t->info.role << ", " << t->info.name
              << ") created; it is shown only now, store it safely\n";
  }
  return kExitOk;
}

int run_token_list(const TokenArgs& a) {
  auto ts = open_tokens(a.db);
  if (!ts) return kExitFindings;
  auto list = ts->list();
  if (!list) {
    std::cerr << "paydomain token list: " << list.error().message << "\n";
    return kExitFindings;
  }
  if (a.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : list.value()) items.push_back(store::to_json(t));
    std::cout << nlohmann::json{{"tokens", items}}.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& t : list.value()) {
    std::cout << t.id << "\t" << t.role << "\t" << t.name << "\t" << t.hint << "...\tcreated "
              << store::format_time(t.created_ms);
    if (t.revoked_ms) std::cout << "\trevoked " << store::format_time(*t.revoked_ms);
    std::cout << "\n";
  }
  return kExitOk;
}

int run_token_revoke(const TokenArgs& a) {
  auto ts = open_tokens(a.db);
  if (!ts) return kExitFindings;
  if (store::Status s = ts->revoke(a.id); !s) {
    std::cerr << "paydomain token revoke: " << s.error().message << "\n";
    return kExitFindings;
  }
  std::cout << "token " << a.id << " revoked\n";
  return kExitOk;
}

}  // namespace

void register_serve_commands(CLI::App& app) {
  auto s = std::make_shared<ServeArgs>();
  CLI::App* serve = app.add_subcommand("serve", "Serve the HTTP API (and the web editor) over a store");
  serve->add_option("--db", s->db, "The store: a SQLite file, or a postgresql:// URL")->required();
  serve->add_option("--listen", s->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  serve->add_option("--threads", s->threads, "I/O threads (0: one per core)")->capture_default_str();
  serve->add_option("--workers", s->workers, "Threads for compiles, checks and diffs (commits have their own thread)")
      ->capture_default_str();
  serve->add_option("--editor", s->editor, "Serve the web editor at / from this directory (development) instead of the one compiled in");
  serve->add_option("--contexts", s->contexts, "Directory of sample payment contexts (*.json) for GET /v1/contexts");
  serve->add_option("--body-limit", s->body_limit, "Largest request body in bytes (413 beyond)")->capture_default_str();
  serve->add_option("--read-timeout-ms", s->read_timeout_ms, "Time to receive a whole request, and to send a response")
      ->capture_default_str();
  serve->add_option("--idle-timeout-ms", s->idle_timeout_ms, "Idle keep-alive connections are closed after this")
      ->capture_default_str();
  serve->add_option("--first-byte-timeout-ms", s->first_byte_timeout_ms,
                    "A new connection that sends nothing for this long is closed")
      ->capture_default_str();
  serve->add_option("--shutdown-grace-ms", s->shutdown_grace_ms,
                    "On SIGTERM, how long a waiting keep-alive connection may still send a request")
      ->capture_default_str();
  serve->add_option("--max-connections", s->max_connections,
                    "Open connections in all; at the cap the longest-idle one is closed, 503 if none is idle")
      ->capture_default_str();
  serve->add_option("--max-connections-per-client", s->max_connections_per_client,
                    "Open connections from one address (429 beyond; 0: no limit; raise it behind a proxy)")
      ->capture_default_str();
  serve->add_option("--cache-mb", s->cache_mb, "Memory for compiled revisions (LRU)")->capture_default_str();
  serve->add_option("--head-poll-ms", s->head_poll_ms, "How often head is re-read for other writers")->capture_default_str();
  serve->add_option("--max-commit-objects", s->max_commit_objects, "Most operations in one commit (413 beyond)")
      ->capture_default_str();
  serve->add_option("--max-commit-bytes", s->max_commit_bytes, "Most bytes of object text in one commit (413 beyond)")
      ->capture_default_str();
  serve->add_flag("--no-access-log", s->no_access_log, "Do not log one JSON line per request");
  serve->callback([s] { exit_code() = run_serve(*s); });

  CLI::App* token = app.add_subcommand("token", "Manage API tokens (only their hashes are stored)");
  token->require_subcommand(1);
  auto t = std::make_shared<TokenArgs>();
  CLI::App* create = token->add_subcommand("create", "Create a token and print it (once)");
  create->add_option("--db", t->db, "The store: a SQLite file, or a postgresql:// URL")->required();
  create->add_option("--role", t->role, "reader, editor or admin")->required()->check(CLI::IsMember({"reader", "editor", "admin"}));
  create->add_option("--name", t->name, "Who uses it; the author of its commits")->required();
  create->add_flag("--json", t->json, "Print JSON");
  create->callback([t] { exit_code() = run_token_create(*t); });
  CLI::App* list = token->add_subcommand("list", "List tokens (never the secrets)");
  list->add_option("--db", t->db, "The store: a SQLite file, or a postgresql:// URL")->required();
  list->add_flag("--json", t->json, "Print JSON");
  list->callback([t] { exit_code() = run_token_list(*t); });
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by id");
  revoke->add_option("id", t->id, "The token's id (see token list)")->required();
  revoke->add_option("--db", t->db, "The store: a SQLite file, or a postgresql:// URL")->required();
  revoke->callback([t] { exit_code() = run_token_revoke(*t); });
}

}  // namespace paydomain::cli
