// Raw access to a store's rows, below the Store interface, for `copy`:
// revisions exactly as recorded (numbers, bases, authors, times,
// idempotency keys and their request hashes), each with the operations it
// made and the object versions it wrote, and the API tokens (hashes only).
// Appending skips every check a commit makes: only copy uses it, and copy
// verifies the result (fsck, a content hash of every revision).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain_store/result.h"
#include "domain_store/token_store.h"
#include "domain_store/types.h"

namespace paydomain::store {

struct RecordedOp {
  OpType type = OpType::Update;
  ObjectKey key;
  std::string path;  // the version it wrote (insert/update)
  int64_t ordinal = 0;
  std::string text;
};

struct RevisionRecord {
  RevisionInfo info;
  std::optional<std::string> request_hash;
  std::vector<RecordedOp> ops;  // in the revision's order
};

struct TokenRecord {
  TokenInfo info;
  std::string token_hash;
};

class RecordAccess {
 public:
  virtual ~RecordAccess() = default;
  virtual Result<Rev> head() = 0;
  // Revisions first..last (inclusive), oldest first.
  virtual Result<std::vector<RevisionRecord>> read(Rev first, Rev last) = 0;
  // Appends in one transaction; each record must be head+1, except that a
  // record of revision 0 replaces the empty revision's row (its time).
  virtual Status append(const std::vector<RevisionRecord>& records) = 0;
  virtual Result<std::vector<TokenRecord>> tokens() = 0;
  // Adds tokens with their ids (the table must hold none of those ids).
  virtual Status put_tokens(const std::vector<TokenRecord>& tokens) = 0;
};

// The store must exist (open_store first: it migrates and refuses foreign files).
Result<std::unique_ptr<RecordAccess>> open_sqlite_records(const std::string& path);
Result<std::unique_ptr<RecordAccess>> open_postgres_records(const std::string& url);
Result<std::unique_ptr<RecordAccess>> open_records(const std::string& url_or_path);

}  // namespace paydomain::store
