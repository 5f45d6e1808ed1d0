// RecordAccess on a SQLite store file (see records.h).
#include "domain_store/records.h"
#include "domain_store/sqlite/schema.h"
#include "domain_store/sqlite/sqlite_store_impl.h"
#include "domain_store/sqlite/token_table.h"

namespace paydomain::store {
namespace {

class SqliteRecords final : public RecordAccess {
 public:
  explicit SqliteRecords(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}

  Result<Rev> head() override { return sqlite::read_head(*db_); }

  Result<std::vector<RevisionRecord>> read(Rev first, Rev last) override {
    sqlite::Txn txn(*db_);
    if (Status s = txn.begin("BEGIN"); !s) return s.take_error();
    std::vector<RevisionRecord> out;
    {
      auto st = db_->prepare(
          "SELECT rev, base, author, message, time_ms, op_count, idempotency_key, request_hash, failing_tests_allowed "
          "FROM revisions "
          "WHERE rev >= ?1 AND rev <= ?2 ORDER BY rev");
      if (!st) return st.take_error();
      st->bind(1, first).bind(2, last);
      Result<bool> row = false;
      while ((row = st->step()) && *row) {
        RevisionRecord r;
        r.info = RevisionInfo{st->i64(0), st->i64(1), st->text(2), st->text(3), st->i64(4), st->i64(5), std::nullopt, std::nullopt};
        if (!st->is_null(6)) r.info.idempotency_key = st->text(6);
        if (!st->is_null(7)) r.request_hash = st->text(7);
        if (!st->is_null(8)) r.info.failing_tests_allowed = st->text(8);
        out.push_back(std::move(r));
      }
      if (!row) return row.take_error();
    }
    auto st = db_->prepare(
        "SELECT p.rev, p.op, o.kind, o.name, v.path, v.ordinal, v.text FROM ops p "
        "JOIN objects o ON o.object_id = p.object_id "
        "LEFT JOIN object_versions v ON v.object_id = p.object_id AND v.rev_from = p.rev "
        "WHERE p.rev >= ?1 AND p.rev <= ?2 ORDER BY p.rev, p.seq");
    if (!st) return st.take_error();
    st->bind(1, first).bind(2, last);
    Result<bool> row = false;
    while ((row = st->step()) && *row) {
      Rev rev = st->i64(0);
      auto type = op_type_from_string(st->text(1));
      auto kind = sqlite::kind_from_db(st->text(2));
      if (!type || !kind || rev < first || rev - first >= static_cast<Rev>(out.size())) {
        return make_error(ErrorCode::Corrupt, "revision " + std::to_string(rev) + " has a malformed operation");
      }
      RecordedOp op{*type, ObjectKey{*kind, st->text(3)}, "", 0, ""};
      if (!st->is_null(4)) {
        op.path = st->text(4);
        op.ordinal = st->i64(5);
        op.text = st->text(6);
      }
      out[static_cast<size_t>(rev - first)].ops.push_back(std::move(op));
    }
    if (!row) return row.take_error();
    return out;
  }

  Status append(const std::vector<RevisionRecord>& records) override {
    sqlite::Txn txn(*db_);
    if (Status s = txn.begin("BEGIN IMMEDIATE"); !s) return s;
    auto head = sqlite::read_head(*db_);
    if (!head) return head.take_error();
    auto rev_row = db_->prepare(
        "INSERT INTO revisions(rev, base, author, message, time_ms, op_count, idempotency_key, request_hash, "
        "failing_tests_allowed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    auto rev0 = db_->prepare("UPDATE revisions SET author = ?1, message = ?2, time_ms = ?3 WHERE rev = 0");
    auto new_object = db_->prepare("INSERT INTO objects(kind, name) VALUES (?1, ?2)");
    auto close_version = db_->prepare("UPDATE object_versions SET rev_to = ?1 WHERE object_id = ?2 AND +rev_to = ?3");
    auto new_version = db_->prepare(
        "INSERT INTO object_versions(object_id, rev_from, rev_to, path, ordinal, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    auto new_op = db_->prepare("INSERT INTO ops(rev, seq, object_id, op) VALUES (?1, ?2, ?3, ?4)");
    for (auto* st : {&rev_row, &rev0, &new_object, &close_version, &new_version, &new_op}) {
      if (!*st) return st->take_error();
    }
    for (const RevisionRecord& r : records) {
      if (r.info.rev == 0) {
        rev0->bind(1, r.info.author).bind(2, r.info.message).bind(3, r.info.time_ms);
        if (Status s = rev0->run(); !s) return s;
        continue;
      }
      if (r.info.rev != ++*head) return make_error(ErrorCode::InvalidArgument, "revision " + std::to_string(r.info.rev) + " is not head+1");
      rev_row->bind(1, r.info.rev).bind(2, r.info.base).bind(3, r.info.author).bind(4, r.info.message);
      rev_row->bind(5, r.info.time_ms).bind(6, r.info.op_count).bind_opt(7, r.info.idempotency_key).bind_opt(8, r.request_hash);
      rev_row->bind_opt(9, r.info.failing_tests_allowed);
      if (Status s = rev_row->run(); !s) return s;
      int64_t seq = 0;
      for (const RecordedOp& op : r.ops) {
        auto id = sqlite::read_object_id(*db_, op.key);
        if (!id) return id.take_error();
        if (!*id) {
          new_object->bind(1, dsl::to_string(op.key.kind)).bind(2, op.key.id);
          if (Status s = new_object->run(); !s) return s;
          *id = sqlite3_last_insert_rowid(db_->raw());
        }
        if (op.type != OpType::Insert) {
          close_version->bind(1, r.info.rev).bind(2, *id).bind(3, sqlite::kLive);
          if (Status s = close_version->run(); !s) return s;
        }
        if (op.type != OpType::Remove) {
          new_version->bind(1, *id).bind(2, r.info.rev).bind(3, sqlite::kLive).bind(4, op.path).bind(5, op.ordinal).bind(6, op.text);
          if (Status s = new_version->run(); !s) return s;
        }
        new_op->bind(1, r.info.rev).bind(2, seq++).bind(3, *id).bind(4, to_string(op.type));
        if (Status s = new_op->run(); !s) return s;
      }
    }
    return txn.commit();
  }

  Result<std::vector<TokenRecord>> tokens() override {
    auto exists = db_->scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'api_tokens'");
    if (!exists) return exists.take_error();
    std::vector<TokenRecord> out;
    if (!*exists) return out;
    auto st = db_->prepare(
        "SELECT token_id, name, role, hint, created_ms, revoked_ms, token_hash FROM api_tokens ORDER BY token_id");
    if (!st) return st.take_error();
    Result<bool> row = false;
    while ((row = st->step()) && *row) {
      TokenRecord t;
      t.info = TokenInfo{st->i64(0), st->text(1), st->text(2), st->text(3), st->i64(4), std::nullopt};
      if (!st->is_null(5)) t.info.revoked_ms = st->i64(5);
      t.token_hash = st->text(6);
      out.push_back(std::move(t));
    }
    if (!row) return row.take_error();
    return out;
  }

  Status put_tokens(const std::vector<TokenRecord>& tokens) override {
    if (tokens.empty()) return Ok{};
    // The table (and its version row) is created on first use.
    if (Status s = sqlite::prepare_token_table(*db_); !s) return s;
    sqlite::Txn txn(*db_);
    if (Status s = txn.begin("BEGIN IMMEDIATE"); !s) return s;
    auto st = db_->prepare(
        "INSERT INTO api_tokens(token_id, token_hash, hint, name, role, created_ms, revoked_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st) return st.take_error();
    for (const TokenRecord& t : tokens) {
      st->bind(1, t.info.id).bind(2, t.token_hash).bind(3, t.info.hint).bind(4, t.info.name).bind(5, t.info.role);
      st->bind(6, t.info.created_ms);
      if (t.info.revoked_ms) st->bind(7, *t.info.revoked_ms); else st->bind_null(7);
      if (Status s = st->run(); !s) return s;
    }
    return txn.commit();
  }

 private:
  std::unique_ptr<sqlite::Db> db_;
};

}  // namespace

Result<std::unique_ptr<RecordAccess>> open_sqlite_records(const std::string& path) {
  if (auto store = open_sqlite_store(path); !store) return store.take_error();
  auto db = sqlite::Db::open(path, false, 5000);
  if (!db) return db.take_error();
  return std::unique_ptr<RecordAccess>(new SqliteRecords(std::move(*db)));
}

}  // namespace paydomain::store
