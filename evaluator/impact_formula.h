// Postings as an analyst reads them in an impact report: "merchant.settlement
// -> system.settlement 1.2% of amount round half_even \"card fee\"". Exact:
// a share is a terminating percentage ("1.2%") or a fraction ("1/3 of
// amount"), fixed amounts are money; two postings with equal text move the
// same money for every payment.
#pragma once

#include <string>

#include "evaluator/compiled.h"
#include "evaluator/money.h"

namespace paydomain::evaluator {

// share x 100 as "1.2% of amount", or "num/den of amount" when it does not terminate.
std::string percent_text(const Fraction& share);
std::string volume_text(const CompiledDomain& d, const CompiledVolume& v, int depth = 0);
std::string posting_text(const CompiledDomain& d, const CompiledPosting& p);

}  // namespace paydomain::evaluator
