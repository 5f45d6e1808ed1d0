// In-process tests of the server's building blocks.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "domain_store/token_store.h"
#include "server/app.h"
#include "server/compiled_cache.h"
#include "server/http.h"
#include "server/router.h"
#include "server/static_files.h"

namespace paydomain::server {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(store::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(store::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(store::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // 55, 56 and 64 bytes: the padding boundaries.
  EXPECT_EQ(store::sha256_hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(store::sha256_hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(store::sha256_hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(store::sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(AccessLog, EveryLineIsJsonWhateverTheClientSent) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  AccessLog log(f);
  log.write({"id-1", "GET", "/v1/\xd0\xbf\xff\"x", "unmatched", "", 404, 0.0012, 0, 51});
  log.write({"id-2", "POST", "/v1/check", "POST /v1/check", "ann \"the analyst\"", 200, 0.5, 12, 34});
  std::rewind(f);
  char buf[4096];
  std::vector<nlohmann::json> lines;
  while (std::fgets(buf, sizeof buf, f)) lines.push_back(nlohmann::json::parse(buf));
  std::fclose(f);
  ASSERT_EQ(lines.size(), 2u);
  // Valid UTF-8 stays readable; each invalid byte is \u-escaped.
  EXPECT_EQ(lines[0]["path"], "/v1/\xd0\xbf\u00ff\"x");
  EXPECT_EQ(lines[0]["status"], 404);
  EXPECT_EQ(lines[0]["msg"], "request");
  EXPECT_FALSE(lines[0].contains("caller"));
  EXPECT_EQ(lines[1]["caller"], "ann \"the analyst\"");
  EXPECT_EQ(lines[1]["bytes_in"], 12);
  EXPECT_EQ(lines[1]["route"], "POST /v1/check");
}

TEST(StaticFiles, AcceptEncodingAndIfNoneMatch) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("br, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzipx"));
  EXPECT_TRUE(none_match("\"a\"", "\"a\""));
  EXPECT_TRUE(none_match("\"x\", W/\"a\"", "\"a\""));
  EXPECT_TRUE(none_match("*", "\"a\""));
  EXPECT_FALSE(none_match("", "\"a\""));
  EXPECT_FALSE(none_match("\"a-gz\"", "\"a\""));
}

TEST(Router, MatchesPatternsAndReportsAllowedMethods) {
  Router r;
  Handler h = [](Request&, const Caller&, Done) {};
  r.add("GET", "/v1/revisions/{rev}", Access::Reader, h);
  r.add("GET", "/v1/revisions/{rev}/objects/{kind}/{id}", Access::Reader, h);
  r.add("POST", "/v1/revisions/{rev}/evaluate", Access::Reader, h);
  auto m = r.match("GET", "/v1/revisions/12/objects/tariff/standard%20x");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->pattern, "/v1/revisions/{rev}/objects/{kind}/{id}");
  EXPECT_EQ(m.params, (std::vector<std::string>{"12", "tariff", "standard x"}));
  m = r.match("GET", "/v1/revisions/12/evaluate");
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allow, "POST, OPTIONS");
  EXPECT_EQ(r.match("DELETE", "/v1/revisions/12").allow, "GET, HEAD, OPTIONS");  // filled when no route matched
  m = r.match("OPTIONS", "*");  // the server as a whole
  EXPECT_FALSE(m.route);
  EXPECT_EQ(m.allow, "GET, POST, HEAD, OPTIONS");
  EXPECT_FALSE(r.match("GET", "/v1/revisions/").route);
  EXPECT_FALSE(r.match("GET", "/v1/revisions//x").path_known);
  EXPECT_FALSE(r.match("GET", "/v1/revisions/1/").route);
}

TEST(Query, DecodesEscapesAndPlus) {
  auto q = parse_query("a=1&b=x%20y+z&c&d=%zz");
  EXPECT_EQ(q["a"], "1");
  EXPECT_EQ(q["b"], "x y z");
  EXPECT_EQ(q["c"], "");
  EXPECT_EQ(q["d"], "%zz");
}

using TestCache = CompiledCache<int, std::string>;

TEST(CompiledCache, CompilesOnceForManyConcurrentRequests) {
  TestCache cache(1000);
  std::atomic<int> loads{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      while (!go) std::this_thread::yield();
      auto out = cache.get(7, [&]() -> paydomain::Result<TestCache::Built, std::string> {
        loads.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a slow compile
        return TestCache::Built{std::make_shared<const int>(42), 10};
      });
      if (out && **out == 42) ok.fetch_add(1);
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(loads.load(), 1);
  EXPECT_EQ(ok.load(), 16);
  EXPECT_EQ(cache.stats().misses, 1u);
}

TEST(CompiledCache, EvictsLeastRecentlyUsedBySize) {
  TestCache cache(100);
  auto load = [](int v, size_t bytes) {
    return [v, bytes]() -> paydomain::Result<TestCache::Built, std::string> {
      return TestCache::Built{std::make_shared<const int>(v), bytes};
    };
  };
  ASSERT_TRUE(cache.get(1, load(1, 40)).ok());
  ASSERT_TRUE(cache.get(2, load(2, 40)).ok());
  auto held = cache.peek(1);  // 1 is now most recent; 2 is the LRU
  ASSERT_TRUE(held);
  ASSERT_TRUE(cache.get(3, load(3, 40)).ok());  // 120 > 100: evict 2
  EXPECT_TRUE(cache.peek(1));
  EXPECT_FALSE(cache.peek(2));
  EXPECT_TRUE(cache.peek(3));
  EXPECT_EQ(cache.stats().bytes, 80u);
  EXPECT_EQ(cache.stats().evictions, 1u);
  // An entry larger than the whole budget is still served, alone.
  ASSERT_TRUE(cache.get(4, load(4, 500)).ok());
  EXPECT_TRUE(cache.peek(4));
  EXPECT_EQ(cache.stats().entries, 1u);
  EXPECT_EQ(*held, 1);  // evicted values live on while held
}

TEST(CompiledCache, FailuresReachEveryWaiterAndAreNotCached) {
  TestCache cache(100);
  int loads = 0;
  auto fail = [&]() -> paydomain::Result<TestCache::Built, std::string> {
    ++loads;
    return std::string("no such revision");
  };
  auto out = cache.get(9, fail);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error(), "no such revision");
  EXPECT_FALSE(cache.peek(9));
  (void)cache.get(9, fail);
  EXPECT_EQ(loads, 2);
}

}  // namespace
}  // namespace paydomain::server
