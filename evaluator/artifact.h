// The writer of compiled-revision artifacts (docs/artifact.md): a
// CompiledDomain as the bytes evaluator/program.h evaluates in place.
// Deterministic: the same domain, revision and hash give the same bytes (so
// the bytes' hash is a stable ETag).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "evaluator/compiled.h"

namespace paydomain::evaluator {

// `source_hash`: the revision's canonical source hash (hex, at most 64
// characters; empty when unknown).
std::string write_artifact(const CompiledDomain& domain, uint64_t revision, std::string_view source_hash);

}  // namespace paydomain::evaluator
