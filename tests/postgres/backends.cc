#include "tests/postgres/backends.h"

#include "tests/postgres/cluster.h"

namespace paydomain::store::testing {

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

namespace {

std::string new_location(Backend b, const TempDir& dir, int& made) {
  if (b == Backend::Sqlite) return dir.file("s" + std::to_string(made++) + ".db");
  std::string why;
  auto* cluster = paydomain::testing::PgCluster::shared(&why);
  if (!cluster) {
    ADD_FAILURE() << "no PostgreSQL for the tests: " << why;
    return "";
  }
  return cluster->create_database();
}

}  // namespace

void Backends::SetUp() {
  location_ = new_location(GetParam(), dir_, made_);
  ASSERT_FALSE(location_.empty());
}

std::string Backends::fresh_location() { return new_location(GetParam(), dir_, made_); }

std::string Backends::other_backend_location() {
  return new_location(GetParam() == Backend::Sqlite ? Backend::Postgres : Backend::Sqlite, dir_, made_);
}

std::string Backends::missing_location() {
  if (GetParam() == Backend::Sqlite) return dir_.file("none.db");
  return paydomain::testing::PgCluster::shared()->url("no_such_database");
}

std::unique_ptr<Store> Backends::init() {
  auto s = make_store(location_);
  EXPECT_TRUE(s.ok()) << describe_error(s);
  return s.ok() ? std::move(*s) : nullptr;
}

std::unique_ptr<Store> Backends::open() {
  auto s = open_store(location_);
  EXPECT_TRUE(s.ok()) << describe_error(s);
  return s.ok() ? std::move(*s) : nullptr;
}

std::unique_ptr<Store> Backends::seeded() { return seeded_store(location_); }

}  // namespace paydomain::store::testing
