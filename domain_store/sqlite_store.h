// The embedded SQLite backend. No SQLite types leak out of this header.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "domain_store/store.h"

namespace paydomain::store {

struct SqliteOptions {
  int busy_timeout_ms = 5000;   // per attempt, waiting for another writer
  int commit_attempts = 20;     // BEGIN IMMEDIATE retries after a busy timeout
  int max_readers = 8;          // pooled read connections
};

// Creates a new store at `path` (refuses an existing non-empty file) at
// revision 0 and opens it.
Result<std::unique_ptr<Store>> init_sqlite_store(const std::string& path, const SqliteOptions& options = {});
// Opens an existing store, applying pending schema migrations. A foreign or
// corrupted file is NotAStore/Corrupt; a newer schema is SchemaTooNew.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const SqliteOptions& options = {});

// Calls `on_change`, on a thread of the watch, soon after a commit to the
// store at `path` by any process using this library (each commit touches the
// database file once it is visible) and on other writes to the file. Calls
// may be spurious or coalesced: re-read head() on each. Io where the
// platform has no file notification (non-Linux): poll instead.
Result<std::unique_ptr<StoreWatch>> watch_sqlite_store(const std::string& path, std::function<void()> on_change);

// The schema version this build writes (the length of the migration list).
int sqlite_schema_version();

}  // namespace paydomain::store
