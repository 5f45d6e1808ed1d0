#include "domain_store/replay.h"

#include "domain_store/head_cache.h"
#include "domain_store/objects.h"

namespace paydomain::store {
namespace {

// Applies changed objects to the cache; false (with a problem) on bad text.
bool stage(HeadCache& cache, const ObjectKey& key, const std::optional<StoredObject>& after, Rev rev,
           FsckReport& report) {
  if (!after) {
    cache.stage(key, std::nullopt, "");
    return true;
  }
  auto parsed = parse_object_text(key, after->text);
  if (!parsed) {
    report.problems.push_back("revision " + std::to_string(rev) + ": the text of " + key.display() + " does not parse");
    return false;
  }
  if (parsed->canonical != after->text) {
    report.problems.push_back("revision " + std::to_string(rev) + ": the text of " + key.display() + " is not canonical");
  }
  cache.stage(key, std::move(parsed->object), after->text);
  return true;
}

bool check(HeadCache& cache, Rev rev, FsckReport& report) {
  for (const auto& d : cache.check()) {
    if (d.severity != dsl::Severity::Error) continue;
    report.problems.push_back("revision " + std::to_string(rev) + ": the domain does not check: " + d.object +
                              ": " + d.message);
    return false;
  }
  return true;
}

}  // namespace

void check_revision_domains(Store& store, Rev head, bool every, FsckReport& report) {
  HeadCache cache;
  if (!every) {
    auto objects = store.checkout(head);
    if (!objects) {
      report.problems.push_back("cannot read revision " + std::to_string(head) + ": " + objects.error().message);
      return;
    }
    for (const auto& o : *objects) stage(cache, o.key, o, head, report);
    check(cache, head, report);
    report.revisions_checked = 1;
    return;
  }
  for (Rev rev = 1; rev <= head; ++rev) {
    auto changes = store.changes(rev - 1, rev);
    if (!changes) {
      report.problems.push_back("cannot read revision " + std::to_string(rev) + ": " + changes.error().message);
      return;
    }
    for (const auto& c : *changes) {
      if (!stage(cache, c.key, c.after, rev, report)) return;
    }
    cache.settle(rev);
    ++report.revisions_checked;
    // Stop at the first broken revision: later ones would repeat its errors.
    if (!check(cache, rev, report)) return;
  }
}

}  // namespace paydomain::store
