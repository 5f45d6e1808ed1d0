// Errors as values: every store operation returns Result<T>; nothing throws
// across the store's boundary, so the server can map codes to HTTP statuses.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "domain_store/types.h"
#include "dsl/diagnostics.h"

namespace paydomain::store {

enum class ErrorCode {
  InvalidArgument,  // malformed request: bad revision, duplicate op, wrong kind/id in text
  NotFound,         // no such revision / object
  EmptyCommit,      // the commit changes nothing
  Invalid,          // the resulting domain fails the language's checks (see diagnostics)
  Conflict,         // objects changed since the base (see conflicts)
  TestsFailed,      // the resulting domain's tests fail (see failing_tests); no override given
  IdempotencyMismatch,  // the key was used before for a different commit
  NotAStore,        // the file is not a database, or a database of something else
  SchemaTooNew,     // written by a newer paydomain; refuse rather than guess
  Corrupt,          // the database is damaged
  Busy,             // another writer held the lock past every retry
  Io,               // cannot open/read/write a file
  Internal,         // a broken invariant; a bug
};
std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  std::vector<Conflict> conflicts;            // Conflict
  std::vector<dsl::Diagnostic> diagnostics;  // Invalid: each names its object
  std::vector<FailingTest> failing_tests;    // TestsFailed
};

template <class T>
using Result = paydomain::Result<T, Error>;
using paydomain::Ok;
using Status = Result<Ok>;

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message), {}, {}, {}}; }

}  // namespace paydomain::store
