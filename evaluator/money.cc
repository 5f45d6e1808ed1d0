#include "evaluator/money.h"

#include <cstdlib>
#include <utility>

#include "base/str_cat.h"

namespace paydomain::evaluator {
namespace {

using i128 = __int128;
using u128 = unsigned __int128;

bool fits(i128 v) { return v >= INT64_MIN && v <= INT64_MAX; }

// Binary gcd in 64 bits: no division (the usual case, shares of amounts
// whose numbers fit a word, reduced on every posting).
uint64_t gcd64(uint64_t a, uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  int shift = __builtin_ctzll(a | b);
  a >>= __builtin_ctzll(a);
  do {
    b >>= __builtin_ctzll(b);
    if (a > b) std::swap(a, b);
    b -= a;
  } while (b != 0);
  return a << shift;
}

bool word(u128 v) { return (v >> 64) == 0; }

u128 gcd_u(u128 a, u128 b) {
  while (b != 0) {
    if (word(a) && word(b)) return gcd64(static_cast<uint64_t>(a), static_cast<uint64_t>(b));
    u128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

u128 magnitude(i128 v) { return v < 0 ? u128(0) - static_cast<u128>(v) : static_cast<u128>(v); }

// The gcd is at most the smaller magnitude; callers pass products of int64s
// (below 2^126), so it fits an i128.
i128 gcd128(i128 a, i128 b) { return static_cast<i128>(gcd_u(magnitude(a), magnitude(b))); }

// num/den in lowest terms with a positive denominator; false when den is 0.
bool reduce(i128& num, i128& den) {
  if (den == 0) return false;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  i128 g = gcd128(num, den);
  if (g > 1) {
    if (fits(num) && fits(den)) {  // 64-bit division, not the 128-bit library call
      num = static_cast<int64_t>(num) / static_cast<int64_t>(g);
      den = static_cast<int64_t>(den) / static_cast<int64_t>(g);
    } else {
      num /= g;
      den /= g;
    }
  }
  return true;
}

Error overflow() { return Error{"", "amount arithmetic overflows 64-bit minor units"}; }

Error mixed(const std::string& a, const std::string& b) {
  return Error{"", "cannot mix currencies " + a + " and " + b};
}

}  // namespace

Result<Money> add(const Money& a, const Money& b) {
  if (a.currency != b.currency) return mixed(a.currency, b.currency);
  i128 s = static_cast<i128>(a.minor) + b.minor;
  if (!fits(s)) return overflow();
  return Money{static_cast<int64_t>(s), a.currency};
}

Result<Money> subtract(const Money& a, const Money& b) {
  if (a.currency != b.currency) return mixed(a.currency, b.currency);
  i128 s = static_cast<i128>(a.minor) - b.minor;
  if (!fits(s)) return overflow();
  return Money{static_cast<int64_t>(s), a.currency};
}

Result<int> compare(const Money& a, const Money& b) {
  if (a.currency != b.currency) return mixed(a.currency, b.currency);
  return a.minor < b.minor ? -1 : (a.minor > b.minor ? 1 : 0);
}

std::string format_minor(int64_t minor, int exponent) {
  // Work on the unsigned magnitude so INT64_MIN formats correctly.
  bool neg = minor < 0;
  uint64_t mag = neg ? uint64_t(0) - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string digits = std::to_string(mag);
  if (exponent > 0) {
    if (digits.size() <= static_cast<size_t>(exponent)) digits.insert(0, exponent + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(exponent), 1, '.');
  }
  if (neg) digits.insert(digits.begin(), '-');
  return digits;
}

std::string int128_text(__int128 v) {
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u > 0);
  return neg ? "-" + s : s;
}

std::string format_sum(__int128 minor, int exponent) {
  bool neg = minor < 0;
  std::string digits = int128_text(minor);
  if (neg) digits.erase(0, 1);
  while (static_cast<int>(digits.size()) <= exponent) digits.insert(digits.begin(), '0');
  std::string whole = digits.substr(0, digits.size() - static_cast<size_t>(exponent));
  std::string frac = digits.substr(digits.size() - static_cast<size_t>(exponent));
  std::string out = neg ? "-" : "";
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += ',';  // thousands, left to right (base/str_cat.h)
    out += whole[i];
  }
  return str_cat(out, exponent > 0 ? "." : "", frac);
}

Result<Rational> Rational::make(i128 num, i128 den) {
  if (!reduce(num, den)) return Error{"", "division by zero"};
  if (!fits(num) || !fits(den)) return overflow();
  return Rational{static_cast<int64_t>(num), static_cast<int64_t>(den)};
}

Result<Rational> Rational::decimal(const dsl::Decimal& d) {
  if (d.scale < 0 || d.scale > 36) return Error{"", "decimal scale out of range"};
  i128 den = 1;
  for (int i = 0; i < d.scale; ++i) den *= 10;
  return make(d.units, den);
}

Result<Rational> Rational::percent(const dsl::Decimal& d) {
  if (d.scale < 0 || d.scale > 34) return Error{"", "decimal scale out of range"};
  i128 den = 100;
  for (int i = 0; i < d.scale; ++i) den *= 10;
  return make(d.units, den);
}

Result<Rational> add(const Rational& a, const Rational& b) {
  // a.num*b.den fits in 127 bits; the sum of two such products too.
  i128 n = static_cast<i128>(a.num) * b.den + static_cast<i128>(b.num) * a.den;
  i128 d = static_cast<i128>(a.den) * b.den;
  return Rational::make(n, d);
}

Result<Rational> multiply(const Rational& a, const Rational& b) {
  // Cross-reduce first so exact results that fit are never reported as overflow.
  i128 g1 = gcd128(a.num, b.den);
  i128 g2 = gcd128(b.num, a.den);
  if (g1 == 0) g1 = 1;
  if (g2 == 0) g2 = 1;
  i128 n = (static_cast<i128>(a.num) / g1) * (static_cast<i128>(b.num) / g2);
  i128 d = (static_cast<i128>(a.den) / g2) * (static_cast<i128>(b.den) / g1);
  return Rational::make(n, d);
}

int compare(const Rational& a, const Rational& b) {
  i128 l = static_cast<i128>(a.num) * b.den;
  i128 r = static_cast<i128>(b.num) * a.den;
  return l < r ? -1 : (l > r ? 1 : 0);
}

const Rational& min(const Rational& a, const Rational& b) { return compare(b, a) < 0 ? b : a; }
const Rational& max(const Rational& a, const Rational& b) { return compare(b, a) > 0 ? b : a; }

int64_t round(const Rational& r, dsl::RoundingMode mode) {
  using M = dsl::RoundingMode;
  int64_t q = r.num / r.den;  // truncates towards zero
  int64_t rem = r.num % r.den;  // same sign as num
  if (rem == 0) return q;
  int64_t away = r.num < 0 ? q - 1 : q + 1;
  // Compare |rem| with den/2 without overflow: 2|rem| vs den in 128 bits.
  i128 twice = static_cast<i128>(rem < 0 ? -static_cast<i128>(rem) : rem) * 2;
  int half = twice < r.den ? -1 : (twice > r.den ? 1 : 0);
  switch (mode) {
    case M::TowardsZero: return q;
    case M::AwayFromZero: return away;
    case M::HalfAwayFromZero: return half >= 0 ? away : q;
    case M::HalfTowardsZero: return half > 0 ? away : q;
    case M::HalfEven:
      if (half != 0) return half > 0 ? away : q;
      return (q % 2 == 0) ? q : away;
  }
  return q;
}

namespace {

Error too_fine() { return Error{"", "a share finer than 1/10^19 cannot be computed exactly"}; }

// floor(num / den) and the remainder in [0, den), 0 < den <= kMaxDenominator.
Result<Exact> split(i128 num, i128 den) {
  i128 q, r;
  if (fits(num) && fits(den)) {  // 64-bit division, not the 128-bit library call
    q = static_cast<int64_t>(num) / static_cast<int64_t>(den);
    r = static_cast<int64_t>(num) % static_cast<int64_t>(den);
  } else {
    q = num / den;
    r = num % den;
  }
  if (r < 0) {
    q -= 1;
    r += den;
  }
  if (!fits(q)) return overflow();
  if (r == 0) return Exact::integer(static_cast<int64_t>(q));  // exact (the usual share of an amount)
  if (fits(den)) {  // 0 < r < den <= kMaxDenominator: reduced in 64 bits, within the bounds
    uint64_t g = gcd64(static_cast<uint64_t>(r), static_cast<uint64_t>(den));
    return Exact{static_cast<int64_t>(q), Fraction{static_cast<i128>(static_cast<uint64_t>(r) / g),
                                                   static_cast<i128>(static_cast<uint64_t>(den) / g)}};
  }
  auto frac = make_fraction(r, den);  // r < den: within the bounds whenever den is
  if (!frac) return frac.error();
  return Exact{static_cast<int64_t>(q), *frac};
}

}  // namespace

Result<Fraction> make_fraction(i128 num, i128 den) {
  if (!reduce(num, den)) return Error{"", "division by zero"};
  if (den > kMaxDenominator) return too_fine();
  if (num > kMaxDenominator || num < -kMaxDenominator) return overflow();
  return Fraction{num, den};
}

Result<Fraction> percent_share(const dsl::Decimal& d) {
  if (d.scale < 0 || d.scale > 34) return Error{"", "decimal scale out of range"};
  i128 den = 100;
  for (int i = 0; i < d.scale; ++i) den *= 10;
  return make_fraction(d.units, den);
}

Result<Fraction> add(const Fraction& a, const Fraction& b) {
  // Shares and volume fractions are never negative; other signs stay exact too.
  if (a.num < 0 && b.num < 0) {
    auto s = add(Fraction{-a.num, a.den}, Fraction{-b.num, b.den});
    if (!s) return s;
    return Fraction{-s->num, s->den};
  }
  if (a.num < 0 || b.num < 0) return make_fraction(a.num * b.den + b.num * a.den, a.den * b.den);  // no overflow
  // Each product is at most 10^38; their sum needs the unsigned range.
  u128 n = static_cast<u128>(a.num) * static_cast<u128>(b.den) + static_cast<u128>(b.num) * static_cast<u128>(a.den);
  u128 d = static_cast<u128>(a.den) * static_cast<u128>(b.den);
  u128 g = gcd_u(n, d);
  if (g > 1) {
    n /= g;
    d /= g;
  }
  if (d > static_cast<u128>(kMaxDenominator)) return too_fine();
  if (n > static_cast<u128>(kMaxDenominator)) return overflow();
  return Fraction{static_cast<i128>(n), static_cast<i128>(d)};
}

int compare(const Fraction& a, const Fraction& b) {
  i128 l = a.num * b.den, r = b.num * a.den;  // each within 10^38
  return l < r ? -1 : (l > r ? 1 : 0);
}

Result<Exact> multiply(const Fraction& share, int64_t amount) {
  // |num x amount| <= 10^19 x 2^63 < 2^127: the product is exact in 128 bits.
  return split(share.num * amount, share.den);
}

Result<Exact> add(const Exact& a, const Exact& b) {
  auto f = add(a.frac, b.frac);  // in [0, 2)
  if (!f) return f.error();
  i128 whole = static_cast<i128>(a.whole) + b.whole;
  Fraction frac = *f;
  if (frac.num >= frac.den) {
    whole += 1;
    frac.num -= frac.den;
  }
  if (!fits(whole)) return overflow();
  return Exact{static_cast<int64_t>(whole), frac};
}

int compare(const Exact& a, const Exact& b) {
  if (a.whole != b.whole) return a.whole < b.whole ? -1 : 1;
  return compare(a.frac, b.frac);
}

const Exact& min(const Exact& a, const Exact& b) { return compare(b, a) < 0 ? b : a; }
const Exact& max(const Exact& a, const Exact& b) { return compare(b, a) > 0 ? b : a; }

Result<int64_t> round(const Exact& x, dsl::RoundingMode mode) {
  using M = dsl::RoundingMode;
  if (x.frac.num == 0) return x.whole;
  // Towards zero `q`, the magnitude r/d in (0, 1) that is cut off, and `away`.
  bool negative = x.whole < 0;
  i128 d = x.frac.den;
  i128 q = negative ? static_cast<i128>(x.whole) + 1 : x.whole;
  i128 r = negative ? d - x.frac.num : x.frac.num;
  i128 away = negative ? q - 1 : q + 1;
  int half = 2 * r < d ? -1 : (2 * r > d ? 1 : 0);
  i128 out = q;
  switch (mode) {
    case M::TowardsZero: out = q; break;
    case M::AwayFromZero: out = away; break;
    case M::HalfAwayFromZero: out = half >= 0 ? away : q; break;
    case M::HalfTowardsZero: out = half > 0 ? away : q; break;
    case M::HalfEven: out = half != 0 ? (half > 0 ? away : q) : (q % 2 == 0 ? q : away); break;
  }
  if (!fits(out)) return overflow();
  return static_cast<int64_t>(out);
}

}  // namespace paydomain::evaluator
