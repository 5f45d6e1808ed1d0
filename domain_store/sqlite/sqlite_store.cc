// Opening a store, the connection pool, and the read side.
#include <algorithm>
#include <filesystem>
#include <tuple>
#include <system_error>

#include "domain_store/sqlite/schema.h"
#include "domain_store/sqlite/sqlite_store_impl.h"

namespace paydomain::store {

int sqlite_schema_version() { return static_cast<int>(sqlite::migrations().size()); }

namespace {

Result<std::unique_ptr<Store>> open_store(const std::string& path, const SqliteOptions& options, bool create) {
  namespace fs = std::filesystem;
  std::error_code ec;
  bool exists = fs::exists(path, ec);
  if (create && exists && fs::file_size(path, ec) > 0 && !ec) {
    return make_error(ErrorCode::InvalidArgument, "cannot create a store at " + path + ": the file exists");
  }
  if (!create && !exists) return make_error(ErrorCode::NotFound, "no store at " + path + " (create one with `paydomain init`)");
  if (exists && fs::is_directory(path, ec)) return make_error(ErrorCode::Io, path + " is a directory, not a store file");
  auto db = sqlite::Db::open(path, create, options.busy_timeout_ms);
  if (!db) return db.take_error();
  if (Status s = sqlite::prepare_schema(**db, create); !s) {
    Error e = s.take_error();
    e.message = path + ": " + e.message;
    return e;
  }
  std::unique_ptr<Store> store = std::make_unique<sqlite::SqliteStore>(path, options, std::move(*db));
  return store;
}

}  // namespace

Result<std::unique_ptr<Store>> init_sqlite_store(const std::string& path, const SqliteOptions& options) {
  return open_store(path, options, true);
}

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const SqliteOptions& options) {
  return open_store(path, options, false);
}

namespace sqlite {

SqliteStore::SqliteStore(std::string path, SqliteOptions options, std::unique_ptr<Db> writer)
    : path_(std::move(path)), options_(options), writer_(std::move(writer)) {}

SqliteStore::Lease::~Lease() {
  if (!db_) return;
  std::lock_guard lock(owner_->pool_mu_);
  if (static_cast<int>(owner_->pool_.size()) < owner_->options_.max_readers) owner_->pool_.push_back(std::move(db_));
}

Result<SqliteStore::Lease> SqliteStore::reader() {
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      auto db = std::move(pool_.back());
      pool_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  auto db = Db::open(path_, false, options_.busy_timeout_ms);
  if (!db) return db.take_error();
  return Lease(this, std::move(*db));
}

Result<dsl::ObjectKind> kind_from_db(const std::string& keyword) {
  auto k = dsl::object_kind_from_string(keyword);
  if (!k) return make_error(ErrorCode::Corrupt, "the store holds an object of unknown kind '" + keyword + "'");
  return *k;
}

Result<Rev> read_head(Db& db) { return db.scalar("SELECT max(rev) FROM revisions"); }

namespace {

constexpr const char* kRevisionColumns =
    "SELECT rev, base, author, message, time_ms, op_count, idempotency_key, failing_tests_allowed FROM revisions ";

RevisionInfo revision_row(const Stmt& st) {
  RevisionInfo r;
  r.rev = st.i64(0);
  r.base = st.i64(1);
  r.author = st.text(2);
  r.message = st.text(3);
  r.time_ms = st.i64(4);
  r.op_count = st.i64(5);
  if (!st.is_null(6)) r.idempotency_key = st.text(6);
  if (!st.is_null(7)) r.failing_tests_allowed = st.text(7);
  return r;
}

Result<std::vector<RevisionInfo>> revision_list(Db& db, const std::string& where, int64_t a, int64_t limit) {
  auto st = db.prepare(kRevisionColumns + where);
  if (!st) return st.take_error();
  st->bind(1, a).bind(2, limit);
  std::vector<RevisionInfo> out;
  Result<bool> row = false;
  while ((row = st->step()) && *row) out.push_back(revision_row(*st));
  if (!row) return row.take_error();
  return out;
}

// Columns of a stored object: kind, name, text, path, ordinal, rev_from.
Result<StoredObject> object_row(const Stmt& st, int first) {
  auto kind = kind_from_db(st.text(first));
  if (!kind) return kind.take_error();
  StoredObject o;
  o.key = ObjectKey{*kind, st.text(first + 1)};
  o.text = st.text(first + 2);
  o.path = st.text(first + 3);
  o.ordinal = st.i64(first + 4);
  o.since = st.i64(first + 5);
  return o;
}

Status check_rev(Db& db, Rev rev) {
  auto head = read_head(db);
  if (!head) return head.take_error();
  if (rev < 0 || rev > *head) {
    return make_error(ErrorCode::NotFound, "no revision " + std::to_string(rev) + " (head is " + std::to_string(*head) + ")");
  }
  return Ok{};
}

}  // namespace

Result<RevisionInfo> read_revision(Db& db, Rev rev) {
  auto st = db.prepare(std::string(kRevisionColumns) + "WHERE rev = ?1");
  if (!st) return st.take_error();
  st->bind(1, rev);
  auto row = st->step();
  if (!row) return row.take_error();
  if (*row) return revision_row(*st);
  return make_error(ErrorCode::NotFound, "no revision " + std::to_string(rev));
}

Result<std::vector<StoredObject>> read_objects_at(Db& db, Rev rev) {
  auto st = db.prepare(
      "SELECT o.kind, o.name, v.text, v.path, v.ordinal, v.rev_from FROM object_versions v "
      "JOIN objects o ON o.object_id = v.object_id WHERE v.rev_to > ?1 AND v.rev_from <= ?1");
  if (!st) return st.take_error();
  st->bind(1, rev);
  std::vector<StoredObject> out;
  Result<bool> row = false;
  while ((row = st->step()) && *row) {
    auto o = object_row(*st, 0);
    if (!o) return o.take_error();
    out.push_back(std::move(*o));
  }
  if (!row) return row.take_error();
  std::sort(out.begin(), out.end(), [](const StoredObject& a, const StoredObject& b) {
    return std::tie(a.path, a.ordinal, a.key) < std::tie(b.path, b.ordinal, b.key);
  });
  return out;
}

Result<int64_t> read_object_id(Db& db, const ObjectKey& key) {
  auto st = db.prepare("SELECT object_id FROM objects WHERE kind = ?1 AND name = ?2");
  if (!st) return st.take_error();
  st->bind(1, dsl::to_string(key.kind)).bind(2, key.id);
  auto row = st->step();
  if (!row) return row.take_error();
  int64_t id = *row ? st->i64(0) : 0;
  return id;
}

Result<std::optional<StoredObject>> read_object_at(Db& db, Rev rev, const ObjectKey& key) {
  auto st = db.prepare(
      "SELECT o.kind, o.name, v.text, v.path, v.ordinal, v.rev_from FROM objects o "
      "JOIN object_versions v ON v.object_id = o.object_id "
      "WHERE o.kind = ?1 AND o.name = ?2 AND v.rev_from <= ?3 AND v.rev_to > ?3");
  if (!st) return st.take_error();
  st->bind(1, dsl::to_string(key.kind)).bind(2, key.id).bind(3, rev);
  auto row = st->step();
  if (!row) return row.take_error();
  if (*row) {
    auto o = object_row(*st, 0);
    if (!o) return o.take_error();
    return std::optional<StoredObject>(std::move(*o));
  }
  return std::optional<StoredObject>();
}

Result<std::vector<ObjectChange>> read_changes(Db& db, Rev from, Rev to) {
  Rev lo = std::min(from, to), hi = std::max(from, to);
  // Only objects with an operation in (lo, hi] can differ; the PK on ops
  // makes that a range scan, so adjacent revisions cost one small query.
  auto st = db.prepare(
      "WITH touched AS (SELECT DISTINCT object_id FROM ops WHERE rev > ?1 AND rev <= ?2) "
      "SELECT o.kind, o.name, a.text, a.path, a.ordinal, a.rev_from, b.text, b.path, b.ordinal, b.rev_from, "
      "a.object_id IS NOT NULL, b.object_id IS NOT NULL "
      "FROM touched t JOIN objects o ON o.object_id = t.object_id "
      "LEFT JOIN object_versions a ON a.object_id = t.object_id AND a.rev_from <= ?3 AND a.rev_to > ?3 "
      "LEFT JOIN object_versions b ON b.object_id = t.object_id AND b.rev_from <= ?4 AND b.rev_to > ?4");
  if (!st) return st.take_error();
  st->bind(1, lo).bind(2, hi).bind(3, from).bind(4, to);
  std::vector<ObjectChange> out;
  Result<bool> row = false;
  while ((row = st->step()) && *row) {
    auto kind = kind_from_db(st->text(0));
    if (!kind) return kind.take_error();
    ObjectChange c;
    c.key = ObjectKey{*kind, st->text(1)};
    auto side = [&](int first) {
      StoredObject o;
      o.key = c.key;
      o.text = st->text(first);
      o.path = st->text(first + 1);
      o.ordinal = st->i64(first + 2);
      o.since = st->i64(first + 3);
      return o;
    };
    if (st->i64(10)) c.before = side(2);
    if (st->i64(11)) c.after = side(6);
    // Changed and changed back (or moved only): no difference in meaning or text.
    if (c.before && c.after && c.before->text == c.after->text) continue;
    if (!c.before && !c.after) continue;
    out.push_back(std::move(c));
  }
  if (!row) return row.take_error();
  std::sort(out.begin(), out.end(), [](const ObjectChange& a, const ObjectChange& b) { return a.key < b.key; });
  return out;
}

Result<Rev> SqliteStore::head() {
  auto db = reader();
  if (!db) return db.take_error();
  return read_head(**db);
}

Result<RevisionInfo> SqliteStore::revision(Rev rev) {
  auto db = reader();
  if (!db) return db.take_error();
  return read_revision(**db, rev);
}

Result<std::vector<RevisionInfo>> SqliteStore::revisions_after(Rev after, int64_t limit) {
  auto db = reader();
  if (!db) return db.take_error();
  return revision_list(**db, "WHERE rev > ?1 ORDER BY rev LIMIT ?2", after, limit);
}

Result<std::vector<RevisionInfo>> SqliteStore::revisions_before(Rev before, int64_t limit) {
  auto db = reader();
  if (!db) return db.take_error();
  if (before < 0) before = INT64_MAX;
  return revision_list(**db, "WHERE rev < ?1 ORDER BY rev DESC LIMIT ?2", before, limit);
}

Result<std::vector<OpRecord>> SqliteStore::revision_ops(Rev rev) {
  auto db = reader();
  if (!db) return db.take_error();
  Txn txn(**db);
  if (Status s = txn.begin("BEGIN"); !s) return s.take_error();
  if (Status s = check_rev(**db, rev); !s) return s.take_error();
  auto st = (*db)->prepare(
      "SELECT p.op, o.kind, o.name FROM ops p JOIN objects o ON o.object_id = p.object_id "
      "WHERE p.rev = ?1 ORDER BY p.seq");
  if (!st) return st.take_error();
  st->bind(1, rev);
  std::vector<OpRecord> out;
  Result<bool> row = false;
  while ((row = st->step()) && *row) {
    auto type = op_type_from_string(st->text(0));
    auto kind = kind_from_db(st->text(1));
    if (!type || !kind) return make_error(ErrorCode::Corrupt, "revision " + std::to_string(rev) + " has a malformed operation");
    out.push_back(OpRecord{rev, *type, ObjectKey{*kind, st->text(2)}});
  }
  if (!row) return row.take_error();
  return out;
}

Result<std::vector<ObjectHistoryEntry>> SqliteStore::object_history(const ObjectKey& key, Rev before, int64_t limit) {
  auto db = reader();
  if (!db) return db.take_error();
  if (before < 0) before = INT64_MAX;
  auto st = (*db)->prepare(
      "SELECT r.rev, r.base, r.author, r.message, r.time_ms, r.op_count, r.idempotency_key, r.failing_tests_allowed, p.op "
      "FROM objects o JOIN ops p ON p.object_id = o.object_id JOIN revisions r ON r.rev = p.rev "
      "WHERE o.kind = ?1 AND o.name = ?2 AND p.rev < ?3 ORDER BY p.rev DESC LIMIT ?4");
  if (!st) return st.take_error();
  st->bind(1, dsl::to_string(key.kind)).bind(2, key.id).bind(3, before).bind(4, limit);
  std::vector<ObjectHistoryEntry> out;
  Result<bool> row = false;
  while ((row = st->step()) && *row) {
    auto type = op_type_from_string(st->text(8));
    if (!type) return make_error(ErrorCode::Corrupt, "a malformed operation on " + key.display());
    out.push_back(ObjectHistoryEntry{revision_row(*st), *type});
  }
  if (!row) return row.take_error();
  return out;
}

Result<std::vector<StoredObject>> SqliteStore::checkout(Rev rev) {
  auto db = reader();
  if (!db) return db.take_error();
  Txn txn(**db);
  if (Status s = txn.begin("BEGIN"); !s) return s.take_error();
  if (Status s = check_rev(**db, rev); !s) return s.take_error();
  return read_objects_at(**db, rev);
}

Result<StoredObject> SqliteStore::checkout_object(Rev rev, const ObjectKey& key) {
  auto db = reader();
  if (!db) return db.take_error();
  Txn txn(**db);
  if (Status s = txn.begin("BEGIN"); !s) return s.take_error();
  if (Status s = check_rev(**db, rev); !s) return s.take_error();
  auto o = read_object_at(**db, rev, key);
  if (!o) return o.take_error();
  if (!*o) return make_error(ErrorCode::NotFound, key.display() + " does not exist at revision " + std::to_string(rev));
  return std::move(**o);
}

Result<std::vector<ObjectChange>> SqliteStore::changes(Rev from, Rev to) {
  auto db = reader();
  if (!db) return db.take_error();
  Txn txn(**db);
  if (Status s = txn.begin("BEGIN"); !s) return s.take_error();
  if (Status s = check_rev(**db, from); !s) return s.take_error();
  if (Status s = check_rev(**db, to); !s) return s.take_error();
  return read_changes(**db, from, to);
}

Status SqliteStore::backup(const std::string& dest_path) {
  std::error_code ec;
  if (std::filesystem::exists(dest_path, ec)) return make_error(ErrorCode::InvalidArgument, dest_path + " exists; back up to a new file");
  auto src = reader();
  if (!src) return src.take_error();
  sqlite3* dest = nullptr;
  int rc = sqlite3_open_v2(dest_path.c_str(), &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    Error e = db_error(rc, "cannot create " + dest_path, dest);
    sqlite3_close_v2(dest);
    return e;
  }
  // The online backup API copies a consistent snapshot page by page while
  // writers continue (it restarts if the source changes mid-copy).
  sqlite3_backup* b = sqlite3_backup_init(dest, "main", (*src)->raw(), "main");
  if (!b) {
    Error e = db_error(sqlite3_errcode(dest), "backup failed", dest);
    sqlite3_close_v2(dest);
    return e;
  }
  rc = sqlite3_backup_step(b, -1);
  sqlite3_backup_finish(b);
  Status out = Ok{};
  if (rc != SQLITE_DONE) out = db_error(rc, "backup failed", dest);
  sqlite3_close_v2(dest);
  return out;
}

}  // namespace sqlite
}  // namespace paydomain::store
