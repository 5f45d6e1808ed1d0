// Errors as values across the evaluator's API: a Result<T> holds either a
// value or an Error (a JSON path or place, and a message), a Status Ok or an
// Error. No exceptions cross a layer boundary.
#pragma once

#include <string>

#include "base/result.h"

namespace paydomain::evaluator {

struct Error {
  std::string path;     // "$.amount.amount" for context errors; may be empty
  std::string message;  // "expected an integer number of minor units"
  std::string text() const { return path.empty() ? message : path + ": " + message; }
};

template <class T>
using Result = paydomain::Result<T, Error>;
// Success (paydomain::Ok) or an Error.
using Status = paydomain::Result<paydomain::Ok, Error>;

}  // namespace paydomain::evaluator
