#include "vigil/core/time.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"

namespace vigil::core {
namespace {

struct TimeCase {
  std::string_view text;
  int64_t unix_ms;
};

struct BadCase {
  std::string_view text;
  std::string_view message;  // The whole error message.
};

// Expected values computed independently (Python datetime) and written down here.
TEST(ParseRfc3339Test, ValidTimes) {
  const TimeCase kCases[] = {
      {"2024-06-10T13:55:36Z", 1718027736000},
      {"2024-06-10t13:55:36z", 1718027736000},
      {"2024-06-10 13:55:36Z", 1718027736000},
      {"2024-06-10T13:55:36+00:00", 1718027736000},
      {"2024-06-10T13:55:36-00:00", 1718027736000},
      {"2024-06-10T13:55:36.123+05:30", 1718007936123},
      {"2024-06-10T13:55:36+05:45", 1718007036000},
      {"2000-10-10T13:55:36-07:00", 971211336000},
      {"2011-09-18T19:18:28-04:00", 1316387908000},
      {"1970-01-01T00:00:00Z", 0},
      {"1969-12-31T23:59:59.999Z", -1},
      {"1960-05-17T04:03:02.5-03:00", -303757017500},
      {"1900-03-01T00:00:00Z", -2203891200000},
      {"0001-01-01T00:00:00Z", -62135596800000},
      {"0000-01-01T00:00:00Z", -62167219200000},
      {"9999-12-31T23:59:59.999Z", 253402300799999},
      // Leap years: 2024 and 2000 have Feb 29.
      {"2024-02-29T12:00:00Z", 1709208000000},
      {"2000-02-29T00:00:00Z", 951782400000},
      // 0 to 9 fraction digits, truncated (not rounded) to milliseconds.
      {"2024-06-10T13:55:36.1Z", 1718027736100},
      {"2024-06-10T13:55:36.12Z", 1718027736120},
      {"2024-06-10T13:55:36.1239Z", 1718027736123},
      {"2024-06-10T13:55:36.999999999Z", 1718027736999},
      // A leap second reads as 59.999.
      {"2016-12-31T23:59:60Z", 1483228799999},
      {"2016-12-31T23:59:60.5Z", 1483228799999},
      // DST-like offset changes: the same wall clock an hour apart, and a jump that is 1 s.
      {"2024-10-27T02:30:00+02:00", 1729989000000},
      {"2024-10-27T02:30:00+01:00", 1729992600000},
      {"2024-03-31T01:59:59+01:00", 1711846799000},
      {"2024-03-31T03:00:00+02:00", 1711846800000},
  };
  for (const TimeCase& c : kCases) {
    Result<Timestamp> t = ParseRfc3339(c.text);
    ASSERT_OK(t);
    EXPECT_EQ(t->unix_ms(), c.unix_ms) << c.text;
  }
}

TEST(ParseRfc3339Test, InvalidTimesNameTheBadPart) {
  const BadCase kCases[] = {
      {"", "expected 4 digits of the year at byte 0, found ''"},
      {"2024-13-01T00:00:00Z", "month 13"},
      {"2024-00-01T00:00:00Z", "month 0"},
      {"2023-02-29T00:00:00Z", "day 29 of 2023-02"},
      {"1900-02-29T00:00:00Z", "day 29 of 1900-02"},
      {"2024-04-31T00:00:00Z", "day 31 of 2024-04"},
      {"2024-01-00T00:00:00Z", "day 0"},
      {"2024-06-10T25:00:00Z", "hour 25"},
      {"2024-06-10T24:00:00Z", "hour 24"},
      {"2024-06-10T13:61:00Z", "minute 61"},
      {"2024-06-10T13:00:61Z", "second 61"},
      {"2024-13-32T25:61:00Z", "month 13, day 32, hour 25, minute 61"},
      {"2024-06-10T13:55:36+24:00", "offset +24:00"},
      {"2024-06-10T13:55:36-05:60", "offset -05:60"},
      {"2024-06-10T13:55:36", "missing offset ('Z' or +hh:mm) at the end"},
      {"2024-06-10T13:55:36+0530", "expected ':' after the offset hours at byte 22, found '3'"},
      {"2024-06-10T13:55:36.Z", "expected fraction digits after '.' at byte 20, found 'Z'"},
      {"2024-06-10T13:55:36.1234567890Z", "fraction of 10 digits (at most 9)"},
      {"2024-06-10X13:55:36Z", "expected 'T' after the date at byte 10, found 'X'"},
      {"2024-06-10T13:55Z", "expected ':' after the minute at byte 16, found 'Z'"},
      {"24-06-10T13:55:36Z", "expected 4 digits of the year at byte 0, found '24-0'"},
      {"2024-6-10T13:55:36Z", "expected 2 digits of the month at byte 5, found '6-'"},
      {"2024-06-10T13:55:36ZZ", "unexpected 'Z' after the offset at byte 20"},
      {"2024-06-10T13:55:36 Z", "expected an offset ('Z' or +hh:mm) at byte 19, found ' '"},
      {"2024-06-10T13:55:36+05", "expected ':' after the offset hours at byte 22, found the end"},
  };
  for (const BadCase& c : kCases) {
    Result<Timestamp> t = ParseRfc3339(c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(t.status().message(), c.message) << c.text;
  }
}

TEST(FormatRfc3339Test, WritesUtcWithMillisOnlyWhenNonZero) {
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMillis(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMillis(1718027736042)), "2024-06-10T13:55:36.042Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMillis(951782400000)), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMillis(-62167219200000)), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMillis(-62167219200000 - 3'600'000)),
            "-0001-12-31T23:00:00Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::FromUnixMillis(253402300800000)), "+10000-01-01T00:00:00Z");
  // The extremes do not overflow.
  EXPECT_FALSE(
      FormatRfc3339(Timestamp::FromUnixMillis(std::numeric_limits<int64_t>::min())).empty());
  EXPECT_FALSE(
      FormatRfc3339(Timestamp::FromUnixMillis(std::numeric_limits<int64_t>::max())).empty());
}

TEST(FormatRfc3339Test, RoundTripsThroughParse) {
  const int64_t kValues[] = {0,
                             1,
                             -1,
                             999,
                             1718027736042,
                             -303757017500,
                             951782400000,
                             253402300799999,
                             -62167219200000,
                             1483228799999};
  for (int64_t ms : kValues) {
    const std::string text = FormatRfc3339(Timestamp::FromUnixMillis(ms));
    Result<Timestamp> back = ParseRfc3339(text);
    ASSERT_OK(back);
    EXPECT_EQ(back->unix_ms(), ms) << text;
  }
  // Every day of a leap year and the year around the epoch, at an odd millisecond.
  for (int64_t day = -400; day < 400; ++day) {
    const int64_t ms = day * 86'400'000 + 12'345'678;
    Result<Timestamp> back = ParseRfc3339(FormatRfc3339(Timestamp::FromUnixMillis(ms)));
    ASSERT_OK(back);
    EXPECT_EQ(back->unix_ms(), ms);
  }
}

TEST(ParseClfTimeTest, ValidTimes) {
  const TimeCase kCases[] = {
      // access-logs.md §1 and §5.
      {"10/Oct/2000:13:55:36 -0700", 971211336000},
      {"[10/Oct/2000:13:55:36 -0700]", 971211336000},
      {"18/Sep/2011:19:18:28 -0400", 1316387908000},
      {"10/Jun/2024:13:55:36 +0000", 1718027736000},
      {"10/Jun/2024:13:55:36 +0530", 1718007936000},
      {"10/Jun/2024:13:55:36 +0545", 1718007036000},
      // The same wall clock under a DST change: an hour apart.
      {"27/Oct/2024:02:30:00 +0200", 1729989000000},
      {"27/Oct/2024:02:30:00 +0100", 1729992600000},
      {"29/Feb/2024:12:00:00 +0000", 1709208000000},
      {"31/Dec/1969:23:59:59 +0000", -1000},
      {"01/Jan/1970:01:00:00 +0100", 0},
      {"31/Dec/2016:23:59:60 +0000", 1483228799999},
  };
  for (const TimeCase& c : kCases) {
    Result<Timestamp> t = ParseClfTime(c.text);
    ASSERT_OK(t);
    EXPECT_EQ(t->unix_ms(), c.unix_ms) << c.text;
  }
  // Every month name.
  const std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t previous = 0;
  for (std::string_view month : kMonths) {
    const std::string text = "01/" + std::string(month) + "/2023:00:00:00 +0000";
    Result<Timestamp> t = ParseClfTime(text);
    ASSERT_OK(t);
    EXPECT_GT(t->unix_ms(), previous) << text;
    previous = t->unix_ms();
  }
}

TEST(ParseClfTimeTest, InvalidTimesNameTheBadPart) {
  const BadCase kCases[] = {
      // access-logs.md §5, the malformed example: every bad part is named.
      {"31/Foo/2024:25:61:00 +0200", "month 'Foo', hour 25, minute 61"},
      {"10/oct/2000:13:55:36 -0700", "month 'oct'"},
      {"10/October/2000:13:55:36 -0700", "month 'October'"},
      {"29/Feb/2023:00:00:00 +0000", "day 29 of 2023-02"},
      {"31/Apr/2024:00:00:00 +0000", "day 31 of 2024-04"},
      {"00/Jan/2024:00:00:00 +0000", "day 0"},
      {"10/Oct/2000:24:00:00 -0700", "hour 24"},
      {"10/Oct/2000:13:55:61 -0700", "second 61"},
      {"10/Oct/2000:13:55:36 +2400", "offset +2400"},
      {"10/Oct/2000:13:55:36 +0560", "offset +0560"},
      {"10/Oct/2000:13:55:36 -07:00",
       "expected 2 digits of the offset minutes at byte 24, found ':0'"},
      {"10/Oct/2000:13:55:36", "expected ' ' after the second at byte 20, found the end"},
      {"10/Oct/2000 13:55:36 -0700", "expected ':' after the year at byte 11, found ' '"},
      {"1/Oct/2000:13:55:36 -0700", "expected 2 digits of the day at byte 0, found '1/'"},
      {"10/Oct/00:13:55:36 -0700", "expected 4 digits of the year at byte 7, found '00:1'"},
      {"10/Oct/2000:13:55:36 -0700 x", "unexpected ' x' after the offset at byte 26"},
      {"10/Oct/2000:13:55:36 0700", "expected an offset (+hhmm) at byte 21, found '0'"},
      {"10-Oct-2000:13:55:36 -0700", "expected '/' after the day at byte 2, found '-'"},
      {"[10/Oct/2000:13:55:36 -0700", "'[' without a closing ']'"},
      {"10/Oct/2000:13:55:36 -0700]", "']' without an opening '['"},
      {"", "expected 2 digits of the day at byte 0, found ''"},
      // A bad month is named even when the layout breaks later.
      {"31/Foo/2024 25:61:00", "month 'Foo', expected ':' after the year at byte 11, found ' '"},
  };
  for (const BadCase& c : kCases) {
    Result<Timestamp> t = ParseClfTime(c.text);
    ASSERT_FALSE(t.ok()) << c.text;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(t.status().message(), c.message) << c.text;
  }
}

TEST(CivilTimeTest, ValidatesAndConverts) {
  CivilTime t;
  t.year = 2024;
  t.month = 2;
  t.day = 29;
  t.hour = 12;
  t.offset_minutes = -90;
  std::string errors;
  EXPECT_TRUE(ValidateCivilTime(t, &errors));
  EXPECT_EQ(errors, "");
  EXPECT_EQ(CivilToTimestamp(t).unix_ms(), 1709208000000 + int64_t{90} * 60'000);
  t.year = 10000;
  t.month = 2;
  t.day = 30;
  t.millis = 1000;
  t.offset_minutes = 24 * 60;
  EXPECT_FALSE(ValidateCivilTime(t, &errors));
  EXPECT_EQ(errors, "year 10000, day 30 of 10000-02, millisecond 1000, offset +24:00");
  EXPECT_FALSE(ValidateCivilTime(t, nullptr));
}

struct DurationCase {
  std::string_view text;
  int64_t ms;
};

TEST(ParseDurationTest, ValidDurations) {
  const DurationCase kCases[] = {
      {"90s", 90'000},
      {"5m", 300'000},
      {"28d", 28 * 86'400'000LL},
      {"1h30m", 5'400'000},
      {"250ms", 250},
      {"2w", 14 * 86'400'000LL},
      {"0s", 0},
      {"0ms", 0},
      {"1w2d3h4m5s6ms", 788'645'006},
      {"48h", 172'800'000},
      {"007s", 7000},
      {"1d1ms", 86'400'001},
      {"9223372036854775807ms", std::numeric_limits<int64_t>::max()},
      {"106751991167d", 106751991167LL * 86'400'000},
  };
  for (const DurationCase& c : kCases) {
    Result<Duration> d = ParseDuration(c.text);
    ASSERT_OK(d);
    EXPECT_EQ(d->ms(), c.ms) << c.text;
  }
}

TEST(ParseDurationTest, InvalidDurationsNameTheBadPart) {
  const BadCase kCases[] = {
      {"", "empty duration (expected e.g. 90s, 5m, 1h30m, 28d)"},
      {"5", "number 5 in duration '5' has no unit (ms, s, m, h, d, w)"},
      {"1h30", "number 30 in duration '1h30' has no unit (ms, s, m, h, d, w)"},
      {"m", "expected a number at byte 0 of duration 'm', found 'm'"},
      {"-5m", "duration '-5m' has a sign (durations are non-negative)"},
      {"+5m", "duration '+5m' has a sign (durations are non-negative)"},
      {"5x", "unknown unit 'x' in duration '5x' (expected ms, s, m, h, d, w)"},
      {"5 m", "unknown unit ' m' in duration '5 m' (expected ms, s, m, h, d, w)"},
      {"5mo", "unknown unit 'mo' in duration '5mo' (expected ms, s, m, h, d, w)"},
      {"1.5h", "unknown unit '.' in duration '1.5h' (expected ms, s, m, h, d, w)"},
      {"30m1h",
       "unit 'h' in duration '30m1h' comes after a smaller or equal unit (write units once, "
       "largest first, e.g. 1h30m)"},
      {"1m1m",
       "unit 'm' in duration '1m1m' comes after a smaller or equal unit (write units once, "
       "largest first, e.g. 1h30m)"},
      {"9223372036854775808ms",
       "duration '9223372036854775808ms' overflows (more than 9223372036854775807 ms)"},
      {"106751991168d", "duration '106751991168d' overflows (more than 9223372036854775807 ms)"},
      {"99999999999999999999999s",
       "duration '99999999999999999999999s' overflows (more than 9223372036854775807 ms)"},
      {"9223372036854775807ms1ms",
       "unit 'ms' in duration '9223372036854775807ms1ms' comes after a smaller or equal unit "
       "(write units once, largest first, e.g. 1h30m)"},
      {"106751991167d86400000s",
       "duration '106751991167d86400000s' overflows (more than 9223372036854775807 ms)"},
  };
  for (const BadCase& c : kCases) {
    Result<Duration> d = ParseDuration(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(d.status().message(), c.message) << c.text;
  }
}

TEST(FormatDurationTest, WritesLargestUnitsFirst) {
  EXPECT_EQ(FormatDuration(Duration::Millis(0)), "0s");
  EXPECT_EQ(FormatDuration(Duration::Millis(90'000)), "1m30s");
  EXPECT_EQ(FormatDuration(Duration::Millis(250)), "250ms");
  EXPECT_EQ(FormatDuration(Duration::Days(28)), "4w");
  EXPECT_EQ(FormatDuration(Duration::Days(30)), "4w2d");
  EXPECT_EQ(FormatDuration(Duration::Hours(48)), "2d");
  EXPECT_EQ(FormatDuration(Duration::Millis(788'645'006)), "1w2d3h4m5s6ms");
  EXPECT_EQ(FormatDuration(Duration::Millis(-90'000)), "-1m30s");
  EXPECT_EQ(FormatDuration(Duration::Millis(std::numeric_limits<int64_t>::min())),
            "-15250284452w3d7h12m55s808ms");
}

TEST(FormatDurationTest, RoundTripsThroughParse) {
  const int64_t kValues[] = {0,           1,          999,
                             1000,        59'999,     60'000,
                             3'599'999,   86'400'000, 604'800'000,
                             788'645'006, 2419200000, std::numeric_limits<int64_t>::max()};
  for (int64_t ms : kValues) {
    const std::string text = FormatDuration(Duration::Millis(ms));
    Result<Duration> back = ParseDuration(text);
    ASSERT_OK(back);
    EXPECT_EQ(back->ms(), ms) << text;
  }
  const std::string_view kTexts[] = {"90s", "5m", "28d", "1h30m", "250ms", "2w"};
  for (std::string_view text : kTexts) {
    Result<Duration> d = ParseDuration(text);
    ASSERT_OK(d);
    Result<Duration> back = ParseDuration(FormatDuration(*d));
    ASSERT_OK(back);
    EXPECT_EQ(back->ms(), d->ms()) << text;
  }
}

}  // namespace
}  // namespace vigil::core
