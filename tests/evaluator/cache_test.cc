// The bounded LRU cache of compiled revisions.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "evaluator/cache.h"
#include "test_domain.h"

namespace paydomain::evaluator {
namespace {

TEST(CompiledCache, BuildsOnceKeepsTheMostRecentAndEvictsTheOldest) {
  CompiledCache cache(2);
  int builds = 0;
  auto builder = [&]() -> Result<CompiledCache::Ptr> {
    ++builds;
    return compile(testing::domain());
  };
  auto a = cache.get(1, builder);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(cache.get(1, builder).value().get(), a->get());  // the same shared object
  EXPECT_EQ(builds, 1);
  cache.get(2, builder);
  cache.find(1);          // 1 is now the most recent
  cache.get(3, builder);  // evicts 2
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.find(1), nullptr);
  EXPECT_EQ(cache.find(2), nullptr);
  EXPECT_NE(cache.find(3), nullptr);
  EXPECT_EQ(builds, 3);
  // A failed build is reported and not cached.
  auto failed = cache.get(9, []() -> Result<CompiledCache::Ptr> { return Error{"", "no such revision"}; });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(cache.find(9), nullptr);
}

TEST(CompiledCache, ThreadsShareOneRevision) {
  CompiledCache cache(4);
  std::atomic<int> builds{0};
  std::vector<std::thread> ts;
  std::vector<const CompiledDomain*> seen(8);
  for (int t = 0; t < 8; ++t) {
    ts.emplace_back([&, t] {
      auto r = cache.get(7, [&]() -> Result<CompiledCache::Ptr> {
        ++builds;
        return compile(testing::domain());
      });
      seen[static_cast<size_t>(t)] = r.ok() ? r->get() : nullptr;
    });
  }
  for (auto& t : ts) t.join();
  for (auto* p : seen) EXPECT_EQ(p, cache.find(7).get());  // everyone got the cached one
  EXPECT_GE(builds.load(), 1);
}

}  // namespace
}  // namespace paydomain::evaluator
