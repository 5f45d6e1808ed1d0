// `paydomain copy`: a whole store from one backend (or place) to another —
// every revision with its number, base, author, message, time and
// idempotency key, every object version with its file and position, the
// compiled artifacts stored with the revisions, and the API tokens — then
// verified: fsck of the copy (its artifacts too, given a verifier), every
// revision's content hash and every artifact's bytes compared on both sides.
#pragma once

#include <functional>
#include <string>

#include "domain_store/store.h"

namespace paydomain::store {

struct CopyReport {
  Rev head = 0;
  int64_t revisions = 0;  // including revision 0
  int64_t tokens = 0;
  int64_t revisions_verified = 0;
  int64_t artifacts = 0;  // stored artifacts copied (and compared)
};

// Copies the store at `from` (a path or postgresql:// URL) into a new store
// at `to` (a file that does not exist, or a database without tables);
// `progress`, when set, is called after each batch with the revisions copied.
// A verification failure is Corrupt, naming the first revision that differs.
// A failure after the destination was created leaves a partial copy there.
// `verify`, when set, checks the copied artifacts in the copy's fsck.
Result<CopyReport> copy_store(const std::string& from, const std::string& to,
                              const std::function<void(Rev done, Rev head)>& progress = {},
                              const ArtifactVerifier& verify = {});

// SHA-256 over a revision's record (number, base, author, message, time,
// idempotency key) and every object live at it (key, file, position, text):
// equal on two stores exactly when the revision reads the same on both.
Result<std::string> revision_content_hash(Store& store, Rev rev);

}  // namespace paydomain::store
