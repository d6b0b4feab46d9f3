// Exact arithmetic for money and decimals (src/common/rational.h).
#include "common/rational.h"

#include <cstdint>
#include <limits>
#include <ostream>

#include "gtest/gtest.h"

namespace heyan::internal {

// Readable failure messages ("-7/2" instead of the object's bytes); found by ADL.
void PrintTo(const Rational& r, std::ostream* os) { *os << r.num << "/" << r.den; }

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Rational R(int64_t num, int64_t den = 1) {
  Rational r;
  EXPECT_TRUE(Make(num, den, &r)) << num << "/" << den;
  return r;
}

// Rounds `a` to a multiple of `unit`, failing the test when RoundTo reports failure.
Rational Round(Rational a, Rational unit, RoundMode mode) {
  Rational out;
  EXPECT_TRUE(RoundTo(a, unit, mode, &out)) << a.num << "/" << a.den;
  return out;
}

TEST(RationalTest, MakeNormalisesSignAndCommonFactors) {
  EXPECT_EQ(R(2, 4), (Rational{1, 2}));
  EXPECT_EQ(R(1, -2), (Rational{-1, 2}));
  EXPECT_EQ(R(-3, -9), (Rational{1, 3}));
  EXPECT_EQ(R(0, 5), (Rational{0, 1}));
  Rational r;
  EXPECT_FALSE(Make(1, 0, &r));
}

TEST(RationalTest, MakeReducesValuesBeyondInt64) {
  Rational r;
  // (2^63) / 2 fits after reduction.
  __int128 big = static_cast<__int128>(kMax) + 1;
  ASSERT_TRUE(Make(big, 2, &r));
  EXPECT_EQ(r, (Rational{static_cast<int64_t>(big / 2), 1}));
  EXPECT_FALSE(Make(big, 1, &r));
  EXPECT_FALSE(Make(1, big, &r));
}

TEST(RationalTest, AddIsExact) {
  Rational out;
  ASSERT_TRUE(Add(R(1, 3), R(1, 6), &out));
  EXPECT_EQ(out, R(1, 2));
  ASSERT_TRUE(Add(R(47000), R(-47000), &out));
  EXPECT_EQ(out, R(0));
  // 0.1 + 0.2 is exactly 0.3 (no binary floating point).
  ASSERT_TRUE(Add(R(1, 10), R(2, 10), &out));
  EXPECT_EQ(out, R(3, 10));
}

TEST(RationalTest, SubIsExact) {
  Rational out;
  ASSERT_TRUE(Sub(R(70000), R(100000, 3), &out));  // 700元 - 1000元/3 in fen
  EXPECT_EQ(out, R(110000, 3));
  ASSERT_TRUE(Sub(R(1, 4), R(3, 4), &out));
  EXPECT_EQ(out, R(-1, 2));
}

TEST(RationalTest, MulIsExact) {
  Rational out;
  ASSERT_TRUE(Mul(R(2, 3), R(3, 4), &out));
  EXPECT_EQ(out, R(1, 2));
  ASSERT_TRUE(Mul(R(110000, 3), R(3), &out));
  EXPECT_EQ(out, R(110000));
  ASSERT_TRUE(Mul(R(-7, 2), R(2, 7), &out));
  EXPECT_EQ(out, R(-1));
}

TEST(RationalTest, DivIsExactAndRejectsZero) {
  Rational out;
  ASSERT_TRUE(Div(R(1, 2), R(1, 4), &out));
  EXPECT_EQ(out, R(2));
  ASSERT_TRUE(Div(R(100000), R(3), &out));
  EXPECT_EQ(out, R(100000, 3));
  ASSERT_TRUE(Div(R(1), R(-3), &out));
  EXPECT_EQ(out, R(-1, 3));
  EXPECT_FALSE(Div(R(1), R(0), &out));
}

TEST(RationalTest, IntegerOverflowIsDetected) {
  Rational out;
  EXPECT_FALSE(Add(R(kMax), R(1), &out));
  EXPECT_FALSE(Sub(R(kMin), R(1), &out));
  EXPECT_FALSE(Mul(R(kMax), R(2), &out));
  EXPECT_FALSE(Mul(R(kMin), R(-1), &out));
  EXPECT_FALSE(Negate(R(kMin), &out));
  ASSERT_TRUE(Negate(R(kMax), &out));
  EXPECT_EQ(out, R(-kMax));
}

TEST(RationalTest, FractionOverflowIsDetected) {
  Rational out;
  // Denominators that are coprime and huge: the exact result does not fit.
  EXPECT_FALSE(Add(R(1, kMax), R(1, kMax - 1), &out));
  EXPECT_FALSE(Mul(R(kMax, 3), R(kMax, 5), &out));
  EXPECT_FALSE(Div(R(kMax, 7), R(1, kMax), &out));
  // A large intermediate that reduces back into range is fine.
  ASSERT_TRUE(Mul(R(kMax, 3), R(3, kMax), &out));
  EXPECT_EQ(out, R(1));
}

TEST(RationalTest, CompareNeverOverflows) {
  EXPECT_EQ(Compare(R(kMax, 2), R(kMax - 1, 2)), 1);
  EXPECT_EQ(Compare(R(kMin + 1, 3), R(kMax, 5)), -1);
  EXPECT_EQ(Compare(R(1, 3), R(2, 6)), 0);
  EXPECT_EQ(Compare(R(-1, 2), R(-1, 3)), -1);
}

TEST(RationalTest, RoundToWholeUnitsHalfCases) {
  const Rational one = R(1);
  // 3.5 and -3.5: down is floor, up is ceiling, half-up goes away from zero.
  EXPECT_EQ(Round(R(7, 2), one, RoundMode::kDown), R(3));
  EXPECT_EQ(Round(R(7, 2), one, RoundMode::kUp), R(4));
  EXPECT_EQ(Round(R(7, 2), one, RoundMode::kHalfUp), R(4));
  EXPECT_EQ(Round(R(-7, 2), one, RoundMode::kDown), R(-4));
  EXPECT_EQ(Round(R(-7, 2), one, RoundMode::kUp), R(-3));
  EXPECT_EQ(Round(R(-7, 2), one, RoundMode::kHalfUp), R(-4));
  EXPECT_EQ(Round(R(5, 2), one, RoundMode::kHalfUp), R(3));
  EXPECT_EQ(Round(R(-5, 2), one, RoundMode::kHalfUp), R(-3));
}

TEST(RationalTest, RoundToWholeUnitsNonHalfCases) {
  const Rational one = R(1);
  EXPECT_EQ(Round(R(1, 3), one, RoundMode::kHalfUp), R(0));
  EXPECT_EQ(Round(R(2, 3), one, RoundMode::kHalfUp), R(1));
  EXPECT_EQ(Round(R(-1, 3), one, RoundMode::kHalfUp), R(0));
  EXPECT_EQ(Round(R(-2, 3), one, RoundMode::kHalfUp), R(-1));
  EXPECT_EQ(Round(R(1, 3), one, RoundMode::kUp), R(1));
  EXPECT_EQ(Round(R(-1, 3), one, RoundMode::kDown), R(-1));
  EXPECT_EQ(Round(R(-1, 3), one, RoundMode::kUp), R(0));
  // Already whole: unchanged in every mode.
  for (RoundMode m : {RoundMode::kDown, RoundMode::kUp, RoundMode::kHalfUp}) {
    EXPECT_EQ(Round(R(-4), one, m), R(-4));
    EXPECT_EQ(Round(R(0), one, m), R(0));
  }
}

TEST(RationalTest, RoundIntegersToYuan) {
  // Integer fast path: fen rounded to whole yuan (100 fen).
  const Rational yuan = R(100);
  EXPECT_EQ(Round(R(250), yuan, RoundMode::kHalfUp), R(300));
  EXPECT_EQ(Round(R(249), yuan, RoundMode::kHalfUp), R(200));
  EXPECT_EQ(Round(R(250), yuan, RoundMode::kDown), R(200));
  EXPECT_EQ(Round(R(201), yuan, RoundMode::kUp), R(300));
  EXPECT_EQ(Round(R(-250), yuan, RoundMode::kHalfUp), R(-300));
  EXPECT_EQ(Round(R(-249), yuan, RoundMode::kHalfUp), R(-200));
  EXPECT_EQ(Round(R(-251), yuan, RoundMode::kHalfUp), R(-300));
  EXPECT_EQ(Round(R(-250), yuan, RoundMode::kDown), R(-300));
  EXPECT_EQ(Round(R(-250), yuan, RoundMode::kUp), R(-200));
  EXPECT_EQ(Round(R(-200), yuan, RoundMode::kUp), R(-200));
}

TEST(RationalTest, RoundFractionsToFen) {
  const Rational fen = R(1);
  // 1000元 / 3 = 100000/3 fen = 33333.33... fen.
  EXPECT_EQ(Round(R(100000, 3), fen, RoundMode::kDown), R(33333));
  EXPECT_EQ(Round(R(100000, 3), fen, RoundMode::kUp), R(33334));
  EXPECT_EQ(Round(R(100000, 3), fen, RoundMode::kHalfUp), R(33333));
  // 333.335元 = 33333.5 fen: half goes up.
  EXPECT_EQ(Round(R(66667, 2), fen, RoundMode::kHalfUp), R(33334));
  EXPECT_EQ(Round(R(-66667, 2), fen, RoundMode::kHalfUp), R(-33334));
  EXPECT_EQ(Round(R(-66667, 2), fen, RoundMode::kDown), R(-33334));
  EXPECT_EQ(Round(R(-66667, 2), fen, RoundMode::kUp), R(-33333));
}

TEST(RationalTest, RoundToFractionalUnit) {
  // 1/3 to a multiple of 1/2: 1/3 ÷ 1/2 = 2/3.
  EXPECT_EQ(Round(R(1, 3), R(1, 2), RoundMode::kDown), R(0));
  EXPECT_EQ(Round(R(1, 3), R(1, 2), RoundMode::kUp), R(1, 2));
  EXPECT_EQ(Round(R(1, 3), R(1, 2), RoundMode::kHalfUp), R(1, 2));
  EXPECT_EQ(Round(R(1, 4), R(1, 2), RoundMode::kHalfUp), R(1, 2));
  EXPECT_EQ(Round(R(-1, 4), R(1, 2), RoundMode::kHalfUp), R(-1, 2));
  EXPECT_EQ(Round(R(-1, 5), R(1, 2), RoundMode::kHalfUp), R(0));
}

TEST(RationalTest, RoundToRejectsNonPositiveUnitAndOverflow) {
  Rational out;
  EXPECT_FALSE(RoundTo(R(5), R(0), RoundMode::kDown, &out));
  EXPECT_FALSE(RoundTo(R(5), R(-1), RoundMode::kDown, &out));
  EXPECT_FALSE(RoundTo(R(kMax), R(100), RoundMode::kUp, &out));
  EXPECT_FALSE(RoundTo(R(kMax - 1, 2), R(1, kMax), RoundMode::kUp, &out));
}

TEST(RationalTest, ParseDecimal) {
  Rational r;
  ASSERT_TRUE(ParseDecimal("470", &r));
  EXPECT_EQ(r, R(470));
  ASSERT_TRUE(ParseDecimal("470.25", &r));
  EXPECT_EQ(r, R(47025, 100));
  ASSERT_TRUE(ParseDecimal("-3.5", &r));
  EXPECT_EQ(r, R(-7, 2));
  ASSERT_TRUE(ParseDecimal("0.30", &r));
  EXPECT_EQ(r, R(3, 10));
  for (const char* bad : {"", "-", ".", "1.2.3", "abc", "1e5", "12,5", "99999999999999999999999"}) {
    EXPECT_FALSE(ParseDecimal(bad, &r)) << bad;
  }
}

TEST(RationalTest, FormatDecimal) {
  EXPECT_EQ(FormatDecimal(R(5)), "5");
  EXPECT_EQ(FormatDecimal(R(-5)), "-5");
  EXPECT_EQ(FormatDecimal(R(1, 2)), "0.5");
  EXPECT_EQ(FormatDecimal(R(-1, 2)), "-0.5");
  EXPECT_EQ(FormatDecimal(R(-7, 2)), "-3.5");
  EXPECT_EQ(FormatDecimal(R(7, 10)), "0.7");
  EXPECT_EQ(FormatDecimal(R(1, 8)), "0.125");
  EXPECT_EQ(FormatDecimal(R(1234, 100)), "12.34");
  // Non-terminating decimals: four places, truncated toward zero, marked with "…".
  EXPECT_EQ(FormatDecimal(R(1, 3)), "0.3333…");
  EXPECT_EQ(FormatDecimal(R(2, 3)), "0.6666…");
  EXPECT_EQ(FormatDecimal(R(-1, 3)), "-0.3333…");
  EXPECT_EQ(FormatDecimal(R(1100, 3)), "366.6666…");
}

TEST(RationalTest, FormatMoney) {
  EXPECT_EQ(FormatMoney(R(47000)), "470.00元");
  EXPECT_EQ(FormatMoney(R(47025)), "470.25元");
  EXPECT_EQ(FormatMoney(R(5)), "0.05元");
  EXPECT_EQ(FormatMoney(R(0)), "0.00元");
  EXPECT_EQ(FormatMoney(R(-5)), "-0.05元");
  EXPECT_EQ(FormatMoney(R(-47050)), "-470.50元");
  EXPECT_EQ(FormatMoney(R(47000), /*english=*/true), "470.00 yuan");
  // Not whole fen: exact decimals where possible, else truncated with "…".
  EXPECT_EQ(FormatMoney(R(1, 2)), "0.005元");
  EXPECT_EQ(FormatMoney(R(100001, 2)), "500.005元");
  EXPECT_EQ(FormatMoney(R(100000, 3)), "333.3333…元");
  EXPECT_EQ(FormatMoney(R(100000, 3), true), "333.3333… yuan");
}

}  // namespace
}  // namespace heyan::internal
