// Exact numbers for money and decimals: a reduced fraction of two int64s.
//
// Money is counted in fen. Most amounts are whole fen (denominator 1) and take a fast path;
// division by a head count or multiplication by a percentage produces a true fraction that
// stays exact until the rules round it explicitly. Every operation reports overflow
// instead of wrapping, so a rule never computes with a silently wrong amount.
#ifndef HEYAN_COMMON_RATIONAL_H_
#define HEYAN_COMMON_RATIONAL_H_

#include <cstdint>
#include <string>

namespace heyan::internal {

struct Rational {
  int64_t num = 0;
  int64_t den = 1;  // always > 0; gcd(num, den) == 1

  static Rational Int(int64_t v) { return Rational{v, 1}; }
  bool is_integer() const { return den == 1; }
};

enum class RoundMode { kDown, kUp, kHalfUp };  // floor, ceiling, half away from zero

// Each returns false on overflow (or division by zero); *out is then unspecified.
bool Add(const Rational& a, const Rational& b, Rational* out);
bool Sub(const Rational& a, const Rational& b, Rational* out);
bool Mul(const Rational& a, const Rational& b, Rational* out);
bool Div(const Rational& a, const Rational& b, Rational* out);
bool Negate(const Rational& a, Rational* out);
// Rounds to a whole multiple of `unit` (unit > 0).
bool RoundTo(const Rational& a, const Rational& unit, RoundMode mode, Rational* out);
// -1, 0, 1. Never overflows (uses 128-bit products).
int Compare(const Rational& a, const Rational& b);
inline bool operator==(const Rational& a, const Rational& b) {
  return a.num == b.num && a.den == b.den;
}
// Normalises sign and common factors; false if den == 0.
bool Make(__int128 num, __int128 den, Rational* out);

// Parses "470", "470.25", "-3.5" into an exact value.
bool ParseDecimal(const std::string& text, Rational* out);

// "470.25" style: exact when the denominator divides a power of ten (up to 12 places),
// otherwise "1100/3".
std::string FormatDecimal(const Rational& r);
// Money in fen rendered as yuan: "470.00元" (or "1100/3分" when not representable).
std::string FormatMoney(const Rational& fen, bool english = false);

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_RATIONAL_H_
