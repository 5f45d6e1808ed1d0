#include "evaluator/institution_serves.h"

namespace paydomain::evaluator {
namespace {

// A refund, a capture or a chargeback: it goes back the way its payment came
// (its original terminal), so whom the institution serves is not judged again.
bool follows_its_payment(const Facts& f) {
  if (!f.has(Attr::Operation)) return false;
  const auto op = static_cast<int32_t>(f.get(Attr::Operation));
  return op == kOperationRefund || op == kOperationCapture || op == kOperationChargeback;
}

}  // namespace

std::string judge_institution(const Program& d, const Context& c, const EvalOptions& opt, TermsResult& terms) {
  const Facts& f = c.facts;
  if (follows_its_payment(f) || !f.has(Attr::PaymentInstitution))
    return {};
  const auto i = static_cast<int32_t>(f.get(Attr::PaymentInstitution));  // the program's id (check_context)
  const pdc::InstitutionResidences& serves = d.institution_residences(i);
  const pdc::Institution& pi = d.institution(i);
  if (opt.explain) terms.explain.push_back(d.str(serves.explain));
  // Only a refusal names the institution: no string is built for a payment it serves.
  auto who = [&] { return "payment_institution " + std::string(d.str(pi.name)); };
  std::vector<std::string> refusals;
  uint64_t missing = 0;
  if (!serves.any) {
    if (!f.has(Attr::Residence)) {
      missing |= bit(Attr::Residence);
    } else if (auto country = static_cast<int32_t>(f.get(Attr::Residence));
               !d.span<uint8_t>(pdc::Sec::Flags, serves.served)[static_cast<size_t>(country)]) {
      refusals.push_back(who() + " does not serve merchants residing in " +
                         std::string(d.object_name(dsl::ObjectKind::Country, country)) + " (its residences: " +
                         std::string(d.str(serves.list)) + ")");
    }
  }
  if (!f.has(Attr::Realm)) {
    missing |= bit(Attr::Realm);
  } else if (auto realm = static_cast<int32_t>(f.get(Attr::Realm)); realm != pi.realm) {
    refusals.push_back(who() + " does not serve " + std::string(dsl::kRealms[static_cast<size_t>(realm)]) +
                       " payments (its realm is " + std::string(dsl::kRealms[static_cast<size_t>(pi.realm)]) + ")");
  }
  terms.missing |= missing;
  if (refusals.empty()) {
    if (missing && terms.verdict == TermsResult::Verdict::Allowed) terms.verdict = TermsResult::Verdict::Undetermined;
    return {};
  }
  terms.verdict = TermsResult::Verdict::Forbidden;
  terms.reasons.insert(terms.reasons.begin(), refusals.begin(), refusals.end());
  std::string route = refusals[0];
  for (size_t k = 1; k < refusals.size(); ++k) route += "; " + refusals[k];
  return route;
}

}  // namespace paydomain::evaluator
