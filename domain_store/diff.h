// Diffs between revisions: which objects were added, removed or changed,
// and within a changed object which parts changed, named in the language's
// terms ("fees/when 1/posting 1: 1% -> 1.2%"); optionally a unified text diff.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain_store/store.h"

namespace paydomain::store {

struct PartChange {
  std::string path;                   // "fees/when 1/posting 1", "rule 2", "name"
  std::optional<std::string> before;  // absent: the part was added
  std::optional<std::string> after;   // absent: the part was removed
  // An inherited part (dsl/inheritance.h): the tariff it is written in
  // ("standard"); empty for the object's own parts.
  std::string from;
  std::string brief() const;          // "1% -> 1.2%": only the words that differ
};

struct ObjectDiff {
  // Inherited: the object's own text is the same, but parts it inherits
  // from a tariff the diff changes are different (a tariff extending it).
  enum class Change { Added, Removed, Changed, Inherited };
  ObjectKey key;
  Change change = Change::Changed;
  std::optional<StoredObject> before, after;  // absent for Inherited
  // Changed: its own parts (empty when only comments/layout differ), then
  // the inherited ones that differ (`from` set); Inherited: only those.
  std::vector<PartChange> parts;
  std::string unified;            // when DiffOptions::text
};
std::string_view to_string(ObjectDiff::Change change);

struct RevisionDiff {
  Rev from = 0, to = 0;
  std::vector<ObjectDiff> objects;  // sorted by key
};

struct DiffOptions {
  bool parts = true;  // compute in-object part changes
  bool text = false;  // compute unified text diffs
  int context = 3;
};

Result<RevisionDiff> diff_revisions(Store& store, Rev from, Rev to, const DiffOptions& options = {});

// The parts that differ between two texts of the same object (both must parse).
std::vector<PartChange> diff_object_parts(const ObjectKey& key, const std::string& before, const std::string& after);

// One line per change, e.g. "~ tariff standard: fees/when 1/posting 1: 1% -> 1.2%";
// an inherited part ends "(inherited from tariff standard)".
std::string describe(const RevisionDiff& diff);

}  // namespace paydomain::store
