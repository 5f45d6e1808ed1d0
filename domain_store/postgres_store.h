// The PostgreSQL backend: the same semantics as the SQLite one (dense
// revisions under concurrent committers in any number of processes, atomic
// commits, rebase or Conflict, idempotency keys, fsck) on a database shared
// by many `serve` replicas. No libpq types leak out of this header.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "domain_store/store.h"

namespace paydomain::store {

struct PostgresOptions {
  int max_readers = 8;        // pooled read connections
  int lock_timeout_ms = 10000;  // a commit waiting for another writer longer than this is Busy
  int commit_attempts = 5;    // retries after Busy
};

// True for "postgresql://..." and "postgres://..." (libpq connection URIs).
bool is_postgres_url(const std::string& s);

// Creates the store's schema in the database at `url`, which must hold no
// tables, at revision 0, and opens it.
Result<std::unique_ptr<Store>> init_postgres_store(const std::string& url, const PostgresOptions& options = {});
// Opens an existing store, applying pending schema migrations. An empty or
// foreign database is NotAStore; a newer schema SchemaTooNew; a server that
// cannot be reached Io. The store reconnects by itself after the database
// comes back: an operation during an outage fails with Io.
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, const PostgresOptions& options = {});

// Calls `on_change`, on a thread of the watch, soon after any commit to the
// store at `url` from any process (LISTEN/NOTIFY), and every `poll_ms`
// anyway (a safety net: a notification is lost while the watch reconnects).
// Calls may be spurious or coalesced: re-read head() on each.
Result<std::unique_ptr<StoreWatch>> watch_postgres_store(const std::string& url, std::function<void()> on_change,
                                                         int poll_ms = 1000);

int postgres_schema_version();

}  // namespace paydomain::store
