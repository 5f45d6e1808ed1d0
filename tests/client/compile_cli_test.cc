// `paydomain compile` end to end: a directory and a store revision into an
// artifact the client loads, with the revision and source hash in it.
#include <gtest/gtest.h>

#include "client/client.h"
#include "tests/support/cli_fixture.h"

namespace paydomain {
namespace {

using paydomain::testing::CliTest;

const std::string kAcme = std::string(PAYDOMAIN_SOURCE_DIR) + "/examples/acme";

class CompileCli : public CliTest {};

TEST_F(CompileCli, ADirectoryAndAStoreRevisionBecomeLoadableArtifacts) {
  auto out = dir_ / "acme.pdc";
  auto r = run("compile " + kAcme + " -o " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("compiled revision 0 ("), std::string::npos) << r.out;
  auto a = client::Artifact::load_file(out.string());
  ASSERT_TRUE(a.ok()) << a.error().text();
  EXPECT_EQ((*a)->revision(), 0u);
  EXPECT_EQ((*a)->source_hash().size(), 64u);
  EXPECT_GE((*a)->object(client::ObjectKind::Tariff, "standard"), 0);

  auto db = (dir_ / "s.db").string();
  auto c = run("init --db " + db + " --from " + kAcme + " -m import --author ops");
  ASSERT_EQ(c.code, 0) << c.err;
  auto out2 = dir_ / "head.pdc";
  r = run("compile --db " + db + " -o " + out2.string());
  ASSERT_EQ(r.code, 0) << r.err;
  auto b = client::Artifact::load_file(out2.string());
  ASSERT_TRUE(b.ok()) << b.error().text();
  EXPECT_EQ((*b)->revision(), 1u);
  r = run("compile --db " + db + " --rev 1 -o " + out2.string());
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("compile --db " + db + " --rev 99 -o " + out2.string());
  EXPECT_EQ(r.code, 1);
  r = run("compile --db " + db + " --rev x -o " + out2.string());
  EXPECT_EQ(r.code, 2);
  r = run("compile /nonexistent -o " + out2.string());
  EXPECT_EQ(r.code, 2);
}

}  // namespace
}  // namespace paydomain
