// Rebase, conflicts, revert, restore and concurrent writers in one process.
#include <atomic>
#include <thread>

#include "domain_store/operations.h"
#include "tests/domain_store/util.h"

namespace paydomain::store::testing {
namespace {

using Conflicts = SeededStore;
using Revert = SeededStore;
using Restore = SeededStore;
using Concurrency = SeededStore;

TEST_F(Conflicts, DisjointCommitOnAnOldBaseIsRebased) {
  ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a"))})));
  auto b = store->commit(request(1, {insert("terminal:b", terminal_text("b"))}));
  ASSERT_OK(b);
  EXPECT_TRUE(b->rebased);
  EXPECT_EQ(b->revision.rev, 3);
  EXPECT_EQ(b->revision.base, 1);
  EXPECT_OK(store->checkout_object(3, key("terminal:a")));
  EXPECT_OK(store->checkout_object(3, key("terminal:b")));
}

TEST_F(Conflicts, TouchingAChangedObjectIsRefusedWithTheRevisions) {
  ASSERT_OK(store->commit(request(1, {update("terminal:yb_3ds", terminal_text("yb_3ds", "disabled "))})));
  ASSERT_OK(store->commit(request(2, {insert("terminal:a", terminal_text("a"))})));
  ASSERT_OK(store->commit(request(3, {update("terminal:yb_3ds", terminal_text("yb_3ds"))})));
  auto late = store->commit(request(1, {remove("terminal:yb_fast"), update("terminal:yb_3ds", terminal_text("yb_3ds", "description \"x\" ")),
                                        insert("terminal:a", terminal_text("a"))}));
  ASSERT_FALSE(late.ok());
  ASSERT_EQ(late.error().code, ErrorCode::Conflict);
  const auto& cs = late.error().conflicts;
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].key, key("terminal:yb_3ds"));
  EXPECT_EQ(cs[0].revisions, (std::vector<Rev>{2, 4}));
  EXPECT_EQ(cs[1].key, key("terminal:a"));
  EXPECT_EQ(cs[1].revisions, (std::vector<Rev>{3}));
  EXPECT_EQ(*store->head(), 4);
}

TEST_F(Conflicts, RebaseStillValidatesTheCombinedDomain) {
  // Revision 2 removes routing main's terminal yb_fast (and its use); a commit
  // made on 1 that newly references yb_fast touches other objects only.
  ASSERT_OK(store->commit(request(1, {update("routing:main", "routing main { candidate yb_3ds }"), remove("terminal:yb_fast")})));
  auto stale = store->commit(request(1, {insert("routing:extra", "routing extra { candidate yb_fast }")}));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::Invalid);
  EXPECT_EQ(stale.error().diagnostics.at(0).object, "routing extra");
}

TEST_F(Revert, InverseOperationsAsANewCommit) {
  auto before = store->checkout(1);
  ASSERT_OK(before);
  ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a")),
                                      update("terminal:yb_3ds", terminal_text("yb_3ds", "disabled ")),
                                      remove("category:retail")})));
  auto reverted = revert_revision(*store, 2, CommitMeta{"ops", "revert 2", std::nullopt});
  ASSERT_OK(reverted);
  EXPECT_EQ(reverted->revision.rev, 3);
  auto after = store->checkout(3);
  ASSERT_OK(after);
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ((*after)[i].key, (*before)[i].key);
    EXPECT_EQ((*after)[i].text, (*before)[i].text);
    EXPECT_EQ((*after)[i].path, (*before)[i].path) << "a restored object returns to its file";
  }
  EXPECT_EQ(revert_revision(*store, 0, CommitMeta{"ops", "x", std::nullopt}).error().code, ErrorCode::InvalidArgument);
}

TEST_F(Revert, RefusedWhenLaterRevisionsTouchedTheObjects) {
  ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a"))})));
  ASSERT_OK(store->commit(request(2, {insert("terminal:b", terminal_text("b"))})));
  ASSERT_OK(store->commit(request(3, {update("terminal:a", terminal_text("a", "disabled "))})));
  auto r = revert_revision(*store, 2, CommitMeta{"ops", "revert 2", std::nullopt});
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().code, ErrorCode::Conflict);
  ASSERT_EQ(r.error().conflicts.size(), 1u);
  EXPECT_EQ(r.error().conflicts[0].key, key("terminal:a"));
  EXPECT_EQ(r.error().conflicts[0].revisions, std::vector<Rev>{4});
  // Revision 3 touched only b: it reverts cleanly past revision 4.
  EXPECT_OK(revert_revision(*store, 3, CommitMeta{"ops", "revert 3", std::nullopt}));
}

TEST_F(Revert, RefusedWhenTheResultWouldNotCheck) {
  ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a"))})));
  ASSERT_OK(store->commit(request(2, {insert("routing:r", "routing r { candidate a }")})));
  auto r = revert_revision(*store, 2, CommitMeta{"ops", "revert 2", std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Invalid);
}

TEST_F(Restore, MakesHeadEqualAnEarlierRevision) {
  ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a"))})));
  ASSERT_OK(store->commit(request(2, {remove("terminal:yb_fast"), update("routing:main", "routing main { candidate a }")})));
  auto r = restore_revision(*store, 1, CommitMeta{"ops", "back to 1", std::nullopt});
  ASSERT_OK(r);
  EXPECT_EQ(r->revision.rev, 4);
  auto changes = store->changes(1, 4);
  ASSERT_OK(changes);
  EXPECT_TRUE(changes->empty());
  EXPECT_EQ(restore_revision(*store, 4, CommitMeta{"ops", "again", std::nullopt}).error().code, ErrorCode::EmptyCommit);
}

TEST_F(Concurrency, ThreadsSharingOneStoreNeverLoseACommit) {
  constexpr int kThreads = 4, kEach = 15;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto name = "t" + std::to_string(t) + "_" + std::to_string(i);
        auto head = store->head();
        if (!head.ok()) continue;
        // Readers run alongside the writers.
        (void)store->checkout(*head);
        if (store->commit(request(*head, {insert("terminal:" + name, terminal_text(name))})).ok()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * kEach) << "disjoint commits always rebase";
  EXPECT_EQ(*store->head(), 1 + kThreads * kEach);
  EXPECT_EQ(store->checkout(*store->head())->size(), 11u + kThreads * kEach);
  auto report = store->fsck(FsckOptions{});
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
}

}  // namespace
}  // namespace paydomain::store::testing
