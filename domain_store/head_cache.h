// The parsed objects of one revision, kept by a Store instance so a commit
// parses only the objects it changes and checks only what the change can
// affect. Backend independent; not thread-safe (the owner holds its write lock).
#pragma once

#include <map>
#include <optional>
#include <string>
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

  // Sets an object with its canonical text (nullopt removes it), remembering
  // the old state for rollback().
  void stage(const ObjectKey& key, std::optional<dsl::Object> object, std::string text);
  // The checker's findings on the staged domain, attributed to objects.
  // Checked: the staged objects, and — when an object was removed or a kind
  // others read the content of changed (dsl::content_is_referenced) — every
  // object whose text names its id. The rest checked before and cannot have
  // changed verdict, so this equals checking everything.
  std::vector<dsl::Diagnostic> check();
  // The staged (or settled) domain itself, in no particular object order.
  const dsl::Domain& domain() const { return domain_; }
  void rollback();       // undoes every stage() since the last settle()
  void settle(Rev rev);  // the staged state is now revision `rev`

 private:
  struct Entry {
    std::optional<dsl::Object> object;
    std::string text;
  };
  Entry put(const ObjectKey& key, Entry entry);
  std::vector<size_t> affected() const;

  dsl::Domain domain_;              // one placeholder file; spans point into each object's own text
  std::vector<std::string> texts_;  // canonical text of domain_.objects[i]
  std::map<ObjectKey, size_t> index_;
  std::vector<std::pair<ObjectKey, Entry>> undo_;
  std::vector<std::string> watched_ids_;  // ids whose dependents must be re-checked
  Rev rev_ = -1;
};

}  // namespace paydomain::store
