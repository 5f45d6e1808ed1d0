// Many JSON contexts at once (`paydomain eval --batch`, POST /v1/evaluate with
// "contexts"), spread over one pool of worker threads that lives as long as
// the process: started on the first batch big enough to share, never a
// thread per call.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "evaluator/compiled.h"
#include "evaluator/program.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

// results[i] answers contexts[i]: its result JSON (result_json.h), or
// {"error": {"path", "message"}} when that context is malformed.
struct BatchOutcome {
  std::vector<std::string> results;
  size_t failed = 0;        // how many contexts were malformed
  size_t first_failed = 0;  // the index of the first, when failed > 0
  Error first_error;
};

// On up to `threads` threads counting the caller (0: every core); small
// batches stay on the calling thread. The pool has one thread fewer than the
// machine has cores (at least one), so `threads` beyond the cores share them.
// The results do not depend on the number of threads.
BatchOutcome evaluate_batch(const Program& program, const std::vector<std::string_view>& contexts, bool explain,
                            unsigned threads);
// The same over a CompiledDomain (its program).
inline BatchOutcome evaluate_batch(const CompiledDomain& domain, const std::vector<std::string_view>& contexts,
                                   bool explain, unsigned threads) {
  return evaluate_batch(*domain.program, contexts, explain, threads);
}

// The same pool for any per-item work: fn(from, to) over blocks of [0, n),
// each block on one thread, the caller working too; returns when all are done.
void for_each_block(size_t n, unsigned threads, const std::function<void(size_t from, size_t to)>& fn);

}  // namespace paydomain::evaluator
