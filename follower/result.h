// The follower's errors as values (base/result.h): a message naming what
// failed ("GET /v1/head: Connection refused").
#pragma once

#include <string>

#include "base/result.h"

namespace paydomain::follower {

struct Error {
  std::string message;
};

template <class T>
using Result = paydomain::Result<T, Error>;
using Status = paydomain::Result<paydomain::Ok, Error>;

}  // namespace paydomain::follower
