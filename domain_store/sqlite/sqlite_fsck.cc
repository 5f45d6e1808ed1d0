// fsck: SQLite's own integrity check, then the store's invariants, then the
// language checks of the stored revisions.
#include "domain_store/fsck_invariants.h"
#include "domain_store/replay.h"
#include "domain_store/stored_artifacts.h"
#include "domain_store/sqlite/schema.h"
#include "domain_store/sqlite/sqlite_store_impl.h"

namespace paydomain::store::sqlite {
namespace {

// Runs `sql`, appending "<prefix>: <column 0>" per row (at most 20 rows).
Status collect(Db& db, const std::string& prefix, const char* sql, std::vector<std::string>& problems) {
  auto st = db.prepare(sql);
  if (!st) return st.take_error();
  Result<bool> row = false;
  int n = 0;
  while ((row = st->step()) && *row) {
    if (++n > 20) {
      problems.push_back(prefix + ": (more)");
      break;
    }
    problems.push_back(prefix + ": " + st->text(0));
  }
  if (!row) return row.take_error();
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
    Result<bool> row = false;
    while ((row = st->step()) && *row) {
      std::string line = st->text(0);
      if (line != "ok") report.problems.push_back("sqlite integrity: " + line);
    }
    if (!row) {
      report.problems.push_back("sqlite integrity: " + row.error().message);
      return report;
    }
    if (Status s = collect(**db, "foreign key violation in table", "PRAGMA foreign_key_check", report.problems); !s) {
      return s.take_error();
    }
    if (!report.problems.empty()) return report;  // invariants on a damaged file mean little
    for (const StoreInvariant& inv : kStoreInvariants) {
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
    auto live_row = live->step();
    if (!live_row) return live_row.take_error();
    if (*live_row) report.objects = live->i64(0);
    report.revisions = *count;
  }
  if (report.problems.empty()) check_revision_domains(*this, report.head, options.check_every_revision, report);
  if (report.problems.empty()) check_stored_artifacts(*this, options, report);
  return report;
}

}  // namespace paydomain::store::sqlite
