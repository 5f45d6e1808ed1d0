// fsck: SQLite's own integrity check, then the store's invariants, then the
// language checks of the stored revisions.
#include "domain_store/replay.h"
#include "domain_store/sqlite/schema.h"
#include "domain_store/sqlite/sqlite_store_impl.h"

namespace paydomain::store::sqlite {
namespace {

struct Invariant {
  const char* what;
  const char* sql;  // each row returned is one violation, described by column 0
};

// Each query returns one row per violation.
const Invariant kInvariants[] = {
    {"revisions are not dense from 0",
     "SELECT 'count ' || count(*) || ', min ' || min(rev) || ', max ' || max(rev) FROM revisions "
     "HAVING count(*) != max(rev) + 1 OR min(rev) != 0"},
    {"a revision's operation count is wrong",
     "SELECT 'revision ' || r.rev FROM revisions r LEFT JOIN (SELECT rev, count(*) AS n FROM ops GROUP BY rev) p "
     "ON p.rev = r.rev WHERE (r.rev > 0 AND r.op_count < 1) OR coalesce(p.n, 0) != r.op_count"},
    {"an object is touched twice in one revision",
     "SELECT 'revision ' || rev || ', object ' || object_id FROM ops GROUP BY rev, object_id HAVING count(*) > 1"},
    {"an object's versions overlap",
     "SELECT 'object ' || object_id || ' at ' || rev_from FROM (SELECT object_id, rev_from, rev_to, "
     "lead(rev_from) OVER (PARTITION BY object_id ORDER BY rev_from) AS next FROM object_versions) "
     "WHERE next IS NOT NULL AND next < rev_to"},
    {"a version lies beyond head",
     "SELECT 'object ' || object_id || ' at ' || rev_from FROM object_versions "
     "WHERE rev_from > (SELECT max(rev) FROM revisions) OR (rev_to != 9223372036854775807 AND "
     "rev_to > (SELECT max(rev) FROM revisions))"},
    {"an operation does not match the versions",
     "SELECT 'revision ' || p.rev || ', object ' || p.object_id || ', ' || p.op FROM ops p "
     "WHERE (p.op IN ('insert', 'update')) != EXISTS (SELECT 1 FROM object_versions v "
     "  WHERE v.object_id = p.object_id AND v.rev_from = p.rev) "
     "OR (p.op IN ('update', 'remove')) != EXISTS (SELECT 1 FROM object_versions v "
     "  WHERE v.object_id = p.object_id AND v.rev_to = p.rev)"},
    {"a version has no operation that made or ended it",
     "SELECT 'object ' || v.object_id || ' at ' || v.rev_from FROM object_versions v "
     "WHERE NOT EXISTS (SELECT 1 FROM ops p WHERE p.object_id = v.object_id AND p.rev = v.rev_from) "
     "OR (v.rev_to != 9223372036854775807 AND NOT EXISTS (SELECT 1 FROM ops p "
     "  WHERE p.object_id = v.object_id AND p.rev = v.rev_to))"},
};

// Runs `sql`, appending "<prefix>: <column 0>" per row (at most 20 rows).
Status collect(Db& db, const std::string& prefix, const char* sql, std::vector<std::string>& problems) {
  auto st = db.prepare(sql);
  if (!st) return st.take_error();
  std::optional<Error> err;
  int n = 0;
  while (st->step(&err)) {
    if (++n > 20) {
      problems.push_back(prefix + ": (more)");
      break;
    }
    problems.push_back(prefix + ": " + st->text(0));
  }
  if (err) return *err;
  return Ok{};
}

}  // namespace

Result<FsckReport> SqliteStore::fsck(const FsckOptions& options) {
  FsckReport report;
  {
    auto db = reader();
    if (!db) return db.take_error();
    Txn txn(**db);
    if (Status s = txn.begin("BEGIN"); !s) return s.take_error();
    // integrity_check answers one row "ok" when the file is sound.
    auto st = (*db)->prepare("PRAGMA integrity_check(20)");
    if (!st) return st.take_error();
    std::optional<Error> err;
    while (st->step(&err)) {
      std::string row = st->text(0);
      if (row != "ok") report.problems.push_back("sqlite integrity: " + row);
    }
    if (err) {
      report.problems.push_back("sqlite integrity: " + err->message);
      return report;
    }
    if (Status s = collect(**db, "foreign key violation in table", "PRAGMA foreign_key_check", report.problems); !s) {
      return s.take_error();
    }
    if (!report.problems.empty()) return report;  // invariants on a damaged file mean little
    for (const Invariant& inv : kInvariants) {
      if (Status s = collect(**db, inv.what, inv.sql, report.problems); !s) return s.take_error();
    }
    auto head = read_head(**db);
    if (!head) return head.take_error();
    report.head = *head;
    auto count = (*db)->scalar("SELECT count(*) FROM revisions");
    auto live = (*db)->prepare("SELECT count(*) FROM object_versions WHERE rev_to = ?1");
    if (!count) return count.take_error();
    if (!live) return live.take_error();
    live->bind(1, kLive);
    std::optional<Error> err2;
    if (live->step(&err2)) report.objects = live->i64(0);
    if (err2) return *err2;
    report.revisions = *count;
  }
  if (report.problems.empty()) check_revision_domains(*this, report.head, options.check_every_revision, report);
  return report;
}

}  // namespace paydomain::store::sqlite
