// Calendar dates and durations (src/common/date.h).
#include "common/date.h"

#include <cstdint>
#include <string>

#include "gtest/gtest.h"

namespace heyan::internal {
namespace {

int32_t D(const std::string& text) {
  int32_t days = 0;
  EXPECT_TRUE(ParseDate(text, &days)) << text;
  return days;
}

// date + sign * duration as text; fails the test when AddDuration reports failure.
std::string Shifted(int32_t date, Duration d, int sign) {
  int32_t out = 0;
  EXPECT_TRUE(AddDuration(date, d, sign, &out)) << FormatDate(date);
  return FormatDate(out);
}

TEST(DateTest, EpochAndCivilRoundTrip) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1970, 1, 2), 1);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  for (int32_t z : {-80000, -1, 0, 17348, 19783, 60000}) {
    int y;
    unsigned m, d;
    CivilFromDays(z, &y, &m, &d);
    EXPECT_EQ(DaysFromCivil(y, m, d), z);
  }
}

TEST(DateTest, ParsesHyphenatedForm) {
  EXPECT_EQ(D("2017-07-01"), DaysFromCivil(2017, 7, 1));
  EXPECT_EQ(D("2000-02-29"), DaysFromCivil(2000, 2, 29));
  EXPECT_EQ(FormatDate(D("2017-07-01")), "2017-07-01");
}

TEST(DateTest, ParsesChineseForm) {
  EXPECT_EQ(D("2017年7月1日"), DaysFromCivil(2017, 7, 1));
  EXPECT_EQ(D("2017年07月01日"), DaysFromCivil(2017, 7, 1));
  EXPECT_EQ(D("2018年12月31日"), DaysFromCivil(2018, 12, 31));
}

TEST(DateTest, RejectsDatesThatDoNotExist) {
  int32_t days = 12345;
  for (const char* bad : {"2017-13-40", "2017-02-30", "2017-02-29", "2018-04-31", "2017-00-10",
                          "2017-01-00", "2017年2月30日", "2019年2月29日", "1900-02-29"}) {
    EXPECT_FALSE(ParseDate(bad, &days)) << bad;
  }
  EXPECT_EQ(days, 12345) << "a failed parse must not write the result";
  EXPECT_TRUE(ParseDate("2016-02-29", &days));
  EXPECT_TRUE(ParseDate("2000-02-29", &days));
}

TEST(DateTest, RejectsMalformedText) {
  int32_t days;
  for (const char* bad : {"", "2017", "2017-07", "17-07-01", "2017-07-01x", "2017/07/01",
                          "2017-07-01-01", "20170-07-01", "abcd-ef-gh", "2017年7月", "2017年7月1日后"}) {
    EXPECT_FALSE(ParseDate(bad, &days)) << bad;
  }
}

TEST(DateTest, FormatDate) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(DaysFromCivil(1960, 5, 9)), "1960-05-09");
  EXPECT_EQ(FormatDate(DaysFromCivil(2024, 12, 31)), "2024-12-31");
}

TEST(DateTest, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(Shifted(D("2024-03-31"), Duration{1, 0}, -1), "2024-02-29");
  EXPECT_EQ(Shifted(D("2023-03-31"), Duration{1, 0}, -1), "2023-02-28");
  EXPECT_EQ(Shifted(D("2024-01-31"), Duration{1, 0}, +1), "2024-02-29");
  EXPECT_EQ(Shifted(D("2024-01-31"), Duration{13, 0}, +1), "2025-02-28");
  EXPECT_EQ(Shifted(D("2024-05-31"), Duration{1, 0}, +1), "2024-06-30");
  EXPECT_EQ(Shifted(D("2024-02-29"), Duration{12, 0}, +1), "2025-02-28");
  EXPECT_EQ(Shifted(D("2024-02-29"), Duration{48, 0}, +1), "2028-02-29");
}

TEST(DateTest, AddMonthsCrossesYears) {
  EXPECT_EQ(Shifted(D("2024-01-15"), Duration{1, 0}, -1), "2023-12-15");
  EXPECT_EQ(Shifted(D("2018-01-01"), Duration{12, 0}, -1), "2017-01-01");
  EXPECT_EQ(Shifted(D("2023-11-30"), Duration{3, 0}, +1), "2024-02-29");
  EXPECT_EQ(Shifted(D("2024-01-01"), Duration{36, 0}, -1), "2021-01-01");
}

TEST(DateTest, AddsMonthsBeforeDays) {
  // 2024-01-31 + (1 month, 1 day): clamp to 02-29 first, then one day.
  EXPECT_EQ(Shifted(D("2024-01-31"), Duration{1, 1}, +1), "2024-03-01");
  EXPECT_EQ(Shifted(D("2024-03-01"), Duration{0, 1}, -1), "2024-02-29");
  EXPECT_EQ(Shifted(D("2024-03-31"), Duration{1, 30}, -1), "2024-01-30");
  EXPECT_EQ(Shifted(D("2024-12-31"), Duration{0, 365}, +1), "2025-12-31");
}

TEST(DateTest, YearsBetweenCountsCompletedYears) {
  EXPECT_EQ(YearsBetween(D("1960-05-10"), D("2020-05-10")), 60) << "a birthday counts";
  EXPECT_EQ(YearsBetween(D("1960-05-10"), D("2020-05-09")), 59);
  EXPECT_EQ(YearsBetween(D("2002-06-30"), D("2020-06-29")), 17);
  EXPECT_EQ(YearsBetween(D("2002-06-30"), D("2020-07-01")), 18);
  EXPECT_EQ(YearsBetween(D("2000-02-29"), D("2018-03-01")), 18);
  EXPECT_EQ(YearsBetween(D("2020-01-01"), D("2020-01-01")), 0);
  EXPECT_EQ(YearsBetween(D("2020-05-10"), D("2010-05-10")), -10) << "negative when 'on' is earlier";
}

TEST(DateTest, MonthsBetweenCountsCompletedMonths) {
  EXPECT_EQ(MonthsBetween(D("2018-01-15"), D("2018-04-15")), 3);
  EXPECT_EQ(MonthsBetween(D("2018-01-15"), D("2018-04-14")), 2);
  EXPECT_EQ(MonthsBetween(D("2017-07-01"), D("2018-07-01")), 12);
  EXPECT_EQ(MonthsBetween(D("2017-12-31"), D("2018-01-01")), 0);
  EXPECT_EQ(MonthsBetween(D("2018-04-15"), D("2018-01-15")), -3);
  EXPECT_EQ(MonthsBetween(D("2024-03-15"), D("2024-01-20")), -1);
  EXPECT_EQ(MonthsBetween(D("2024-03-15"), D("2024-03-15")), 0);
}

TEST(DateTest, FormatDuration) {
  EXPECT_EQ(FormatDuration(Duration{12, 0}), "1年");
  EXPECT_EQ(FormatDuration(Duration{36, 0}), "3年");
  EXPECT_EQ(FormatDuration(Duration{3, 0}), "3个月");
  EXPECT_EQ(FormatDuration(Duration{0, 30}), "30天");
  EXPECT_EQ(FormatDuration(Duration{1, 2}), "1个月2天");
  EXPECT_EQ(FormatDuration(Duration{0, 0}), "0个月");
  EXPECT_EQ(FormatDuration(Duration{24, 0}, true), "2 years");
  EXPECT_EQ(FormatDuration(Duration{0, 30}, true), "30 days");
}

TEST(DateTest, SupportedRangeBounds) {
  EXPECT_EQ(kMinDate, DaysFromCivil(1, 1, 1));
  EXPECT_EQ(kMaxDate, DaysFromCivil(9999, 12, 31));
  EXPECT_EQ(FormatDate(kMinDate), "0001-01-01");
  EXPECT_EQ(FormatDate(kMaxDate), "9999-12-31");
}

// Issue 14: 评估日期 + 6000000年 overflowed the 32-bit day number (UBSan). Results outside
// 0001-01-01..9999-12-31 are refused, and *out is left alone.
TEST(DateTest, AddDurationRefusesResultsOutsideTheRange) {
  int32_t out = 777;
  EXPECT_FALSE(AddDuration(D("2023-01-01"), Duration{6000000 * 12, 0}, +1, &out));
  EXPECT_FALSE(AddDuration(D("2023-01-01"), Duration{INT32_MAX, 0}, +1, &out));
  EXPECT_FALSE(AddDuration(D("2023-01-01"), Duration{INT32_MIN, 0}, -1, &out));
  EXPECT_FALSE(AddDuration(D("2023-01-01"), Duration{0, INT32_MAX}, +1, &out));
  EXPECT_FALSE(AddDuration(D("2023-01-01"), Duration{0, INT32_MIN}, -1, &out));
  EXPECT_FALSE(AddDuration(D("2023-01-01"), Duration{2023 * 12, 0}, -1, &out)) << "year 0";
  EXPECT_FALSE(AddDuration(D("2023-01-01"), Duration{7977 * 12, 0}, +1, &out)) << "year 10000";
  EXPECT_FALSE(AddDuration(kMaxDate, Duration{0, 1}, +1, &out));
  EXPECT_FALSE(AddDuration(kMinDate, Duration{0, 1}, -1, &out));
  EXPECT_FALSE(AddDuration(kMaxDate + 1, Duration{0, 0}, +1, &out)) << "input outside the range";
  EXPECT_EQ(out, 777);
  EXPECT_EQ(Shifted(D("2023-01-01"), Duration{7976 * 12 + 11, 30}, +1), "9999-12-31");
  EXPECT_EQ(Shifted(D("2023-01-01"), Duration{2022 * 12, 0}, -1), "0001-01-01");
  EXPECT_EQ(Shifted(kMaxDate, Duration{0, 1}, -1), "9999-12-30");
}

TEST(DateTest, AddDurationsDetectsOverflow) {
  Duration out{5, 5};
  EXPECT_FALSE(AddDurations(Duration{INT32_MAX, 0}, Duration{1, 0}, &out));
  EXPECT_FALSE(AddDurations(Duration{0, INT32_MIN}, Duration{0, -1}, &out));
  EXPECT_EQ(out, (Duration{5, 5}));
  ASSERT_TRUE(AddDurations(Duration{12, 3}, Duration{1, 4}, &out));
  EXPECT_EQ(out, (Duration{13, 7}));
}

}  // namespace
}  // namespace heyan::internal
