// One entry point for "the store at X": a postgresql:// or postgres:// URL
// is the PostgreSQL backend, anything else a SQLite file path. The CLI's
// --db and `serve --db` go through here, so every command takes either.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "domain_store/postgres_store.h"
#include "domain_store/sqlite_store.h"
#include "domain_store/store.h"

namespace paydomain::store {

Result<std::unique_ptr<Store>> init_store(const std::string& url_or_path);
Result<std::unique_ptr<Store>> open_store(const std::string& url_or_path);
// Calls `on_change` soon after a commit from any process (see
// watch_sqlite_store and watch_postgres_store for how each learns of it).
Result<std::unique_ptr<StoreWatch>> watch_store(const std::string& url_or_path, std::function<void()> on_change);
// What to show of `url_or_path` in messages and logs (no password).
std::string store_display_name(const std::string& url_or_path);

}  // namespace paydomain::store
