// JSON shapes of the store's values: the one writer of each, used alike by
// the CLI (--json) and the server (the HTTP bodies, docs/api.md).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "domain_store/diff.h"
#include "domain_store/result.h"
#include "domain_store/types.h"

namespace paydomain::store {

nlohmann::json to_json(const ObjectKey& key);         // {"kind","id"}
nlohmann::json to_json(const RevisionInfo& r);        // {"revision","base","author","message","time_ms","time","op_count","idempotency_key"?,"failing_tests_allowed"?}
nlohmann::json to_json(const CommitResult& r);        // the revision's members + "rebased","replayed","warnings":[..]
nlohmann::json to_json(const StoredObject& o);        // {"kind","id","text","path","since"}
nlohmann::json to_json(const OpRecord& o);            // {"op","kind","id"}
nlohmann::json to_json(const ObjectHistoryEntry& e);  // revision fields + "op"
// The API's error shape (docs/api.md): {"error": {"code","message","path"},
// "conflicts"?: [{"kind","id","revisions"}], "diagnostics"?: [...],
// "failing_tests"?: [{"name","failures":[..]}]}; `path` is
// a JSON pointer into a request body, "" when the error is not about one.
nlohmann::json to_json(const Error& e, std::string_view path = "");
nlohmann::json to_json(const RevisionDiff& d);        // {"from","to","objects":[{"kind","id","change","parts"?,"unified"?}]}
nlohmann::json to_json(const FsckReport& r);          // {"ok","head","revisions","objects","revisions_checked","problems"}

// UTC with milliseconds, "2026-11-25T13:20:04.123Z": the one time format of
// the product (JSON, logs, the CLI's text).
std::string format_time(int64_t time_ms);

}  // namespace paydomain::store
