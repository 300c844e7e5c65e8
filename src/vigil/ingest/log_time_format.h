// Internal to ingest: a locale-free strptime subset for the timestamps of access logs
// (GoAccess --date-format / --time-format / --datetime-format). Used by access_log.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/core/text.h"
#include "vigil/core/time.h"

namespace vigil::ingest {

using core::QuoteForMessage;

// What a timestamp, or one part of it (date, time), said. Fields a format does not set keep
// their values, so a date and a time can be read into one LogTime.
struct LogTime {
  core::CivilTime civil;
  std::optional<int64_t> epoch_ms;  // %s, %f, %* (then the civil fields are not used)
  bool has_offset = false;          // %z or %Z was read
  bool hour12 = false;              // %I was read: civil.hour is 1..12 until Resolve
  bool pm = false;                  // %p read "PM"

  // The UTC instant, or false with the bad parts appended to *errors ("hour 25").
  bool Resolve(core::Timestamp* out, std::string* errors) const;
};

// A compiled pattern: literals and directives
//   %Y (4 digits) %y (2 digits: 69..99 → 19xx, else 20xx) %m %d %e %H %k %I %M %S (1-2 digits;
//   %e %k allow a leading space) %b %h %B (English month name or abbreviation, any case)
//   %a %A (weekday name, skipped) %p (AM/PM) %z (Z, ±hh:mm, ±hhmm, ±hh) %Z (UTC, GMT, Z)
//   %s (epoch seconds) %f (epoch µs) %* (epoch ms) %T (%H:%M:%S) %R (%H:%M) %D (%m/%d/%y)
//   %F (%Y-%m-%d) %n %t (any whitespace) %% ('%').
// A space matches any run of whitespace (also none). After %S a '.' or ',' and digits are read
// as a fraction (truncated to ms) unless the pattern itself continues with that character.
class LogTimeFormat {
 public:
  // Error: kInvalidArgument naming an unsupported directive or a trailing '%'.
  static Result<LogTimeFormat> Compile(std::string_view pattern);

  // Reads all of `text` into *t. Names that are not months and offsets out of range are
  // appended to *errors (", "-joined) and reading goes on; a layout error is appended too
  // and stops it (returns false). Range checks of numbers happen in LogTime::Resolve().
  bool Parse(std::string_view text, LogTime* t, std::string* errors) const;

  const std::string& pattern() const { return pattern_; }
  bool sets_year() const { return sets_year_; }
  bool sets_month() const { return sets_month_; }
  bool sets_day() const { return sets_day_; }
  bool sets_hour() const { return sets_hour_; }
  bool sets_minute() const { return sets_minute_; }
  bool sets_zone() const { return sets_zone_; }
  bool sets_epoch() const { return sets_epoch_; }

 private:
  LogTimeFormat() = default;

  std::string pattern_;
  struct Item {
    char directive = '\0';  // A letter after '%' (shorthands expanded), or '\0': a literal.
    char literal = '\0';
  };
  std::vector<Item> items_;
  bool sets_year_ = false;
  bool sets_month_ = false;
  bool sets_day_ = false;
  bool sets_hour_ = false;
  bool sets_minute_ = false;
  bool sets_zone_ = false;
  bool sets_epoch_ = false;
};

}  // namespace vigil::ingest
