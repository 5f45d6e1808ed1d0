// Errors as values across the evaluator's API: a Result<T> holds either a
// value or an Error (a JSON path or place, and a message). No exceptions
// cross a layer boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace paydomain::evaluator {

struct Error {
  std::string path;     // "$.amount.amount" for context errors; may be empty
  std::string message;  // "expected an integer number of minor units"
  std::string text() const { return path.empty() ? message : path + ": " + message; }
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace paydomain::evaluator
