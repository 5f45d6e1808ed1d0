// The store's invariants as SQL that both backends run (standard SQL that
// SQLite and PostgreSQL read alike): fsck's one list, so a new invariant
// is checked everywhere. Each query returns one row per violation, described
// by its column 0.
#pragma once

namespace paydomain::store {

struct StoreInvariant {
  const char* what;
  const char* sql;
};

inline constexpr StoreInvariant kStoreInvariants[] = {
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

}  // namespace paydomain::store
