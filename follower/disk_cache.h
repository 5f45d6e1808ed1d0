// The follower's cache directory: one file per revision, DIR/<rev>.pdc,
// the artifact's bytes exactly as the service served them. A file appears
// whole or not at all (written to a temporary name, fsynced, renamed, the
// directory fsynced), so a crash mid-write never leaves a torn artifact
// under a revision's name; a file that is damaged anyway is refused by the
// loader like any download. Nothing here parses artifacts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "follower/result.h"

namespace paydomain::follower {

class DiskCache {
 public:
  // Creates `dir` when missing.
  static Result<DiskCache> open(const std::filesystem::path& dir);

  std::vector<int64_t> revisions() const;  // the cached revisions, newest first
  Result<std::string> read(int64_t rev, size_t max_bytes) const;
  Status write(int64_t rev, const std::string& bytes) const;
  // Removes every cached revision not in `keep`, and stray temporaries.
  void prune(const std::set<int64_t>& keep) const;
  void remove(int64_t rev) const;

  std::filesystem::path path_of(int64_t rev) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  explicit DiskCache(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace paydomain::follower
