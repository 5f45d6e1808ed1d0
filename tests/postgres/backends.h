// The store's semantic tests, run against every backend: a test written as
// TEST_P(Backends, ...) runs once on a SQLite file and once on a fresh
// PostgreSQL database of the binary's throwaway cluster (cluster.h), so the
// two cannot drift.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "domain_store/store_factory.h"
#include "tests/domain_store/util.h"

namespace paydomain::store::testing {

enum class Backend { Sqlite, Postgres };

class Backends : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;

  // Where this test's store lives: a file path or a postgresql:// URL.
  const std::string& location() const { return location_; }
  // Another, unused location of the same backend (for copies).
  std::string fresh_location();
  // A location of the other backend.
  std::string other_backend_location();
  // A location where no store exists (open must say NotFound / NotAStore).
  std::string missing_location();

  // make_store / open_store at location(); null and a test failure if that
  // failed.
  std::unique_ptr<Store> init();
  std::unique_ptr<Store> open();
  // seeded_store(location()): kSampleDomain as revision 1.
  std::unique_ptr<Store> seeded();

  TempDir dir_;
  std::string location_;
  int made_ = 0;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

}  // namespace paydomain::store::testing

#define PAYDOMAIN_ALL_BACKENDS(Suite)                                                                 \
  INSTANTIATE_TEST_SUITE_P(, Suite,                                                                   \
                           ::testing::Values(::paydomain::store::testing::Backend::Sqlite,            \
                                             ::paydomain::store::testing::Backend::Postgres),         \
                           ::paydomain::store::testing::backend_name)
