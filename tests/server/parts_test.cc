// In-process tests of the Service's parts: the head tracker waking
// long-polls, compiled revisions and the kinds of their errors, and the
// ApiError -> JSON edge.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/api_error.h"
#include "server/compiled_revisions.h"
#include "server/eval_api.h"
#include "server/head_tracker.h"
#include "server/workers.h"

namespace paydomain::server {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// ---- HeadTracker -----------------------------------------------------------

struct TrackerFixture {
  std::atomic<store::Rev> store_head{3};
  std::mutex mu;
  std::vector<store::Rev> new_heads;
  HeadTracker tracker{10ms, HeadTracker::Hooks{
                                [this]() -> store::Result<store::Rev> { return store_head.load(); },
                                [](store::Rev rev) {
                                  Response r;
                                  r.body = std::to_string(rev);
                                  return r;
                                },
                                [this](store::Rev rev) {
                                  std::lock_guard lock(mu);
                                  new_heads.push_back(rev);
                                }}};
};

// A Done that hands its answer to a future.
std::pair<Done, std::future<Response>> answer_slot() {
  auto p = std::make_shared<std::promise<Response>>();
  auto f = p->get_future();
  return {[p](Response r) { p->set_value(std::move(r)); }, std::move(f)};
}

TEST(HeadTracker, ACommitWakesTheWaitersAfterIt) {
  TrackerFixture f;
  f.tracker.start(3, "");
  auto [done4, got4] = answer_slot();
  auto [done5, got5] = answer_slot();
  auto far = HeadTracker::Clock::now() + 30s;
  ASSERT_TRUE(f.tracker.wait(3, far, done4));
  ASSERT_TRUE(f.tracker.wait(4, far, done5));
  EXPECT_EQ(f.tracker.waiting(), 2u);
  f.store_head = 4;
  f.tracker.notify_commit();
  ASSERT_EQ(got4.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(got4.get().body, "4");
  EXPECT_EQ(got5.wait_for(50ms), std::future_status::timeout);  // waits for a revision after 4
  EXPECT_EQ(f.tracker.head(), 4);
  f.store_head = 5;
  f.tracker.notify_commit();
  ASSERT_EQ(got5.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(got5.get().body, "5");
  f.tracker.stop();
  f.tracker.join();
  std::lock_guard lock(f.mu);
  EXPECT_EQ(f.new_heads, (std::vector<store::Rev>{4, 5}));
}

TEST(HeadTracker, AWaiterIsAnsweredAtItsDeadlineWithTheUnchangedHead) {
  TrackerFixture f;
  f.tracker.start(3, "");
  auto [done, got] = answer_slot();
  ASSERT_TRUE(f.tracker.wait(3, HeadTracker::Clock::now() + 30ms, done));
  ASSERT_EQ(got.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(got.get().body, "3");
  EXPECT_EQ(f.tracker.waiting(), 0u);
}

TEST(HeadTracker, StopAnswersEveryWaiterAndRefusesNewOnes) {
  TrackerFixture f;
  f.tracker.start(3, "");
  auto [done, got] = answer_slot();
  ASSERT_TRUE(f.tracker.wait(3, HeadTracker::Clock::now() + 30s, done));
  f.tracker.stop();
  ASSERT_EQ(got.wait_for(1s), std::future_status::ready);
  EXPECT_EQ(got.get().body, "3");
  auto [late, late_got] = answer_slot();
  EXPECT_FALSE(f.tracker.wait(3, HeadTracker::Clock::now() + 30s, late));
  EXPECT_TRUE(late);  // left to the caller, who answers at once
  f.tracker.join();
}

// ---- CompiledRevisions ----------------------------------------------------

// A store whose checkout is scripted; every other call fails.
class FakeStore : public store::Store {
 public:
  store::Result<std::vector<store::StoredObject>> checkout_result = store::make_error(store::ErrorCode::NotFound, "no");
  std::atomic<int> checkouts{0};

  store::Result<store::Rev> head() override { return store::Rev{7}; }
  store::Result<std::vector<store::StoredObject>> checkout(store::Rev) override {
    ++checkouts;
    return checkout_result;
  }
  store::Result<store::RevisionInfo> revision(store::Rev) override { return no(); }
  store::Result<std::vector<store::RevisionInfo>> revisions_after(store::Rev, int64_t) override { return no(); }
  store::Result<std::vector<store::RevisionInfo>> revisions_before(store::Rev, int64_t) override { return no(); }
  store::Result<std::vector<store::OpRecord>> revision_ops(store::Rev) override { return no(); }
  store::Result<std::vector<store::ObjectHistoryEntry>> object_history(const store::ObjectKey&, store::Rev,
                                                                      int64_t) override {
    return no();
  }
  store::Result<store::StoredObject> checkout_object(store::Rev, const store::ObjectKey&) override { return no(); }
  store::Result<std::vector<store::ObjectChange>> changes(store::Rev, store::Rev) override { return no(); }
  store::Result<store::CommitResult> commit(const store::CommitRequest&, const store::TestsGating&) override { return no(); }
  store::Result<store::FsckReport> fsck(const store::FsckOptions&) override { return no(); }
  store::Status backup(const std::string&) override { return no(); }

 private:
  static store::Error no() { return store::make_error(store::ErrorCode::Internal, "not in this fake"); }
};

store::StoredObject object(dsl::ObjectKind kind, std::string id, std::string text) {
  store::StoredObject o;
  o.key = {kind, std::move(id)};
  o.text = std::move(text);
  o.path = "domain.pd";
  return o;
}

TEST(CompiledRevisions, AnUnknownRevisionIsNotFoundAndNamesHead) {
  FakeStore st;
  Workers workers(1);
  CompiledRevisions revs(st, workers, 1 << 20);
  auto got = revs.get(12);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, CompileError::Kind::UnknownRevision);
  EXPECT_EQ(got.error().message, "revision 12 does not exist (head is 7)");
  ApiError e = to_api_error(got.error());
  EXPECT_EQ(e.status, 404);
  EXPECT_EQ(e.code, "unknown-revision");
}

TEST(CompiledRevisions, AStoreFailureKeepsTheStoreError) {
  FakeStore st;
  st.checkout_result = store::make_error(store::ErrorCode::Busy, "database is locked");
  Workers workers(1);
  CompiledRevisions revs(st, workers, 1 << 20);
  auto got = revs.get(1);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, CompileError::Kind::Store);
  ASSERT_TRUE(got.error().store);
  EXPECT_EQ(got.error().store->code, store::ErrorCode::Busy);
  Response r = to_response(to_api_error(got.error()));
  EXPECT_EQ(r.status, 503);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Retry-After");
}

TEST(CompiledRevisions, SourceThatDoesNotCheckIsACompileErrorAndIsRetried) {
  FakeStore st;
  st.checkout_result = std::vector<store::StoredObject>{object(dsl::ObjectKind::Currency, "RUB", "currency RUB {")};
  Workers workers(1);
  CompiledRevisions revs(st, workers, 1 << 20);
  auto got = revs.get(2);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, CompileError::Kind::Compile);
  EXPECT_EQ(got.error().message, "cannot compile revision 2: the stored revision does not check");
  EXPECT_EQ(to_api_error(got.error()).status, 500);
  EXPECT_EQ(to_api_error(got.error()).code, "compile-failed");
  (void)revs.get(2);
  EXPECT_EQ(st.checkouts.load(), 2);  // failures are not cached
}

TEST(CompiledRevisions, ARevisionIsCompiledOnceAndServedAsHead) {
  FakeStore st;
  st.checkout_result =
      std::vector<store::StoredObject>{object(dsl::ObjectKind::Currency, "RUB", "currency RUB { numeric 643 exponent 2 }")};
  Workers workers(1);
  CompiledRevisions revs(st, workers, 1 << 20);
  EXPECT_FALSE(revs.head());
  auto got = revs.start_head(5);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ((*got)->rev, 5);
  EXPECT_EQ(revs.head(), *got);
  EXPECT_EQ(revs.peek(5), *got);
  EXPECT_FALSE(revs.peek(6));
  revs.advance_head(6);  // compiled on the worker, then served
  workers.shutdown();
  ASSERT_TRUE(revs.head());
  EXPECT_EQ(revs.head()->rev, 6);
  EXPECT_EQ(st.checkouts.load(), 2);
}

// ---- ApiError -> JSON ------------------------------------------------------

TEST(ApiError, BecomesTheOneErrorShape) {
  Response r = to_response(ApiError(422, "wrong-type", "/base: expected a non-negative integer", "/base"));
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"error":{"code":"wrong-type","message":"/base: expected a non-negative integer","path":"/base"}})"));
  EXPECT_TRUE(r.headers.empty());
}

TEST(ApiError, MoreMembersSitBesideTheError) {
  ApiError e(422, "invalid-domain", "the working copy does not check", "", R"("diagnostics":[{"line":1}])");
  json j = json::parse(to_response(e).body);
  EXPECT_EQ(j["error"]["code"], "invalid-domain");
  EXPECT_EQ(j["diagnostics"][0]["line"], 1);
}

TEST(ApiError, BytesFromTheRequestStayValidJson) {
  Response r = to_response(ApiError(404, "not-found", "no such endpoint: /v1/\xff\"x", "/\xc3"));
  json j = json::parse(r.body);  // throws when the body is not valid JSON
  EXPECT_EQ(j["error"]["message"], "no such endpoint: /v1/\u00ff\"x");
  EXPECT_EQ(j["error"]["path"], "/\u00c3");
}

TEST(ApiError, AStoreConflictCarriesItsConflicts) {
  store::Error e = store::make_error(store::ErrorCode::Conflict, "tariff standard changed since revision 1");
  e.conflicts.push_back({{dsl::ObjectKind::Tariff, "standard"}, {2, 3}});
  ApiError a = store_error(e, "/ops/0");
  EXPECT_EQ(a.status, 409);
  json j = json::parse(to_response(a).body);
  EXPECT_EQ(j["error"]["code"], "conflict");
  EXPECT_EQ(j["error"]["path"], "/ops/0");
  EXPECT_EQ(j["error"]["message"], "tariff standard changed since revision 1");
  EXPECT_EQ(j["conflicts"][0]["id"], "standard");
  EXPECT_EQ(j["conflicts"][0]["revisions"], json::array({2, 3}));
}

}  // namespace
}  // namespace paydomain::server
