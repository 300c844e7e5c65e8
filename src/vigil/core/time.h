// Time and latency units: Timestamp (int64 ms UTC), Duration (int64 ms), LatencyUs (int64 µs),
// and their text forms: RFC 3339, CLF access-log time, durations like "90s", "5m", "28d".
//
// Pure value types and functions; no clock is read here (see core/clock.h). Thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/core/status.h"

namespace vigil::core {

// A span of time in integer milliseconds (may be negative).
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration Millis(int64_t ms) { return Duration(ms); }
  static constexpr Duration Seconds(int64_t s) { return Duration(s * 1000); }
  static constexpr Duration Minutes(int64_t m) { return Duration(m * 60'000); }
  static constexpr Duration Hours(int64_t h) { return Duration(h * 3'600'000); }
  static constexpr Duration Days(int64_t d) { return Duration(d * 86'400'000); }

  constexpr int64_t ms() const { return ms_; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ms_ + o.ms_); }
  constexpr Duration operator-(Duration o) const { return Duration(ms_ - o.ms_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ms_ * k); }

 private:
  constexpr explicit Duration(int64_t ms) : ms_(ms) {}
  int64_t ms_ = 0;
};

// An instant: integer milliseconds since the Unix epoch, UTC.
class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp FromUnixMillis(int64_t ms) { return Timestamp(ms); }
  static constexpr Timestamp FromUnixSeconds(int64_t s) { return Timestamp(s * 1000); }

  constexpr int64_t unix_ms() const { return ms_; }

  constexpr auto operator<=>(const Timestamp&) const = default;
  constexpr Timestamp operator+(Duration d) const { return Timestamp(ms_ + d.ms()); }
  constexpr Timestamp operator-(Duration d) const { return Timestamp(ms_ - d.ms()); }
  constexpr Duration operator-(Timestamp o) const { return Duration::Millis(ms_ - o.ms_); }

  // The start of the bucket of width `width` (> 0) holding this instant (floor, also before
  // the epoch).
  constexpr Timestamp FloorTo(Duration width) const {
    int64_t w = width.ms();
    int64_t q = ms_ / w;
    if (ms_ % w < 0) {
      --q;
    }
    return Timestamp(q * w);
  }

 private:
  constexpr explicit Timestamp(int64_t ms) : ms_(ms) {}
  int64_t ms_ = 0;
};

// A request latency in integer microseconds (>= 0 when it comes from input).
class LatencyUs {
 public:
  constexpr LatencyUs() = default;
  static constexpr LatencyUs FromMicros(int64_t us) { return LatencyUs(us); }
  constexpr int64_t us() const { return us_; }
  constexpr double ms() const { return static_cast<double>(us_) / 1000.0; }
  constexpr auto operator<=>(const LatencyUs&) const = default;

 private:
  constexpr explicit LatencyUs(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

// Days since 1970-01-01 of a proleptic Gregorian civil date (month 1..12, day 1..31; not
// validated here). Howard Hinnant's days_from_civil.
constexpr int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// A civil date and time as a text format wrote it, with the UTC offset it was written in.
// Fields hold what was read; ValidateCivilTime() says whether they make a real instant.
struct CivilTime {
  int64_t year = 1970;     // 0..9999
  int month = 1;           // 1..12
  int day = 1;             // 1..days in that month (leap years per the Gregorian rule)
  int hour = 0;            // 0..23
  int minute = 0;          // 0..59
  int second = 0;          // 0..60; 60 is a leap second, read as 59.999
  int millis = 0;          // 0..999
  int offset_minutes = 0;  // local time minus UTC, -1439..1439 (+05:30 → 330)
};

// True when every field of `t` is in range. Otherwise false, and when `errors` is non-null
// appends each bad part to it, joined by ", ": "month 13", "day 30 of 2023-02", "hour 25",
// "minute 61", "second 61", "year 12345", "offset +24:00".
bool ValidateCivilTime(const CivilTime& t, std::string* errors);

// The UTC instant of a CivilTime that ValidateCivilTime() accepts (the offset is subtracted).
Timestamp CivilToTimestamp(const CivilTime& t);

// Parses RFC 3339: `2024-06-10T13:55:36Z`, `2024-06-10t13:55:36.123456789+05:30`, `... -07:00`.
// 'T'/'t' or one space between date and time; 0–9 fraction digits (truncated to ms); offset
// `Z`/`z` or `±hh:mm`. Validates ranges (month, day of that month, hour < 24, minute < 60,
// second <= 60 where 60 is a leap second read as 59.999). Error: kInvalidArgument naming why
// ("month 13", "hour 25", "expected ':' after the hour at byte 13"), without repeating the input;
// callers add the subject (flag, file:line).
Result<Timestamp> ParseRfc3339(std::string_view text);

// `2024-06-10T13:55:36Z`, or `2024-06-10T13:55:36.042Z` when the millisecond part is not 0.
// Years outside 0000..9999 (reachable only from raw millisecond values) are written with a
// sign and at least 4 digits (`-0001-12-31T23:00:00Z`, `+10000-01-01T00:00:00Z`), which
// ParseRfc3339() does not accept.
std::string FormatRfc3339(Timestamp t);

// Parses the common-log-format time `10/Oct/2000:13:55:36 -0700`, with or without the
// surrounding brackets; English month abbreviations (case-sensitive as servers write them);
// offset `±hhmm` applied to give UTC. Two-digit day, four-digit year. Error: kInvalidArgument
// listing every bad part it can name ("month 'Foo', hour 25, minute 61"), or the first
// layout error ("expected ':' after the year at byte 11"), without repeating the input.
Result<Timestamp> ParseClfTime(std::string_view text);

// Parses a duration: one or more `<integer><unit>` parts, units ms, s, m, h, d, w
// (`90s`, `5m`, `28d`, `1h30m`, `250ms`), each unit at most once and largest first. Empty
// text, a number without a unit, a unit without a number, unknown units, signs, spaces and
// overflow (more than INT64_MAX ms) are kInvalidArgument errors naming the bad part.
Result<Duration> ParseDuration(std::string_view text);

// The exact form in the units above, largest first: 90000 ms → "1m30s", 250 → "250ms", 0 → "0s",
// 28 days → "4w". ParseDuration() reads it back exactly; a negative duration gets a leading '-'
// (which ParseDuration() rejects).
std::string FormatDuration(Duration d);

}  // namespace vigil::core
