// THE money module of the project: amounts in integer minor units with their
// currency, exact rationals for shares, and rounding to minor units by an
// explicit mode. No floating point anywhere on the money path: every
// operation is exact or reports overflow as an error value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "dsl/ast.h"
#include "evaluator/result.h"

namespace paydomain::evaluator {

// An amount: integer minor units (kopecks, cents) of a currency code.
struct Money {
  int64_t minor = 0;
  std::string currency;  // ISO 4217 code, e.g. "RUB"
  bool operator==(const Money&) const = default;
};

// The same, with the currency code a view (into a CompiledDomain's names):
// what a result carries, so a posting allocates nothing.
struct MoneyView {
  int64_t minor = 0;
  std::string_view currency;
  bool operator==(const MoneyView&) const = default;
  bool operator==(const Money& m) const { return minor == m.minor && currency == m.currency; }
  Money money() const { return {minor, std::string(currency)}; }
};

// Mixing currencies is an error, as is overflowing int64.
Result<Money> add(const Money& a, const Money& b);
Result<Money> subtract(const Money& a, const Money& b);
// -1, 0, 1; an error when the currencies differ.
Result<int> compare(const Money& a, const Money& b);

// "6000.00" for 600000 minor units with exponent 2; "-0.05"; "12" with exponent 0.
std::string format_minor(int64_t minor, int exponent);
// Money as a reader writes it: 1234567 minor units, exponent 2 -> "12,345.67";
// "-0.05"; sums of many payments may exceed int64.
std::string format_sum(__int128 minor, int exponent);
// The decimal digits of v, with '-' when negative.
std::string int128_text(__int128 v);

// An exact fraction num/den, den > 0, always in lowest terms. Arithmetic
// goes through __int128 and fails (as a value) when a result does not fit
// int64 after reduction.
struct Rational {
  int64_t num = 0;
  int64_t den = 1;

  static Rational integer(int64_t v) { return {v, 1}; }
  // 1.2% -> 12/1000 (a percentage written as a decimal).
  static Result<Rational> percent(const dsl::Decimal& d);
  // A decimal value: {12, 1} -> 6/5.
  static Result<Rational> decimal(const dsl::Decimal& d);
  static Result<Rational> make(__int128 num, __int128 den);

  bool operator==(const Rational&) const = default;
};

Result<Rational> add(const Rational& a, const Rational& b);
Result<Rational> multiply(const Rational& a, const Rational& b);
int compare(const Rational& a, const Rational& b);  // exact, never overflows
const Rational& min(const Rational& a, const Rational& b);
const Rational& max(const Rational& a, const Rational& b);

// Rounds to an integer (minor units) by `mode`; ties and negative values
// follow the mode's definition in dsl::RoundingMode. Never fails: a reduced
// rational's integer part always fits int64.
int64_t round(const Rational& r, dsl::RoundingMode mode = dsl::kDefaultRounding);

// A share of an amount, and the fractional part of a volume: num/den in
// lowest terms, 0 < den <= kMaxDenominator and |num| <= kMaxDenominator.
// Wider than Rational because the language can write 0.00000000000000001%
// (1/10^19, beyond int64); narrow enough that two of them cross-multiply
// within 128 bits (10^19 x 10^19 < 2^127).
struct Fraction {
  __int128 num = 0;
  __int128 den = 1;
  bool operator==(const Fraction&) const = default;
};
inline constexpr __int128 kMaxDenominator = static_cast<__int128>(10'000'000'000'000'000'000ull);
// Reduced; an error when it does not fit the bounds above after reduction.
Result<Fraction> make_fraction(__int128 num, __int128 den);
// 1.2% -> 3/250; every percentage the language accepts (18 digits) fits.
Result<Fraction> percent_share(const dsl::Decimal& d);
Result<Fraction> add(const Fraction& a, const Fraction& b);
int compare(const Fraction& a, const Fraction& b);  // exact

// A posting's volume before rounding: exactly whole + frac, frac in [0, 1).
// Split so that `amount x share` needs no 64-bit numerator: 0.1234567890123456%
// of 499999 minor units is 617.28... exactly, though 1234567890123456 x 499999
// does not fit int64. Only a value whose integer part does not fit is an error.
struct Exact {
  int64_t whole = 0;
  Fraction frac;  // 0 <= frac.num < frac.den

  static Exact integer(int64_t v) { return {v, {0, 1}}; }
  bool operator==(const Exact&) const = default;
};

// share x amount, computed in 128 bits and split (never a wrapped number).
Result<Exact> multiply(const Fraction& share, int64_t amount);
// An error only when the integer part overflows or the fractions' common
// denominator does not fit int64 (coprime denominators beyond 2^63).
Result<Exact> add(const Exact& a, const Exact& b);
int compare(const Exact& a, const Exact& b);  // exact, never overflows
const Exact& min(const Exact& a, const Exact& b);
const Exact& max(const Exact& a, const Exact& b);
// As round(Rational); an error only when the rounded value leaves int64.
Result<int64_t> round(const Exact& x, dsl::RoundingMode mode = dsl::kDefaultRounding);

// The usual posting, `num/den of amount` rounded by `mode`, with no Exact,
// no reduction and no error value: exactly round(multiply({num, den},
// amount), mode) (rounding reads only the sign of 2r - den and the parity of
// the whole part, which reducing r/den does not change). False, with `out`
// untouched, when den <= 0 or the whole part or the rounded value leaves
// int64: the caller then takes multiply + round, which say why.
inline bool round_share(int64_t num, int64_t den, int64_t amount, dsl::RoundingMode mode, int64_t& out) {
  if (den <= 0) return false;
  int64_t q, r;
  bool negative;
  if (int64_t prod; !__builtin_mul_overflow(num, amount, &prod)) {  // a 64-bit division, not the 128-bit library call
    q = prod / den;
    r = prod % den;
    negative = prod < 0;
  } else {
    const __int128 wide = static_cast<__int128>(num) * amount;  // |num|, |amount| < 2^63: exact
    const __int128 q128 = wide / den;
    if (q128 < INT64_MIN || q128 > INT64_MAX) return false;
    q = static_cast<int64_t>(q128);
    r = static_cast<int64_t>(wide % den);
    negative = wide < 0;
  }
  if (r == 0) {
    out = q;
    return true;
  }
  // Towards zero `t` (the truncated quotient), the magnitude m/den cut off,
  // and `away`, as round(Exact) has them. At either end of int64 `away` or
  // the floor may not fit: multiply + round decide there.
  if (q == INT64_MIN || q == INT64_MAX) return false;
  const int64_t t = q;
  const uint64_t m = negative ? static_cast<uint64_t>(-r) : static_cast<uint64_t>(r);
  const uint64_t twice = 2 * m, d = static_cast<uint64_t>(den);  // m < den < 2^63: no overflow
  const int half = twice < d ? -1 : (twice > d ? 1 : 0);
  const int64_t away = negative ? t - 1 : t + 1;
  using M = dsl::RoundingMode;
  switch (mode) {
    case M::TowardsZero: out = t; return true;
    case M::AwayFromZero: out = away; return true;
    case M::HalfAwayFromZero: out = half >= 0 ? away : t; return true;
    case M::HalfTowardsZero: out = half > 0 ? away : t; return true;
    case M::HalfEven: out = half != 0 ? (half > 0 ? away : t) : (t % 2 == 0 ? t : away); return true;
  }
  return false;
}

}  // namespace paydomain::evaluator
