// The API token table in a SQLite store. The store's migration list belongs
// to the domain schema; tokens are an add-on of the server, so the table has
// its own version row in `paydomain_extensions` and is created idempotently
// under BEGIN IMMEDIATE (several processes may open an old store at once).
// Part of the store (not of the token store) because `store copy` writes the
// table too (RecordAccess::put_tokens).
#pragma once

#include "domain_store/sqlite/db.h"

namespace paydomain::store::sqlite {

// Creates the table when missing; SchemaTooNew when a newer paydomain made it.
Status prepare_token_table(Db& db);

}  // namespace paydomain::store::sqlite
