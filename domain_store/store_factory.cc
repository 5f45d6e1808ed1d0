#include "domain_store/store_factory.h"

#include "domain_store/postgres/pg.h"

namespace paydomain::store {

Result<std::unique_ptr<Store>> init_store(const std::string& url_or_path) {
  return is_postgres_url(url_or_path) ? init_postgres_store(url_or_path) : init_sqlite_store(url_or_path);
}

Result<std::unique_ptr<Store>> open_store(const std::string& url_or_path) {
  return is_postgres_url(url_or_path) ? open_postgres_store(url_or_path) : open_sqlite_store(url_or_path);
}

Result<std::unique_ptr<StoreWatch>> watch_store(const std::string& url_or_path, std::function<void()> on_change) {
  if (is_postgres_url(url_or_path)) return watch_postgres_store(url_or_path, std::move(on_change));
  return watch_sqlite_store(url_or_path, std::move(on_change));
}

std::string store_display_name(const std::string& url_or_path) {
  return is_postgres_url(url_or_path) ? pg::redact(url_or_path) : url_or_path;
}

}  // namespace paydomain::store
