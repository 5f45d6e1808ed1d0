// Keeps a processing core's compiled revisions current, from the service,
// without ever putting the network on the payment path.
//
//   auto f = follower::Follower::start({.url = "http://pd:8080", .token = reader_token,
//                                       .cache_dir = "/var/cache/paydomain"});
//   auto art = (*f)->head();          // shared_ptr<const client::Artifact>; null before any revision
//   (*f)->pin(art->revision());       // a payment's later steps: (*f)->at(rev)
//
// Contract:
// - One background thread long-polls GET /v1/head?wait_after=N, downloads
//   each new head from GET /v1/revisions/{N}/compiled?format=M (the client's
//   format major; at most max_artifact_bytes), and installs it only once
//   client::Artifact::load accepted it and it names revision N. A refused
//   download is an error (state().last_error); the previous head keeps
//   serving; it is retried with capped exponential backoff, as is every
//   failed request.
// - Switching head is atomic: head()/at() hand out shared_ptrs, so an
//   evaluation in flight keeps its revision alive however many switches
//   happen meanwhile. Every method is thread-safe and none waits on the
//   network: head(), at(), pin() and state() take one mutex briefly; unpin()
//   also unlinks the cached file of a revision it lets go; wait_for and
//   wait_for_head block by design; the destructor stops the thread at once,
//   mid-transfer too.
// - Held in memory: the newest `keep` revisions seen (the head among them)
//   plus every pinned one. pin() of a revision not held fetches it (cache
//   directory first, then the service) in the background.
// - With a cache directory (one follower per directory), each installed
//   revision is written there atomically and the directory is pruned to
//   what is held (plus pinned). start() loads the newest valid cached
//   revisions before any network traffic, so a core restarting while the
//   service is down serves its last good revision at once (from_cache).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/client.h"
#include "follower/result.h"

namespace paydomain::follower {

struct FollowerConfig {
  std::string url;                   // the service, "http://host:port" (https:// works where curl has TLS)
  std::string token;                 // a reader token (Authorization: Bearer)
  std::filesystem::path cache_dir;   // empty: no disk cache
  size_t keep = 3;                   // newest revisions held besides pinned ones (>= 1)
  int long_poll_s = 30;              // timeout_s of each /v1/head long-poll (1..60)
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{30000};  // downloads; a long-poll gets long_poll_s on top
  std::chrono::milliseconds backoff_min{100};        // retry delay after a failure, doubled per
  std::chrono::milliseconds backoff_max{5000};       // consecutive failure up to this
  size_t max_artifact_bytes = size_t{256} << 20;     // a larger download (or cached file) is refused
};

// What a core exports as metrics. Times are absent until they happened.
struct FollowerState {
  int64_t revision = -1;    // the head served; -1: none yet
  bool from_cache = false;  // head was loaded from the cache directory; the service has not named it its head
  std::chrono::milliseconds head_age{0};  // since head last switched (0 with no head)
  std::optional<std::chrono::system_clock::time_point> last_contact;  // last answer from the service
  std::string last_error;  // the latest failure ("" before any); kept after recovery, see error_time
  std::optional<std::chrono::system_clock::time_point> error_time;
  int64_t service_head = -1;         // the head the service last named
  std::vector<int64_t> held;         // revisions in memory, ascending
  std::vector<int64_t> pinned;       // pinned revisions, ascending (held or being fetched)
  uint64_t downloads = 0;            // artifacts installed from the service
  uint64_t refused = 0;              // downloads or cached files the loader refused
};

class Follower {
 public:
  using ArtifactPtr = std::shared_ptr<const client::Artifact>;

  // Validates the config, opens the cache directory and loads it, then
  // starts following. Fails only on a bad config or an unusable cache
  // directory, never because the service is away.
  static Result<std::unique_ptr<Follower>> start(FollowerConfig config);
  ~Follower();  // stops the thread promptly (a long-poll in progress is cut)
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  ArtifactPtr head() const;         // null until a first revision is held
  ArtifactPtr at(int64_t rev) const;  // null when not held
  // Counted: each pin needs its unpin. A pinned revision is never dropped;
  // one not held is fetched in the background (see wait_for).
  void pin(int64_t rev);
  void unpin(int64_t rev);
  FollowerState state() const;

  // Blocks until revision `rev` is held (e.g. after pin) or `timeout`.
  ArtifactPtr wait_for(int64_t rev, std::chrono::milliseconds timeout) const;
  // Blocks until the head is at least `rev` (-1: any head) or `timeout`.
  ArtifactPtr wait_for_head(int64_t rev, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  explicit Follower(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace paydomain::follower
