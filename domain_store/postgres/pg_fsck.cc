// fsck: the store's invariants (PostgreSQL keeps its own pages and foreign
// keys sound), then the language checks of the stored revisions.
#include "domain_store/postgres/pg_schema.h"
#include "domain_store/postgres/pg_store_impl.h"
#include "domain_store/replay.h"

namespace paydomain::store::pg {
namespace {

struct Invariant {
  const char* what;
  const char* sql;  // each row returned is one violation, described by column 0
};

// The SQLite backend's invariants, in PostgreSQL's dialect.
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
     "lead(rev_from) OVER (PARTITION BY object_id ORDER BY rev_from) AS next FROM object_versions) v "
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

}  // namespace

Result<FsckReport> PgStore::fsck(const FsckOptions& options) {
  FsckReport report;
  {
    auto c = reader();
    if (!c) return c.take_error();
    Txn txn(**c);
    if (Status s = txn.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return s.take_error();
    for (const Invariant& inv : kInvariants) {
      auto r = (*c)->query(std::string(inv.sql) + " LIMIT 21");
      if (!r) return r.take_error();
      for (int i = 0; i < r->size(); ++i) {
        report.problems.push_back(std::string(inv.what) + ": " + (i == 20 ? "(more)" : r->text(i, 0)));
      }
    }
    auto counts = (*c)->query("SELECT (SELECT max(rev) FROM revisions), (SELECT count(*) FROM revisions), "
                              "(SELECT count(*) FROM object_versions WHERE rev_to = $1)",
                              {P(kLive)});
    if (!counts) return counts.take_error();
    report.head = counts->i64(0, 0);
    report.revisions = counts->i64(0, 1);
    report.objects = counts->i64(0, 2);
  }
  if (report.problems.empty()) check_revision_domains(*this, report.head, options.check_every_revision, report);
  return report;
}

}  // namespace paydomain::store::pg
