// The stored artifacts' table and statements (docs/store.md, "Compiled
// artifacts"), one shape for both backends, as fsck_invariants.h's
// invariants: standard SQL that SQLite and PostgreSQL read alike. Parameters
// are `$n`, each statement naming them in order (SQLite numbers `$n` in the
// order they first appear, PostgreSQL by n: the same binding either way).
// Only the column types have each backend's names.
#pragma once

#include <string>

namespace paydomain::store {

// A backend's names for the column types the table uses.
struct SqlTypes {
  const char* revision;  // a revision number, as revisions(rev) holds it
  const char* integer;
  const char* text;
  const char* bytes;
};
inline constexpr SqlTypes kSqliteTypes{"INTEGER", "INTEGER", "TEXT", "BLOB"};
inline constexpr SqlTypes kPostgresTypes{"bigint", "integer", "text", "bytea"};

// The table (schema version 3 of both backends): one artifact per revision and format.
inline std::string artifacts_table_sql(const SqlTypes& t) {
  return std::string("\nCREATE TABLE artifacts(\n  rev ") + t.revision +
         " NOT NULL REFERENCES revisions(rev),\n  format_major " + t.integer + " NOT NULL,\n  format_minor " +
         t.integer + " NOT NULL,\n  source_hash " + t.text + " NOT NULL,\n  bytes " + t.bytes +
         " NOT NULL,\n  PRIMARY KEY (rev, format_major, format_minor)\n);\n";
}

namespace artifact_sql {
// One artifact: its source hash and bytes. $1 rev, $2 major, $3 minor.
inline constexpr const char* kSelect =
    "SELECT source_hash, bytes FROM artifacts WHERE rev = $1 AND format_major = $2 AND format_minor = $3";
// Every artifact's key and source hash, in order (fsck, copy).
inline constexpr const char* kKeys =
    "SELECT rev, format_major, format_minor, source_hash, length(bytes) FROM artifacts "
    "ORDER BY rev, format_major, format_minor";
// Storing one replaces its major's older minors ($1 rev, $2 major, $3 minor) ...
inline constexpr const char* kDeleteOlder =
    "DELETE FROM artifacts WHERE rev = $1 AND format_major = $2 AND format_minor < $3";
// ... and the same format's row: two writers storing one artifact at once, the second wins.
// $1 rev, $2 major, $3 minor, $4 source hash, $5 bytes.
inline constexpr const char* kUpsert =
    "INSERT INTO artifacts(rev, format_major, format_minor, source_hash, bytes) VALUES ($1, $2, $3, $4, $5) "
    "ON CONFLICT (rev, format_major, format_minor) DO UPDATE SET source_hash = excluded.source_hash, "
    "bytes = excluded.bytes";
}  // namespace artifact_sql

}  // namespace paydomain::store
