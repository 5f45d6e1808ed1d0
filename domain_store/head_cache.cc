#include "domain_store/head_cache.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "domain_store/objects.h"
#include "dsl/checker.h"

namespace paydomain::store {
namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whether `text` holds `id` as a whole identifier (a reference to it).
bool names(const std::string& text, const std::string& id) {
  for (size_t at = text.find(id); at != std::string::npos; at = text.find(id, at + 1)) {
    bool before = at == 0 || !ident_char(text[at - 1]);
    bool after = at + id.size() >= text.size() || !ident_char(text[at + id.size()]);
    if (before && after) return true;
  }
  return false;
}

}  // namespace

HeadCache::HeadCache() { clear(); }

void HeadCache::clear() {
  domain_ = dsl::Domain{};
  // The checker resolves spans to files; all objects use file 0.
  domain_.files.push_back(dsl::SourceFile{"<store>", ""});
  texts_.clear();
  index_.clear();
  undo_.clear();
  watched_ids_.clear();
  rev_ = -1;
}

HeadCache::Entry HeadCache::put(const ObjectKey& key, Entry entry) {
  Entry old;
  auto it = index_.find(key);
  if (it != index_.end()) {
    size_t i = it->second;
    if (entry.object) {
      old.object = std::exchange(domain_.objects[i], std::move(*entry.object));
      old.text = std::exchange(texts_[i], std::move(entry.text));
      return old;
    }
    old.object = std::move(domain_.objects[i]);
    old.text = std::move(texts_[i]);
    // Swap-and-pop keeps removal O(1); domain order is irrelevant to checks.
    size_t last = domain_.objects.size() - 1;
    if (i != last) {
      domain_.objects[i] = std::move(domain_.objects[last]);
      texts_[i] = std::move(texts_[last]);
      index_[key_of(domain_.objects[i])] = i;
    }
    domain_.objects.pop_back();
    texts_.pop_back();
    index_.erase(key);
    return old;
  }
  if (entry.object) {
    index_[key] = domain_.objects.size();
    domain_.objects.push_back(std::move(*entry.object));
    texts_.push_back(std::move(entry.text));
  }
  return old;
}

void HeadCache::stage(const ObjectKey& key, std::optional<dsl::Object> object, std::string text) {
  bool existed = contains(key);
  if (existed && (!object || dsl::content_is_referenced(key.kind))) watched_ids_.push_back(key.id);
  undo_.emplace_back(key, put(key, Entry{std::move(object), std::move(text)}));
}

std::vector<size_t> HeadCache::affected() const {
  std::vector<size_t> out;
  for (const auto& [key, old] : undo_) {
    if (auto it = index_.find(key); it != index_.end()) out.push_back(it->second);
  }
  if (!watched_ids_.empty()) {
    // One pass over the texts whatever the number of watched ids: each
    // whole identifier is looked up in a hash set (searching every text for
    // every id made a commit removing K objects cost K x the domain). Up to
    // kDirect ids are searched for directly instead: string::find beats
    // splitting every text into words when there are only a few.
    constexpr size_t kDirect = 4;
    std::unordered_set<std::string_view> words;
    std::vector<const std::string*> others;  // searched for directly: few ids, or not one identifier (test titles)
    for (const auto& id : watched_ids_) {
      bool word = watched_ids_.size() > kDirect && !id.empty() && std::all_of(id.begin(), id.end(), ident_char);
      if (word) {
        words.insert(id);
      } else {
        others.push_back(&id);
      }
    }
    for (size_t i = 0; i < texts_.size(); ++i) {
      const std::string& text = texts_[i];
      bool hit = false;
      for (size_t at = 0; at < text.size() && !hit && !words.empty();) {
        if (!ident_char(text[at])) {
          ++at;
          continue;
        }
        size_t end = at;
        while (end < text.size() && ident_char(text[end])) ++end;
        hit = words.count(std::string_view(text).substr(at, end - at)) > 0;
        at = end;
      }
      for (size_t k = 0; k < others.size() && !hit; ++k) hit = names(text, *others[k]);
      if (hit) out.push_back(i);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<dsl::Diagnostic> HeadCache::check() {
  dsl::Diagnostics diags;
  dsl::check_objects(domain_, affected(), diags);
  auto items = std::move(diags.items());
  attribute_to_objects(items);
  return items;
}

void HeadCache::rollback() {
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) put(it->first, std::move(it->second));
  undo_.clear();
  watched_ids_.clear();
}

void HeadCache::settle(Rev rev) {
  undo_.clear();
  watched_ids_.clear();
  rev_ = rev;
}

}  // namespace paydomain::store
