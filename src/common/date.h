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

int32_t DaysFromCivil(int y, unsigned m, unsigned d);
void CivilFromDays(int32_t z, int* y, unsigned* m, unsigned* d);
bool IsValidDate(int y, int m, int d);

// Parses "YYYY-MM-DD" (also "YYYY年M月D日"). False if malformed or not a real date.
bool ParseDate(std::string_view text, int32_t* days);
std::string FormatDate(int32_t days);

// Adds a duration (months first, clamping the day to the month's end, then days).
// `sign` is +1 or -1.
int32_t AddDuration(int32_t date, const Duration& d, int sign);
// Whole years from `birth` to `on` (an age), negative if `on` is earlier.
int32_t YearsBetween(int32_t birth, int32_t on);
// Whole months from `from` to `to`.
int32_t MonthsBetween(int32_t from, int32_t to);

std::string FormatDuration(const Duration& d, bool english = false);

}  // namespace heyan::internal

#endif  // HEYAN_COMMON_DATE_H_
