// `copy` between backends: the whole history verbatim, verified.
#include "domain_store/copy.h"
#include "domain_store/records.h"
#include "domain_store/token_store.h"
#include "tests/postgres/backends.h"

namespace paydomain::store::testing {
namespace {

class Copy : public Backends {};

// A history with rebases, removals, idempotency keys, explicit times, and
// tokens (one revoked).
void make_history(Store& store, TokenStore& tokens) {
  seed(store);
  CommitRequest a = request(1, {insert("terminal:a", terminal_text("a"))}, "add a");
  a.idempotency_key = "key-a";
  a.time_ms = 1700000000123;
  ASSERT_OK(store.commit(a));
  // On an old base: rebased (base 1, revision 3).
  ASSERT_OK(store.commit(request(1, {insert("terminal:b", terminal_text("b"))}, "add b")));
  ASSERT_OK(store.commit(request(3, {update("terminal:a", terminal_text("a", "disabled ")), remove("terminal:b")}, "kill a, drop b")));
  ASSERT_OK(tokens.create("reader", "core"));
  auto editor = tokens.create("editor", "anna");
  ASSERT_OK(editor);
  ASSERT_OK(tokens.revoke(editor->info.id));
}

// The same revisions, read through the Store interface of both.
void expect_same(Store& x, Store& y) {
  auto hx = x.head(), hy = y.head();
  ASSERT_OK(hx);
  ASSERT_OK(hy);
  ASSERT_EQ(*hx, *hy);
  for (Rev r = 0; r <= *hx; ++r) {
    auto a = x.revision(r), b = y.revision(r);
    ASSERT_OK(a);
    ASSERT_OK(b);
    EXPECT_EQ(a->base, b->base);
    EXPECT_EQ(a->author, b->author);
    EXPECT_EQ(a->message, b->message);
    EXPECT_EQ(a->time_ms, b->time_ms) << "revision " << r;
    EXPECT_EQ(a->idempotency_key, b->idempotency_key);
    EXPECT_EQ(*revision_content_hash(x, r), *revision_content_hash(y, r)) << "revision " << r;
  }
}

// SQLite -> PostgreSQL -> SQLite (and PostgreSQL -> SQLite -> PostgreSQL).
TEST_P(Copy, RoundTripThroughTheOtherBackendGivesIdenticalRevisions) {
  auto store = init();
  ASSERT_TRUE(store);
  auto tokens = open_token_store(location());
  ASSERT_OK(tokens);
  make_history(*store, **tokens);
  auto issued = (*tokens)->create("admin", "root");
  ASSERT_OK(issued);

  std::string there = other_backend_location(), back = fresh_location();
  auto first = copy_store(location(), there);
  ASSERT_OK(first);
  EXPECT_EQ(first->head, 4);
  EXPECT_EQ(first->revisions, 5);
  EXPECT_EQ(first->tokens, 3);
  EXPECT_EQ(first->revisions_verified, 5);
  auto second = copy_store(there, back);
  ASSERT_OK(second);

  auto copy = open_store(back);
  ASSERT_OK(copy);
  expect_same(*store, **copy);
  // Tokens verbatim: the secret issued on the original works on the copy;
  // the revoked one stays revoked; new ids continue after the copied ones.
  auto copied_tokens = open_token_store(back);
  ASSERT_OK(copied_tokens);
  auto who = (*copied_tokens)->lookup(issued->token);
  ASSERT_OK(who);
  EXPECT_EQ(who->name, "root");
  auto list = (*copied_tokens)->list();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_TRUE((*list)[1].revoked_ms.has_value());
  auto next = (*copied_tokens)->create("reader", "later");
  ASSERT_OK(next);
  EXPECT_EQ(next->info.id, 4);

  // The copy behaves as the original: an idempotent retry is recognised,
  // and a commit on an old base conflicts the same way.
  CommitRequest a = request(1, {insert("terminal:a", terminal_text("a"))}, "add a");
  a.idempotency_key = "key-a";
  auto retry = (*copy)->commit(a);
  ASSERT_OK(retry);
  EXPECT_TRUE(retry->replayed);
  EXPECT_EQ(retry->revision.rev, 2);
  auto late = (*copy)->commit(request(2, {update("terminal:a", terminal_text("a", "description \"x\" "))}));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::Conflict);
  ASSERT_OK((*copy)->commit(request(4, {insert("terminal:c", terminal_text("c"))})));
  auto report = (*copy)->fsck(FsckOptions{});
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok()) << report->problems[0];
}

TEST_P(Copy, RefusesADestinationThatHoldsAStore) {
  auto store = seeded();
  ASSERT_TRUE(store);
  std::string there = other_backend_location();
  ASSERT_OK(init_store(there));
  auto copied = copy_store(location(), there);
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(copy_store(location(), location()).error().code, ErrorCode::InvalidArgument);
}

// Verification is real: a copy whose content differs is refused.
TEST_P(Copy, ContentHashTellsRevisionsApart) {
  auto store = seeded();
  ASSERT_TRUE(store);
  auto other = init_store(other_backend_location());
  ASSERT_OK(other);
  seed(**other);
  // Same objects, different times and content after revision 1.
  ASSERT_OK(store->commit(request(1, {insert("terminal:x", terminal_text("x"))})));
  ASSERT_OK((*other)->commit(request(1, {insert("terminal:x", terminal_text("x", "disabled "))})));
  EXPECT_NE(*revision_content_hash(*store, 2), *revision_content_hash(**other, 2));
}

// `backup` of any store is a consistent SQLite copy.
TEST_P(Copy, BackupWritesASqliteFile) {
  auto store = seeded();
  ASSERT_TRUE(store);
  ASSERT_OK(store->commit(request(1, {insert("terminal:x", terminal_text("x"))})));
  std::string file = dir_.file("backup.db");
  ASSERT_OK(store->backup(file));
  auto copy = open_sqlite_store(file);
  ASSERT_OK(copy);
  expect_same(*store, **copy);
  EXPECT_FALSE(store->backup(file).ok()) << "never over an existing file";
}

}  // namespace

PAYDOMAIN_ALL_BACKENDS(Copy);

}  // namespace paydomain::store::testing
