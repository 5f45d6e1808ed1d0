// In-process tests of the Service's parts: the head tracker waking
// long-polls, compiled revisions and the kinds of their errors, and the
// ApiError -> JSON edge.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/api_error.h"
#include "server/compiled_revisions.h"
#include "server/eval_api.h"
#include "server/head_tracker.h"
#include "server/metrics.h"
#include "evaluator/program.h"
#include "evaluator/result_json.h"
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
  std::mutex mu;
  std::map<store::Rev, store::StoredArtifact> artifacts;  // one per revision (a fake: any format)
  bool read_only = false;  // put_artifact fails

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
  store::Result<std::optional<store::StoredArtifact>> artifact(store::Rev rev, uint16_t major, uint16_t minor) override {
    std::lock_guard lock(mu);
    auto it = artifacts.find(rev);
    if (it == artifacts.end() || it->second.format_major != major || it->second.format_minor != minor)
      return std::optional<store::StoredArtifact>();
    return std::optional<store::StoredArtifact>(it->second);
  }
  store::Status put_artifact(const store::StoredArtifact& a) override {
    if (read_only) return no();
    std::lock_guard lock(mu);
    artifacts[a.rev] = a;
    return store::Ok{};
  }
  store::Result<std::vector<store::ArtifactKey>> artifact_keys() override { return no(); }
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

// ---- CompiledRevisions and stored artifacts ----------------------------------

std::vector<store::StoredObject> small_domain() {
  return {object(dsl::ObjectKind::Currency, "RUB", "currency RUB { numeric 643 exponent 2 }"),
          object(dsl::ObjectKind::Tariff, "standard",
                 "tariff standard { fees { merchant.settlement -> system.settlement : 1% of amount } }")};
}

std::string evaluate_at(CompiledRevisions& revs, store::Rev rev) {
  auto c = revs.get(rev);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  if (!c) return "";
  std::string out;
  auto s = evaluator::evaluate_text(*(*c)->program,
                                    R"({"tariff": "standard", "amount": {"amount": 10000, "currency": "RUB"}})", true, out);
  EXPECT_TRUE(s.ok());
  return out;
}

// One replica's view: its own cache and counters over a shared store.
struct Replica {
  explicit Replica(store::Store& st) : revs(st, workers, 1 << 24) { revs.attach_metrics(&metrics); }
  Workers workers{1};
  Metrics metrics{{}};
  CompiledRevisions revs;
};

TEST(StoredArtifacts, TheFirstReplicaCompilesAndStoresTheNextLoadsWithoutCompiling) {
  FakeStore st;
  st.checkout_result = small_domain();
  Replica first(st);
  std::string answer = evaluate_at(first.revs, 3);
  EXPECT_EQ(first.metrics.compiles.load(), 1u);
  EXPECT_EQ(first.metrics.artifacts_stored.load(), 1u);
  EXPECT_EQ(first.metrics.artifact_loads.load(), 0u);
  ASSERT_EQ(st.artifacts.count(3), 1u);
  EXPECT_EQ(st.artifacts[3].format_major, evaluator::pdc::kFormatMajor);
  EXPECT_EQ(st.artifacts[3].format_minor, evaluator::pdc::kFormatMinor);

  Replica second(st);
  EXPECT_EQ(evaluate_at(second.revs, 3), answer);
  EXPECT_EQ(second.metrics.compiles.load(), 0u);
  EXPECT_EQ(second.metrics.artifact_loads.load(), 1u);
  EXPECT_EQ(second.metrics.artifacts_stored.load(), 0u);
  // The same bytes the first one compiled (GET .../compiled serves them).
  EXPECT_EQ((*second.revs.get(3))->program->bytes(), (*first.revs.get(3))->program->bytes());
}

TEST(StoredArtifacts, ADamagedOrForeignArtifactIsRefusedRecompiledAndReplaced) {
  FakeStore st;
  st.checkout_result = small_domain();
  Replica first(st);
  std::string answer = evaluate_at(first.revs, 3);
  const std::string good = st.artifacts[3].bytes;

  // One byte flipped on disk: the checksum refuses it.
  st.artifacts[3].bytes[good.size() / 2] ^= 0x40;
  Replica second(st);
  EXPECT_EQ(evaluate_at(second.revs, 3), answer);
  EXPECT_EQ(second.metrics.artifact_rejects.load(), 1u);
  EXPECT_EQ(second.metrics.compiles.load(), 1u);
  EXPECT_EQ(st.artifacts[3].bytes, good) << "replaced by the recompiled one";

  // Intact bytes, but of another revision (stored under the wrong number).
  st.artifacts[4] = st.artifacts[3];
  st.artifacts[4].rev = 4;
  Replica third(st);
  EXPECT_EQ(evaluate_at(third.revs, 4), answer);
  EXPECT_EQ(third.metrics.artifact_rejects.load(), 1u);
  EXPECT_EQ(third.metrics.compiles.load(), 1u);

  // Sources that changed under it (the row's source hash is not the revision's).
  st.artifacts[3].source_hash = std::string(64, '0');
  Replica fourth(st);
  EXPECT_EQ(evaluate_at(fourth.revs, 3), answer);
  EXPECT_EQ(fourth.metrics.artifact_rejects.load(), 1u);
}

TEST(StoredArtifacts, AnArtifactOfAnotherFormatIsCompiledAgainAndReplaced) {
  FakeStore st;
  st.checkout_result = small_domain();
  Replica first(st);
  std::string answer = evaluate_at(first.revs, 3);
  st.artifacts[3].format_minor = static_cast<uint16_t>(evaluator::pdc::kFormatMinor - 1);
  Replica second(st);
  EXPECT_EQ(evaluate_at(second.revs, 3), answer);
  EXPECT_EQ(second.metrics.compiles.load(), 1u);
  EXPECT_EQ(second.metrics.artifact_rejects.load(), 0u) << "not damaged: just not this reader's format";
  EXPECT_EQ(st.artifacts[3].format_minor, evaluator::pdc::kFormatMinor);
}

TEST(StoredArtifacts, AReplicaThatCannotWriteKeepsItsOwnCompiledCopy) {
  FakeStore st;
  st.checkout_result = small_domain();
  st.read_only = true;
  Replica r(st);
  std::string answer = evaluate_at(r.revs, 3);
  EXPECT_NE(answer.find("\"postings\""), std::string::npos) << answer;
  EXPECT_EQ(r.metrics.artifact_store_failures.load(), 1u);
  EXPECT_EQ(evaluate_at(r.revs, 3), answer);
  EXPECT_EQ(r.metrics.compiles.load(), 1u) << "cached: compiled once";
}

TEST(StoredArtifacts, TheObjectFormIsCompiledOnlyWhenImpactAsksAndThenCached) {
  FakeStore st;
  st.checkout_result = small_domain();
  Replica first(st);
  (void)evaluate_at(first.revs, 3);
  Replica second(st);
  (void)evaluate_at(second.revs, 3);
  EXPECT_EQ(second.metrics.compiles.load(), 0u);
  auto d = second.revs.domain(3);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ((*d)->tariffs.size(), 1u);
  EXPECT_EQ(second.metrics.compiles.load(), 1u);
  auto again = second.revs.domain(3);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *d);
  EXPECT_EQ(second.metrics.compiles.load(), 1u);
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
