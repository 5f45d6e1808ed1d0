// The money module: rounding table (every mode on ties, non-ties and negative
// values), exact rationals, overflow as an error, currencies never mixed.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "evaluator/money.h"

namespace paydomain::evaluator {
namespace {

using M = dsl::RoundingMode;

struct Row {
  int64_t num, den;
  int64_t half_away, half_even, half_towards, towards, away;
};

// value          HAFZ  HE  HTZ  TZ  AFZ
const Row kTable[] = {
    {5, 2, 3, 2, 2, 2, 3},          // 2.5: a tie between 2 and 3
    {7, 2, 4, 4, 3, 3, 4},          // 3.5: a tie, odd below
    {-5, 2, -3, -2, -2, -2, -3},    // -2.5
    {-7, 2, -4, -4, -3, -3, -4},    // -3.5
    {1, 2, 1, 0, 0, 0, 1},          // 0.5
    {-1, 2, -1, 0, 0, 0, -1},       // -0.5
    {26, 10, 3, 3, 3, 2, 3},        // 2.6: above the tie
    {24, 10, 2, 2, 2, 2, 3},        // 2.4: below the tie
    {-26, 10, -3, -3, -3, -2, -3},  // -2.6
    {-24, 10, -2, -2, -2, -2, -3},  // -2.4
    {6, 1, 6, 6, 6, 6, 6},          // exact
    {0, 1, 0, 0, 0, 0, 0},
    {1, 3, 0, 0, 0, 0, 1},
    {-2, 3, -1, -1, -1, 0, -1},
};

TEST(MoneyRounding, TableOfModes) {
  for (const Row& r : kTable) {
    auto q = Rational::make(r.num, r.den);
    ASSERT_TRUE(q.ok());
    SCOPED_TRACE(std::to_string(r.num) + "/" + std::to_string(r.den));
    EXPECT_EQ(round(*q, M::HalfAwayFromZero), r.half_away);
    EXPECT_EQ(round(*q, M::HalfEven), r.half_even);
    EXPECT_EQ(round(*q, M::HalfTowardsZero), r.half_towards);
    EXPECT_EQ(round(*q, M::TowardsZero), r.towards);
    EXPECT_EQ(round(*q, M::AwayFromZero), r.away);
  }
}

TEST(MoneyRounding, DefaultIsHalfAwayFromZero) {
  EXPECT_EQ(dsl::kDefaultRounding, M::HalfAwayFromZero);
  EXPECT_EQ(round(Rational{5, 2}), 3);
  EXPECT_EQ(round(Rational{-5, 2}), -3);
}

TEST(MoneyRational, PercentIsExact) {
  // 1.2% of 12345 minor units = 148.14 -> 148 (no binary fraction drift).
  auto p = Rational::percent({12, 1});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->num, 3);
  EXPECT_EQ(p->den, 250);
  auto v = multiply(*p, Rational::integer(12345));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(round(*v), 148);
  // 2.5% of 1010 = 25.25 exactly -> half-even 25, away-from-zero 26
  auto w = multiply(*Rational::percent({25, 1}), Rational::integer(1010));
  EXPECT_EQ(round(*w, M::HalfEven), 25);
  EXPECT_EQ(round(*w, M::AwayFromZero), 26);
  // 1.5% of 150 = 2.25 minor units -> 2.
  EXPECT_EQ(round(*multiply(*Rational::percent({15, 1}), Rational::integer(150))), 2);
  // 0.5 exactly: 1% of 50 -> half away from zero gives 1, half even 0.
  auto h = multiply(*Rational::percent({1, 0}), Rational::integer(50));
  EXPECT_EQ(round(*h), 1);
  EXPECT_EQ(round(*h, M::HalfEven), 0);
}

TEST(MoneyRational, AddCompareMinMax) {
  auto a = Rational::make(1, 3), b = Rational::make(1, 6);
  auto s = add(*a, *b);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (Rational{1, 2}));
  EXPECT_EQ(compare(*a, *b), 1);
  EXPECT_EQ(min(*a, *b), *b);
  EXPECT_EQ(max(*a, *b), *a);
  EXPECT_EQ(*Rational::make(4, -8), (Rational{-1, 2}));
  EXPECT_FALSE(Rational::make(1, 0).ok());
}

TEST(MoneyRational, OverflowIsAnErrorValue) {
  auto big = Rational::integer(INT64_MAX);
  EXPECT_FALSE(multiply(big, Rational::integer(2)).ok());
  EXPECT_FALSE(add(big, Rational::integer(1)).ok());
  // Large but exact: (MAX/7) * 7 reduces before it overflows.
  auto r = multiply(Rational{INT64_MAX, 7}, Rational::integer(7));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->num, INT64_MAX);
  // Comparison of extreme values never overflows.
  EXPECT_EQ(compare(Rational{INT64_MAX, 1}, Rational{INT64_MAX - 1, 1}), 1);
}

// amount x share in 128 bits: only a result that does not fit int64 is an error.
TEST(MoneyExact, ShareOfAmountIsExactWhenTheProductOutgrowsInt64) {
  auto share = percent_share({1234567890123456, 16});  // 0.1234567890123456%
  ASSERT_TRUE(share.ok());
  // The old path multiplied two int64 Rationals and refused this as overflow.
  EXPECT_FALSE(multiply(*Rational::percent({1234567890123456, 16}), Rational::integer(499999)).ok());
  auto fee = multiply(*share, 499999);  // 4999.99 RUB -> 617.2827... kopecks
  ASSERT_TRUE(fee.ok()) << fee.error().message;
  EXPECT_EQ(fee->whole, 617);
  EXPECT_EQ(round(*fee).value(), 617);
  EXPECT_EQ(round(*fee, dsl::RoundingMode::AwayFromZero).value(), 618);
  // 100% of the largest amount is exact; a share can never push past it.
  auto all = multiply(Fraction{1, 1}, INT64_MAX);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(round(*all).value(), INT64_MAX);
  // 1/2 of INT64_MAX: a half that rounds up to 2^62 exactly, and stays in range.
  auto half = multiply(Fraction{1, 2}, INT64_MAX);
  ASSERT_TRUE(half.ok());
  EXPECT_EQ(round(*half).value(), INT64_MAX / 2 + 1);
  EXPECT_EQ(round(*half, dsl::RoundingMode::HalfEven).value(), INT64_MAX / 2 + 1);  // 2^62 is even
  EXPECT_EQ(round(*half, dsl::RoundingMode::TowardsZero).value(), INT64_MAX / 2);
}

TEST(MoneyExact, SumsAndRoundingThatLeaveInt64AreErrors) {
  auto max = Exact::integer(INT64_MAX);
  EXPECT_FALSE(add(max, Exact::integer(1)).ok());
  auto a = multiply(Fraction{1, 2}, 3);  // 1.5
  ASSERT_TRUE(a.ok());
  auto s = add(*a, *a);  // 3, the fractions carry into the whole part
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, Exact::integer(3));
  // INT64_MAX - 1 + 1/2 rounds (half away from zero) to INT64_MAX; + 1 more is an error.
  auto near = add(Exact::integer(INT64_MAX - 1), *multiply(Fraction{1, 2}, 1));
  ASSERT_TRUE(near.ok());
  EXPECT_EQ(round(*near).value(), INT64_MAX);
  auto past = add(Exact::integer(INT64_MAX), *multiply(Fraction{1, 2}, 1));
  ASSERT_TRUE(past.ok());
  EXPECT_FALSE(round(*past).ok());
  EXPECT_EQ(round(*past, dsl::RoundingMode::TowardsZero).value(), INT64_MAX);
}

// The finest share the language writes: 0.00000000000000001% is 1/10^19,
// beyond an int64 denominator; it computes, and sums of such shares stay exact.
TEST(MoneyExact, FinestShareComputes) {
  auto tiny = percent_share({1, 17});
  ASSERT_TRUE(tiny.ok()) << tiny.error().message;
  EXPECT_EQ(tiny->den, kMaxDenominator);
  auto fee = multiply(*tiny, INT64_MAX);  // 0.92... minor units
  ASSERT_TRUE(fee.ok());
  EXPECT_EQ(fee->whole, 0);
  EXPECT_EQ(round(*fee).value(), 1);
  EXPECT_EQ(round(*fee, dsl::RoundingMode::TowardsZero).value(), 0);
  auto two = add(*fee, *fee);  // 1.84...: the fractions carry
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->whole, 1);
  EXPECT_EQ(compare(*fee, *two), -1);
  auto whole = add(*percent_share({99999999999999999, 15}), *tiny);  // 99.999999999999999% + 10^-17 %
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  EXPECT_EQ(compare(*whole, Fraction{1, 1}), -1);
  // Coprime denominators beyond the bound are an error value, not a wrong sum.
  EXPECT_FALSE(add(Fraction{1, 9999999967}, Fraction{1, 9999999943}).ok());
  EXPECT_FALSE(percent_share({1, 18}).ok());
}

TEST(MoneyExact, RoundingMatchesTheRationalTableIncludingNegatives) {
  using M = dsl::RoundingMode;
  for (M m : {M::HalfAwayFromZero, M::HalfEven, M::HalfTowardsZero, M::TowardsZero, M::AwayFromZero}) {
    for (int64_t num = -40; num <= 40; ++num) {
      for (int64_t den : {1, 2, 3, 4, 10}) {
        Rational r = *Rational::make(num, den);
        auto e = multiply(Fraction{1, den}, num);
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(round(*e, m).value(), round(r, m)) << num << "/" << den;
      }
    }
  }
  // min/max/compare order by the exact value.
  auto third = *multiply(Fraction{1, 3}, 1), half = *multiply(Fraction{1, 2}, 1);
  EXPECT_EQ(compare(third, half), -1);
  EXPECT_EQ(min(third, half), third);
  EXPECT_EQ(max(Exact::integer(-1), third), third);
}

// round_share is the posting's fast path: it must give exactly what
// multiply + round give, or decline (false) where they report an error or
// the numbers leave a word. Every mode, signs, ties, unreduced shares,
// products beyond int64 and both ends of int64.
TEST(MoneyExact, RoundShareEqualsMultiplyThenRound) {
  std::mt19937_64 rng(12);
  // clang-format off
  std::vector<int64_t> amounts = {0, 1, -1, 2, -2, 3, 7, 199, -199, 200, 600000, -600000, 999999999,
                                  INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1, INT64_MAX / 3};
  std::vector<std::pair<int64_t, int64_t>> shares = {{1, 1}, {3, 200}, {1, 100}, {1, 2}, {2, 4}, {-1, 2}, {1, 3},
                                                     {29, 1000}, {3, 250}, {0, 7}, {INT64_MAX, INT64_MAX},
                                                     {INT64_MAX, 1}, {1, INT64_MAX}, {7, 0}, {7, -3}};
  // clang-format on
  for (int i = 0; i < 2000; ++i) {
    amounts.push_back(static_cast<int64_t>(rng()) >> (rng() % 63));
    int64_t den = static_cast<int64_t>(rng() >> (1 + rng() % 63)) + 1;
    shares.push_back({static_cast<int64_t>(rng()) >> (1 + rng() % 63), den});
  }
  int fast = 0;
  for (M m : {M::HalfAwayFromZero, M::HalfEven, M::HalfTowardsZero, M::TowardsZero, M::AwayFromZero}) {
    for (size_t k = 0; k < shares.size(); ++k) {
      auto [num, den] = shares[k];
      int64_t amount = amounts[k % amounts.size()];
      int64_t got = 12345;
      bool ok = round_share(num, den, amount, m, got);
      if (den <= 0) {
        EXPECT_FALSE(ok);
        continue;
      }
      auto e = multiply(Fraction{num, den}, amount);
      Result<int64_t> want = e ? round(*e, m) : Result<int64_t>(e.error());
      if (ok) {
        ++fast;
        ASSERT_TRUE(want.ok()) << num << "/" << den << " of " << amount;
        EXPECT_EQ(got, *want) << num << "/" << den << " of " << amount << " mode " << static_cast<int>(m);
      } else {
        EXPECT_EQ(got, 12345);  // untouched
      }
    }
  }
  EXPECT_GT(fast, 7000);  // most cases take the fast path (some products are made to leave a word)
  // The ties of the rounding table, through the share of an amount.
  for (const Row& r : kTable) {
    int64_t out = 0;
    ASSERT_TRUE(round_share(r.num, r.den, 1, M::HalfEven, out));
    EXPECT_EQ(out, r.half_even);
    ASSERT_TRUE(round_share(1, r.den, r.num, M::AwayFromZero, out));
    EXPECT_EQ(out, r.away);
  }
}

TEST(MoneyAmounts, CurrenciesAreNeverMixed) {
  Money rub{100, "RUB"}, usd{100, "USD"};
  EXPECT_FALSE(add(rub, usd).ok());
  EXPECT_NE(add(rub, usd).error().message.find("cannot mix currencies RUB and USD"), std::string::npos);
  EXPECT_FALSE(compare(rub, usd).ok());
  auto s = add(rub, Money{250, "RUB"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, (Money{350, "RUB"}));
  EXPECT_EQ(*subtract(rub, Money{250, "RUB"}), (Money{-150, "RUB"}));
  EXPECT_FALSE(add(Money{INT64_MAX, "RUB"}, Money{1, "RUB"}).ok());
}

TEST(MoneyAmounts, Format) {
  EXPECT_EQ(format_minor(600000, 2), "6000.00");
  EXPECT_EQ(format_minor(5, 2), "0.05");
  EXPECT_EQ(format_minor(-5, 2), "-0.05");
  EXPECT_EQ(format_minor(1234, 0), "1234");
  EXPECT_EQ(format_minor(INT64_MIN, 2), "-92233720368547758.08");
}

}  // namespace
}  // namespace paydomain::evaluator
