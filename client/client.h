// The embeddable evaluator: load one compiled revision (an artifact, see
// docs/artifact.md), build payment contexts, evaluate them in process.
// Links the C++ standard library only (target paydomain_client), and answers
// exactly as the service does: it runs the service's own evaluation walk
// over the same bytes (evaluator/program.h).
//
// Thread safety: an Artifact is immutable after load; evaluate it from any
// number of threads. Hold the shared_ptr while you read a result: the
// strings in results are views into the artifact's bytes, except a posting's
// merchant account ids, which view the context's merchant_accounts (keep the
// context, unchanged, as long as the result).
//
// A C ABI over this header, for cores written in other languages:
// client/paydomain_client.h. How a core embeds it: docs/client.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/context.h"
#include "evaluator/eval_result.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {
class Program;
}

namespace paydomain::client {

// The context and result structs are the service's own (std-only headers).
using evaluator::Attr;
using evaluator::CashFlowResult;
using evaluator::Context;
using evaluator::EvalOptions;
using evaluator::EvalResult;
using evaluator::Facts;
using evaluator::HealthSample;
using evaluator::LimitResult;
using evaluator::PostingResult;
using evaluator::RouteResult;
using evaluator::ScopeKey;
using evaluator::TermsResult;
using evaluator::Turnover;
using ObjectKind = dsl::ObjectKind;

// Errors as values: a message naming what is wrong ("section dags: node 12
// edge 3 points past the section (offset 0x1f40)"); `path` names a JSON
// place for context errors.
using Error = evaluator::Error;
template <class T>
using Result = evaluator::Result<T>;
using Status = evaluator::Status;

// The artifact format versions this client reads: major exactly, minor up to
// and including this one (a newer minor only adds what an older reader may
// ignore).
uint16_t supported_format_major();
uint16_t supported_format_minor();

class Artifact {
 public:
  // Validates everything (checksum, version, every section, offset, count,
  // index and reference) before returning; owns the bytes. A damaged,
  // truncated or hostile input is an Error, never a crash.
  static Result<std::shared_ptr<const Artifact>> load(std::string bytes);
  static Result<std::shared_ptr<const Artifact>> load_file(const std::string& path);

  uint64_t revision() const;
  std::string_view source_hash() const;  // hex SHA-256 of the revision's canonical source
  uint16_t format_major() const;
  uint16_t format_minor() const;
  size_t size() const;            // bytes of the artifact
  size_t resident_bytes() const;  // bytes this loaded revision holds (artifact + index)

  // The vocabulary, to build a Context by hand: the id of a categorical
  // attribute's value (an Enum's value index, a Reference's object index; for
  // party/shop the "other" id when no condition names it), -1 when unknown.
  int32_t find(Attr attribute, std::string_view value) const;
  // Objects by kind (tariff, routing, terminal, provider, limit, currency...):
  // index in domain order, -1 when unknown; and back.
  int32_t object(ObjectKind kind, std::string_view id) const;
  std::string_view object_name(ObjectKind kind, int32_t index) const;
  int32_t object_count(ObjectKind kind) const;
  // The currency's exponent (2 for RUB): minor units per major unit.
  int32_t exponent(int32_t currency) const;

  // A context from the JSON the service's POST /v1/evaluate takes (the same
  // reader, the same errors). `out` is reset first and keeps its buffers.
  Status read_context(std::string_view json, Context& out) const;
  Result<Context> read_context(std::string_view json) const;

  // Ok when every id in a hand-built context is one of this revision's (from
  // find/object): evaluate() trusts its context, as the service does its
  // readers'. Contexts from read_context always pass.
  Status check(const Context& context) const;

  // Evaluates into `out` (reset first, buffers kept: a thread evaluating into
  // one result allocates almost nothing).
  void evaluate(const Context& context, const EvalOptions& options, EvalResult& out) const;
  EvalResult evaluate(const Context& context, const EvalOptions& options = {}) const;

  // The JSON paths of an undetermined part's `missing` bits ("amount", "route").
  static std::vector<std::string> missing_names(uint64_t missing);

  // The program itself, for the service and tests (evaluator/program.h).
  const evaluator::Program& program() const { return *program_; }

  explicit Artifact(std::shared_ptr<const evaluator::Program> program);  // use load()

 private:
  std::shared_ptr<const evaluator::Program> program_;
};

}  // namespace paydomain::client
