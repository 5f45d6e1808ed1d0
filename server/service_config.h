// What `paydomain serve` configures of the API (the transport has its own,
// transport.h). Every part of the Service reads it; nothing changes it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace paydomain::server {

struct ServiceConfig {
  std::string db_path;
  std::string editor_dir;  // the web editor's built files, served at "/"; "" for none
  std::string contexts_dir;  // sample payment contexts (*.json) for GET /v1/contexts; "" for none
  size_t cache_bytes = 512u << 20;  // compiled revisions kept in memory
  int workers = 2;                   // threads for compiles, checks, diffs, working-copy evaluations
  // Store writes (commits, reverts) run one at a time on their own thread.
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

}  // namespace paydomain::server
