#include "domain_store/stored_artifacts.h"

#include "domain_store/working_copy.h"

namespace paydomain::store {
namespace {

std::string describe(const ArtifactKey& k) {
  return "the stored artifact of revision " + std::to_string(k.rev) + " (format " + std::to_string(k.format_major) +
         "." + std::to_string(k.format_minor) + ")";
}

}  // namespace

void check_stored_artifacts(Store& store, const FsckOptions& options, FsckReport& report) {
  if (!options.verify_artifact) return;
  auto keys = store.artifact_keys();
  if (!keys) {
    report.problems.push_back("stored artifacts: " + keys.error().message);
    return;
  }
  Rev files_rev = -1;  // the revision `files` and `hash` belong to (keys come by revision)
  std::vector<dsl::SourceFile> files;
  std::string hash;
  for (const ArtifactKey& k : *keys) {
    if (k.format_major != options.verify_artifact.format_major) {
      ++report.artifacts_other_format;
      continue;
    }
    auto a = store.artifact(k.rev, k.format_major, k.format_minor);
    if (!a || !*a) {
      report.problems.push_back(describe(k) + " cannot be read: " + (a ? "it is gone" : a.error().message));
      continue;
    }
    if (files_rev != k.rev) {
      auto objects = store.checkout(k.rev);
      if (!objects) {
        report.problems.push_back(describe(k) + ": its revision cannot be checked out: " + objects.error().message);
        continue;
      }
      files = working_copy_files(*objects);
      hash = sources_hash(files);
      files_rev = k.rev;
    }
    ++report.artifacts_checked;
    const std::string why = options.verify_artifact(**a, hash);
    if (why.empty()) continue;
    if (options.repair) {
      std::optional<StoredArtifact> built = options.repair(k.rev, files);
      if (built && built->format_major == k.format_major && built->format_minor >= k.format_minor) {
        if (Status s = store.put_artifact(*built); s && options.verify_artifact(*built, hash).empty()) {
          report.repaired.push_back(describe(k) + " was refused (" + why + "): compiled again and replaced");
          continue;
        }
      }
    }
    report.problems.push_back(describe(k) + " is refused: " + why);
  }
}

Result<int64_t> copy_stored_artifacts(Store& from, Store& to) {
  auto keys = from.artifact_keys();
  if (!keys) return keys.take_error();
  // Newest format first: storing one replaces its major's older minors, so
  // the other order would drop a revision's older format that the source keeps.
  for (auto k = keys->rbegin(); k != keys->rend(); ++k) {
    auto a = from.artifact(k->rev, k->format_major, k->format_minor);
    if (!a) return a.take_error();
    if (!*a) continue;  // replaced meanwhile
    if (Status s = to.put_artifact(**a); !s) return s.take_error();
  }
  auto copied = to.artifact_keys();
  if (!copied) return copied.take_error();
  for (size_t i = 0; i < keys->size(); ++i) {
    const ArtifactKey& k = (*keys)[i];
    bool same = i < copied->size() && (*copied)[i].rev == k.rev && (*copied)[i].format_major == k.format_major &&
                (*copied)[i].format_minor == k.format_minor && (*copied)[i].source_hash == k.source_hash;
    if (same) {
      auto a = from.artifact(k.rev, k.format_major, k.format_minor);
      auto b = to.artifact(k.rev, k.format_major, k.format_minor);
      if (!a) return a.take_error();
      if (!b) return b.take_error();
      same = *a && *b && (**a).bytes == (**b).bytes;
    }
    if (!same) return make_error(ErrorCode::Corrupt, describe(k) + " differs in the copy");
  }
  if (copied->size() != keys->size()) return make_error(ErrorCode::Corrupt, "the copy holds other stored artifacts");
  return static_cast<int64_t>(keys->size());
}

}  // namespace paydomain::store
