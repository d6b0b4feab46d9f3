// Calendar dates (days since 1970-01-01, proleptic Gregorian) and durations.
#ifndef HEYAN_COMMON_DATE_H_
#define HEYAN_COMMON_DATE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace heyan::internal {

// A duration in calendar terms: months first, then days ("12个月", "3年" = 36 months, "30天").
struct Duration {
  int32_t months = 0;
  int32_t days = 0;
};
inline bool operator==(const Duration& a, const Duration& b) {
  return a.months == b.months && a.days == b.days;
}

// The supported date range, 0001-01-01 .. 9999-12-31, as day numbers. Dates read from rule
// files and applications are narrower (years 1800-2200, see IsValidDate); date arithmetic
// whose result leaves this range is a fault, never a wrapped day number.
inline constexpr int32_t kMinDate = -719162;  // 0001-01-01
inline constexpr int32_t kMaxDate = 2932896;  // 9999-12-31
inline bool InDateRange(int64_t days) { return days >= kMinDate && days <= kMaxDate; }

int32_t DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(int32_t z, int* y, unsigned* m, unsigned* d);
bool IsValidDate(int y, int m, int d);

// Parses "YYYY-MM-DD" (also "YYYY年M月D日"). False if malformed or not a real date.
bool ParseDate(std::string_view text, int32_t* days);
std::string FormatDate(int32_t days);

// Adds a duration (months first, clamping the day to the month's end, then days).
// `sign` is +1 or -1. False (and *out untouched) when `date` or the result is outside
// kMinDate..kMaxDate.
bool AddDuration(int32_t date, const Duration& d, int sign, int32_t* out);
// a + b, component-wise. False (and *out untouched) when a component overflows int32.
bool AddDurations(const Duration& a, const Duration& b, Duration* out);
// Whole years from `birth` to `on` (an age), negative if `on` is earlier.
int32_t YearsBetween(int32_t birth, int32_t on);
// Whole months from `from` to `to`.
int32_t MonthsBetween(int32_t from, int32_t to);

std::string FormatDuration(const Duration& d, bool english = false);

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_DATE_H_
