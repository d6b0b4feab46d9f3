#include "common/date.h"

#include "absl/strings/str_cat.h"

namespace heyan::internal {

// Howard Hinnant's civil-calendar algorithms (public-domain formulas).
int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(int32_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int yy = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

namespace {
bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}
}  // namespace

bool IsValidDate(int y, int m, int d) {
  return y >= 1800 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

bool ParseDate(std::string_view text, int32_t* days) {
  int parts[3] = {0, 0, 0};
  int digits[3] = {0, 0, 0};
  int part = 0;
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= '0' && c <= '9') {
      if (part > 2 || digits[part] >= 4) return false;
      parts[part] = parts[part] * 10 + (c - '0');
      ++digits[part];
      ++i;
      continue;
    }
    // Separators: '-' or the UTF-8 characters 年 月 (3 bytes each); 日 ends the date.
    if (c == '-') {
      ++part;
      ++i;
    } else if (text.substr(i, 3) == "年" || text.substr(i, 3) == "月") {
      ++part;
      i += 3;
    } else if (text.substr(i, 3) == "日" && i + 3 == text.size()) {
      i += 3;
    } else {
      return false;
    }
  }
  if (part != 2 || digits[0] != 4 || digits[1] == 0 || digits[2] == 0) return false;
  if (!IsValidDate(parts[0], parts[1], parts[2])) return false;
  *days = DaysFromCivil(parts[0], static_cast<unsigned>(parts[1]), static_cast<unsigned>(parts[2]));
  return true;
}

std::string FormatDate(int32_t days) {
  int y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  // Hand-formatted: this runs once per decision, and snprintf is several times slower.
  if (y < 0 || y > 9999) return absl::StrCat(y, "-", m, "-", d);
  char buf[10] = {static_cast<char>('0' + y / 1000), static_cast<char>('0' + y / 100 % 10),
                  static_cast<char>('0' + y / 10 % 10), static_cast<char>('0' + y % 10), '-',
                  static_cast<char>('0' + m / 10), static_cast<char>('0' + m % 10), '-',
                  static_cast<char>('0' + d / 10), static_cast<char>('0' + d % 10)};
  return std::string(buf, 10);
}

bool AddDuration(int32_t date, const Duration& dur, int sign, int32_t* out) {
  if (!InDateRange(date)) return false;
  int y;
  unsigned m, d;
  CivilFromDays(date, &y, &m, &d);
  // 64-bit throughout: months and days are int32 and may be INT32_MIN, so neither
  // sign * months nor the day count may be formed in int (issue 14: 评估日期 + 6000000年
  // overflowed the 32-bit day number).
  int64_t total = static_cast<int64_t>(y) * 12 + (m - 1) + static_cast<int64_t>(sign) * dur.months;
  int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
  if (ny < 1 || ny > 9999) return false;
  int nm = static_cast<int>(total - ny * 12) + 1;
  int nd = static_cast<int>(d);
  if (nd > DaysInMonth(static_cast<int>(ny), nm)) nd = DaysInMonth(static_cast<int>(ny), nm);
  int64_t result = static_cast<int64_t>(DaysFromCivil(static_cast<int>(ny), static_cast<unsigned>(nm),
                                                      static_cast<unsigned>(nd))) +
                   static_cast<int64_t>(sign) * dur.days;
  if (!InDateRange(result)) return false;
  *out = static_cast<int32_t>(result);
  return true;
}

bool AddDurations(const Duration& a, const Duration& b, Duration* out) {
  Duration sum;
  if (__builtin_add_overflow(a.months, b.months, &sum.months) ||
      __builtin_add_overflow(a.days, b.days, &sum.days)) {
    return false;
  }
  *out = sum;
  return true;
}

int32_t MonthsBetween(int32_t from, int32_t to) {
  int y1, y2;
  unsigned m1, d1, m2, d2;
  CivilFromDays(from, &y1, &m1, &d1);
  CivilFromDays(to, &y2, &m2, &d2);
  int32_t months = (y2 - y1) * 12 + (static_cast<int>(m2) - static_cast<int>(m1));
  if (months > 0 && d2 < d1) --months;
  if (months < 0 && d2 > d1) ++months;
  return months;
}

int32_t YearsBetween(int32_t birth, int32_t on) { return MonthsBetween(birth, on) / 12; }

std::string FormatDuration(const Duration& d, bool english) {
  std::string out;
  if (d.months != 0 || d.days == 0) {
    if (d.months % 12 == 0 && d.months != 0) {
      absl::StrAppend(&out, d.months / 12, english ? " years" : "年");
    } else {
      absl::StrAppend(&out, d.months, english ? " months" : "个月");
    }
  }
  if (d.days != 0) absl::StrAppend(&out, out.empty() ? "" : (english ? " " : ""), d.days, english ? " days" : "天");
  return out;
}

}  // namespace heyan::internal
