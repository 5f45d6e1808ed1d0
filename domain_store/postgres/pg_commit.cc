// The write path: validate, detect conflicts, rebase, write one revision,
// notify the replicas.
#include <chrono>
#include <map>
#include <thread>

#include "domain_store/objects.h"
#include "domain_store/postgres/pg_schema.h"
#include "domain_store/postgres/pg_store_impl.h"

namespace paydomain::store::pg {

Result<CommitResult> PgStore::commit(const CommitRequest& request, const TestsGating& tests) {
  // Parse and canonicalise outside the write lock: it is the costly part.
  auto prepared = prepare_commit(request);
  if (!prepared) return prepared.take_error();

  std::lock_guard lock(write_mu_);
  for (int attempt = 1;; ++attempt) {
    if (Status s = ensure_writer(); !s) return s.take_error();
    auto result = try_commit(request, tests, prepared->ops, prepared->hash);
    // Busy: the lock wait timed out, or a deadlock/serialization failure
    // rolled the transaction back; nothing was written, so a retry is safe.
    // A lost connection is not retried: the COMMIT may have landed, and only
    // the caller's idempotency key can tell (the error says so).
    if (result.ok() || result.error().code != ErrorCode::Busy || attempt >= options_.commit_attempts) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
}

Result<CommitResult> PgStore::try_commit(const CommitRequest& request, const TestsGating& tests, std::vector<PreparedOp>& ops,
                                         const std::string& hash) {
  Conn& c = *writer_;
  Txn txn(c);
  if (Status s = txn.begin(); !s) return s.take_error();
  // Writers of every process queue here; readers are not blocked (EXCLUSIVE
  // admits plain SELECTs). Under READ COMMITTED every later statement sees
  // all commits made before we got the lock, so head is current.
  if (Status s = c.run("LOCK TABLE revisions IN EXCLUSIVE MODE"); !s) return s.take_error();

  if (request.idempotency_key) {
    auto r = c.query("SELECT rev, request_hash FROM revisions WHERE idempotency_key = $1", {P(*request.idempotency_key)});
    if (!r) return r.take_error();
    if (!r->empty()) {
      Rev rev = r->i64(0, 0);
      if (r->text(0, 1) != hash) {
        return make_error(ErrorCode::IdempotencyMismatch, "idempotency key '" + *request.idempotency_key +
                                                              "' was used by revision " + std::to_string(rev) +
                                                              " for a different commit");
      }
      auto info = read_revision(c, rev);
      if (!info) return info.take_error();
      CommitResult out;
      out.revision = std::move(*info);
      out.rebased = out.revision.base != out.revision.rev - 1;
      out.replayed = true;
      return out;
    }
  }

  auto head = read_head(c);
  if (!head) return head.take_error();
  if (request.base > *head) {
    return make_error(ErrorCode::InvalidArgument, "base revision " + std::to_string(request.base) +
                                                      " is beyond head " + std::to_string(*head));
  }

  // Object ids, and conflicts: any operation on a touched object after the base.
  std::vector<Conflict> conflicts;
  for (auto& p : ops) {
    auto r = c.query(
        "SELECT o.object_id, p.rev FROM objects o LEFT JOIN ops p ON p.object_id = o.object_id AND p.rev > $3 "
        "WHERE o.kind = $1 AND o.name = $2 ORDER BY p.rev",
        {P(dsl::to_string(p.op.key.kind)), P(p.op.key.id), P(request.base)});
    if (!r) return r.take_error();
    p.object_id = r->empty() ? 0 : r->i64(0, 0);
    Conflict conflict{p.op.key, {}};
    for (int i = 0; i < r->size(); ++i) {
      if (!r->is_null(i, 1)) conflict.revisions.push_back(r->i64(i, 1));
    }
    if (!conflict.revisions.empty()) conflicts.push_back(std::move(conflict));
  }
  if (!conflicts.empty()) {
    Error e = make_error(ErrorCode::Conflict, conflict_message(request.base, conflicts));
    e.conflicts = std::move(conflicts);
    return e;
  }

  if (Status s = refresh_cache(c, *head); !s) return s.take_error();

  // Each operation must fit the object's state at head (= at base, as
  // nothing touched changed since). Identical updates drop out.
  auto effective = effective_ops(cache_, ops, *head, [&](const PreparedOp& p) -> Result<CurrentVersion> {
    auto r = c.query("SELECT text, path, ordinal FROM object_versions WHERE object_id = $1 AND rev_to = $2",
                     {P(p.object_id), P(kLive)});
    if (!r) return r.take_error();
    if (r->empty()) return make_error(ErrorCode::Corrupt, p.op.key.display() + " is live but has no current version");
    return CurrentVersion{r->text(0, 0), r->text(0, 1), r->i64(0, 2)};
  });
  if (!effective) return effective.take_error();

  // The language's checks on the resulting domain before writing anything.
  const Rev rev = *head + 1;
  auto validated = validate_commit(cache_, effective->ops, request, tests, rev);
  if (!validated) return validated.take_error();
  RevisionInfo& info = validated->info;
  std::vector<dsl::Diagnostic>& warnings = validated->warnings;
  auto fail = [&](Error e) -> Result<CommitResult> {
    cache_.rollback();
    return e;
  };
  if (Status s = c.run(
          "INSERT INTO revisions(rev, base, author, message, time_ms, op_count, idempotency_key, request_hash) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          {P(rev), P(info.base), P(info.author), P(info.message), P(info.time_ms), P(info.op_count),
           P(info.idempotency_key), request.idempotency_key ? P(hash) : Param()});
      !s)
    return fail(s.take_error());
  int64_t seq = 0;
  for (PreparedOp* p : effective->ops) {
    const Op& op = p->op;
    if (!p->object_id) {
      auto r = c.query("INSERT INTO objects(kind, name) VALUES ($1, $2) RETURNING object_id",
                       {P(dsl::to_string(op.key.kind)), P(op.key.id)});
      if (!r) return fail(r.take_error());
      p->object_id = r->i64(0, 0);
    }
    if (op.type != OpType::Insert) {
      if (Status s = c.run("UPDATE object_versions SET rev_to = $1 WHERE object_id = $2 AND rev_to = $3",
                           {P(rev), P(p->object_id), P(kLive)});
          !s)
        return fail(s.take_error());
    }
    if (op.type != OpType::Remove) {
      std::string path = op.path;
      int64_t ordinal = appended_ordinal(rev, seq);
      if (auto kept = effective->kept_place.find(p->object_id); kept != effective->kept_place.end()) {
        if (path.empty() || path == kept->second.first) {
          path = kept->second.first;
          ordinal = kept->second.second;
        }
      }
      if (op.ordinal) ordinal = *op.ordinal;
      if (path.empty()) path = default_path(op.key.kind);
      if (Status s = c.run(
              "INSERT INTO object_versions(object_id, rev_from, rev_to, path, ordinal, text) "
              "VALUES ($1, $2, $3, $4, $5, $6)",
              {P(p->object_id), P(rev), P(kLive), P(path), P(ordinal), P(op.text)});
          !s)
        return fail(s.take_error());
    }
    if (Status s = c.run("INSERT INTO ops(rev, seq, object_id, op) VALUES ($1, $2, $3, $4)",
                         {P(rev), P(seq++), P(p->object_id), P(to_string(op.type))});
        !s)
      return fail(s.take_error());
  }
  // The revision's one compile, on its rows as a checkout reads them: the
  // tests gate (failing tests roll the transaction back) and the artifact.
  auto built = build_revision(tests, rev, [&] { return read_objects_at(c, rev); });
  if (!built) return fail(built.take_error());
  if (built->failing_tests_allowed) {
    if (Status s = c.run("UPDATE revisions SET failing_tests_allowed = $1 WHERE rev = $2",
                         {P(*built->failing_tests_allowed), P(rev)});
        !s)
      return fail(s.take_error());
    info.failing_tests_allowed = std::move(built->failing_tests_allowed);
  }
  if (built->artifact) write_commit_artifact(c, *built->artifact);
  // Delivered to every LISTENing replica when (and only if) the commit lands.
  if (Status s = c.run("SELECT pg_notify($1, $2)", {P(kHeadChannel), P(rev)}); !s) return fail(s.take_error());
  if (Status s = txn.commit(); !s) {
    Error e = s.take_error();
    if (e.code == ErrorCode::Io) {
      e.message += " (the commit's outcome is unknown: retry with the same idempotency key to find out)";
    }
    return fail(std::move(e));
  }
  cache_.settle(rev);

  CommitResult out;
  out.revision = std::move(info);
  out.rebased = request.base != *head;
  out.warnings = std::move(warnings);
  return out;
}

Status PgStore::refresh_cache(Conn& c, Rev head) {
  if (cache_.rev() == head) return Ok{};
  const bool full = !cache_.loaded() || cache_.rev() > head;
  // Incremental: only objects with operations since the cached revision.
  auto r = full ? c.query(
                      "SELECT o.kind, o.name, v.text FROM object_versions v "
                      "JOIN objects o ON o.object_id = v.object_id WHERE v.rev_to = $1",
                      {P(kLive)})
                : c.query(
                      "SELECT o.kind, o.name, v.text FROM "
                      "(SELECT DISTINCT object_id FROM ops WHERE rev > $1 AND rev <= $3) t "
                      "JOIN objects o ON o.object_id = t.object_id "
                      "LEFT JOIN object_versions v ON v.object_id = t.object_id AND v.rev_to = $2",
                      {P(cache_.rev()), P(kLive), P(head)});
  if (!r) {
    cache_.clear();
    return r.take_error();
  }
  if (full) cache_.clear();
  for (int i = 0; i < r->size(); ++i) {
    auto kind = kind_from_db(r->text(i, 0));
    if (!kind) {
      cache_.clear();
      return kind.take_error();
    }
    ObjectKey key{*kind, r->text(i, 1)};
    if (r->is_null(i, 2)) {
      cache_.stage(key, std::nullopt, "");
      continue;
    }
    std::string text = r->text(i, 2);
    auto parsed = parse_object_text(key, text);
    if (!parsed) {
      cache_.clear();
      return make_error(ErrorCode::Corrupt, "the stored text of " + key.display() + " does not parse");
    }
    cache_.stage(key, std::move(parsed->object), std::move(text));
  }
  cache_.settle(head);
  return Ok{};
}

}  // namespace paydomain::store::pg
