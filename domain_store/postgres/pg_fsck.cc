// fsck: the store's invariants (PostgreSQL keeps its own pages and foreign
// keys sound), then the language checks of the stored revisions.
#include "domain_store/postgres/pg_schema.h"
#include "domain_store/postgres/pg_store_impl.h"
#include "domain_store/fsck_invariants.h"
#include "domain_store/replay.h"
#include "domain_store/stored_artifacts.h"

namespace paydomain::store::pg {

Result<FsckReport> PgStore::fsck(const FsckOptions& options) {
  FsckReport report;
  {
    auto c = reader();
    if (!c) return c.take_error();
    Txn txn(**c);
    if (Status s = txn.begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) return s.take_error();
    for (const StoreInvariant& inv : kStoreInvariants) {
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
  if (report.problems.empty()) check_stored_artifacts(*this, options, report);
  return report;
}

}  // namespace paydomain::store::pg
