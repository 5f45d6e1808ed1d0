#include "domain_store/sqlite/db.h"

namespace paydomain::store::sqlite {

Error db_error(int rc, std::string_view what, sqlite3* db) {
  int primary = rc & 0xff;
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string msg = std::string(what) + ": " + detail;
  switch (primary) {
    case SQLITE_NOTADB: return make_error(ErrorCode::NotAStore, "not a paydomain store (" + msg + ")");
    case SQLITE_CORRUPT: return make_error(ErrorCode::Corrupt, "the store is corrupted (" + msg + ")");
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return make_error(ErrorCode::Busy, msg);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM: return make_error(ErrorCode::Io, msg);
    default: return make_error(ErrorCode::Internal, msg);
  }
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    s_ = o.s_;
    db_ = o.db_;
    o.s_ = nullptr;
  }
  return *this;
}

Result<bool> Stmt::step() {
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_error(rc, "query failed", db_);
}

Status Stmt::run() {
  Result<bool> row = false;
  while ((row = step()) && *row) {
  }
  reset();
  if (!row) return row.take_error();
  return Ok{};
}

std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::string Stmt::blob(int col) const {
  const void* p = sqlite3_column_blob(s_, col);
  int n = sqlite3_column_bytes(s_, col);
  return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, bool create, int busy_timeout_ms) {
  auto db = std::make_unique<Db>();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db->db_, flags, nullptr);
  if (rc != SQLITE_OK) return db_error(rc, "cannot open " + path, db->db_);
  sqlite3_extended_result_codes(db->db_, 1);
  sqlite3_busy_timeout(db->db_, busy_timeout_ms);
  // WAL and synchronous=FULL are set by prepare_schema once the file is known
  // to be ours (never switch a foreign database's journal mode). Foreign keys
  // are a per-connection setting that writes nothing.
  if (Status s = db->exec("PRAGMA foreign_keys=ON"); !s) return s.take_error();
  return db;
}

Result<Stmt> Db::prepare(std::string_view sql) {
  Stmt st;
  st.db_ = db_;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &st.s_, nullptr);
  if (rc != SQLITE_OK) return db_error(rc, "cannot prepare statement", db_);
  return st;
}

Status Db::exec(const char* sql) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
  sqlite3_free(msg);
  if (rc != SQLITE_OK) return db_error(rc, "statement failed", db_);
  return Ok{};
}

Result<int64_t> Db::scalar(std::string_view sql) {
  auto st = prepare(sql);
  if (!st) return st.take_error();
  auto row = st->step();
  if (!row) return row.take_error();
  return *row ? st->i64(0) : int64_t{0};
}

Status Txn::begin(const char* how) {
  Status s = db_.exec(how);
  if (s) open_ = true;
  return s;
}

Status Txn::commit() {
  Status s = db_.exec("COMMIT");
  if (s) open_ = false;
  return s;
}

}  // namespace paydomain::store::sqlite
