// A result's shape and the template of text written for it (the result
// writer's, evaluator/result_json.cc). A shape is everything about a result
// that decides its text except the per-payment values: the statuses, the
// program's texts it names (by their place in the program's bytes: the same
// place, the same text), the lists' lengths, the missing bits, which
// accounts are the program's and which the context's, the limits' windows
// (a day's payments share them), the explain flag. A template is the text
// written for a shape, with the places of the per-payment values in it (a
// posting's amount and context accounts, a limit's scope key and turnover):
// a result of the same shape is written as the template's fixed runs with
// those values between them. A result naming a text that is not the
// program's (a built reason, an error, a forbidding reason) has no shape
// and is written element by element. Internal to the writer.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "evaluator/eval_result.h"
#include "evaluator/program.h"

namespace paydomain::evaluator::result_text {

// A result's shape as words.
struct Shape {
  static constexpr size_t kWords = 1024;  // a larger result is written without a template
  uint64_t words[kWords];
  size_t size = 0;
};

// The shape of `r` written with or without explanations, into `s`; false
// when it has none. Unless `checked`, a text not the program's is taken by
// its place: such a shape is fit to look a template up (a template's texts
// were checked, so the same places are the program's), not to record one.
bool shape_of(const EvalResult& r, const Program& d, bool explain, bool checked, Shape& s);

// A per-payment value's place in a template's text.
struct Slot {
  enum class Kind : uint8_t { Amount, FromAccount, ToAccount, ScopeKey, Turnover };
  uint32_t begin = 0, end = 0;  // its bytes in the text as recorded
  Kind kind = Kind::Amount;
  uint32_t index = 0;  // of the posting (cash_flow.postings) or the limit (limits)
};

struct ResultTemplate {
  bool ready = false;
  std::vector<uint64_t> shape;
  std::string text;  // as written when recorded, values included
  std::vector<Slot> slots;  // in text order

  bool holds(const Shape& s) const {
    return ready && s.size == shape.size() && std::memcmp(s.words, shape.data(), s.size * sizeof(uint64_t)) == 0;
  }
};

}  // namespace paydomain::evaluator::result_text
