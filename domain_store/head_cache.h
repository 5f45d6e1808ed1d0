// The parsed objects of one revision, kept by a Store instance so a commit
// parses only the objects it changes and then runs the checker over the
// whole resulting domain. Backend independent; not thread-safe (the owner
// holds its write lock).
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "domain_store/types.h"
#include "dsl/ast.h"
#include "dsl/diagnostics.h"

namespace paydomain::store {

class HeadCache {
 public:
  HeadCache();

  Rev rev() const { return rev_; }  // -1 when nothing is loaded
  bool loaded() const { return rev_ >= 0; }
  bool contains(const ObjectKey& key) const { return index_.count(key) > 0; }
  size_t size() const { return domain_.objects.size(); }
  void clear();

  // Sets an object (nullopt removes it), remembering the old state for rollback().
  void stage(const ObjectKey& key, std::optional<dsl::Object> object);
  // The checker's findings on the staged domain, attributed to objects. Only
  // the staged objects are checked when that is equivalent to checking all
  // (inserts and updates of kinds no other object reads the content of, on
  // top of a domain that checked); removals and such kinds check everything.
  std::vector<dsl::Diagnostic> check();
  void rollback();       // undoes every stage() since the last settle()
  void settle(Rev rev);  // the staged state is now revision `rev`

 private:
  std::optional<dsl::Object> put(const ObjectKey& key, std::optional<dsl::Object> object);

  dsl::Domain domain_;  // one placeholder file; every object's spans point into its own text
  std::map<ObjectKey, size_t> index_;
  std::vector<std::pair<ObjectKey, std::optional<dsl::Object>>> undo_;
  Rev rev_ = -1;
  bool check_all_ = false;  // a staged change may affect other objects' checks
};

}  // namespace paydomain::store
