// JSON shapes of the store's values, shared by the CLI (--json) and the server.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "domain_store/diff.h"
#include "domain_store/result.h"
#include "domain_store/types.h"

namespace paydomain::store {

nlohmann::json to_json(const ObjectKey& key);         // {"kind","id"}
nlohmann::json to_json(const RevisionInfo& r);        // {"rev","base","author","message","time_ms","time","op_count","idempotency_key"?}
nlohmann::json to_json(const CommitResult& r);        // {"revision":{..},"rebased","replayed","warnings":[..]}
nlohmann::json to_json(const StoredObject& o);        // {"kind","id","text","path","since"}
nlohmann::json to_json(const OpRecord& o);            // {"op","kind","id"}
nlohmann::json to_json(const ObjectHistoryEntry& e);  // revision fields + "op"
nlohmann::json to_json(const Error& e);               // {"error":code,"message","conflicts"?,"diagnostics"?}
nlohmann::json to_json(const RevisionDiff& d);        // {"from","to","objects":[{"kind","id","change","parts"?,"unified"?}]}
nlohmann::json to_json(const FsckReport& r);          // {"ok","head","revisions","objects","revisions_checked","problems"}

// "2026-11-25T13:20:04Z"
std::string format_time(int64_t time_ms);

}  // namespace paydomain::store
