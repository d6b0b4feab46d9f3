#include "common/rational.h"

#include <cstdlib>
#include <numeric>
#include <limits>

#include "absl/strings/str_cat.h"

namespace heyan::internal {
namespace {

__int128 Gcd(__int128 a, __int128 b) {
  if (a < 0) a = -a;
  if (b < 0) b = -b;
  while (b != 0) {
    __int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

bool Fits(__int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

}  // namespace

bool Make(__int128 num, __int128 den, Rational* out) {
  if (den == 0) return false;
  if (den < 0) {
    num = -num;
    den = -den;
  }
  if (den != 1 && Fits(num) && Fits(den) && num > INT64_MIN) {
    // Common case: 64-bit gcd is several times cheaper than the 128-bit loop.
    int64_t n = static_cast<int64_t>(num), d = static_cast<int64_t>(den);
    int64_t g = std::gcd(n < 0 ? -n : n, d);
    if (g > 1) {
      n /= g;
      d /= g;
    }
    *out = Rational{n, d};
    return true;
  }
  if (den != 1) {
    __int128 g = Gcd(num, den);
    if (g > 1) {
      num /= g;
      den /= g;
    }
  }
  if (!Fits(num) || !Fits(den)) return false;
  *out = Rational{static_cast<int64_t>(num), static_cast<int64_t>(den)};
  return true;
}

// Every operation below reads its inputs into locals, computes the result into a local and
// assigns *out last, so `out` may be the same object as `a` or `b` (the evaluator's running
// sum is Add(sum, x, &sum)). Writing the result into out->num inside __builtin_*_overflow
// is not enough: GCC 12 at -O2 stores the sum first and then recomputes the overflow flag
// from the (now overwritten) operands in memory, so 1 + INT64_MAX "fit" and wrapped, and
// 0 + 5e18 reported a false overflow (issue 14).

bool Add(const Rational& a, const Rational& b, Rational* out) {
  const Rational x = a, y = b;
  if (x.den == 1 && y.den == 1) {
    int64_t sum;
    if (__builtin_add_overflow(x.num, y.num, &sum)) return false;
    *out = Rational::Int(sum);
    return true;
  }
  return Make(static_cast<__int128>(x.num) * y.den + static_cast<__int128>(y.num) * x.den,
              static_cast<__int128>(x.den) * y.den, out);
}

bool Sub(const Rational& a, const Rational& b, Rational* out) {
  const Rational x = a, y = b;
  if (x.den == 1 && y.den == 1) {
    int64_t difference;
    if (__builtin_sub_overflow(x.num, y.num, &difference)) return false;
    *out = Rational::Int(difference);
    return true;
  }
  return Make(static_cast<__int128>(x.num) * y.den - static_cast<__int128>(y.num) * x.den,
              static_cast<__int128>(x.den) * y.den, out);
}

bool Mul(const Rational& a, const Rational& b, Rational* out) {
  const Rational x = a, y = b;
  if (x.den == 1 && y.den == 1) {
    int64_t product;
    if (__builtin_mul_overflow(x.num, y.num, &product)) return false;
    *out = Rational::Int(product);
    return true;
  }
  return Make(static_cast<__int128>(x.num) * y.num, static_cast<__int128>(x.den) * y.den, out);
}

bool Div(const Rational& a, const Rational& b, Rational* out) {
  const Rational x = a, y = b;
  if (y.num == 0) return false;
  return Make(static_cast<__int128>(x.num) * y.den, static_cast<__int128>(x.den) * y.num, out);
}

bool Negate(const Rational& a, Rational* out) {
  const Rational x = a;
  if (x.num == std::numeric_limits<int64_t>::min()) return false;
  *out = Rational{-x.num, x.den};
  return true;
}

int Compare(const Rational& a, const Rational& b) {
  if (a.den == b.den) return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
  __int128 l = static_cast<__int128>(a.num) * b.den;
  __int128 r = static_cast<__int128>(b.num) * a.den;
  return l < r ? -1 : (l > r ? 1 : 0);
}

bool RoundTo(const Rational& value, const Rational& unit_in, RoundMode mode, Rational* out) {
  const Rational a = value, unit = unit_in;  // copies: `out` may alias either
  if (unit.num <= 0) return false;
  if (a.den == 1 && unit.den == 1) {
    // Whole amounts: plain integer division with the rounding applied to the remainder.
    int64_t q = a.num / unit.num, rem = a.num % unit.num;
    if (rem < 0) {
      q -= 1;
      rem += unit.num;
    }
    if (rem != 0) {
      // 2 * rem may not fit when unit.num > INT64_MAX / 2: compare rem with unit - rem.
      const int64_t rest = unit.num - rem;
      if (mode == RoundMode::kUp || (mode == RoundMode::kHalfUp && (a.num >= 0 ? rem >= rest : rem > rest))) {
        q += 1;
      }
    }
    int64_t rounded;
    if (__builtin_mul_overflow(q, unit.num, &rounded)) return false;
    *out = Rational::Int(rounded);
    return true;
  }
  // q = a / unit = n/d, kept in 128 bits (|n|, d < 2^126): the quotient need not fit in
  // int64 for the rounded result to fit (-5e18/INT64_MAX to a multiple of 153 is -153).
  __int128 n = static_cast<__int128>(a.num) * unit.den, d = static_cast<__int128>(a.den) * unit.num;
  __int128 fl = n / d;
  if ((n % d != 0) && (n < 0)) fl -= 1;  // floor for negatives
  __int128 k = fl;
  if (n % d != 0) {
    switch (mode) {
      case RoundMode::kDown:
        k = fl;
        break;
      case RoundMode::kUp:
        k = fl + 1;
        break;
      case RoundMode::kHalfUp: {
        // Half away from zero: compare the remainder with one half.
        __int128 rem2 = 2 * (n - fl * d);  // in [0, 2d)
        if (n >= 0) {
          k = rem2 >= d ? fl + 1 : fl;
        } else {
          k = rem2 > d ? fl + 1 : fl;
        }
        break;
      }
    }
  }
  if (!Fits(k)) return false;
  return Mul(Rational::Int(static_cast<int64_t>(k)), unit, out);
}

bool ParseDecimal(const std::string& text, Rational* out) {
  if (text.empty()) return false;
  size_t i = 0;
  bool negative = false;
  if (text[0] == '-') {
    negative = true;
    i = 1;
  }
  __int128 num = 0, den = 1;
  bool seen_digit = false, seen_dot = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (seen_dot) return false;
      seen_dot = true;
      continue;
    }
    if (c < '0' || c > '9') return false;
    seen_digit = true;
    num = num * 10 + (c - '0');
    if (seen_dot) den *= 10;
    if (num > static_cast<__int128>(std::numeric_limits<int64_t>::max()) * 1000 ||
        den > static_cast<__int128>(1) << 62)
      return false;
  }
  if (!seen_digit) return false;
  return Make(negative ? -num : num, den, out);
}

std::string FormatDecimal(const Rational& r) {
  if (r.den == 1) return absl::StrCat(r.num);
  // Find a power of ten the denominator divides.
  __int128 scale = 1;
  int places = 0;
  while (places < 12) {
    scale *= 10;
    ++places;
    if (scale % r.den == 0) break;
  }
  if (scale % r.den != 0) {
    // Not a terminating decimal (e.g. 1/3): four places, truncated, and "…" to say so.
    Rational truncated;
    if (!RoundTo(r, Rational{1, 10000}, RoundMode::kDown, &truncated)) return absl::StrCat(r.num, "/", r.den);
    if (r.num < 0 && !RoundTo(r, Rational{1, 10000}, RoundMode::kUp, &truncated)) return absl::StrCat(r.num, "/", r.den);
    return FormatDecimal(truncated) + "…";
  }
  __int128 scaled = static_cast<__int128>(r.num) * (scale / r.den);
  bool negative = scaled < 0;
  if (negative) scaled = -scaled;
  __int128 whole = scaled / scale, frac = scaled % scale;
  std::string frac_text(places, '0');
  for (int p = places - 1; p >= 0; --p) {
    frac_text[p] = static_cast<char>('0' + static_cast<int>(frac % 10));
    frac /= 10;
  }
  while (!frac_text.empty() && frac_text.back() == '0') frac_text.pop_back();
  std::string out = negative ? "-" : "";
  absl::StrAppend(&out, static_cast<int64_t>(whole));
  if (!frac_text.empty()) absl::StrAppend(&out, ".", frac_text);
  return out;
}

std::string FormatMoney(const Rational& fen, bool english) {
  const char* unit = english ? " yuan" : "元";
  if (fen.den == 1 && fen.num != INT64_MIN) {
    int64_t v = fen.num < 0 ? -fen.num : fen.num;
    char frac[3] = {static_cast<char>('0' + (v % 100) / 10), static_cast<char>('0' + v % 10), 0};
    return absl::StrCat(fen.num < 0 ? "-" : "", v / 100, ".", frac, unit);
  }
  // Yuan = fen / 100. Show at least two decimals.
  Rational yuan;
  if (!Div(fen, Rational::Int(100), &yuan)) return absl::StrCat(fen.num, "/", fen.den, "分");
  std::string text = FormatDecimal(yuan);
  if (text.find('/') != std::string::npos) return absl::StrCat(FormatDecimal(fen), english ? " fen" : "分");
  if (text.find("…") != std::string::npos) return text + unit;
  size_t dot = text.find('.');
  if (dot == std::string::npos) {
    text += ".00";
  } else if (text.size() - dot - 1 < 2) {
    text.append(2 - (text.size() - dot - 1), '0');
  }
  return text + unit;
}

}  // namespace heyan::internal
