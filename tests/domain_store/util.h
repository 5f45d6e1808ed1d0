// Shared fixtures of the store tests: temp dirs, a small valid domain, and
// shorthand for building commits.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "domain_store/sqlite_store.h"
#include "domain_store/store.h"

namespace paydomain::store::testing {

// A directory removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A small domain that checks: currencies, a payment system, an adapter, a
// provider, two terminals, a routing and a tariff.
extern const char* const kSampleDomain;

ObjectKey key(const std::string& kind_colon_id);
Op insert(const std::string& kind_colon_id, const std::string& text);
Op update(const std::string& kind_colon_id, const std::string& text);
Op remove(const std::string& kind_colon_id);
CommitRequest request(Rev base, std::vector<Op> ops, const std::string& message = "change");

// The one place the tests make a store: a new, empty one (revision 0) at
// `location`, a SQLite file path or a postgresql:// URL (store_factory.h).
// The Backends suites (tests/postgres/backends.h) pass each backend's
// location; SQLite-only tests pass a file path.
Result<std::unique_ptr<Store>> make_store(const std::string& location);

// Commits kSampleDomain to an empty `store` as revision 1.
void seed(Store& store);

// A store made by make_store and seeded with kSampleDomain (revision 1);
// null (and a test failure) if that failed.
std::unique_ptr<Store> seeded_store(const std::string& location);

// The setup of the SQLite-only store tests (files, working copy, diff): a
// temp dir and, in it, a SQLite store seeded with kSampleDomain at revision
// 1 (`dir.file("s.db")`). Semantics shared by every backend are tested in
// the Backends suites instead, which seed through seeded_store too.
class SeededStore : public ::testing::Test {
 protected:
  void SetUp() override {
    store = seeded_store(db());
    ASSERT_TRUE(store);
  }
  std::string db() const { return dir.file("s.db"); }

  TempDir dir;
  std::unique_ptr<Store> store;
};

// A terminal "name" of provider yellowbank, as object text.
std::string terminal_text(const std::string& name, const std::string& extra = "");

void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

}  // namespace paydomain::store::testing

// Asserts a Result is ok, printing the error otherwise.
#define ASSERT_OK(r) ASSERT_TRUE((r).ok()) << ::paydomain::store::testing::describe_error(r)
#define EXPECT_OK(r) EXPECT_TRUE((r).ok()) << ::paydomain::store::testing::describe_error(r)

namespace paydomain::store::testing {
// The error's message and every diagnostic, for failure output.
std::string describe(const Error& e);
template <class T>
std::string describe_error(const Result<T>& r) {
  return r.ok() ? std::string() : describe(r.error());
}
}  // namespace paydomain::store::testing
