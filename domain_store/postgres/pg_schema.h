// The PostgreSQL schema as an ordered list of migrations, applied on open.
// The store owns its database (or the schema first on the search_path):
// `paydomain_meta` says whose it is and which schema version it has.
#pragma once

#include <vector>

#include "domain_store/postgres/pg.h"

namespace paydomain::store::pg {

// Exclusive end of a version that is still live at head (as in SQLite).
inline constexpr int64_t kLive = INT64_MAX;
// The channel every commit notifies (payload: the new head) and every
// watch listens on.
inline constexpr const char* kHeadChannel = "paydomain_head";

// Migration i (1-based) takes the schema from version i-1 to i. To change
// the schema, append a migration; never edit one that has shipped.
struct Migration {
  const char* description;
  const char* sql;
};
const std::vector<Migration>& migrations();

// Creates the schema when `create` and the database holds no tables;
// refuses databases of something else and newer schemas; applies pending
// migrations in one transaction under an advisory lock (safe when several
// replicas start an old store at once).
Status prepare_schema(Conn& c, bool create);

}  // namespace paydomain::store::pg
