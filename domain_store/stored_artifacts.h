// The compiled artifacts stored with the revisions (docs/store.md, "Compiled
// artifacts"), as fsck and copy treat them, through the Store interface only,
// so every backend shares it.
#pragma once

#include "domain_store/store.h"

namespace paydomain::store {

// With options.verify_artifact: verifies every stored artifact against its
// revision's files as checked out now. A refused one is a problem naming the
// revision, the format and why; with options.repair it is built again and
// replaced (listed in report.repaired instead), when the build gives the
// same major and a minor not older than the damaged one's.
void check_stored_artifacts(Store& store, const FsckOptions& options, FsckReport& report);

// Copies every stored artifact of `from` into `to` (which holds the same
// revisions), each format of a revision kept, then compares them: Corrupt
// naming the first that differs. Returns how many were copied.
Result<int64_t> copy_stored_artifacts(Store& from, Store& to);

}  // namespace paydomain::store
