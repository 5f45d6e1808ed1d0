#include "follower/follower.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "follower/disk_cache.h"
#include "follower/http_fetch.h"
#include "json/reader.h"

namespace paydomain::follower {

namespace {

using Clock = std::chrono::steady_clock;
using ArtifactPtr = Follower::ArtifactPtr;

// The revision named by a /v1/head answer ({"revision": 42, ...}).
Result<int64_t> head_revision(const std::string& body) {
  json::Reader r(body);
  if (!r.begin_object()) return Error{"GET /v1/head: not a JSON object"};
  std::string_view key;
  int64_t rev = -1;
  while (r.next_key(key)) {
    if (key != "revision") {
      r.skip();
      continue;
    }
    std::string_view raw;
    if (!r.number(raw) || json::Reader::to_int64(raw, rev) != json::Reader::IntStatus::Integral || rev < 0)
      return Error{"GET /v1/head: \"revision\" is not a revision number"};
  }
  if (r.failed()) return Error{"GET /v1/head: " + r.error() + " at byte " + std::to_string(r.error_offset())};
  if (rev < 0) return Error{"GET /v1/head: no \"revision\" in the answer"};
  return rev;
}

// "HTTP 401: {...}", the body cut short: an error text for state().
std::string status_text(const HttpAnswer& a) {
  std::string body = a.body.substr(0, 200);
  for (char& c : body)
    if (c == '\n' || c == '\r') c = ' ';
  return "HTTP " + std::to_string(a.status) + (body.empty() ? "" : ": " + body);
}

// Revisions are int64 here, as in the store and the API (-1: none).
int64_t rev_of(const ArtifactPtr& art) { return art ? static_cast<int64_t>(art->revision()) : -1; }

Result<ArtifactPtr> load_checked(std::string bytes, int64_t rev, const std::string& from) {
  auto loaded = client::Artifact::load(std::move(bytes));
  if (!loaded) return Error{"revision " + std::to_string(rev) + " from " + from + " refused: " + loaded.error().text()};
  ArtifactPtr art = std::move(loaded).value();
  if (rev_of(art) != rev)
    return Error{"revision " + std::to_string(rev) + " from " + from + " refused: the artifact is revision " +
                 std::to_string(art->revision())};
  return art;
}

}  // namespace

struct Follower::Impl {
  FollowerConfig cfg;
  std::optional<DiskCache> cache;
  std::unique_ptr<HttpFetch> http;

  mutable std::mutex mu;
  mutable std::condition_variable changed;  // a revision installed, a pin, or stopping
  std::map<int64_t, ArtifactPtr> held;
  ArtifactPtr head;
  std::map<int64_t, int> pins;  // revision -> pin count
  bool stopping = false;
  bool wanted_dirty = false;  // a pin of a revision not held: cut the long-poll short
  bool confirmed = false;     // the service answered since start / the last failure
  bool from_cache = false;
  Clock::time_point head_since{};
  std::optional<std::chrono::system_clock::time_point> last_contact, error_time;
  std::string last_error;
  int64_t service_head = -1;
  uint64_t downloads = 0, refused = 0;

  std::mutex disk_mu;  // cache writes and pruning, from the thread and unpin()
  std::thread thread;

  bool stop_requested() const {
    std::lock_guard<std::mutex> lock(mu);
    return stopping;
  }
  void record_error(const std::string& message, bool was_refused = false) {
    std::lock_guard<std::mutex> lock(mu);
    last_error = message;
    error_time = std::chrono::system_clock::now();
    if (was_refused) ++refused;
  }
  void record_contact() {
    std::lock_guard<std::mutex> lock(mu);
    last_contact = std::chrono::system_clock::now();
  }

  // What stays in memory and on disk: the newest `keep`, the head, pins.
  std::set<int64_t> keep_set_locked() const {
    std::set<int64_t> keep;
    for (auto it = held.rbegin(); it != held.rend() && keep.size() < cfg.keep; ++it) keep.insert(it->first);
    if (head) keep.insert(rev_of(head));
    for (const auto& [rev, n] : pins) keep.insert(rev);
    return keep;
  }

  // Prunes the cache directory to what is held and pinned now. What to keep
  // is read under disk_mu, so two prunes (this thread's, unpin()'s) never
  // apply an older view after a newer one. Lock order: disk_mu, then mu.
  // Lets go of what is no longer kept; the revisions let go.
  std::vector<int64_t> drop_unkept_locked() {
    std::set<int64_t> keep = keep_set_locked();
    std::vector<int64_t> dropped;
    for (auto it = held.begin(); it != held.end();) {
      if (keep.count(it->first)) {
        ++it;
      } else {
        dropped.push_back(it->first);
        it = held.erase(it);
      }
    }
    return dropped;
  }

  void prune_disk() {
    if (!cache) return;
    std::lock_guard<std::mutex> disk(disk_mu);
    std::set<int64_t> keep;
    {
      std::lock_guard<std::mutex> lock(mu);
      keep = keep_set_locked();
    }
    cache->prune(keep);
  }

  // Holds `art`; as the new head when `as_head`. `bytes`: written to the
  // cache directory (empty when they came from there). `prune`: false while
  // start() is still loading the cache (its files are not all held yet).
  void install(ArtifactPtr art, bool as_head, bool cached, const std::string& bytes, bool prune = true) {
    int64_t rev = rev_of(art);
    {
      std::lock_guard<std::mutex> lock(mu);
      held[rev] = art;
      if (as_head) {
        head = art;
        head_since = Clock::now();
        from_cache = cached;
      }
      drop_unkept_locked();
    }
    changed.notify_all();
    if (!cache) return;
    if (!bytes.empty()) {
      std::unique_lock<std::mutex> lock(disk_mu);
      Status w = cache->write(rev, bytes);
      lock.unlock();
      if (!w) record_error("cache: " + w.error().message);
    }
    if (prune) prune_disk();
  }

  // start(): the newest `keep` valid cached revisions, the newest as head.
  void load_cache() {
    size_t loaded = 0;
    for (int64_t rev : cache->revisions()) {
      if (loaded == cfg.keep) break;
      auto bytes = cache->read(rev, cfg.max_artifact_bytes);
      if (!bytes) {
        record_error("cache: " + bytes.error().message);
        continue;
      }
      auto art = load_checked(std::move(bytes).value(), rev, "the cache");
      if (!art) {
        record_error(art.error().message, true);
        std::lock_guard<std::mutex> lock(disk_mu);
        cache->remove(rev);  // a damaged file would be refused at every start
        continue;
      }
      install(std::move(art).value(), loaded == 0, true, "", false);
      ++loaded;
    }
    prune_disk();
  }

  struct Download {
    ArtifactPtr art;
    std::string bytes;  // for the cache directory: only an accepted artifact is written
  };
  Result<Download> download(int64_t rev) {
    // The format this client reads: a server that writes a newer one by
    // default still sends this one while it supports it (406 otherwise).
    std::string target = "/v1/revisions/" + std::to_string(rev) +
                         "/compiled?format=" + std::to_string(client::supported_format_major());
    auto a = http->get(target, cfg.max_artifact_bytes, cfg.request_timeout, [this] { return stop_requested(); });
    if (!a) return a.take_error();
    record_contact();
    if (a->status != 200) return Error{"GET " + target + ": " + status_text(*a)};
    Download d{nullptr, a->body};
    auto art = load_checked(std::move(a->body), rev, "the service");
    if (!art) {
      std::lock_guard<std::mutex> lock(mu);
      ++refused;
      return art.take_error();
    }
    d.art = std::move(art).value();
    std::lock_guard<std::mutex> lock(mu);
    ++downloads;
    return d;
  }

  // Pinned revisions not held: from the cache directory, else the service.
  bool fetch_wanted() {
    std::vector<int64_t> wanted;
    {
      std::lock_guard<std::mutex> lock(mu);
      wanted_dirty = false;
      for (const auto& [rev, n] : pins)
        if (!held.count(rev)) wanted.push_back(rev);
    }
    bool ok = true;
    for (int64_t rev : wanted) {
      if (stop_requested()) return false;
      if (cache) {
        auto bytes = cache->read(rev, cfg.max_artifact_bytes);
        if (bytes) {
          if (auto art = load_checked(std::move(bytes).value(), rev, "the cache")) {
            install(std::move(art).value(), false, true, "");
            continue;
          } else {
            record_error(art.error().message, true);
          }
        }
      }
      auto got = download(rev);
      if (!got && stop_requested()) return false;
      if (!got) {
        record_error(got.error().message);
        ok = false;
        continue;
      }
      install(got->art, false, false, got->bytes);
    }
    return ok;
  }

  // One round: ask for the head (a long-poll once the service confirmed
  // ours), install a newer one. False on any failure (recorded).
  bool follow_once() {
    int64_t known;
    bool poll;
    {
      std::lock_guard<std::mutex> lock(mu);
      known = rev_of(head);
      poll = confirmed && known >= 0;
    }
    std::string target = "/v1/head";
    auto timeout = cfg.request_timeout;
    if (poll) {
      target += "?wait_after=" + std::to_string(known) + "&timeout_s=" + std::to_string(cfg.long_poll_s);
      timeout = std::chrono::seconds(cfg.long_poll_s) + cfg.request_timeout;
    }
    auto a = http->get(target, 1 << 20, timeout, [this] {
      std::lock_guard<std::mutex> lock(mu);
      return stopping || wanted_dirty;
    });
    if (!a) {
      std::lock_guard<std::mutex> lock(mu);
      if (stopping || wanted_dirty) return true;  // cut short on purpose: no failure
    }
    if (!a) return fail(a.error().message);
    record_contact();
    if (a->status != 200) return fail("GET /v1/head: " + status_text(*a));
    auto rev = head_revision(a->body);
    if (!rev) return fail(rev.error().message);
    {
      std::lock_guard<std::mutex> lock(mu);
      service_head = *rev;
      if (*rev == known) {
        from_cache = false;  // the service agrees: what we serve is its head
        confirmed = true;
        return true;
      }
    }
    // A newer head (or an older one: the service's store was restored; it
    // is the source of truth, so follow it there too).
    if (ArtifactPtr art = held_at(*rev)) {
      install(art, true, false, "");  // held already (pinned, or among the last `keep`)
    } else {
      auto got = download(*rev);
      if (!got && stop_requested()) return false;
      if (!got) return fail(got.error().message);
      install(got->art, true, false, got->bytes);
    }
    std::lock_guard<std::mutex> lock(mu);
    confirmed = true;
    return true;
  }

  ArtifactPtr held_at(int64_t rev) const {
    std::lock_guard<std::mutex> lock(mu);
    auto it = held.find(rev);
    return it == held.end() ? nullptr : it->second;
  }

  bool fail(const std::string& message) {
    record_error(message);
    std::lock_guard<std::mutex> lock(mu);
    confirmed = false;
    return false;
  }

  void run() {
    auto backoff = cfg.backoff_min;
    while (!stop_requested()) {
      bool ok = fetch_wanted();
      ok = follow_once() && ok;
      if (ok) {
        backoff = cfg.backoff_min;
        continue;
      }
      std::unique_lock<std::mutex> lock(mu);
      changed.wait_for(lock, backoff, [this] { return stopping || wanted_dirty; });
      backoff = std::min(backoff * 2, cfg.backoff_max);
    }
  }
};

Follower::Follower(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<Follower>> Follower::start(FollowerConfig config) {
  if (config.keep < 1) return Error{"keep must be at least 1"};
  if (config.long_poll_s < 1 || config.long_poll_s > 60) return Error{"long_poll_s must be within 1..60"};
  if (config.backoff_min.count() <= 0 || config.backoff_max < config.backoff_min)
    return Error{"backoff_min must be positive and at most backoff_max"};
  if (config.max_artifact_bytes == 0) return Error{"max_artifact_bytes must be positive"};
  auto impl = std::make_unique<Impl>();
  auto http = HttpFetch::create(config.url, config.token, config.connect_timeout);
  if (!http) return http.take_error();
  impl->http = std::move(http).value();
  if (!config.cache_dir.empty()) {
    auto cache = DiskCache::open(config.cache_dir);
    if (!cache) return cache.take_error();
    impl->cache.emplace(std::move(cache).value());
  }
  impl->cfg = std::move(config);
  if (impl->cache) impl->load_cache();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<Follower>(new Follower(std::move(impl)));
}

Follower::~Follower() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->changed.notify_all();
  impl_->http->wake();
  impl_->thread.join();
}

Follower::ArtifactPtr Follower::head() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->head;
}

Follower::ArtifactPtr Follower::at(int64_t rev) const { return impl_->held_at(rev); }

void Follower::pin(int64_t rev) {
  bool missing;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    ++impl_->pins[rev];
    missing = !impl_->held.count(rev);
    if (missing) impl_->wanted_dirty = true;
  }
  if (!missing) return;
  impl_->changed.notify_all();
  impl_->http->wake();
}

void Follower::unpin(int64_t rev) {
  std::vector<int64_t> dropped;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    auto it = impl_->pins.find(rev);
    if (it == impl_->pins.end()) return;
    if (--it->second > 0) return;
    impl_->pins.erase(it);
    dropped = impl_->drop_unkept_locked();
  }
  // Rare (the last pin of a revision older than the newest `keep`): one
  // unlink, no directory scan, so a payment's last step stays cheap.
  if (dropped.empty() || !impl_->cache) return;
  std::lock_guard<std::mutex> disk(impl_->disk_mu);
  for (int64_t r : dropped) impl_->cache->remove(r);
}

FollowerState Follower::state() const {
  const Impl& i = *impl_;
  std::lock_guard<std::mutex> lock(i.mu);
  FollowerState s;
  if (i.head) {
    s.revision = rev_of(i.head);
    s.head_age = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - i.head_since);
  }
  s.from_cache = i.from_cache;
  s.last_contact = i.last_contact;
  s.last_error = i.last_error;
  s.error_time = i.error_time;
  s.service_head = i.service_head;
  for (const auto& [rev, art] : i.held) s.held.push_back(rev);
  for (const auto& [rev, n] : i.pins) s.pinned.push_back(rev);
  s.downloads = i.downloads;
  s.refused = i.refused;
  return s;
}

Follower::ArtifactPtr Follower::wait_for(int64_t rev, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  ArtifactPtr found;
  impl_->changed.wait_for(lock, timeout, [&] {
    auto it = impl_->held.find(rev);
    if (it != impl_->held.end()) found = it->second;
    return found || impl_->stopping;
  });
  return found;
}

Follower::ArtifactPtr Follower::wait_for_head(int64_t rev, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->changed.wait_for(lock, timeout, [&] {
    return (impl_->head && rev_of(impl_->head) >= rev) || impl_->stopping;
  });
  return impl_->head && rev_of(impl_->head) >= rev ? impl_->head : nullptr;
}

}  // namespace paydomain::follower
