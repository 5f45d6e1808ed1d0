// Compiled artifacts stored with their revisions (docs/store.md), on both
// backends: a commit writes the artifact its builder makes in the same
// transaction, a builder or write that fails leaves the revision whole and
// without one, put_artifact replaces the same format and older minors but
// keeps a newer minor, and the bytes come back exactly. The builder here is a
// stand-in: the store's contract does not depend on what it compiles (the
// real one is tested through the server: tests/server/parts_test.cc and
// tests/postgres/artifacts_serve_test.cc).
#include "domain_store/working_copy.h"
#include "tests/postgres/backends.h"

namespace paydomain::store::testing {
namespace {

class ArtifactStore : public Backends {};

// Every byte value, so nothing on the way may treat the bytes as text.
std::string binary_bytes(Rev rev) {
  std::string out = "artifact of " + std::to_string(rev) + ":";
  for (int i = 0; i < 256; ++i) out += static_cast<char>(i);
  return out;
}

// A revision builder that runs no tests and makes its artifact with `build`
// from the revision's working-copy files (as the server's does).
TestsGating with_builder(ArtifactBuilder build) {
  TestsGating g;
  g.build = [build = std::move(build)](Rev rev, const std::vector<StoredObject>& objects) {
    return RevisionBuild{{}, build(rev, working_copy_files(objects))};
  };
  return g;
}

TEST_P(ArtifactStore, ACommitWritesItsArtifactWithTheRevision) {
  auto store = seeded();
  ASSERT_TRUE(store);
  std::vector<dsl::SourceFile> seen;
  Rev seen_rev = -1;
  auto r = store->commit(request(1, {insert("category:books", "category books { name \"Books\" }")}),
                         with_builder([&](Rev rev, const std::vector<dsl::SourceFile>& files) {
                           seen_rev = rev;
                           seen = files;
                           return StoredArtifact{rev, 1, 1, sources_hash(files), binary_bytes(rev)};
                         }));
  ASSERT_OK(r);
  EXPECT_EQ(seen_rev, 2);
  // The builder saw the revision's files exactly as a checkout gives them.
  auto objects = store->checkout(2);
  ASSERT_OK(objects);
  auto files = working_copy_files(*objects);
  ASSERT_EQ(seen.size(), files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(seen[i].path, files[i].path);
    EXPECT_EQ(seen[i].text, files[i].text);
  }
  auto a = store->artifact(2, 1, 1);
  ASSERT_OK(a);
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->rev, 2);
  EXPECT_EQ((*a)->source_hash, sources_hash(files));
  EXPECT_EQ((*a)->bytes, binary_bytes(2));
  // Another format, another revision: none.
  EXPECT_FALSE(store->artifact(2, 1, 0)->has_value());
  EXPECT_FALSE(store->artifact(1, 1, 1)->has_value());
}

TEST_P(ArtifactStore, AnArtifactThatCannotBeMadeOrWrittenNeverFailsTheCommit) {
  auto store = seeded();
  ASSERT_TRUE(store);
  // Nothing to store (the domain does not compile, say).
  ASSERT_OK(store->commit(request(1, {insert("category:books", "category books { }")}),
                          with_builder([](Rev, const std::vector<dsl::SourceFile>&) { return std::nullopt; })));
  EXPECT_FALSE(store->artifact(2, 1, 1)->has_value());
  // A write the database refuses (no such revision): the commit lands whole.
  ASSERT_OK(store->commit(request(2, {insert("category:toys", "category toys { }")}),
                          with_builder([](Rev, const std::vector<dsl::SourceFile>&) {
                            return StoredArtifact{999, 1, 1, "h", "x"};
                          })));
  EXPECT_EQ(*store->head(), 3);
  ASSERT_OK(store->checkout_object(3, key("category:toys")));
  EXPECT_FALSE(store->artifact(3, 1, 1)->has_value());
  EXPECT_FALSE(store->artifact(999, 1, 1)->has_value());
  // The next commit, after the refused write, still works (the savepoint
  // kept the transaction usable, and nothing of it stayed behind).
  ASSERT_OK(store->commit(request(3, {insert("category:food", "category food { }")}),
                          with_builder([](Rev rev, const std::vector<dsl::SourceFile>& files) {
                            return StoredArtifact{rev, 1, 1, sources_hash(files), "ok"};
                          })));
  EXPECT_EQ((*store->artifact(4, 1, 1))->bytes, "ok");
  auto fsck = store->fsck(FsckOptions{});
  ASSERT_OK(fsck);
  EXPECT_TRUE(fsck->ok());
}

TEST_P(ArtifactStore, PutReplacesTheSameFormatAndOlderMinorsButKeepsANewerMinor) {
  auto store = seeded();
  ASSERT_TRUE(store);
  ASSERT_OK(store->put_artifact(StoredArtifact{1, 1, 0, "h", "one-oh"}));
  ASSERT_OK(store->put_artifact(StoredArtifact{1, 2, 0, "h", "two-oh"}));
  ASSERT_OK(store->put_artifact(StoredArtifact{1, 1, 1, "h", "one-one"}));
  EXPECT_FALSE(store->artifact(1, 1, 0)->has_value()) << "an older minor is replaced";
  EXPECT_EQ((*store->artifact(1, 2, 0))->bytes, "two-oh") << "another major stays";
  ASSERT_OK(store->put_artifact(StoredArtifact{1, 1, 2, "h", "one-two"}));
  ASSERT_OK(store->put_artifact(StoredArtifact{1, 1, 1, "h2", "one-one again"}));
  EXPECT_EQ((*store->artifact(1, 1, 2))->bytes, "one-two") << "a newer minor stays (a newer replica reads it)";
  auto again = store->artifact(1, 1, 1);
  ASSERT_OK(again);
  EXPECT_EQ((*again)->bytes, "one-one again");
  EXPECT_EQ((*again)->source_hash, "h2");
  ASSERT_OK(store->put_artifact(StoredArtifact{1, 1, 1, "h", binary_bytes(1)}));
  EXPECT_EQ((*store->artifact(1, 1, 1))->bytes, binary_bytes(1));
}

TEST_P(ArtifactStore, PutForARevisionThatDoesNotExistIsNotFound) {
  auto store = seeded();
  ASSERT_TRUE(store);
  auto s = store->put_artifact(StoredArtifact{7, 1, 1, "h", "x"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::NotFound);
}

PAYDOMAIN_ALL_BACKENDS(ArtifactStore);

}  // namespace
}  // namespace paydomain::store::testing
