// A posting's volume for one payment, exactly: the one definition of what
// `1.5% of amount`, `fixed 10.00 RUB`, `min(...)`, `max(...)` and sums mean,
// evaluated over either compiled form — the artifact's Volume records (the
// evaluation walk) and CompiledVolume (the analysis's margin check).
#pragma once

#include <string>

#include "dsl/ast.h"
#include "evaluator/condition.h"
#include "evaluator/money.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

// `At` describes one form: kind(v), fixed_minor(v), fixed_currency(v),
// share(v) (a Fraction), args(v) (a range of the same handle type), and
// currency_name(index). The payment's currency and amount come from `f`;
// the caller bounds the nesting (the loader or the compiler did).
template <class At, class V>
Result<Exact> volume_value(const At& at, const V& v, const Facts& f) {
  using K = dsl::Volume::Kind;
  const K kind = at.kind(v);
  switch (kind) {
    case K::Fixed:
      if (at.fixed_currency(v) != f.get(Attr::Currency)) {
        return Error{"", "a fixed amount in " + std::string(at.currency_name(at.fixed_currency(v))) +
                             " cannot apply to a payment in " +
                             std::string(at.currency_name(static_cast<int32_t>(f.get(Attr::Currency))))};
      }
      return Exact::integer(at.fixed_minor(v));
    case K::Percent:
    case K::Fraction:
    case K::WholeAmount: return multiply(at.share(v), f.get(Attr::Amount));
    case K::Min:
    case K::Max:
    case K::Sum: {
      bool first = true;
      Exact acc{};
      for (const auto& arg : at.args(v)) {
        auto x = volume_value(at, arg, f);
        if (!x) return x;
        if (first) {
          acc = *x;
          first = false;
        } else if (kind == K::Sum) {
          auto sum = add(acc, *x);
          if (!sum) return sum;
          acc = *sum;
        } else {
          acc = kind == K::Min ? min(acc, *x) : max(acc, *x);
        }
      }
      if (first) return Error{"", "a combination of no volumes"};
      return acc;
    }
  }
  return Error{"", "unknown volume"};
}

}  // namespace paydomain::evaluator
