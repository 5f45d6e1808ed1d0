// The fast reader of payment contexts: one pass over the usual shape, for
// the evaluation hot path. It reads only well-formed contexts whose strings
// are plain ASCII (no escapes), whose numbers are non-negative integers of
// up to 18 digits, with no null member, every name and id known, at most 16
// members in `health` and in `turnover`, at most 4 KB of text; anything else
// it declines, and parse_context_into then reads the text with the general
// reader (context_json.cc), which gives every error its message. So the fast
// reader never reports an error, and a context it reads is exactly the
// Context the general reader makes of the same text (tests/evaluator and the
// context fuzzer compare the two). A context laid out byte for byte as one of
// the last two the thread read token by token (the same keys, blanks and
// punctuation between its values) is read by its values alone.
#pragma once

#include <string_view>

#include "evaluator/compiled.h"
#include "evaluator/program.h"
#include "evaluator/context.h"

namespace paydomain::evaluator {

// True when `text` was read into `out` (reset first, buffers kept); false
// when declined (`out` is then unspecified).
bool read_context_fast(std::string_view text, const Program& program, Context& out);

// How this thread's reads were made (for tests): by a remembered context's
// layout, or token by token.
struct FastReadCounts {
  uint64_t by_shape = 0, token_by_token = 0;
};
const FastReadCounts& fast_read_counts();
inline bool read_context_fast(std::string_view text, const CompiledDomain& domain, Context& out) {
  return domain.program && read_context_fast(text, *domain.program, out);  // no program: declined
}

}  // namespace paydomain::evaluator
