// Interning: every name a context or a condition can mention becomes a small
// integer at compile time (object ids per kind, enum values, and the party /
// shop strings that conditions compare with), so evaluation compares ints.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"
#include "evaluator/context.h"

namespace paydomain::evaluator {

class Vocab {
 public:
  explicit Vocab(const dsl::Domain& domain);

  // Objects of one kind, indexed in domain order.
  int32_t object(dsl::ObjectKind kind, std::string_view id) const;  // -1 if none
  const std::string& object_name(dsl::ObjectKind kind, int32_t index) const;
  int32_t object_count(dsl::ObjectKind kind) const;

  // Categorical attributes: ids 0..size-1. An Enum attribute's ids are the
  // indices of its dsl::kAttributes values (so dsl::enum_value names them);
  // a Reference attribute's are object indices. Text attributes (party, shop)
  // end with one extra id, "other", for every string no condition mentions.
  int32_t size(Attr a) const;
  bool has_other(Attr a) const;
  // The id of a value; -1 when unknown (for text: the "other" id).
  int32_t find(Attr a, std::string_view value) const;
  std::string_view name(Attr a, int32_t id) const;  // "(other)" for the other id

  // Names -> ids: an open-addressing index over `names` (evaluator/name_hash.h;
  // the context reader does about a dozen lookups per payment). Public for
  // the artifact writer (evaluator/artifact.cc), which stores them as built.
  struct Table {
    std::vector<std::string> names;
    std::vector<int32_t> slots;  // index into names, or -1
    int32_t add(const std::string& s);
    int32_t find(std::string_view s) const;  // -1 when unknown
  };
  const Table& object_table(dsl::ObjectKind kind) const { return objects_[static_cast<size_t>(kind)]; }
  const Table& attr_table(Attr a) const { return attrs_[idx(a)]; }

 private:
  const Table& table(Attr a) const;
  std::array<Table, dsl::kObjectKindCount> objects_;
  std::array<Table, kAttrCount> attrs_;  // Enum and Text attributes
};

// The reference kind behind a Reference attribute (Currency -> currency).
bool reference_kind(Attr a, dsl::ObjectKind& kind);

}  // namespace paydomain::evaluator
