// RecordAccess on a PostgreSQL store (see records.h).
#include "domain_store/postgres/pg_schema.h"
#include "domain_store/postgres/pg_store_impl.h"
#include "domain_store/records.h"

namespace paydomain::store {
namespace {

using pg::P;

class PgRecords final : public RecordAccess {
 public:
  explicit PgRecords(std::unique_ptr<pg::Conn> c) : c_(std::move(c)) {}

  Result<Rev> head() override { return pg::read_head(*c_); }

  Result<std::vector<RevisionRecord>> read(Rev first, Rev last) override {
    pg::Txn txn(*c_);
    if (Status s = txn.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return s.take_error();
    auto revs = c_->query(
        "SELECT rev, base, author, message, time_ms, op_count, idempotency_key, request_hash, failing_tests_allowed "
        "FROM revisions "
        "WHERE rev >= $1 AND rev <= $2 ORDER BY rev",
        {P(first), P(last)});
    if (!revs) return revs.take_error();
    std::vector<RevisionRecord> out;
    for (int i = 0; i < revs->size(); ++i) {
      RevisionRecord r;
      r.info = RevisionInfo{revs->i64(i, 0), revs->i64(i, 1), revs->text(i, 2), revs->text(i, 3),
                            revs->i64(i, 4), revs->i64(i, 5), std::nullopt, std::nullopt};
      if (!revs->is_null(i, 6)) r.info.idempotency_key = revs->text(i, 6);
      if (!revs->is_null(i, 7)) r.request_hash = revs->text(i, 7);
      if (!revs->is_null(i, 8)) r.info.failing_tests_allowed = revs->text(i, 8);
      out.push_back(std::move(r));
    }
    auto ops = c_->query(
        "SELECT p.rev, p.op, o.kind, o.name, v.path, v.ordinal, v.text FROM ops p "
        "JOIN objects o ON o.object_id = p.object_id "
        "LEFT JOIN object_versions v ON v.object_id = p.object_id AND v.rev_from = p.rev "
        "WHERE p.rev >= $1 AND p.rev <= $2 ORDER BY p.rev, p.seq",
        {P(first), P(last)});
    if (!ops) return ops.take_error();
    for (int i = 0; i < ops->size(); ++i) {
      Rev rev = ops->i64(i, 0);
      auto type = op_type_from_string(ops->text(i, 1));
      auto kind = pg::kind_from_db(ops->text(i, 2));
      if (!type || !kind || rev < first || rev - first >= static_cast<Rev>(out.size())) {
        return make_error(ErrorCode::Corrupt, "revision " + std::to_string(rev) + " has a malformed operation");
      }
      RecordedOp op{*type, ObjectKey{*kind, ops->text(i, 3)}, "", 0, ""};
      if (!ops->is_null(i, 4)) {
        op.path = ops->text(i, 4);
        op.ordinal = ops->i64(i, 5);
        op.text = ops->text(i, 6);
      }
      out[static_cast<size_t>(rev - first)].ops.push_back(std::move(op));
    }
    return out;
  }

  Status append(const std::vector<RevisionRecord>& records) override {
    pg::Txn txn(*c_);
    if (Status s = txn.begin(); !s) return s;
    if (Status s = c_->run("LOCK TABLE revisions IN EXCLUSIVE MODE"); !s) return s;
    auto head = pg::read_head(*c_);
    if (!head) return head.take_error();
    for (const RevisionRecord& r : records) {
      if (r.info.rev == 0) {
        if (Status s = c_->run("UPDATE revisions SET author = $1, message = $2, time_ms = $3 WHERE rev = 0",
                               {P(r.info.author), P(r.info.message), P(r.info.time_ms)});
            !s)
          return s;
        continue;
      }
      if (r.info.rev != ++*head) return make_error(ErrorCode::InvalidArgument, "revision " + std::to_string(r.info.rev) + " is not head+1");
      if (Status s = c_->run(
              "INSERT INTO revisions(rev, base, author, message, time_ms, op_count, idempotency_key, request_hash, "
              "failing_tests_allowed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
              {P(r.info.rev), P(r.info.base), P(r.info.author), P(r.info.message), P(r.info.time_ms),
               P(r.info.op_count), P(r.info.idempotency_key), P(r.request_hash), P(r.info.failing_tests_allowed)});
          !s)
        return s;
      int64_t seq = 0;
      for (const RecordedOp& op : r.ops) {
        auto id = c_->query(
            "WITH found AS (SELECT object_id FROM objects WHERE kind = $1 AND name = $2), "
            "made AS (INSERT INTO objects(kind, name) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM found) "
            "RETURNING object_id) SELECT object_id FROM found UNION ALL SELECT object_id FROM made",
            {P(dsl::to_string(op.key.kind)), P(op.key.id)});
        if (!id) return id.take_error();
        int64_t object_id = id->i64(0, 0);
        if (op.type != OpType::Insert) {
          if (Status s = c_->run("UPDATE object_versions SET rev_to = $1 WHERE object_id = $2 AND rev_to = $3",
                                 {P(r.info.rev), P(object_id), P(pg::kLive)});
              !s)
            return s;
        }
        if (op.type != OpType::Remove) {
          if (Status s = c_->run(
                  "INSERT INTO object_versions(object_id, rev_from, rev_to, path, ordinal, text) "
                  "VALUES ($1, $2, $3, $4, $5, $6)",
                  {P(object_id), P(r.info.rev), P(pg::kLive), P(op.path), P(op.ordinal), P(op.text)});
              !s)
            return s;
        }
        if (Status s = c_->run("INSERT INTO ops(rev, seq, object_id, op) VALUES ($1, $2, $3, $4)",
                               {P(r.info.rev), P(seq++), P(object_id), P(to_string(op.type))});
            !s)
          return s;
      }
    }
    if (Status s = c_->run("SELECT pg_notify($1, $2)", {P(pg::kHeadChannel), P(*head)}); !s) return s;
    return txn.commit();
  }

  Result<std::vector<TokenRecord>> tokens() override {
    auto r = c_->query(
        "SELECT token_id, name, role, hint, created_ms, revoked_ms, token_hash FROM api_tokens ORDER BY token_id");
    if (!r) return r.take_error();
    std::vector<TokenRecord> out;
    for (int i = 0; i < r->size(); ++i) {
      TokenRecord t;
      t.info = TokenInfo{r->i64(i, 0), r->text(i, 1), r->text(i, 2), r->text(i, 3), r->i64(i, 4), std::nullopt};
      if (!r->is_null(i, 5)) t.info.revoked_ms = r->i64(i, 5);
      t.token_hash = r->text(i, 6);
      out.push_back(std::move(t));
    }
    return out;
  }

  Status put_tokens(const std::vector<TokenRecord>& tokens) override {
    if (tokens.empty()) return Ok{};
    pg::Txn txn(*c_);
    if (Status s = txn.begin(); !s) return s;
    for (const TokenRecord& t : tokens) {
      if (Status s = c_->run(
              "INSERT INTO api_tokens(token_id, token_hash, hint, name, role, created_ms, revoked_ms) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7)",
              {P(t.info.id), P(t.token_hash), P(t.info.hint), P(t.info.name), P(t.info.role), P(t.info.created_ms),
               t.info.revoked_ms ? P(*t.info.revoked_ms) : pg::Param()});
          !s)
        return s;
    }
    // New tokens continue after the copied ids.
    if (Status s = c_->run("SELECT setval(pg_get_serial_sequence('api_tokens', 'token_id'), max(token_id)) FROM api_tokens");
        !s)
      return s;
    return txn.commit();
  }

 private:
  std::unique_ptr<pg::Conn> c_;
};

}  // namespace

Result<std::unique_ptr<RecordAccess>> open_postgres_records(const std::string& url) {
  if (auto store = open_postgres_store(url); !store) return store.take_error();
  auto c = pg::connect_store(url);
  if (!c) return c.take_error();
  return std::unique_ptr<RecordAccess>(new PgRecords(std::move(*c)));
}

Result<std::unique_ptr<RecordAccess>> open_records(const std::string& url_or_path) {
  return is_postgres_url(url_or_path) ? open_postgres_records(url_or_path) : open_sqlite_records(url_or_path);
}

}  // namespace paydomain::store
