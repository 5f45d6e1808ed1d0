#include "evaluator/impact_formula.h"

#include <algorithm>

#include "evaluator/impact_region.h"

namespace paydomain::evaluator {
namespace {
constexpr int kMaxVolumeDepth = 64;  // volumes nest as the parser allows; deeper is shown as "..."
}  // namespace

std::string percent_text(const Fraction& f) {
  // num/den * 100 as a terminating decimal, else "num/den of amount".
  __int128 num = f.num * 100, den = f.den;
  __int128 d = den;
  int twos = 0, fives = 0;
  while (d % 2 == 0) d /= 2, ++twos;
  while (d % 5 == 0) d /= 5, ++fives;
  if (d != 1 || std::max(twos, fives) > 30) return int128_text(f.num) + "/" + int128_text(f.den) + " of amount";
  int digits = std::max(twos, fives);
  __int128 scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  const __int128 factor = scale / den;  // den divides scale
  const __int128 limit = (~static_cast<unsigned __int128>(0) >> 1) / factor;
  if (num > limit || num < -limit) return int128_text(f.num) + "/" + int128_text(f.den) + " of amount";
  __int128 scaled = num * factor;
  std::string s = int128_text(scaled < 0 ? -scaled : scaled);
  while (static_cast<int>(s.size()) <= digits) s.insert(s.begin(), '0');
  if (digits > 0) s.insert(s.end() - digits, '.');
  while (digits > 0 && (s.back() == '0' || s.back() == '.')) {
    bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return (scaled < 0 ? "-" : "") + s + "% of amount";
}

std::string volume_text(const CompiledDomain& d, const CompiledVolume& v, int depth) {
  using K = dsl::Volume::Kind;
  if (depth > kMaxVolumeDepth) return "...";
  switch (v.kind) {
    case K::Fixed: {
      int e = v.fixed_currency >= 0 ? d.exponents[static_cast<size_t>(v.fixed_currency)] : 0;
      return format_sum(v.fixed_minor, e) + " " + d.vocab.object_name(dsl::ObjectKind::Currency, v.fixed_currency);
    }
    case K::Percent: return percent_text(v.share);
    case K::Fraction: return percent_text(v.share);
    case K::WholeAmount: return "amount";
    case K::Min:
    case K::Max:
    case K::Sum: {
      std::string s = v.kind == K::Sum ? "" : v.kind == K::Min ? "min(" : "max(";
      for (size_t i = 0; i < v.args.size(); ++i) {
        s += (i ? (v.kind == K::Sum ? " + " : ", ") : "") + volume_text(d, v.args[i], depth + 1);
      }
      return v.kind == K::Sum ? s : s + ")";
    }
  }
  return "?";
}

std::string posting_text(const CompiledDomain& d, const CompiledPosting& p) {
  std::string s = p.from + " -> " + p.to + " " + volume_text(d, p.volume);
  if (p.rounding != dsl::kDefaultRounding) s += " round " + std::string(dsl::to_string(p.rounding));
  if (!p.details.empty()) s += " \"" + p.details + "\"";
  return s;
}

}  // namespace paydomain::evaluator
