// The write path: validate, detect conflicts, rebase, write one revision.
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <map>
#include <thread>

#include "domain_store/commit_prep.h"
#include "domain_store/objects.h"
#include "domain_store/sqlite/schema.h"
#include "domain_store/sqlite/sqlite_store_impl.h"

namespace paydomain::store::sqlite {

Result<CommitResult> SqliteStore::commit(const CommitRequest& request, const TestsGating& tests) {
  // Parse and canonicalise outside the write lock: it is the costly part
  // and threads may do it in parallel.
  auto prepared = prepare_commit(request);
  if (!prepared) return prepared.take_error();
  std::vector<PreparedOp>& ops = prepared->ops;
  const std::string& hash = prepared->hash;

  std::lock_guard lock(write_mu_);
  for (int attempt = 1;; ++attempt) {
    auto result = try_commit(request, tests, ops, hash);
    if (result.ok() && !result->replayed) announce_commit();
    if (result.ok() || result.error().code != ErrorCode::Busy || attempt >= options_.commit_attempts) return result;
    // Another process held the write lock past the busy timeout: back off, retry.
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
}

Result<CommitResult> SqliteStore::try_commit(const CommitRequest& request, const TestsGating& tests, std::vector<PreparedOp>& ops,
                                             const std::string& hash) {
  Db& db = *writer_;
  Txn txn(db);
  // IMMEDIATE takes the write lock now, so head cannot move between our
  // reads and our writes: no gap, no duplicate revision, no lost commit.
  if (Status s = txn.begin("BEGIN IMMEDIATE"); !s) return s.take_error();

  if (request.idempotency_key) {
    auto st = db.prepare("SELECT rev, request_hash FROM revisions WHERE idempotency_key = ?1");
    if (!st) return st.take_error();
    st->bind(1, *request.idempotency_key);
    auto row = st->step();
    if (!row) return row.take_error();
    if (*row) {
      Rev rev = st->i64(0);
      if (st->text(1) != hash) {
        return make_error(ErrorCode::IdempotencyMismatch, "idempotency key '" + *request.idempotency_key +
                                                              "' was used by revision " + std::to_string(rev) +
                                                              " for a different commit");
      }
      auto info = read_revision(db, rev);
      if (!info) return info.take_error();
      CommitResult out;
      out.revision = std::move(*info);
      out.rebased = out.revision.base != out.revision.rev - 1;
      out.replayed = true;
      return out;
    }
  }

  auto head = read_head(db);
  if (!head) return head.take_error();
  if (request.base > *head) {
    return make_error(ErrorCode::InvalidArgument, "base revision " + std::to_string(request.base) +
                                                      " is beyond head " + std::to_string(*head));
  }

  // Conflicts: any operation on a touched object after the base.
  std::vector<Conflict> conflicts;
  {
    auto st = db.prepare("SELECT rev FROM ops WHERE object_id = ?1 AND rev > ?2 ORDER BY rev");
    if (!st) return st.take_error();
    for (auto& p : ops) {
      auto id = read_object_id(db, p.op.key);
      if (!id) return id.take_error();
      p.object_id = *id;
      if (!*id || request.base == *head) continue;
      st->bind(1, *id).bind(2, request.base);
      Conflict c{p.op.key, {}};
      Result<bool> row = false;
      while ((row = st->step()) && *row) c.revisions.push_back(st->i64(0));
      st->reset();
      if (!row) return row.take_error();
      if (!c.revisions.empty()) conflicts.push_back(std::move(c));
    }
  }
  if (!conflicts.empty()) {
    Error e = make_error(ErrorCode::Conflict, conflict_message(request.base, conflicts));
    e.conflicts = std::move(conflicts);
    return e;
  }

  if (Status s = refresh_cache(db, *head); !s) return s.take_error();

  // Each operation must fit the object's state at head (= at base, as
  // nothing touched changed since). Identical updates drop out.
  // `+rev_to`: look the object up by its key, never by the live index, which
  // holds every live version (SQLite picked it, so each operation of a commit
  // scanned the whole head: a commit of K objects cost K x the domain).
  auto current = db.prepare("SELECT text, path, ordinal FROM object_versions WHERE object_id = ?1 AND +rev_to = ?2");
  if (!current) return current.take_error();
  auto effective = effective_ops(cache_, ops, *head, [&](const PreparedOp& p) -> Result<CurrentVersion> {
    current->bind(1, p.object_id).bind(2, kLive);
    auto row = current->step();
    if (!row) return row.take_error();
    if (!*row) return make_error(ErrorCode::Corrupt, p.op.key.display() + " is live but has no current version");
    CurrentVersion now{current->text(0), current->text(1), current->i64(2)};
    current->reset();
    return now;
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
  {
    auto st = db.prepare(
        "INSERT INTO revisions(rev, base, author, message, time_ms, op_count, idempotency_key, request_hash) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st) return fail(st.take_error());
    st->bind(1, rev).bind(2, info.base).bind(3, info.author).bind(4, info.message).bind(5, info.time_ms);
    st->bind(6, info.op_count).bind_opt(7, info.idempotency_key);
    if (request.idempotency_key) st->bind(8, std::string_view(hash));
    if (Status s = st->run(); !s) return fail(s.take_error());
  }
  auto new_object = db.prepare("INSERT INTO objects(kind, name) VALUES (?1, ?2)");
  auto close_version = db.prepare("UPDATE object_versions SET rev_to = ?1 WHERE object_id = ?2 AND +rev_to = ?3");
  auto new_version = db.prepare(
      "INSERT INTO object_versions(object_id, rev_from, rev_to, path, ordinal, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  auto new_op = db.prepare("INSERT INTO ops(rev, seq, object_id, op) VALUES (?1, ?2, ?3, ?4)");
  for (auto* st : {&new_object, &close_version, &new_version, &new_op}) {
    if (!*st) return fail(st->take_error());
  }
  int64_t seq = 0;
  for (PreparedOp* p : effective->ops) {
    const Op& op = p->op;
    if (!p->object_id) {
      new_object->bind(1, dsl::to_string(op.key.kind)).bind(2, op.key.id);
      if (Status s = new_object->run(); !s) return fail(s.take_error());
      p->object_id = sqlite3_last_insert_rowid(db.raw());
    }
    if (op.type != OpType::Insert) {
      close_version->bind(1, rev).bind(2, p->object_id).bind(3, kLive);
      if (Status s = close_version->run(); !s) return fail(s.take_error());
    }
    if (op.type != OpType::Remove) {
      std::string path = op.path;
      // Appended after every existing object of its file, in commit order.
      int64_t ordinal = appended_ordinal(rev, seq);
      if (auto kept = effective->kept_place.find(p->object_id); kept != effective->kept_place.end()) {
        if (path.empty() || path == kept->second.first) {
          path = kept->second.first;
          ordinal = kept->second.second;
        }
      }
      if (op.ordinal) ordinal = *op.ordinal;
      if (path.empty()) path = default_path(op.key.kind);
      new_version->bind(1, p->object_id).bind(2, rev).bind(3, kLive).bind(4, path).bind(5, ordinal).bind(6, op.text);
      if (Status s = new_version->run(); !s) return fail(s.take_error());
    }
    new_op->bind(1, rev).bind(2, seq++).bind(3, p->object_id).bind(4, to_string(op.type));
    if (Status s = new_op->run(); !s) return fail(s.take_error());
  }
  // The revision's one compile, on its rows as a checkout reads them: the
  // tests gate (failing tests roll the transaction back) and the artifact.
  auto built = build_revision(tests, rev, [&] { return read_objects_at(db, rev); });
  if (!built) return fail(built.take_error());
  if (built->failing_tests_allowed) {
    auto st = db.prepare("UPDATE revisions SET failing_tests_allowed = ?1 WHERE rev = ?2");
    if (!st) return fail(st.take_error());
    st->bind(1, *built->failing_tests_allowed).bind(2, rev);
    if (Status s = st->run(); !s) return fail(s.take_error());
    info.failing_tests_allowed = std::move(built->failing_tests_allowed);
  }
  if (built->artifact) write_commit_artifact(db, *built->artifact);
  if (Status s = txn.commit(); !s) return fail(s.take_error());
  cache_.settle(rev);

  CommitResult out;
  out.revision = std::move(info);
  out.rebased = request.base != *head;
  out.warnings = std::move(warnings);
  return out;
}

// The watchers of this file (watch_sqlite_store, in any process) wake on
// its attributes changing: setting its mtime once the commit is visible
// tells them now, with no race against SQLite's own writes. Best effort: a
// watcher that misses it still polls.
void SqliteStore::announce_commit() { ::utimensat(AT_FDCWD, path_.c_str(), nullptr, 0); }

Status SqliteStore::refresh_cache(Db& db, Rev head) {
  if (cache_.rev() == head) return Ok{};
  const bool full = !cache_.loaded() || cache_.rev() > head;
  // Incremental: only objects with operations since the cached revision.
  auto st = full ? db.prepare(
                       "SELECT o.kind, o.name, v.text FROM object_versions v "
                       "JOIN objects o ON o.object_id = v.object_id WHERE v.rev_to = ?2")
                 : db.prepare(
                       // A range of the ops key (the upper bound makes SQLite use
                       // it), and each object's version by its key (+rev_to).
                       "SELECT o.kind, o.name, v.text FROM "
                       "(SELECT DISTINCT object_id FROM ops WHERE rev > ?1 AND rev <= ?3) t "
                       "JOIN objects o ON o.object_id = t.object_id "
                       "LEFT JOIN object_versions v ON v.object_id = t.object_id AND +v.rev_to = ?2");
  if (!st) return st.take_error();
  st->bind(1, cache_.rev()).bind(2, kLive);
  if (!full) st->bind(3, head);
  if (full) cache_.clear();
  Result<bool> row = false;
  while ((row = st->step()) && *row) {
    auto kind = kind_from_db(st->text(0));
    if (!kind) {
      cache_.clear();
      return kind.take_error();
    }
    ObjectKey key{*kind, st->text(1)};
    if (st->is_null(2)) {
      cache_.stage(key, std::nullopt, "");
      continue;
    }
    std::string text = st->text(2);
    auto parsed = parse_object_text(key, text);
    if (!parsed) {
      cache_.clear();
      return make_error(ErrorCode::Corrupt, "the stored text of " + key.display() + " does not parse");
    }
    cache_.stage(key, std::move(parsed->object), std::move(text));
  }
  if (!row) {
    cache_.clear();
    return row.take_error();
  }
  cache_.settle(head);
  return Ok{};
}

}  // namespace paydomain::store::sqlite
