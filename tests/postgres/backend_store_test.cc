// The store's semantics on every backend (SQLite file, PostgreSQL database):
// commits, checkout, history, validation, idempotency, a second instance and
// its watch, rebase and conflicts, revert, restore, threads sharing a store.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "domain_store/objects.h"
#include "domain_store/operations.h"
#include "domain_store/working_copy.h"
#include "tests/postgres/backends.h"

namespace paydomain::store::testing {
namespace {


TEST_P(Backends, InitStartsAtTheEmptyRevisionZero) {
  auto store = make_store(location());
  ASSERT_OK(store);
  auto head = (*store)->head();
  ASSERT_OK(head);
  EXPECT_EQ(*head, 0);
  auto objects = (*store)->checkout(0);
  ASSERT_OK(objects);
  EXPECT_TRUE(objects->empty());
  auto rev0 = (*store)->revision(0);
  ASSERT_OK(rev0);
  EXPECT_EQ(rev0->op_count, 0);
}

TEST_P(Backends, InitRefusesAnExistingStoreAndOpenNeedsOne) {
  ASSERT_OK(init_store(location()));
  auto again = init_store(location());
  ASSERT_FALSE(again.ok());
  auto missing = open_store(missing_location());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_OK(open_store(location()));
}

TEST_P(Backends, SeedCommitStoresCanonicalObjectsWithTheirFile) {
  auto store = seeded();
  ASSERT_TRUE(store);
  auto head = store->head();
  ASSERT_OK(head);
  EXPECT_EQ(*head, 1);
  auto objects = store->checkout(1);
  ASSERT_OK(objects);
  EXPECT_EQ(objects->size(), 11u);
  for (const auto& o : *objects) {
    EXPECT_EQ(o.path, "domain.pd");
    auto parsed = parse_object_text(o.key, o.text);
    ASSERT_OK(parsed);
    EXPECT_EQ(parsed->canonical, o.text) << "stored text is canonical";
  }
  // Stored in the analyst's order, and the comment stays with the first object.
  EXPECT_EQ((*objects)[0].key, key("currency:RUB"));
  EXPECT_NE((*objects)[0].text.find("# Reference data"), std::string::npos);
  auto ops = store->revision_ops(1);
  ASSERT_OK(ops);
  EXPECT_EQ(ops->size(), 11u);
  for (const auto& op : *ops) EXPECT_EQ(op.type, OpType::Insert);
}

TEST_P(Backends, OneObjectCommitsAndCheckoutOfEveryRevision) {
  auto store = seeded();
  ASSERT_TRUE(store);
  auto r2 = store->commit(request(1, {insert("terminal:t2", terminal_text("t2"))}, "add t2"));
  ASSERT_OK(r2);
  EXPECT_EQ(r2->revision.rev, 2);
  EXPECT_FALSE(r2->rebased);
  auto r3 = store->commit(request(2, {update("terminal:t2", terminal_text("t2", "disabled "))}, "kill t2"));
  ASSERT_OK(r3);
  auto r4 = store->commit(request(3, {remove("terminal:t2")}, "drop t2"));
  ASSERT_OK(r4);
  EXPECT_EQ(r4->revision.rev, 4);

  auto t2_at = [&](Rev rev) { return store->checkout_object(rev, key("terminal:t2")); };
  EXPECT_EQ(t2_at(1).error().code, ErrorCode::NotFound);
  ASSERT_OK(t2_at(2));
  EXPECT_EQ(t2_at(2)->text.find("disabled"), std::string::npos);
  ASSERT_OK(t2_at(3));
  EXPECT_NE(t2_at(3)->text.find("disabled"), std::string::npos);
  EXPECT_EQ(t2_at(3)->since, 3);
  EXPECT_EQ(t2_at(3)->path, "terminal.pd") << "an object inserted without a file goes to its kind's file";
  EXPECT_EQ(t2_at(4).error().code, ErrorCode::NotFound);
  EXPECT_EQ(store->checkout(2)->size(), 12u);
  EXPECT_EQ(store->checkout(4)->size(), 11u);
  EXPECT_EQ(store->checkout(5).error().code, ErrorCode::NotFound);

  auto history = store->object_history(key("terminal:t2"), -1, 10);
  ASSERT_OK(history);
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].revision.rev, 4);
  EXPECT_EQ((*history)[0].type, OpType::Remove);
  EXPECT_EQ((*history)[0].revision.message, "drop t2");
  EXPECT_EQ((*history)[2].type, OpType::Insert);
  EXPECT_EQ(store->object_history(key("terminal:t2"), 4, 1)->at(0).revision.rev, 3);
}

TEST_P(Backends, HistoryPagesForwardAndBackward) {
  auto store = seeded();
  ASSERT_TRUE(store);
  for (int i = 0; i < 5; ++i) {
    auto name = "p" + std::to_string(i);
    ASSERT_OK(store->commit(request(1 + i, {insert("terminal:" + name, terminal_text(name))}, "add " + name)));
  }
  auto page1 = store->revisions_after(0, 3);
  ASSERT_OK(page1);
  ASSERT_EQ(page1->size(), 3u);
  EXPECT_EQ((*page1)[0].rev, 1);
  auto page2 = store->revisions_after(page1->back().rev, 3);
  ASSERT_EQ(page2->size(), 3u);
  EXPECT_EQ(page2->back().rev, 6);
  EXPECT_TRUE(store->revisions_after(6, 3)->empty());
  auto log = store->revisions_before(-1, 2);
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].rev, 6);
  EXPECT_EQ((*log)[0].message, "add p4");
  EXPECT_EQ((*log)[0].author, "tester");
}

TEST_P(Backends, EmptyAndNoOpCommitsAreRefused) {
  auto store = seeded();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->commit(request(1, {})).error().code, ErrorCode::EmptyCommit);
  auto same = store->checkout_object(1, key("terminal:yb_3ds"));
  ASSERT_OK(same);
  // The same object written differently is the same canonical text.
  auto noop = store->commit(request(1, {update("terminal:yb_3ds", "terminal yb_3ds {\n provider yellowbank\n risk_coverage high }")}));
  ASSERT_FALSE(noop.ok());
  EXPECT_EQ(noop.error().code, ErrorCode::EmptyCommit);
  EXPECT_EQ(*store->head(), 1);
}

TEST_P(Backends, RequestShapeIsChecked) {
  auto store = seeded();
  ASSERT_TRUE(store);
  auto twice = store->commit(request(1, {insert("terminal:a", terminal_text("a")), remove("terminal:a")}));
  EXPECT_EQ(twice.error().code, ErrorCode::InvalidArgument);
  auto beyond = store->commit(request(7, {insert("terminal:a", terminal_text("a"))}));
  EXPECT_EQ(beyond.error().code, ErrorCode::InvalidArgument);
  auto exists = store->commit(request(1, {insert("terminal:yb_3ds", terminal_text("yb_3ds"))}));
  EXPECT_EQ(exists.error().code, ErrorCode::InvalidArgument);
  auto missing = store->commit(request(1, {update("terminal:nope", terminal_text("nope"))}));
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  auto wrong_id = store->commit(request(1, {insert("terminal:a", terminal_text("b"))}));
  ASSERT_EQ(wrong_id.error().code, ErrorCode::Invalid);
  EXPECT_EQ(wrong_id.error().diagnostics.at(0).code, "object-identity");
  auto two = store->commit(request(1, {insert("terminal:a", terminal_text("a") + terminal_text("c"))}));
  ASSERT_EQ(two.error().code, ErrorCode::Invalid);
  CommitRequest anonymous = request(1, {insert("terminal:a", terminal_text("a"))});
  anonymous.author.clear();
  EXPECT_EQ(store->commit(anonymous).error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(*store->head(), 1);
}

TEST_P(Backends, InvalidResultIsRefusedWithEveryErrorAndItsObject) {
  auto store = seeded();
  ASSERT_TRUE(store);
  // Removing a referenced provider and adding a terminal of an unknown one.
  auto bad = store->commit(request(1, {remove("provider:yellowbank"),
                                       insert("terminal:x", "terminal x { provider nobank }")}));
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(bad.error().code, ErrorCode::Invalid);
  std::set<std::string> objects;
  for (const auto& d : bad.error().diagnostics) objects.insert(d.object);
  EXPECT_TRUE(objects.count("terminal x"));
  EXPECT_TRUE(objects.count("terminal yb_3ds"));
  EXPECT_TRUE(objects.count("terminal yb_fast"));
  EXPECT_EQ(*store->head(), 1);
  // Nothing half-applied: the cache rolled back too, so a valid commit works.
  EXPECT_OK(store->checkout_object(1, key("provider:yellowbank")));
  ASSERT_OK(store->commit(request(1, {insert("terminal:y", terminal_text("y"))})));
  auto syntax = store->commit(request(2, {update("terminal:y", "terminal y { provider ")}));
  ASSERT_EQ(syntax.error().code, ErrorCode::Invalid);
  EXPECT_EQ(syntax.error().diagnostics.at(0).object, "terminal y");
}

TEST_P(Backends, ChangesThatOtherObjectsDependOnReCheckThoseObjects) {
  auto store = seeded();
  ASSERT_TRUE(store);
  ASSERT_OK(store->commit(request(1, {insert("limit:daily", "limit daily { scope [payment_tool] period day amount <= 100.00 RUB }"),
                                      insert("test:t", "test \"t\" { given { amount 10.00 RUB turnover daily 150.00 RUB } expect limit daily exceeded }")})));
  // Only the limit changes, but the test's turnover (money) no longer fits a count limit.
  auto count = store->commit(request(2, {update("limit:daily", "limit daily { scope [payment_tool] period day count <= 100 }")}));
  ASSERT_FALSE(count.ok());
  ASSERT_EQ(count.error().code, ErrorCode::Invalid);
  EXPECT_EQ(count.error().diagnostics.at(0).object, "test \"t\"");
  // A currency's exponent decides whether other objects' money literals fit.
  ASSERT_OK(store->commit(request(2, {insert("tariff:cents", "tariff cents { amount between 0.50 USD and 10.00 USD }")})));
  auto exponent = store->commit(request(3, {update("currency:USD", "currency USD { numeric 840 exponent 0 }")}));
  ASSERT_FALSE(exponent.ok());
  EXPECT_EQ(exponent.error().code, ErrorCode::Invalid);
  // Removing an object re-checks whoever names it: here only a money literal.
  auto removed = store->commit(request(3, {remove("currency:USD")}));
  ASSERT_FALSE(removed.ok());
  std::set<std::string> broken;
  for (const auto& d : removed.error().diagnostics) broken.insert(d.object);
  EXPECT_TRUE(broken.count("tariff cents")) << describe(removed.error());
  EXPECT_TRUE(broken.count("tariff standard")) << describe(removed.error());
  // Updates of other kinds are checked on their own, and still caught.
  auto bad_update = store->commit(request(3, {update("tariff:cents", "tariff cents { amount between 0.50 XXX and 10.00 USD }")}));
  ASSERT_FALSE(bad_update.ok());
  EXPECT_EQ(bad_update.error().diagnostics.at(0).object, "tariff cents");
}

// Removing many objects at once finds every object naming any of them (one
// pass over the head's texts for all removed ids), and only those.
TEST_P(Backends, RemovingManyObjectsAtOnceReChecksEachReferrer) {
  auto store = seeded();
  ASSERT_TRUE(store);
  std::vector<Op> inserts, removals;
  for (int i = 0; i < 300; ++i) {
    std::string id = "c" + std::to_string(i);
    inserts.push_back(insert("category:" + id, "category " + id + " { name \"C\" }"));
    removals.push_back(remove("category:" + id));
  }
  // Named as a whole identifier by two tariffs; "c1" inside "c150" or a
  // string names nothing.
  inserts.push_back(insert("tariff:a", "tariff a { categories [c150] }"));
  inserts.push_back(insert("tariff:b", "tariff b { name \"c1\" categories [retail, c299] }"));
  ASSERT_OK(store->commit(request(1, inserts)));
  auto refused = store->commit(request(2, removals));
  ASSERT_FALSE(refused.ok());
  ASSERT_EQ(refused.error().code, ErrorCode::Invalid);
  std::set<std::string> broken;
  for (const auto& d : refused.error().diagnostics) broken.insert(d.object);
  EXPECT_EQ(broken, (std::set<std::string>{"tariff a", "tariff b"})) << describe(refused.error());
  // Without the two referrers the same removal commits, and a refused
  // commit left the head cache as it was (the objects are still there).
  removals.push_back(remove("tariff:a"));
  removals.push_back(remove("tariff:b"));
  auto done = store->commit(request(2, removals));
  ASSERT_OK(done);
  EXPECT_EQ(done->revision.op_count, 302);
  auto head = store->checkout(3);
  ASSERT_OK(head);
  EXPECT_EQ(head->size(), 11u) << "the seed's eleven objects remain";
}

TEST_P(Backends, IdempotencyKeyReturnsTheFirstRevision) {
  auto store = seeded();
  ASSERT_TRUE(store);
  CommitRequest r = request(1, {insert("terminal:k", terminal_text("k"))});
  r.idempotency_key = "req-1";
  auto first = store->commit(r);
  ASSERT_OK(first);
  EXPECT_FALSE(first->replayed);
  auto again = store->commit(r);
  ASSERT_OK(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->revision.rev, first->revision.rev);
  EXPECT_EQ(*store->head(), 2);
  // Same key, different content: refused, not silently matched.
  CommitRequest other = request(1, {insert("terminal:k2", terminal_text("k2"))});
  other.idempotency_key = "req-1";
  EXPECT_EQ(store->commit(other).error().code, ErrorCode::IdempotencyMismatch);
  // Without a key the retry is a conflict, never a second copy.
  CommitRequest plain = request(1, {insert("terminal:k", terminal_text("k"))});
  EXPECT_FALSE(store->commit(plain).ok());
  EXPECT_EQ(*store->head(), 2);
}

TEST_P(Backends, ASecondInstanceSeesCommitsOfTheFirst) {
  auto a = seeded();
  ASSERT_TRUE(a);
  auto b = open_store(location());
  ASSERT_OK(b);
  // b validates once (loads its cache at 1); then a commits twice.
  ASSERT_OK((*b)->commit(request(1, {insert("terminal:b1", terminal_text("b1"))})));
  ASSERT_OK(a->commit(request(2, {remove("terminal:b1")})));
  ASSERT_OK(a->commit(request(3, {insert("terminal:a1", terminal_text("a1"))})));
  // b's cache must catch up: b1 is gone, a1 exists.
  auto ref_gone = (*b)->commit(request(4, {insert("routing:r", "routing r { candidate b1 }")}));
  ASSERT_EQ(ref_gone.error().code, ErrorCode::Invalid);
  EXPECT_OK((*b)->commit(request(4, {insert("routing:r", "routing r { candidate a1 }")})));
  EXPECT_EQ(*a->head(), 5);
}

// A watch on the store file is called once another instance's commit is
// visible: head() read in the callback already has the new revision.
TEST_P(Backends, AWatchSeesAnotherInstancesCommitAsItBecomesVisible) {
  auto a = seeded();
  ASSERT_TRUE(a);
  auto b = open_store(location());
  ASSERT_OK(b);
  std::mutex mu;
  std::condition_variable cv;
  Rev seen = 1;
  auto watch = watch_store(location(), [&] {
    auto h = (*b)->head();
    std::lock_guard lock(mu);
    if (h && *h > seen) seen = *h;
    cv.notify_all();
  });
  ASSERT_OK(watch);
  ASSERT_OK(a->commit(request(1, {insert("terminal:w", terminal_text("w"))})));
  std::unique_lock lock(mu);
  // Generous bound: only a missing notification can take this long.
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return seen == 2; }))
      << "no callback saw revision 2";
  lock.unlock();
  watch->reset();  // stops and joins before the state it uses goes away
}



TEST_P(Backends, ConflictsDisjointCommitOnAnOldBaseIsRebased) {
  auto store = seeded();
  ASSERT_TRUE(store);
  ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a"))})));
  auto b = store->commit(request(1, {insert("terminal:b", terminal_text("b"))}));
  ASSERT_OK(b);
  EXPECT_TRUE(b->rebased);
  EXPECT_EQ(b->revision.rev, 3);
  EXPECT_EQ(b->revision.base, 1);
  EXPECT_OK(store->checkout_object(3, key("terminal:a")));
  EXPECT_OK(store->checkout_object(3, key("terminal:b")));
}

TEST_P(Backends, ConflictsTouchingAChangedObjectIsRefusedWithTheRevisions) {
  auto store = seeded();
  ASSERT_TRUE(store);
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

TEST_P(Backends, ConflictsRebaseStillValidatesTheCombinedDomain) {
  auto store = seeded();
  ASSERT_TRUE(store);
  // Revision 2 removes routing main's terminal yb_fast (and its use); a commit
  // made on 1 that newly references yb_fast touches other objects only.
  ASSERT_OK(store->commit(request(1, {update("routing:main", "routing main { candidate yb_3ds }"), remove("terminal:yb_fast")})));
  auto stale = store->commit(request(1, {insert("routing:extra", "routing extra { candidate yb_fast }")}));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::Invalid);
  EXPECT_EQ(stale.error().diagnostics.at(0).object, "routing extra");
}

TEST_P(Backends, RevertInverseOperationsAsANewCommit) {
  auto store = seeded();
  ASSERT_TRUE(store);
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

TEST_P(Backends, RevertRefusedWhenLaterRevisionsTouchedTheObjects) {
  auto store = seeded();
  ASSERT_TRUE(store);
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

TEST_P(Backends, RevertRefusedWhenTheResultWouldNotCheck) {
  auto store = seeded();
  ASSERT_TRUE(store);
  ASSERT_OK(store->commit(request(1, {insert("terminal:a", terminal_text("a"))})));
  ASSERT_OK(store->commit(request(2, {insert("routing:r", "routing r { candidate a }")})));
  auto r = revert_revision(*store, 2, CommitMeta{"ops", "revert 2", std::nullopt});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::Invalid);
}

TEST_P(Backends, RestoreMakesHeadEqualAnEarlierRevision) {
  auto store = seeded();
  ASSERT_TRUE(store);
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

TEST_P(Backends, ConcurrencyThreadsSharingOneStoreNeverLoseACommit) {
  auto store = seeded();
  ASSERT_TRUE(store);
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

PAYDOMAIN_ALL_BACKENDS(Backends);

}  // namespace paydomain::store::testing
