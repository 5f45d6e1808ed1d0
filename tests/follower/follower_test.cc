// The follower against a real `paydomain serve` (new commits, a server
// killed -9 and restarted on its port, a start while it is down) and against
// a scripted service serving damaged artifacts.
#include "follower/follower.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "tests/follower/fake_service.h"
#include "tests/follower/follower_support.h"

namespace paydomain::testing {
namespace {

using follower::Follower;
using follower::FollowerConfig;
using std::chrono::seconds;

const seconds kWait(60);  // generous: conditions are awaited, never timed

FollowerConfig config_for(const std::string& url, const std::string& token, const std::filesystem::path& cache) {
  FollowerConfig c;
  c.url = url;
  c.token = token;
  c.cache_dir = cache;
  c.backoff_min = std::chrono::milliseconds(20);
  c.backoff_max = std::chrono::milliseconds(200);
  return c;
}

std::string local_url(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

std::unique_ptr<Follower> start(FollowerConfig c) {
  auto f = Follower::start(std::move(c));
  if (!f) ADD_FAILURE() << f.error().message;
  return f ? std::move(f).value() : nullptr;
}

// A follower of `srv` with its cache in `cache`, holding `keep` revisions.
std::unique_ptr<Follower> follow(ServerProcess& srv, const TempDir& cache, size_t keep = 3) {
  FollowerConfig c = config_for(local_url(srv.port()), srv.tokens().reader, cache.path);
  c.keep = keep;
  return start(c);
}

TEST(Follower, RefusesABadConfig) {
  TempDir tmp("follower-config");
  auto bad = [&](auto edit) {
    FollowerConfig c = config_for("http://127.0.0.1:1", "t", tmp.path / "cache");
    edit(c);
    return !Follower::start(c).ok();
  };
  EXPECT_TRUE(bad([](FollowerConfig& c) { c.keep = 0; }));
  EXPECT_TRUE(bad([](FollowerConfig& c) { c.url = "ftp://127.0.0.1:1"; }));
  EXPECT_TRUE(bad([](FollowerConfig& c) { c.long_poll_s = 61; }));
  EXPECT_TRUE(bad([](FollowerConfig& c) { c.token = "a\r\nX-Evil: 1"; }));
  EXPECT_TRUE(bad([](FollowerConfig& c) { c.backoff_max = std::chrono::milliseconds(1); }));
  std::ofstream(tmp.path / "file") << "x";
  EXPECT_TRUE(bad([&](FollowerConfig& c) { c.cache_dir = tmp.path / "file"; }));
  EXPECT_FALSE(bad([](FollowerConfig&) {}));  // the service being away is no reason to fail
}

TEST(Follower, NewCommitsReachIt) {
  ServerProcess srv;
  TempDir cache("follower-cache");
  auto f = follow(srv, cache, 2);
  ASSERT_TRUE(f);
  auto first = f->wait_for_head(1, kWait);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->revision(), 1u);
  EXPECT_EQ(fee_at(first, "standard"), 6000);
  EXPECT_EQ(fee_at(first), -1);  // no tariff `followed` yet

  ASSERT_EQ(commit_fee(srv, 3), 2);
  auto two = f->wait_for_head(2, kWait);
  ASSERT_TRUE(two);
  EXPECT_EQ(fee_at(two), 18000);
  ASSERT_EQ(commit_fee(srv, 5), 3);
  auto three = f->wait_for_head(3, kWait);
  ASSERT_TRUE(three);
  EXPECT_EQ(fee_at(three), 30000);
  EXPECT_EQ(fee_at(f->head()), 30000);

  // Revision 1 left the follower (keep 2) but an evaluation holding it goes on.
  EXPECT_EQ(f->at(1), nullptr);
  EXPECT_EQ(fee_at(first, "standard"), 6000);
  auto s = f->state();
  EXPECT_EQ(s.revision, 3);
  EXPECT_EQ(s.held, (std::vector<int64_t>{2, 3}));
  EXPECT_FALSE(s.from_cache);
  EXPECT_TRUE(s.last_contact.has_value());
  EXPECT_EQ(s.service_head, 3);
  EXPECT_EQ(s.downloads, 3u);
  EXPECT_EQ(s.refused, 0u);
  EXPECT_EQ(s.last_error, "");
  EXPECT_TRUE(eventually([&] { return cached_revisions(cache.path) == std::set<int64_t>{2, 3}; }));
  EXPECT_EQ(slurp_file(cache.path / "3.pdc"), compiled_bytes(srv, 3));
}

TEST(Follower, KeepsEvaluatingWhileTheServerIsKilledThenCatchesUp) {
  ServerProcess first;
  uint16_t port = first.port();
  TempDir cache("follower-cache");
  auto f = follow(first, cache);
  ASSERT_TRUE(f);
  ASSERT_EQ(commit_fee(first, 3), 2);
  ASSERT_TRUE(f->wait_for_head(2, kWait));

  ASSERT_EQ(::kill(first.pid(), SIGKILL), 0);
  EXPECT_EQ(first.terminate(), -1);  // reaped: the port is free
  ASSERT_TRUE(eventually([&] { return !f->state().last_error.empty(); }));
  auto down = f->state();
  EXPECT_EQ(down.revision, 2);
  EXPECT_EQ(fee_at(f->head()), 18000);  // payments go on at the last revision

  ServerProcess second("--listen 127.0.0.1:" + std::to_string(port), first.db());
  ASSERT_EQ(second.port(), port);
  ASSERT_TRUE(eventually([&] { return f->state().last_contact > down.last_contact; }));
  ASSERT_EQ(commit_fee(second, 7), 3);
  auto three = f->wait_for_head(3, kWait);
  ASSERT_TRUE(three);
  EXPECT_EQ(fee_at(three), 42000);
  EXPECT_EQ(fee_at(f->at(2)), 18000);
}

TEST(Follower, StartsFromItsCacheWhileTheServiceIsDown) {
  ServerProcess srv;
  uint16_t port = srv.port();
  TempDir cache("follower-cache");
  FollowerConfig c = config_for(local_url(port), srv.tokens().reader, cache.path);
  {
    auto f = start(c);
    ASSERT_TRUE(f);
    ASSERT_EQ(commit_fee(srv, 3), 2);
    ASSERT_TRUE(f->wait_for_head(2, kWait));
    ASSERT_TRUE(eventually([&] { return cached_revisions(cache.path).count(2) == 1; }));
  }
  ASSERT_EQ(srv.terminate(), 0);
  // A newer cached file that is damaged: refused at start, removed, not served.
  std::ofstream(cache.path / "9.pdc") << "not an artifact";

  auto f = start(c);
  ASSERT_TRUE(f);
  auto s = f->state();  // right after start: no network involved yet
  EXPECT_EQ(s.revision, 2);
  EXPECT_TRUE(s.from_cache);
  EXPECT_EQ(s.refused, 1u);  // (last_error may already name the service: the thread has started)
  EXPECT_EQ(fee_at(f->head()), 18000);
  EXPECT_EQ(cached_revisions(cache.path).count(9), 0u);
  ASSERT_TRUE(eventually([&] { return f->state().last_error.find("/v1/head") != std::string::npos; }));
  EXPECT_TRUE(f->state().from_cache);

  ServerProcess again("--listen 127.0.0.1:" + std::to_string(port), srv.db());
  ASSERT_TRUE(eventually([&] { return !f->state().from_cache; }));
  EXPECT_EQ(f->state().revision, 2);
  ASSERT_EQ(commit_fee(again, 4), 3);
  ASSERT_TRUE(f->wait_for_head(3, kWait));
  EXPECT_EQ(fee_at(f->head()), 24000);
}

TEST(Follower, RefusesDamagedDownloadsAndKeepsServing) {
  ServerProcess srv;
  ASSERT_EQ(commit_fee(srv, 3), 2);
  std::string one = compiled_bytes(srv, 1), two = compiled_bytes(srv, 2);
  ASSERT_FALSE(one.empty());
  ASSERT_FALSE(two.empty());

  FakeService fake;
  fake.set_artifact(1, one);
  fake.set_head(1);
  TempDir cache("follower-cache");
  FollowerConfig c = config_for(fake.url(), "secret-reader", cache.path);
  c.max_artifact_bytes = std::max(one.size(), two.size()) + 64;
  auto f = start(c);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->wait_for_head(1, kWait));
  EXPECT_EQ(fake.last_authorization(), "Bearer secret-reader");

  // Each bad download under a revision of its own, so each error is told apart.
  std::string flipped = two;
  flipped[flipped.size() / 2] ^= 0x20;
  struct Bad {
    int64_t rev;
    std::string bytes, error;
  };
  std::vector<Bad> bad = {
      {2, "garbage, not an artifact", "revision 2 from the service refused"},
      {3, two.substr(0, two.size() / 2), "revision 3 from the service refused"},
      {4, one, "revision 4 from the service refused: the artifact is revision 1"},
      {5, flipped, "revision 5 from the service refused"},
      {6, two + std::string(1 << 20, 'x'), "larger than"},
  };
  for (const auto& b : bad) {
    fake.set_artifact(b.rev, b.bytes);
    fake.set_head(b.rev);
    ASSERT_TRUE(eventually([&] { return f->state().last_error.find(b.error) != std::string::npos; }))
        << b.rev << ": " << f->state().last_error;
    EXPECT_EQ(f->state().revision, 1);
    EXPECT_EQ(fee_at(f->head(), "standard"), 6000);
  }
  EXPECT_GE(f->state().refused, 4u);
  EXPECT_EQ(cached_revisions(cache.path), std::set<int64_t>{1});  // nothing refused reached the disk

  // Retried with backoff: a good artifact under the same revision is taken.
  fake.set_artifact(2, two);
  fake.set_head(2);
  auto good = f->wait_for_head(2, kWait);
  ASSERT_TRUE(good);
  EXPECT_EQ(fee_at(good), 18000);
  EXPECT_GE(fake.compiled_requests(2), 2);
  EXPECT_TRUE(eventually([&] { return cached_revisions(cache.path) == std::set<int64_t>{1, 2}; }));
}

TEST(Follower, PinnedRevisionsOutliveKeepAndThePruning) {
  ServerProcess srv;
  TempDir cache("follower-cache");
  auto f = follow(srv, cache, 1);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->wait_for_head(1, kWait));
  f->pin(1);
  ASSERT_EQ(commit_fee(srv, 3), 2);
  ASSERT_EQ(commit_fee(srv, 5), 3);
  ASSERT_TRUE(f->wait_for_head(3, kWait));
  EXPECT_EQ(f->state().held, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(f->state().pinned, (std::vector<int64_t>{1}));
  EXPECT_EQ(fee_at(f->at(1), "standard"), 6000);
  EXPECT_EQ(f->at(2), nullptr);
  EXPECT_TRUE(eventually([&] { return cached_revisions(cache.path) == std::set<int64_t>{1, 3}; }));

  // Pins are counted; the last unpin lets the revision go, from disk too.
  f->pin(1);
  f->unpin(1);
  EXPECT_NE(f->at(1), nullptr);
  f->unpin(1);
  EXPECT_EQ(f->at(1), nullptr);
  EXPECT_EQ(f->state().held, (std::vector<int64_t>{3}));
  EXPECT_EQ(cached_revisions(cache.path), std::set<int64_t>{3});

  // Pinning a revision not held fetches it (a payment begun before a restart).
  f->pin(2);
  auto two = f->wait_for(2, kWait);
  ASSERT_TRUE(two);
  EXPECT_EQ(fee_at(two), 18000);
  EXPECT_EQ(f->state().revision, 3);
  EXPECT_EQ(f->state().held, (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(eventually([&] { return cached_revisions(cache.path) == std::set<int64_t>{2, 3}; }));
  f->unpin(2);
  EXPECT_EQ(f->state().held, (std::vector<int64_t>{3}));
}

TEST(Follower, ReportsARefusedToken) {
  ServerProcess srv;
  auto f = start(config_for(local_url(srv.port()), "pd_not_a_token", ""));
  ASSERT_TRUE(f);
  ASSERT_TRUE(eventually([&] { return f->state().last_error.find("HTTP 401") != std::string::npos; }))
      << f->state().last_error;
  EXPECT_EQ(f->head(), nullptr);
  EXPECT_TRUE(f->state().last_contact.has_value());  // the service answered, it just said no
}

// A service that accepts and never answers: the destructor must not wait
// for the request's timeout (10 minutes here; ctest's limit is 5).
TEST(Follower, StopsAtOnceMidRequest) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  FollowerConfig c = config_for(local_url(ntohs(addr.sin_port)), "t", "");
  c.request_timeout = std::chrono::minutes(10);
  auto f = start(c);
  ASSERT_TRUE(f);
  int conn = ::accept(fd, nullptr, nullptr);  // the follower's GET /v1/head, left unanswered
  ASSERT_GE(conn, 0);
  f.reset();
  EXPECT_EQ(::close(conn), 0);
  ::close(fd);
}

}  // namespace
}  // namespace paydomain::testing
