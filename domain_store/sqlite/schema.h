// The SQLite schema as an ordered list of migrations, applied on open.
#pragma once

#include <vector>

#include "domain_store/sqlite/db.h"

namespace paydomain::store::sqlite {

// "PDS1": PRAGMA application_id of every store, so a foreign SQLite file is
// recognised as foreign instead of being written to.
inline constexpr int64_t kApplicationId = 0x50445331;
// Exclusive end of a version that is still live at head.
inline constexpr int64_t kLive = INT64_MAX;

// Migration i (1-based) takes the schema from version i-1 to i; the schema
// version is PRAGMA user_version. To change the schema, append a migration;
// never edit one that has shipped.
struct Migration {
  const char* description;
  const char* sql;
};
const std::vector<Migration>& migrations();

// Reads the file's identity. Creates the schema when `create` and the file
// is an empty database; refuses foreign files and newer schemas; applies
// pending migrations in one BEGIN IMMEDIATE transaction (safe when several
// processes open an old store at once).
Status prepare_schema(Db& db, bool create);

}  // namespace paydomain::store::sqlite
