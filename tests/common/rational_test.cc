// Exact arithmetic for money and decimals (src/common/rational.h).
#include "common/rational.h"

#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <vector>

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

// ---------------------------------------------------------------------------------------
// Property tests: random operands against a 128-bit reference, with the output aliasing
// each input in turn. Issue 14: the evaluator's running sum called Add(sum, x, &sum), and
// the overflow flag was computed from the already-overwritten input, so 1 + INT64_MAX
// "succeeded" with a wrapped result and 0 + 5e18 reported a false overflow.

using I128 = __int128;

I128 RefGcd(I128 a, I128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    I128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// The exact fraction n/d reduced, or nullopt-like `fits == false` when it is not an int64
// fraction (or d == 0).
struct Ref {
  bool fits = false;
  Rational value;
};
Ref Reduce(I128 n, I128 d) {
  Ref r;
  if (d == 0) return r;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  I128 g = RefGcd(n, d);
  if (g > 1) {
    n /= g;
    d /= g;
  }
  if (n < kMin || n > kMax || d > kMax) return r;
  r.fits = true;
  r.value = Rational{static_cast<int64_t>(n), static_cast<int64_t>(d)};
  return r;
}

// Operands: edge values with high probability, otherwise uniform int64 or small values.
class Operands {
 public:
  explicit Operands(uint64_t seed) : rng_(seed) {}
  int64_t Int() {
    static constexpr int64_t kEdges[] = {kMin, kMin + 1, -1, 0, 1, kMax - 1, kMax, 5000000000000000000,
                                         -5000000000000000000, 4611686018427387904};
    switch (rng_() % 4) {
      case 0: return kEdges[rng_() % (sizeof(kEdges) / sizeof(kEdges[0]))];
      case 1: return static_cast<int64_t>(rng_() % 2000001) - 1000000;
      default: return static_cast<int64_t>(rng_());
    }
  }
  // A reduced fraction: whole numbers half the time, else a random denominator.
  Rational Fraction() {
    int64_t num = Int();
    if (rng_() % 2 == 0) return Rational::Int(num);
    static constexpr int64_t kDens[] = {2, 3, 7, 100, 1000003, kMax};
    int64_t den = rng_() % 3 == 0 ? static_cast<int64_t>(rng_() >> 1) : kDens[rng_() % 6];
    if (den <= 0) den = 1;
    Ref r = Reduce(num, den);
    return r.fits ? r.value : Rational::Int(num);
  }
  int64_t Small(int64_t bound) { return static_cast<int64_t>(rng_() % static_cast<uint64_t>(bound)) + 1; }

 private:
  std::mt19937_64 rng_;
};

enum class Alias { kNone, kA, kB };

// Runs op(a, b, out) with `out` distinct from, or the same object as, a or b.
template <typename Op>
bool RunAliased(Op op, Rational a, Rational b, Alias alias, Rational* result) {
  switch (alias) {
    case Alias::kNone: {
      Rational out{12345, 7};  // garbage that must not leak into the result
      bool ok = op(a, b, &out);
      *result = out;
      return ok;
    }
    case Alias::kA: {
      bool ok = op(a, b, &a);
      *result = a;
      return ok;
    }
    case Alias::kB: {
      bool ok = op(a, b, &b);
      *result = b;
      return ok;
    }
  }
  return false;
}

const char* AliasName(Alias a) { return a == Alias::kNone ? "distinct" : a == Alias::kA ? "out=a" : "out=b"; }

template <typename Op, typename RefOp>
void CheckBinary(const char* name, Op op, RefOp ref, bool fractions, uint64_t seed) {
  Operands gen(seed);
  for (int i = 0; i < 20000; ++i) {
    Rational a = fractions ? gen.Fraction() : Rational::Int(gen.Int());
    Rational b = fractions ? gen.Fraction() : Rational::Int(gen.Int());
    Ref expected = ref(a, b);
    for (Alias alias : {Alias::kNone, Alias::kA, Alias::kB}) {
      Rational got;
      bool ok = RunAliased(op, a, b, alias, &got);
      ASSERT_EQ(ok, expected.fits) << name << "(" << a.num << "/" << a.den << ", " << b.num << "/" << b.den
                                   << ") " << AliasName(alias);
      if (ok) {
        ASSERT_EQ(got, expected.value) << name << "(" << a.num << "/" << a.den << ", " << b.num << "/"
                                       << b.den << ") " << AliasName(alias);
      }
    }
  }
}

Ref RefAdd(const Rational& a, const Rational& b) {
  return Reduce(I128{a.num} * b.den + I128{b.num} * a.den, I128{a.den} * b.den);
}
Ref RefSub(const Rational& a, const Rational& b) {
  return Reduce(I128{a.num} * b.den - I128{b.num} * a.den, I128{a.den} * b.den);
}
Ref RefMul(const Rational& a, const Rational& b) {
  // |num * num| can reach 2^126 and |den * den| < 2^126: both fit in 128 bits.
  return Reduce(I128{a.num} * b.num, I128{a.den} * b.den);
}
Ref RefDiv(const Rational& a, const Rational& b) {
  if (b.num == 0) return Ref{};
  return Reduce(I128{a.num} * b.den, I128{a.den} * b.num);
}

TEST(RationalPropertyTest, AddMatches128BitReferenceWithAliasing) {
  CheckBinary("Add", Add, RefAdd, /*fractions=*/false, 1);
  CheckBinary("Add", Add, RefAdd, /*fractions=*/true, 2);
}

TEST(RationalPropertyTest, SubMatches128BitReferenceWithAliasing) {
  CheckBinary("Sub", Sub, RefSub, /*fractions=*/false, 3);
  CheckBinary("Sub", Sub, RefSub, /*fractions=*/true, 4);
}

TEST(RationalPropertyTest, MulMatches128BitReferenceWithAliasing) {
  CheckBinary("Mul", Mul, RefMul, /*fractions=*/false, 5);
  CheckBinary("Mul", Mul, RefMul, /*fractions=*/true, 6);
}

TEST(RationalPropertyTest, DivMatches128BitReferenceWithAliasing) {
  CheckBinary("Div", Div, RefDiv, /*fractions=*/false, 7);
  CheckBinary("Div", Div, RefDiv, /*fractions=*/true, 8);
}

TEST(RationalPropertyTest, NegateMatches128BitReferenceInPlace) {
  Operands gen(9);
  for (int i = 0; i < 20000; ++i) {
    Rational a = gen.Fraction();
    Ref expected = Reduce(-I128{a.num}, a.den);
    Rational out;
    ASSERT_EQ(Negate(a, &out), expected.fits) << a.num << "/" << a.den;
    Rational in_place = a;
    ASSERT_EQ(Negate(in_place, &in_place), expected.fits) << a.num << "/" << a.den;
    if (expected.fits) {
      EXPECT_EQ(out, expected.value);
      EXPECT_EQ(in_place, expected.value);
    }
  }
}

// RoundTo(a, unit) = k * unit where k = floor / ceil / half-away-from-zero of a / unit.
Ref RefRound(const Rational& a, const Rational& unit, RoundMode mode) {
  if (unit.num <= 0) return Ref{};
  // q = a / unit = n / d with d > 0; both below 2^127 in magnitude.
  I128 n = I128{a.num} * unit.den, d = I128{a.den} * unit.num;
  I128 g = RefGcd(n, d);
  n /= g;
  d /= g;
  I128 floor = n / d - ((n % d != 0 && n < 0) ? 1 : 0);
  I128 rem = n - floor * d;  // in [0, d)
  I128 k = floor;
  if (rem != 0) {
    if (mode == RoundMode::kUp) k = floor + 1;
    if (mode == RoundMode::kHalfUp) k = (n >= 0 ? 2 * rem >= d : 2 * rem > d) ? floor + 1 : floor;
  }
  if (k < kMin || k > kMax) return Ref{};
  return Reduce(k * unit.num, unit.den);  // k * unit; |k * unit.num| < 2^126
}

TEST(RationalPropertyTest, RoundToMatches128BitReferenceWithAliasing) {
  Operands gen(10);
  for (int i = 0; i < 20000; ++i) {
    const bool fractions = i % 2 == 1;
    Rational a = fractions ? gen.Fraction() : Rational::Int(gen.Int());
    Rational unit = i % 3 == 0 ? Rational::Int(i % 2 == 0 ? 1 : 100) : Rational::Int(gen.Small(1000));
    if (fractions && i % 5 == 0) unit = Rational{1, gen.Small(1000)};
    for (RoundMode mode : {RoundMode::kDown, RoundMode::kUp, RoundMode::kHalfUp}) {
      Ref expected = RefRound(a, unit, mode);
      auto op = [mode](const Rational& x, const Rational& u, Rational* out) { return RoundTo(x, u, mode, out); };
      for (Alias alias : {Alias::kNone, Alias::kA, Alias::kB}) {
        Rational got;
        bool ok = RunAliased(op, a, unit, alias, &got);
        ASSERT_EQ(ok, expected.fits) << "RoundTo(" << a.num << "/" << a.den << ", " << unit.num << "/"
                                     << unit.den << ", " << static_cast<int>(mode) << ") " << AliasName(alias);
        if (ok) ASSERT_EQ(got, expected.value) << a.num << "/" << a.den << " " << AliasName(alias);
      }
    }
  }
}

// The evaluator's pattern: a running sum that is both input and output.
TEST(RationalPropertyTest, RunningSumInPlaceDetectsOverflow) {
  Rational sum;
  ASSERT_TRUE(Add(sum, Rational::Int(1), &sum));
  EXPECT_FALSE(Add(sum, Rational::Int(kMax), &sum)) << "1 + INT64_MAX must overflow, got " << sum.num;
  Rational single;
  ASSERT_TRUE(Add(single, Rational::Int(5000000000000000000), &single)) << "0 + 5e18 is not an overflow";
  EXPECT_EQ(single, Rational::Int(5000000000000000000));
  // 922337203685477.58元 * 100 in place, as the parser scales a money literal.
  Rational money = Rational::Int(92233720368547758);
  ASSERT_TRUE(Mul(money, Rational::Int(100), &money));
  EXPECT_EQ(money, Rational::Int(9223372036854775800));
}

}  // namespace
}  // namespace heyan::internal
