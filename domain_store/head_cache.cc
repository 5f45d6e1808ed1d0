#include "domain_store/head_cache.h"

#include "domain_store/objects.h"
#include "dsl/checker.h"

namespace paydomain::store {

HeadCache::HeadCache() { clear(); }

void HeadCache::clear() {
  domain_ = dsl::Domain{};
  // The checker resolves spans to files; all objects use file 0.
  domain_.files.push_back(dsl::SourceFile{"<store>", ""});
  index_.clear();
  undo_.clear();
  check_all_ = false;
  rev_ = -1;
}

std::optional<dsl::Object> HeadCache::put(const ObjectKey& key, std::optional<dsl::Object> object) {
  std::optional<dsl::Object> old;
  auto it = index_.find(key);
  if (it != index_.end()) {
    size_t i = it->second;
    if (object) {
      old = std::exchange(domain_.objects[i], std::move(*object));
      return old;
    }
    old = std::move(domain_.objects[i]);
    // Swap-and-pop keeps removal O(1); domain order is irrelevant to checks.
    size_t last = domain_.objects.size() - 1;
    if (i != last) {
      domain_.objects[i] = std::move(domain_.objects[last]);
      index_[key_of(domain_.objects[i])] = i;
    }
    domain_.objects.pop_back();
    index_.erase(key);
    return old;
  }
  if (object) {
    index_[key] = domain_.objects.size();
    domain_.objects.push_back(std::move(*object));
  }
  return old;
}

void HeadCache::stage(const ObjectKey& key, std::optional<dsl::Object> object) {
  if (!object || dsl::content_is_referenced(key.kind)) check_all_ = true;
  undo_.emplace_back(key, put(key, std::move(object)));
}

std::vector<dsl::Diagnostic> HeadCache::check() {
  dsl::Diagnostics diags;
  if (check_all_) {
    dsl::check(domain_, diags);
  } else {
    std::vector<size_t> staged;
    for (const auto& [key, old] : undo_) {
      if (auto it = index_.find(key); it != index_.end()) staged.push_back(it->second);
    }
    dsl::check_objects(domain_, staged, diags);
  }
  auto items = std::move(diags.items());
  attribute_to_objects(items);
  return items;
}

void HeadCache::rollback() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) put(it->first, std::move(it->second));
  undo_.clear();
  check_all_ = false;
}

void HeadCache::settle(Rev rev) {
  undo_.clear();
  check_all_ = false;
  rev_ = rev;
}

}  // namespace paydomain::store
