// Thin RAII wrappers over the SQLite C API, private to the SQLite backend.
// Every failure becomes a store Error; nothing throws.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain_store/result.h"

namespace paydomain::store::sqlite {

// Maps an SQLite result code (+ message) to a store error.
Error db_error(int rc, std::string_view what, sqlite3* db);

class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : s_(o.s_), db_(o.db_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept;
  ~Stmt() { sqlite3_finalize(s_); }

  Stmt& bind(int i, int64_t v) { sqlite3_bind_int64(s_, i, v); return *this; }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind_null(int i) { sqlite3_bind_null(s_, i); return *this; }
  Stmt& bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind_opt(int i, const std::optional<std::string>& v) { return v ? bind(i, std::string_view(*v)) : bind_null(i); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }

  // One step: true when a row is ready, false when the statement is done,
  // or the error. Loops read `while ((row = st.step()) && *row) {...}` and
  // check `row` after the loop.
  [[nodiscard]] Result<bool> step();
  // Runs to completion (for writes); an error or ok.
  Status run();

  int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string text(int col) const;
  std::string blob(int col) const;
  void reset() { sqlite3_reset(s_); sqlite3_clear_bindings(s_); }

 private:
  friend class Db;
  sqlite3_stmt* s_ = nullptr;
  sqlite3* db_ = nullptr;
};

class Db {
 public:
  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { sqlite3_close_v2(db_); }

  // Opens with the connection settings of every store connection (WAL,
  // synchronous=FULL, foreign keys, busy timeout).
  static Result<std::unique_ptr<Db>> open(const std::string& path, bool create, int busy_timeout_ms);

  Result<Stmt> prepare(std::string_view sql);
  Status exec(const char* sql);
  // The first column of the first row as an integer (0 when no row).
  Result<int64_t> scalar(std::string_view sql);
  sqlite3* raw() { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// Rolls back an open transaction unless committed (early returns stay safe).
class Txn {
 public:
  explicit Txn(Db& db) : db_(db) {}
  ~Txn() { if (open_) (void)db_.exec("ROLLBACK"); }
  Status begin(const char* how);  // "BEGIN" or "BEGIN IMMEDIATE"
  Status commit();
  void rollback() { if (open_) { open_ = false; (void)db_.exec("ROLLBACK"); } }

 private:
  Db& db_;
  bool open_ = false;
};

}  // namespace paydomain::store::sqlite
