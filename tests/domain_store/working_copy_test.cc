// Committing working copies and checking them out in the analyst's layout.
#include <filesystem>

#include "domain_store/working_copy.h"
#include "dsl/formatter.h"
#include "dsl/parser.h"
#include "tests/dsl/messy_domain.h"
#include "tests/domain_store/util.h"

namespace paydomain::store::testing {
namespace {

using SeededWorkingCopy = SeededStore;
namespace fs = std::filesystem;

std::vector<dsl::SourceFile> read_dir(const std::string& dir) {
  dsl::Diagnostics diags;
  auto files = dsl::read_sources({dir}, diags);
  EXPECT_FALSE(diags.has_errors());
  return files;
}

TEST(WorkingCopy, CheckoutWritesTheFileLayoutAndCommitsBackAsNothing) {
  TempDir dir;
  auto store = make_store(dir.file("s.db"));
  ASSERT_OK(store);
  fs::create_directories(dir.file("wc/sub"));
  write_file(dir.file("wc/reference.pd"), "currency RUB { numeric 643 exponent 2 }\n# money\ncurrency USD { numeric 840 exponent 2 }\n");
  write_file(dir.file("wc/sub/routes.pd"),
             "adapter ad { url \"https://a\" }\nprovider pr { adapter ad }\nterminal t1 { provider pr }\n");
  auto r1 = commit_sources(**store, read_dir(dir.file("wc")), dir.file("wc"), request(0, {}, "seed"));
  ASSERT_OK(r1);
  EXPECT_EQ(r1->revision.op_count, 5);

  auto objects = (*store)->checkout(1);
  ASSERT_OK(objects);
  ASSERT_OK(write_working_copy(*objects, dir.file("out")));
  EXPECT_TRUE(fs::exists(dir.file("out/reference.pd")));
  EXPECT_TRUE(fs::exists(dir.file("out/sub/routes.pd")));
  std::string ref = read_file(dir.file("out/reference.pd"));
  EXPECT_LT(ref.find("currency RUB"), ref.find("# money"));
  EXPECT_LT(ref.find("# money"), ref.find("currency USD"));

  // The checkout is the revision: committing it back changes nothing.
  auto again = commit_sources(**store, read_dir(dir.file("out")), dir.file("out"), request(1, {}, "same"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::EmptyCommit);
  // Refuses to overwrite a working copy.
  EXPECT_FALSE(write_working_copy(*objects, dir.file("out")).ok());
}

TEST_F(SeededWorkingCopy, EditedFilesBecomeInsertUpdateRemove) {
  ASSERT_OK(write_working_copy(*store->checkout(1), dir.file("wc")));
  std::string text = read_file(dir.file("wc/domain.pd"));
  // Edit: disable yb_fast's routing use, remove category, add a terminal.
  size_t cat = text.find("category retail");
  text.erase(cat, text.find('\n', cat) - cat);
  text += "\nterminal extra { provider yellowbank }\n";
  size_t pct = text.find("2.5%");
  text.replace(pct, 4, "3%");
  write_file(dir.file("wc/domain.pd"), text);
  auto ops = ops_from_sources(*store, read_dir(dir.file("wc")), dir.file("wc"), 1);
  ASSERT_OK(ops);
  ASSERT_EQ(ops->size(), 3u);
  std::map<ObjectKey, OpType> by_key;
  for (const auto& op : *ops) by_key[op.key] = op.type;
  EXPECT_EQ(by_key[key("tariff:standard")], OpType::Update);
  EXPECT_EQ(by_key[key("terminal:extra")], OpType::Insert);
  EXPECT_EQ(by_key[key("category:retail")], OpType::Remove);
  auto r = commit_sources(*store, read_dir(dir.file("wc")), dir.file("wc"), request(1, {}, "edit"));
  ASSERT_OK(r);
  EXPECT_EQ(store->checkout_object(2, key("terminal:extra"))->path, "domain.pd");
}

// The recorded base is a file the .pd loader never reads; committing
// against it (not head) turns a stale edit into a conflict or a rebase.
TEST_F(SeededWorkingCopy, TheRecordedBaseMakesAStaleEditAConflictOrARebase) {
  auto none = read_working_copy_base(dir.file("wc"));
  ASSERT_OK(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_OK(write_working_copy(*store->checkout(1), dir.file("wc")));
  ASSERT_OK(write_working_copy_base(dir.file("wc"), 1));
  auto base = read_working_copy_base(dir.file("wc"));
  ASSERT_OK(base);
  ASSERT_EQ(*base, std::optional<Rev>(1));
  EXPECT_EQ(read_dir(dir.file("wc")).size(), 1u) << "only domain.pd is a source";

  // Revision 2 changes terminal yb_3ds after the checkout.
  ASSERT_OK(store->commit(request(1, {update("terminal:yb_3ds", terminal_text("yb_3ds", "disabled "))})));
  std::string text = read_file(dir.file("wc/domain.pd"));
  const std::string original = text;
  // The same object edited in the stale copy: a conflict, revision 2 kept.
  size_t at = text.find("terminal yb_3ds");
  text.insert(text.find('}', at), " description \"mine\" ");
  write_file(dir.file("wc/domain.pd"), text);
  auto same = commit_sources(*store, read_dir(dir.file("wc")), dir.file("wc"), request(**base, {}, "same"));
  ASSERT_FALSE(same.ok());
  ASSERT_EQ(same.error().code, ErrorCode::Conflict);
  ASSERT_EQ(same.error().conflicts.size(), 1u);
  EXPECT_EQ(same.error().conflicts[0].key, key("terminal:yb_3ds"));
  EXPECT_EQ(same.error().conflicts[0].revisions, std::vector<Rev>{2});
  // Another object edited in the stale copy: rebased, both changes kept.
  text = original;
  text.replace(text.find("2.5%"), 4, "3%");
  write_file(dir.file("wc/domain.pd"), text);
  auto other = commit_sources(*store, read_dir(dir.file("wc")), dir.file("wc"), request(**base, {}, "other"));
  ASSERT_OK(other);
  EXPECT_TRUE(other->rebased);
  EXPECT_NE(store->checkout_object(3, key("terminal:yb_3ds"))->text.find("disabled"), std::string::npos);
  EXPECT_NE(store->checkout_object(3, key("tariff:standard"))->text.find("3%"), std::string::npos);

  write_file(dir.file("wc/.paydomain/base"), "12abc\n");
  auto bad = read_working_copy_base(dir.file("wc"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
}

// format_objects (linear) gives exactly dsl::format_object (a scan of the
// domain per object) for every object: messy spacing, own-line and
// trailing comments, several files; the domain is left as it was.
TEST(WorkingCopy, FormatObjectsEqualsFormatObjectOnMessyFiles) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    dsl::testing::MessyDomain gen(seed);
    std::vector<dsl::SourceFile> files;
    for (int f = 0; f < 3; ++f) files.push_back({"f" + std::to_string(f) + ".pd", gen.generate(3)});
    dsl::Diagnostics diags;
    dsl::Domain domain = dsl::parse(files, diags);
    ASSERT_FALSE(diags.has_errors()) << "seed " << seed;
    ASSERT_GT(domain.objects.size(), 20u);
    const size_t comments = domain.comments.size();
    std::vector<std::string> fast = format_objects(domain);
    ASSERT_EQ(fast.size(), domain.objects.size());
    EXPECT_EQ(domain.files.size(), 3u);
    EXPECT_EQ(domain.comments.size(), comments);
    for (size_t i = 0; i < domain.objects.size(); ++i) {
      EXPECT_EQ(fast[i], dsl::format_object(domain, domain.objects[i])) << "seed " << seed << ", object " << i;
    }
  }
}

TEST_F(SeededWorkingCopy, AnInvalidWorkingCopyReportsDiagnosticsInItsFiles) {
  fs::create_directories(dir.file("wc"));
  write_file(dir.file("wc/a.pd"), "terminal t { provider missing }\n");
  auto r = commit_sources(*store, read_dir(dir.file("wc")), dir.file("wc"), request(1, {}, "bad"));
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.error().code, ErrorCode::Invalid);
  EXPECT_EQ(r.error().diagnostics.at(0).file, dir.file("wc/a.pd"));
  EXPECT_EQ(r.error().diagnostics.at(0).object, "terminal t");
  EXPECT_EQ(*store->head(), 1);
}

TEST(WorkingCopy, UnsafeStoredPathsStayInsideTheCheckout) {
  std::vector<StoredObject> objects(1);
  objects[0].key = key("category:c");
  objects[0].text = "category c {}\n";
  objects[0].path = "../../etc/evil.pd";
  auto files = working_copy_files(objects);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "category.pd");
}

}  // namespace
}  // namespace paydomain::store::testing
