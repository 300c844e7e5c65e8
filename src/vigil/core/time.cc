#include "vigil/core/time.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "vigil/core/text.h"

namespace vigil::core {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

constexpr bool IsLeapYear(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr int DaysInMonth(int64_t year, int month) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) {
    return 29;
  }
  return kDays[static_cast<size_t>(month - 1)];
}

// Appends `part` to a ", "-joined list.
void AddPart(std::string* list, std::string_view part) {
  if (list == nullptr) {
    return;
  }
  if (!list->empty()) {
    list->append(", ");
  }
  list->append(part);
}

// Appends `n` as at least `width` digits (zero-padded); negative numbers get a '-'.
void AppendPadded(std::string* out, int64_t n, int width) {
  std::array<char, 24> buf{};
  size_t len = 0;
  uint64_t u = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  do {
    buf[len++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  while (len < static_cast<size_t>(width)) {
    buf[len++] = '0';
  }
  if (n < 0) {
    out->push_back('-');
  }
  while (len > 0) {
    out->push_back(buf[--len]);
  }
}

std::string Num(int64_t n) {
  std::string s;
  AppendPadded(&s, n, 1);
  return s;
}

// `text` quoted for a message, at most 24 bytes.
std::string Excerpt(std::string_view text) {
  return QuoteForMessage(text, 24);
}

// What was found at byte `pos` of `text`, for "expected X at byte N, found Y" messages.
std::string FoundAt(std::string_view text, size_t pos) {
  if (pos >= text.size()) {
    return "the end";
  }
  return Excerpt(text.substr(pos, 1));
}

// A cursor over the text being parsed; the first layout error stops it and is kept.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  std::string_view Rest() const { return text_.substr(pos_ < text_.size() ? pos_ : text_.size()); }
  void Advance(size_t n) { pos_ += n; }

  // Exactly `n` digits, naming `what` on failure.
  bool Digits(size_t n, std::string_view what, int64_t* value) {
    if (!ok()) {
      return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      if (pos_ + i >= text_.size() || !IsDigit(text_[pos_ + i])) {
        Fail("expected " + Num(static_cast<int64_t>(n)) + " digits of the " + std::string(what) +
             " at byte " + Num(static_cast<int64_t>(pos_)) + ", found " +
             Excerpt(text_.substr(pos_, n)));
        return false;
      }
      v = v * 10 + (text_[pos_ + i] - '0');
    }
    pos_ += n;
    *value = v;
    return true;
  }

  bool Int(size_t n, std::string_view what, int* value) {
    int64_t v = 0;
    if (!Digits(n, what, &v)) {
      return false;
    }
    *value = static_cast<int>(v);
    return true;
  }

  // The literal `c` (or `alt`, when not '\0'), which follows `after`.
  bool Expect(char c, std::string_view after, char alt = '\0') {
    if (!ok()) {
      return false;
    }
    if (pos_ < text_.size() && (text_[pos_] == c || (alt != '\0' && text_[pos_] == alt))) {
      ++pos_;
      return true;
    }
    std::string what = "'";
    what.push_back(c);
    what.push_back('\'');
    if (alt != '\0') {
      what.append(" or '");
      what.push_back(alt);
      what.push_back('\'');
    }
    Fail("expected " + what + " after the " + std::string(after) + " at byte " +
         Num(static_cast<int64_t>(pos_)) + ", found " + FoundAt(text_, pos_));
    return false;
  }

  void Fail(std::string message) {
    if (error_.empty()) {
      error_ = std::move(message);
    }
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

// Joins the range errors of ValidateCivilTime after the layout error, if any.
Status TimeError(const std::string& parts, const std::string& layout) {
  std::string message = parts;
  if (!layout.empty()) {
    AddPart(&message, layout);
  }
  return InvalidArgumentError(std::move(message));
}

// Reads a ±hh[:]mm offset into minutes; `colon` says whether the ':' is required (RFC 3339)
// or absent (CLF). Range errors go to `parts`.
bool ReadOffset(Reader* r, bool colon, int* minutes, std::string* parts) {
  const size_t start = r->pos();
  const char sign = r->Peek();
  if (sign != '+' && sign != '-') {
    r->Fail(std::string("expected an offset (") + (colon ? "'Z' or +hh:mm" : "+hhmm") +
            ") at byte " + Num(static_cast<int64_t>(start)) + ", found " + FoundAt(r->Rest(), 0));
    return false;
  }
  r->Advance(1);
  int hh = 0;
  int mm = 0;
  if (!r->Int(2, "offset hours", &hh)) {
    return false;
  }
  if (colon && !r->Expect(':', "offset hours")) {
    return false;
  }
  if (!r->Int(2, "offset minutes", &mm)) {
    return false;
  }
  if (hh > 23 || mm > 59) {
    std::string part = "offset ";
    part.push_back(sign);
    AppendPadded(&part, hh, 2);
    if (colon) {
      part.push_back(':');
    }
    AppendPadded(&part, mm, 2);
    AddPart(parts, part);
    *minutes = 0;  // Named above; keeps ValidateCivilTime from naming it again.
    return true;
  }
  *minutes = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
  return true;
}

constexpr std::array<std::string_view, 12> kMonthAbbrev = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// floor(a / b) for b > 0.
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b < 0) {
    --q;
  }
  return q;
}

// Howard Hinnant's civil_from_days.
void CivilFromDays(int64_t z, int64_t* year, int* month, int* day) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  *year = y + (m <= 2 ? 1 : 0);
  *month = static_cast<int>(m);
  *day = static_cast<int>(d);
}

struct DurationUnit {
  std::string_view name;
  int64_t ms;
};
// Largest first: ParseDuration requires this order and FormatDuration writes it.
constexpr std::array<DurationUnit, 6> kDurationUnits = {{{"w", 7 * 86'400'000LL},
                                                         {"d", 86'400'000LL},
                                                         {"h", 3'600'000LL},
                                                         {"m", 60'000LL},
                                                         {"s", 1'000LL},
                                                         {"ms", 1LL}}};

}  // namespace

bool ValidateCivilTime(const CivilTime& t, std::string* errors) {
  bool ok = true;
  auto bad = [&](const std::string& part) {
    ok = false;
    AddPart(errors, part);
  };
  if (t.year < 0 || t.year > 9999) {
    bad("year " + Num(t.year));
  }
  const bool month_ok = t.month >= 1 && t.month <= 12;
  if (!month_ok) {
    bad("month " + Num(t.month));
  }
  if (t.day < 1 || t.day > 31 || (month_ok && t.day > DaysInMonth(t.year, t.month))) {
    std::string part = "day " + Num(t.day);
    if (month_ok && t.day >= 1 && t.day <= 31) {
      part.append(" of ");
      AppendPadded(&part, t.year, 4);
      part.push_back('-');
      AppendPadded(&part, t.month, 2);
    }
    bad(part);
  }
  if (t.hour < 0 || t.hour > 23) {
    bad("hour " + Num(t.hour));
  }
  if (t.minute < 0 || t.minute > 59) {
    bad("minute " + Num(t.minute));
  }
  if (t.second < 0 || t.second > 60) {
    bad("second " + Num(t.second));
  }
  if (t.millis < 0 || t.millis > 999) {
    bad("millisecond " + Num(t.millis));
  }
  if (t.offset_minutes <= -24 * 60 || t.offset_minutes >= 24 * 60) {
    const int abs = t.offset_minutes < 0 ? -t.offset_minutes : t.offset_minutes;
    std::string part = "offset ";
    part.push_back(t.offset_minutes < 0 ? '-' : '+');
    AppendPadded(&part, abs / 60, 2);
    part.push_back(':');
    AppendPadded(&part, abs % 60, 2);
    bad(part);
  }
  return ok;
}

Timestamp CivilToTimestamp(const CivilTime& t) {
  const int64_t days =
      DaysFromCivil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  int second = t.second;
  int millis = t.millis;
  if (second == 60) {  // A leap second reads as the last millisecond of its minute.
    second = 59;
    millis = 999;
  }
  const int64_t seconds = ((days * 24 + t.hour) * 60 + t.minute - t.offset_minutes) * 60 + second;
  return Timestamp::FromUnixMillis(seconds * 1000 + millis);
}

Result<Timestamp> ParseRfc3339(std::string_view text) {
  Reader r(text);
  CivilTime t;
  std::string parts;  // Range errors, all of them.
  (void)(r.Digits(4, "year", &t.year) && r.Expect('-', "year") && r.Int(2, "month", &t.month) &&
         r.Expect('-', "month") && r.Int(2, "day", &t.day));
  if (r.ok()) {
    if (r.Peek() == 'T' || r.Peek() == 't' || r.Peek() == ' ') {
      r.Advance(1);
    } else {
      r.Fail("expected 'T' after the date at byte 10, found " + FoundAt(text, r.pos()));
    }
  }
  if (r.ok()) {
    (void)(r.Int(2, "hour", &t.hour) && r.Expect(':', "hour") && r.Int(2, "minute", &t.minute) &&
           r.Expect(':', "minute") && r.Int(2, "second", &t.second));
  }
  if (r.ok() && r.Peek() == '.') {
    r.Advance(1);
    size_t n = 0;
    int millis = 0;
    while (IsDigit(r.Peek())) {
      if (n < 3) {
        millis = millis * 10 + (r.Peek() - '0');
      }
      ++n;
      r.Advance(1);
    }
    if (n == 0) {
      r.Fail("expected fraction digits after '.' at byte " + Num(static_cast<int64_t>(r.pos())) +
             ", found " + FoundAt(text, r.pos()));
    } else if (n > 9) {
      r.Fail("fraction of " + Num(static_cast<int64_t>(n)) + " digits (at most 9)");
    }
    for (size_t i = n; i < 3; ++i) {
      millis *= 10;
    }
    t.millis = millis;
  }
  if (r.ok()) {
    if (r.Peek() == 'Z' || r.Peek() == 'z') {
      r.Advance(1);
    } else if (r.AtEnd()) {
      r.Fail("missing offset ('Z' or +hh:mm) at the end");
    } else {
      (void)ReadOffset(&r, /*colon=*/true, &t.offset_minutes, &parts);
    }
  }
  if (r.ok() && !r.AtEnd()) {
    r.Fail("unexpected " + Excerpt(r.Rest()) + " after the offset at byte " +
           Num(static_cast<int64_t>(r.pos())));
  }
  // Range errors are reported for the fields read so far, even after a layout error.
  if (!r.ok()) {
    return TimeError(parts, r.error());
  }
  if (!ValidateCivilTime(t, &parts) || !parts.empty()) {
    return TimeError(parts, "");
  }
  return CivilToTimestamp(t);
}

std::string FormatRfc3339(Timestamp t) {
  const int64_t ms = t.unix_ms();
  const int64_t days = FloorDiv(ms, kMillisPerDay);
  int64_t ms_of_day = ms % kMillisPerDay;  // Not ms - days * kMillisPerDay: that can overflow.
  if (ms_of_day < 0) {
    ms_of_day += kMillisPerDay;
  }
  int64_t year = 0;
  int month = 0;
  int day = 0;
  CivilFromDays(days, &year, &month, &day);
  std::string out;
  out.reserve(24);
  if (year < 0) {
    out.push_back('-');
    AppendPadded(&out, -year, 4);
  } else if (year > 9999) {
    out.push_back('+');
    AppendPadded(&out, year, 4);
  } else {
    AppendPadded(&out, year, 4);
  }
  out.push_back('-');
  AppendPadded(&out, month, 2);
  out.push_back('-');
  AppendPadded(&out, day, 2);
  out.push_back('T');
  AppendPadded(&out, ms_of_day / 3'600'000, 2);
  out.push_back(':');
  AppendPadded(&out, ms_of_day / 60'000 % 60, 2);
  out.push_back(':');
  AppendPadded(&out, ms_of_day / 1000 % 60, 2);
  if (ms_of_day % 1000 != 0) {
    out.push_back('.');
    AppendPadded(&out, ms_of_day % 1000, 3);
  }
  out.push_back('Z');
  return out;
}

Result<Timestamp> ParseClfTime(std::string_view text) {
  const bool bracketed = !text.empty() && text.front() == '[';
  if (bracketed) {
    if (text.back() != ']' || text.size() < 2) {
      return InvalidArgumentError("'[' without a closing ']'");
    }
    text = text.substr(1, text.size() - 2);
  } else if (!text.empty() && text.back() == ']') {
    return InvalidArgumentError("']' without an opening '['");
  }
  Reader r(text);
  CivilTime t;
  std::string parts;
  if (r.Int(2, "day", &t.day) && r.Expect('/', "day")) {
    // The month runs to the next '/'; an unknown name is a range error, so the other fields
    // are still read and checked.
    const std::string_view rest = r.Rest();
    const size_t slash = rest.substr(0, 10).find('/');
    if (slash == std::string_view::npos || slash == 0) {
      r.Fail("expected a month name after the day at byte 3, found " + Excerpt(rest.substr(0, 4)));
    } else {
      const std::string_view name = rest.substr(0, slash);
      t.month = 0;
      for (size_t i = 0; i < kMonthAbbrev.size(); ++i) {
        if (name == kMonthAbbrev[i]) {
          t.month = static_cast<int>(i) + 1;
        }
      }
      if (t.month == 0) {
        AddPart(&parts, "month " + Excerpt(name));
        t.month = 1;  // Keeps ValidateCivilTime from naming the month twice.
      }
      r.Advance(slash + 1);
    }
  }
  if (r.ok()) {
    (void)(r.Digits(4, "year", &t.year) && r.Expect(':', "year") && r.Int(2, "hour", &t.hour) &&
           r.Expect(':', "hour") && r.Int(2, "minute", &t.minute) && r.Expect(':', "minute") &&
           r.Int(2, "second", &t.second) && r.Expect(' ', "second"));
  }
  if (r.ok()) {
    (void)ReadOffset(&r, /*colon=*/false, &t.offset_minutes, &parts);
  }
  if (r.ok() && !r.AtEnd()) {
    r.Fail("unexpected " + Excerpt(r.Rest()) + " after the offset at byte " +
           Num(static_cast<int64_t>(r.pos())));
  }
  if (!r.ok()) {
    return TimeError(parts, r.error());
  }
  if (!ValidateCivilTime(t, &parts) || !parts.empty()) {
    return TimeError(parts, "");
  }
  return CivilToTimestamp(t);
}

Result<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) {
    return InvalidArgumentError("empty duration (expected e.g. 90s, 5m, 1h30m, 28d)");
  }
  if (text.front() == '-' || text.front() == '+') {
    return InvalidArgumentError("duration " + Excerpt(text) +
                                " has a sign (durations are non-negative)");
  }
  int64_t total = 0;
  size_t pos = 0;
  size_t last_unit = 0;  // Index in kDurationUnits + 1 of the previous part's unit.
  while (pos < text.size()) {
    const size_t num_start = pos;
    uint64_t n = 0;
    bool overflow = false;
    while (pos < text.size() && IsDigit(text[pos])) {
      n = n * 10 + static_cast<uint64_t>(text[pos] - '0');
      if (n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        overflow = true;
        n = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
      }
      ++pos;
    }
    if (pos == num_start) {
      return InvalidArgumentError("expected a number at byte " + Num(static_cast<int64_t>(pos)) +
                                  " of duration " + Excerpt(text) + ", found " +
                                  FoundAt(text, pos));
    }
    const size_t unit_start = pos;
    while (pos < text.size() && !IsDigit(text[pos])) {
      ++pos;
    }
    const std::string_view unit = text.substr(unit_start, pos - unit_start);
    if (unit.empty()) {
      return InvalidArgumentError("number " + std::string(text.substr(num_start)) +
                                  " in duration " + Excerpt(text) +
                                  " has no unit (ms, s, m, h, d, w)");
    }
    size_t index = 0;
    while (index < kDurationUnits.size() && kDurationUnits[index].name != unit) {
      ++index;
    }
    if (index == kDurationUnits.size()) {
      return InvalidArgumentError("unknown unit " + Excerpt(unit) + " in duration " +
                                  Excerpt(text) + " (expected ms, s, m, h, d, w)");
    }
    if (index + 1 <= last_unit) {
      return InvalidArgumentError("unit " + Excerpt(unit) + " in duration " + Excerpt(text) +
                                  " comes after a smaller or equal unit (write units once, "
                                  "largest first, e.g. 1h30m)");
    }
    last_unit = index + 1;
    const auto unit_ms = static_cast<uint64_t>(kDurationUnits[index].ms);
    const auto max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    if (overflow || n > max / unit_ms || n * unit_ms > max - static_cast<uint64_t>(total)) {
      return InvalidArgumentError("duration " + Excerpt(text) +
                                  " overflows (more than 9223372036854775807 ms)");
    }
    total += static_cast<int64_t>(n * unit_ms);
  }
  return Duration::Millis(total);
}

std::string FormatDuration(Duration d) {
  const int64_t ms = d.ms();
  if (ms == 0) {
    return "0s";
  }
  std::string out;
  uint64_t rest = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  if (ms < 0) {
    out.push_back('-');
  }
  for (const DurationUnit& unit : kDurationUnits) {
    const auto unit_ms = static_cast<uint64_t>(unit.ms);
    if (rest >= unit_ms) {
      const uint64_t n = rest / unit_ms;
      rest %= unit_ms;
      std::array<char, 24> buf{};
      size_t len = 0;
      uint64_t v = n;
      do {
        buf[len++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v != 0);
      while (len > 0) {
        out.push_back(buf[--len]);
      }
      out.append(unit.name);
    }
  }
  return out;
}

}  // namespace vigil::core
