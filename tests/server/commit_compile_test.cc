// A commit compiles its new revision once (server/tests_gate.h
// build_revision), for its tests gate and its stored artifact alike: on a
// real SQLite store, through every commit path's gating (commit_gating), a
// working-copy commit of examples/acme, a one-object commit, a commit whose
// tests fail and one of a domain without tests each add one to
// evaluator::compile_count(); the stored artifact is the one fsck's repair
// would compile from the revision's files, byte for byte; a refused commit
// writes nothing; a failure's "line N" counts within the test's stored text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "domain_store/sqlite_store.h"
#include "domain_store/working_copy.h"
#include "dsl/sources.h"
#include "evaluator/compiled.h"
#include "evaluator/program.h"
#include "server/compiled_revisions.h"
#include "server/tests_gate.h"

namespace paydomain::server {
namespace {

namespace fs = std::filesystem;

class CommitCompile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("commit_compile_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::init_sqlite_store((dir_ / "s.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::vector<dsl::SourceFile> acme() {
    dsl::Diagnostics diags;
    auto files = dsl::read_sources({PAYDOMAIN_SOURCE_DIR "/examples/acme"}, diags);
    EXPECT_FALSE(diags.has_errors());
    return files;
  }
  static store::CommitRequest request(store::Rev base, std::vector<store::Op> ops = {}) {
    store::CommitRequest r;
    r.base = base;
    r.author = "ops";
    r.message = "change";
    r.ops = std::move(ops);
    return r;
  }
  static store::Op update(dsl::ObjectKind kind, std::string id, std::string text) {
    store::Op op;
    op.type = store::OpType::Update;
    op.key.kind = kind;
    op.key.id = std::move(id);
    op.text = std::move(text);
    return op;
  }
  // The revision's stored artifact equals what fsck's repair compiles from
  // its files as a checkout gives them (itself a compile: after counting).
  void expect_stored_artifact_is_the_revisions(store::Rev rev) {
    auto objects = store_->checkout(rev);
    ASSERT_TRUE(objects.ok());
    auto expected = build_artifact(rev, store::working_copy_files(*objects));
    ASSERT_TRUE(expected.has_value());
    auto stored = store_->artifact(rev, evaluator::pdc::kFormatMajor, evaluator::pdc::kFormatMinor);
    ASSERT_TRUE(stored.ok());
    ASSERT_TRUE(stored->has_value()) << "revision " << rev << " has its artifact";
    EXPECT_EQ((*stored)->source_hash, expected->source_hash);
    EXPECT_TRUE((*stored)->bytes == expected->bytes) << "byte for byte";
  }

  fs::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(CommitCompile, EachCommitOfADomainWithTestsCompilesOnce) {
  const uint64_t before_import = evaluator::compile_count();
  auto import = store::commit_sources(*store_, acme(), PAYDOMAIN_SOURCE_DIR "/examples/acme", request(0),
                                      commit_gating(std::nullopt));
  ASSERT_TRUE(import.ok()) << import.error().message;
  EXPECT_EQ(evaluator::compile_count() - before_import, 1u) << "acme's tests and its artifact: one compile";
  expect_stored_artifact_is_the_revisions(1);

  const uint64_t before_rename = evaluator::compile_count();
  auto renamed = store_->commit(
      request(1, {update(dsl::ObjectKind::PaymentSystem, "visa", "payment_system visa { name \"VISA\" }")}),
      commit_gating(std::nullopt));
  ASSERT_TRUE(renamed.ok()) << renamed.error().message;
  EXPECT_EQ(evaluator::compile_count() - before_rename, 1u);
  expect_stored_artifact_is_the_revisions(2);
}

TEST_F(CommitCompile, ACommitWhoseTestsFailCompilesOnceAndWritesNothing) {
  ASSERT_TRUE(store::commit_sources(*store_, acme(), PAYDOMAIN_SOURCE_DIR "/examples/acme", request(0),
                                    commit_gating(std::nullopt))
                  .ok());
  auto tariffs = store_->checkout_object(1, store::ObjectKey{dsl::ObjectKind::Tariff, "standard"});
  ASSERT_TRUE(tariffs.ok());
  std::string text = tariffs->text;
  size_t at = text.find(": 1% of amount");
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 2, 2, "2%");  // the Maestro/Mastercard fee: several of acme's tests expect 1%

  const uint64_t before = evaluator::compile_count();
  auto refused = store_->commit(request(1, {update(dsl::ObjectKind::Tariff, "standard", text)}),
                                commit_gating(std::nullopt));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(evaluator::compile_count() - before, 1u);
  EXPECT_EQ(refused.error().code, store::ErrorCode::TestsFailed);
  EXPECT_EQ(*store_->head(), 1) << "nothing was written";
  EXPECT_FALSE(store_->artifact(2, evaluator::pdc::kFormatMajor, evaluator::pdc::kFormatMinor)->has_value());

  // Each failure's "line N" is the line of an `expect` within the test's
  // own stored text (not of its file).
  const auto& failing = refused.error().failing_tests;
  ASSERT_FALSE(failing.empty());
  for (const store::FailingTest& t : failing) {
    auto test = store_->checkout_object(1, store::ObjectKey{dsl::ObjectKind::Test, t.name});
    ASSERT_TRUE(test.ok()) << t.name;
    for (const std::string& f : t.failures) {
      ASSERT_EQ(f.rfind("line ", 0), 0u) << f;
      const int n = std::stoi(f.substr(5));
      std::istringstream lines(test->text);
      std::string line;
      for (int i = 0; i < n && std::getline(lines, line);) ++i;
      EXPECT_NE(line.find("expect"), std::string::npos) << t.name << ": " << f << "\n" << test->text;
    }
  }

  // With an override: the same one compile, the reason recorded.
  const uint64_t before_allowed = evaluator::compile_count();
  auto allowed = store_->commit(request(1, {update(dsl::ObjectKind::Tariff, "standard", text)}),
                                commit_gating("INC-9 approved"));
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(evaluator::compile_count() - before_allowed, 1u);
  EXPECT_EQ(allowed->revision.failing_tests_allowed, "INC-9 approved");
  EXPECT_EQ(store_->revision(2)->failing_tests_allowed, "INC-9 approved");
  expect_stored_artifact_is_the_revisions(2);
}

TEST_F(CommitCompile, ADomainWithoutTestsCompilesOnceForItsArtifact) {
  std::vector<dsl::SourceFile> files{
      {"/wc/domain.pd",
       "currency RUB { numeric 643 exponent 2 }\n\n"
       "tariff standard { fees { merchant.settlement -> system.settlement : 1% of amount } }\n"}};
  const uint64_t before = evaluator::compile_count();
  ASSERT_TRUE(store::commit_sources(*store_, files, "/wc", request(0), commit_gating(std::nullopt)).ok());
  EXPECT_EQ(evaluator::compile_count() - before, 1u);
  expect_stored_artifact_is_the_revisions(1);
}

}  // namespace
}  // namespace paydomain::server
