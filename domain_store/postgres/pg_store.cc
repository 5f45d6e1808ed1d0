// Opening a store, the connection pool, and the read side.
#include <algorithm>
#include <tuple>

#include "domain_store/copy.h"
#include "domain_store/postgres/pg_schema.h"
#include "domain_store/postgres/pg_store_impl.h"

namespace paydomain::store {

int postgres_schema_version() { return static_cast<int>(pg::migrations().size()); }

bool is_postgres_url(const std::string& s) { return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0; }

namespace {

Result<std::unique_ptr<Store>> open_pg(const std::string& url, const PostgresOptions& options, bool create) {
  auto c = pg::connect_store(url);
  if (!c) return c.take_error();
  if (Status s = pg::prepare_schema(**c, create); !s) {
    Error e = s.take_error();
    e.message = pg::redact(url) + ": " + e.message;
    return e;
  }
  if (Status s = (*c)->set_session(pg::writer_settings(options)); !s) return s.take_error();
  std::unique_ptr<Store> store = std::make_unique<pg::PgStore>(url, options, std::move(*c));
  return store;
}

}  // namespace

Result<std::unique_ptr<Store>> init_postgres_store(const std::string& url, const PostgresOptions& options) {
  return open_pg(url, options, true);
}

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& url, const PostgresOptions& options) {
  return open_pg(url, options, false);
}

namespace pg {

// UTC and plain strings whatever the server's defaults; a transaction left
// open by a stuck client ends instead of holding the commit lock forever.
constexpr const char* kSessionSettings =
    "SET TIME ZONE 'UTC'; SET standard_conforming_strings = on; SET idle_in_transaction_session_timeout = '60s'";

Result<std::unique_ptr<Conn>> connect_store(const std::string& url) {
  auto c = Conn::connect(url);
  if (!c) return c.take_error();
  if (Status s = (*c)->set_session(kSessionSettings); !s) return s.take_error();
  return c;
}

std::string writer_settings(const PostgresOptions& options) {
  return std::string(kSessionSettings) + "; SET lock_timeout = " + std::to_string(options.lock_timeout_ms);
}

PgStore::PgStore(std::string url, PostgresOptions options, std::unique_ptr<Conn> writer)
    : url_(std::move(url)), options_(options), writer_(std::move(writer)) {}

PgStore::Lease::~Lease() {
  if (!c_ || c_->broken()) return;
  std::lock_guard lock(owner_->pool_mu_);
  if (static_cast<int>(owner_->pool_.size()) < owner_->options_.max_readers) owner_->pool_.push_back(std::move(c_));
}

Result<PgStore::Lease> PgStore::reader() {
  {
    std::lock_guard lock(pool_mu_);
    while (!pool_.empty()) {
      auto c = std::move(pool_.back());
      pool_.pop_back();
      if (!c->broken()) return Lease(this, std::move(c));
    }
  }
  auto c = connect_store(url_);
  if (!c) return c.take_error();
  return Lease(this, std::move(*c));
}

Status PgStore::ensure_writer() {
  if (writer_ && !writer_->broken()) return Ok{};
  writer_.reset();
  auto c = connect_store(url_);
  if (!c) return c.take_error();
  if (Status s = (*c)->set_session(writer_settings(options_)); !s) return s;
  writer_ = std::move(*c);
  return Ok{};
}

Result<dsl::ObjectKind> kind_from_db(const std::string& keyword) {
  auto k = dsl::object_kind_from_string(keyword);
  if (!k) return make_error(ErrorCode::Corrupt, "the store holds an object of unknown kind '" + keyword + "'");
  return *k;
}

Result<Rev> read_head(Conn& c) { return c.scalar("SELECT max(rev) FROM revisions"); }

namespace {

constexpr const char* kRevisionColumns =
    "SELECT rev, base, author, message, time_ms, op_count, idempotency_key, failing_tests_allowed FROM revisions ";

RevisionInfo revision_row(const Rows& r, int i) {
  RevisionInfo out;
  out.rev = r.i64(i, 0);
  out.base = r.i64(i, 1);
  out.author = r.text(i, 2);
  out.message = r.text(i, 3);
  out.time_ms = r.i64(i, 4);
  out.op_count = r.i64(i, 5);
  if (!r.is_null(i, 6)) out.idempotency_key = r.text(i, 6);
  if (!r.is_null(i, 7)) out.failing_tests_allowed = r.text(i, 7);
  return out;
}

Result<std::vector<RevisionInfo>> revision_list(Conn& c, const std::string& where, int64_t a, int64_t limit) {
  auto r = c.query(kRevisionColumns + where, {P(a), P(limit)});
  if (!r) return r.take_error();
  std::vector<RevisionInfo> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(revision_row(*r, i));
  return out;
}

// Columns of a stored object from `first`: kind, name, text, path, ordinal, rev_from.
Result<StoredObject> object_row(const Rows& r, int i, int first) {
  auto kind = kind_from_db(r.text(i, first));
  if (!kind) return kind.take_error();
  StoredObject o;
  o.key = ObjectKey{*kind, r.text(i, first + 1)};
  o.text = r.text(i, first + 2);
  o.path = r.text(i, first + 3);
  o.ordinal = r.i64(i, first + 4);
  o.since = r.i64(i, first + 5);
  return o;
}

Status check_rev(Conn& c, Rev rev) {
  auto head = read_head(c);
  if (!head) return head.take_error();
  if (rev < 0 || rev > *head) {
    return make_error(ErrorCode::NotFound, "no revision " + std::to_string(rev) + " (head is " + std::to_string(*head) + ")");
  }
  return Ok{};
}

// One snapshot for a read of several statements.
constexpr const char* kSnapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

}  // namespace

Result<RevisionInfo> read_revision(Conn& c, Rev rev) {
  auto r = c.query(std::string(kRevisionColumns) + "WHERE rev = $1", {P(rev)});
  if (!r) return r.take_error();
  if (r->empty()) return make_error(ErrorCode::NotFound, "no revision " + std::to_string(rev));
  return revision_row(*r, 0);
}

Result<Rev> PgStore::head() {
  auto c = reader();
  if (!c) return c.take_error();
  return read_head(**c);
}

Result<RevisionInfo> PgStore::revision(Rev rev) {
  auto c = reader();
  if (!c) return c.take_error();
  return read_revision(**c, rev);
}

Result<std::vector<RevisionInfo>> PgStore::revisions_after(Rev after, int64_t limit) {
  auto c = reader();
  if (!c) return c.take_error();
  return revision_list(**c, "WHERE rev > $1 ORDER BY rev LIMIT $2", after, limit);
}

Result<std::vector<RevisionInfo>> PgStore::revisions_before(Rev before, int64_t limit) {
  auto c = reader();
  if (!c) return c.take_error();
  if (before < 0) before = INT64_MAX;
  return revision_list(**c, "WHERE rev < $1 ORDER BY rev DESC LIMIT $2", before, limit);
}

Result<std::vector<OpRecord>> PgStore::revision_ops(Rev rev) {
  auto c = reader();
  if (!c) return c.take_error();
  Txn txn(**c);
  if (Status s = txn.begin(kSnapshot); !s) return s.take_error();
  if (Status s = check_rev(**c, rev); !s) return s.take_error();
  auto r = (*c)->query(
      "SELECT p.op, o.kind, o.name FROM ops p JOIN objects o ON o.object_id = p.object_id "
      "WHERE p.rev = $1 ORDER BY p.seq",
      {P(rev)});
  if (!r) return r.take_error();
  std::vector<OpRecord> out;
  for (int i = 0; i < r->size(); ++i) {
    auto type = op_type_from_string(r->text(i, 0));
    auto kind = kind_from_db(r->text(i, 1));
    if (!type || !kind) return make_error(ErrorCode::Corrupt, "revision " + std::to_string(rev) + " has a malformed operation");
    out.push_back(OpRecord{rev, *type, ObjectKey{*kind, r->text(i, 2)}});
  }
  return out;
}

Result<std::vector<ObjectHistoryEntry>> PgStore::object_history(const ObjectKey& key, Rev before, int64_t limit) {
  auto c = reader();
  if (!c) return c.take_error();
  if (before < 0) before = INT64_MAX;
  auto r = (*c)->query(
      "SELECT r.rev, r.base, r.author, r.message, r.time_ms, r.op_count, r.idempotency_key, r.failing_tests_allowed, p.op "
      "FROM objects o JOIN ops p ON p.object_id = o.object_id JOIN revisions r ON r.rev = p.rev "
      "WHERE o.kind = $1 AND o.name = $2 AND p.rev < $3 ORDER BY p.rev DESC LIMIT $4",
      {P(dsl::to_string(key.kind)), P(key.id), P(before), P(limit)});
  if (!r) return r.take_error();
  std::vector<ObjectHistoryEntry> out;
  for (int i = 0; i < r->size(); ++i) {
    auto type = op_type_from_string(r->text(i, 8));
    if (!type) return make_error(ErrorCode::Corrupt, "a malformed operation on " + key.display());
    out.push_back(ObjectHistoryEntry{revision_row(*r, i), *type});
  }
  return out;
}

Result<std::vector<StoredObject>> PgStore::checkout(Rev rev) {
  auto c = reader();
  if (!c) return c.take_error();
  Txn txn(**c);
  if (Status s = txn.begin(kSnapshot); !s) return s.take_error();
  if (Status s = check_rev(**c, rev); !s) return s.take_error();
  return read_objects_at(**c, rev);
}

Result<std::vector<StoredObject>> read_objects_at(Conn& c, Rev rev) {
  auto r = c.query(
      "SELECT o.kind, o.name, v.text, v.path, v.ordinal, v.rev_from FROM object_versions v "
      "JOIN objects o ON o.object_id = v.object_id WHERE v.rev_to > $1 AND v.rev_from <= $1",
      {P(rev)});
  if (!r) return r.take_error();
  std::vector<StoredObject> out;
  for (int i = 0; i < r->size(); ++i) {
    auto o = object_row(*r, i, 0);
    if (!o) return o.take_error();
    out.push_back(std::move(*o));
  }
  // Sorted here, not by ORDER BY: the database's collation must not decide.
  std::sort(out.begin(), out.end(), [](const StoredObject& a, const StoredObject& b) {
    return std::tie(a.path, a.ordinal, a.key) < std::tie(b.path, b.ordinal, b.key);
  });
  return out;
}

Result<StoredObject> PgStore::checkout_object(Rev rev, const ObjectKey& key) {
  auto c = reader();
  if (!c) return c.take_error();
  Txn txn(**c);
  if (Status s = txn.begin(kSnapshot); !s) return s.take_error();
  if (Status s = check_rev(**c, rev); !s) return s.take_error();
  auto r = (*c)->query(
      "SELECT o.kind, o.name, v.text, v.path, v.ordinal, v.rev_from FROM objects o "
      "JOIN object_versions v ON v.object_id = o.object_id "
      "WHERE o.kind = $1 AND o.name = $2 AND v.rev_from <= $3 AND v.rev_to > $3",
      {P(dsl::to_string(key.kind)), P(key.id), P(rev)});
  if (!r) return r.take_error();
  if (r->empty()) return make_error(ErrorCode::NotFound, key.display() + " does not exist at revision " + std::to_string(rev));
  return object_row(*r, 0, 0);
}

Result<std::vector<ObjectChange>> PgStore::changes(Rev from, Rev to) {
  auto c = reader();
  if (!c) return c.take_error();
  Txn txn(**c);
  if (Status s = txn.begin(kSnapshot); !s) return s.take_error();
  if (Status s = check_rev(**c, from); !s) return s.take_error();
  if (Status s = check_rev(**c, to); !s) return s.take_error();
  Rev lo = std::min(from, to), hi = std::max(from, to);
  // Only objects with an operation in (lo, hi] can differ.
  auto r = (*c)->query(
      "WITH touched AS (SELECT DISTINCT object_id FROM ops WHERE rev > $1 AND rev <= $2) "
      "SELECT o.kind, o.name, a.text, a.path, a.ordinal, a.rev_from, b.text, b.path, b.ordinal, b.rev_from, "
      "a.object_id IS NOT NULL, b.object_id IS NOT NULL "
      "FROM touched t JOIN objects o ON o.object_id = t.object_id "
      "LEFT JOIN object_versions a ON a.object_id = t.object_id AND a.rev_from <= $3 AND a.rev_to > $3 "
      "LEFT JOIN object_versions b ON b.object_id = t.object_id AND b.rev_from <= $4 AND b.rev_to > $4",
      {P(lo), P(hi), P(from), P(to)});
  if (!r) return r.take_error();
  std::vector<ObjectChange> out;
  for (int i = 0; i < r->size(); ++i) {
    auto kind = kind_from_db(r->text(i, 0));
    if (!kind) return kind.take_error();
    ObjectChange ch;
    ch.key = ObjectKey{*kind, r->text(i, 1)};
    auto side = [&](int first) {
      StoredObject o;
      o.key = ch.key;
      o.text = r->text(i, first);
      o.path = r->text(i, first + 1);
      o.ordinal = r->i64(i, first + 2);
      o.since = r->i64(i, first + 3);
      return o;
    };
    if (r->boolean(i, 10)) ch.before = side(2);
    if (r->boolean(i, 11)) ch.after = side(6);
    // Changed and changed back (or moved only): no difference in meaning or text.
    if (ch.before && ch.after && ch.before->text == ch.after->text) continue;
    if (!ch.before && !ch.after) continue;
    out.push_back(std::move(ch));
  }
  std::sort(out.begin(), out.end(), [](const ObjectChange& a, const ObjectChange& b) { return a.key < b.key; });
  return out;
}

Status PgStore::backup(const std::string& dest_path) {
  if (is_postgres_url(dest_path)) {
    return make_error(ErrorCode::InvalidArgument, "backup writes a SQLite file; to copy into a database use `paydomain copy`");
  }
  auto copied = copy_store(url_, dest_path);
  if (!copied) return copied.take_error();
  return Ok{};
}

}  // namespace pg
}  // namespace paydomain::store
