#include "vigil/ingest/log_time_format.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace vigil::ingest {
namespace {

using core::EqualsIgnoreCase;
using core::IsDigit;

constexpr bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

void AddPart(std::string* list, std::string_view part) {
  if (!list->empty()) {
    list->append(", ");
  }
  list->append(part);
}

std::string Num(int64_t n) {
  return std::to_string(n);
}

// The reader of one Parse call.
class Cursor {
 public:
  Cursor(std::string_view text, std::string* errors) : text_(text), errors_(errors) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  size_t pos() const { return pos_; }
  void Advance(size_t n) { pos_ += n; }

  // A layout error: appended, and parsing stops.
  bool Fail(std::string_view expected) {
    std::string part = "expected ";
    part.append(expected);
    part.append(" at byte ");
    part.append(Num(static_cast<int64_t>(pos_)));
    part.append(", found ");
    part.append(AtEnd() ? std::string("the end") : QuoteForMessage(text_.substr(pos_), 8));
    AddPart(errors_, part);
    return false;
  }
  // A value error: appended, parsing goes on.
  void Bad(std::string_view part) { AddPart(errors_, part); }

  // min..max digits.
  bool Number(size_t min_digits, size_t max_digits, std::string_view what, int64_t* value) {
    int64_t v = 0;
    size_t n = 0;
    while (n < max_digits && IsDigit(Peek())) {
      v = v * 10 + (Peek() - '0');
      ++pos_;
      ++n;
    }
    if (n < min_digits) {
      pos_ -= n;
      return Fail(what);
    }
    *value = v;
    return true;
  }

  bool Int(size_t min_digits, size_t max_digits, std::string_view what, int* value) {
    int64_t v = 0;
    if (!Number(min_digits, max_digits, what, &v)) {
      return false;
    }
    *value = static_cast<int>(v);
    return true;
  }

  std::string_view Word() {
    const size_t start = pos_;
    while (IsAlpha(Peek())) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  // Epoch digits (an optional '-' for %s), scaled to milliseconds by `mul`/`div`.
  bool Epoch(std::string_view what, int64_t mul, int64_t div, std::optional<int64_t>* out) {
    const bool negative = Peek() == '-';
    if (negative) {
      ++pos_;
    }
    if (!IsDigit(Peek())) {
      if (negative) {
        --pos_;
      }
      return Fail(what);
    }
    int64_t v = 0;
    bool overflow = false;
    while (IsDigit(Peek())) {
      const int digit = Peek() - '0';
      if (overflow || v > (std::numeric_limits<int64_t>::max() - digit) / 10) {
        overflow = true;
      } else {
        v = v * 10 + digit;
      }
      ++pos_;
    }
    if (overflow || v > std::numeric_limits<int64_t>::max() / mul) {
      Bad(std::string(what) + " out of range");
      return true;
    }
    v *= mul;
    // Floor, also before the epoch: -1 µs is -1 ms.
    *out = negative ? -((v + div - 1) / div) : v / div;
    return true;
  }

 private:
  std::string_view text_;
  std::string* errors_;
  size_t pos_ = 0;
};

}  // namespace

bool LogTime::Resolve(core::Timestamp* out, std::string* errors) const {
  if (epoch_ms.has_value()) {
    *out = core::Timestamp::FromUnixMillis(*epoch_ms);
    return true;
  }
  core::CivilTime c = civil;
  if (hour12) {
    if (c.hour < 1 || c.hour > 12) {
      AddPart(errors, "hour " + Num(c.hour) + " (12-hour clock)");
      return false;
    }
    c.hour = c.hour % 12 + (pm ? 12 : 0);
  }
  if (!core::ValidateCivilTime(c, errors)) {
    return false;
  }
  *out = core::CivilToTimestamp(c);
  return true;
}

Result<LogTimeFormat> LogTimeFormat::Compile(std::string_view pattern) {
  LogTimeFormat f;
  f.pattern_ = std::string(pattern);
  auto add = [&f](char directive) {
    Item item;
    item.directive = directive;
    f.items_.push_back(item);
  };
  auto literal = [&f](char c) {
    Item item;
    item.literal = c;
    f.items_.push_back(item);
  };
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '%') {
      literal(c);
      continue;
    }
    if (i + 1 >= pattern.size()) {
      return InvalidArgumentError("time format " + QuoteForMessage(pattern) +
                                  " ends with a lone '%'");
    }
    const char d = pattern[++i];
    switch (d) {
      case 'Y':
      case 'y':
        f.sets_year_ = true;
        add(d);
        break;
      case 'm':
      case 'b':
      case 'h':
      case 'B':
        f.sets_month_ = true;
        add(d == 'h' || d == 'B' ? 'b' : d);
        break;
      case 'd':
      case 'e':
        f.sets_day_ = true;
        add(d);
        break;
      case 'H':
      case 'k':
      case 'I':
        f.sets_hour_ = true;
        add(d);
        break;
      case 'M':
        f.sets_minute_ = true;
        add(d);
        break;
      case 'S':
      case 'p':
      case 'a':
      case 'A':
        add(d == 'A' ? 'a' : d);
        break;
      case 'z':
      case 'Z':
        f.sets_zone_ = true;
        add(d);
        break;
      case 's':
      case 'f':
      case '*':
        f.sets_epoch_ = true;
        add(d);
        break;
      case 'T':
      case 'R':
        f.sets_hour_ = f.sets_minute_ = true;
        add('H');
        literal(':');
        add('M');
        if (d == 'T') {
          literal(':');
          add('S');
        }
        break;
      case 'D':
        f.sets_year_ = f.sets_month_ = f.sets_day_ = true;
        add('m');
        literal('/');
        add('d');
        literal('/');
        add('y');
        break;
      case 'F':
        f.sets_year_ = f.sets_month_ = f.sets_day_ = true;
        add('Y');
        literal('-');
        add('m');
        literal('-');
        add('d');
        break;
      case 'n':
      case 't':
        literal(' ');
        break;
      case '%':
        literal('%');
        break;
      default:
        return InvalidArgumentError("time format " + QuoteForMessage(pattern) +
                                    ": unsupported directive %" + std::string(1, d));
    }
  }
  return f;
}

bool LogTimeFormat::Parse(std::string_view text, LogTime* t, std::string* errors) const {
  Cursor in(text, errors);
  for (size_t i = 0; i < items_.size(); ++i) {
    const Item& item = items_[i];
    if (item.directive == '\0') {
      if (item.literal == ' ') {
        while (IsSpace(in.Peek())) {
          in.Advance(1);
        }
      } else if (in.Peek() == item.literal && !in.AtEnd()) {
        in.Advance(1);
      } else {
        std::string expected = "'";
        expected.push_back(item.literal);
        expected.push_back('\'');
        return in.Fail(expected);
      }
      continue;
    }
    core::CivilTime& c = t->civil;
    switch (item.directive) {
      case 'Y':
        if (!in.Number(4, 4, "a 4-digit year", &c.year)) {
          return false;
        }
        break;
      case 'y': {
        int64_t y = 0;
        if (!in.Number(2, 2, "a 2-digit year", &y)) {
          return false;
        }
        c.year = y < 69 ? 2000 + y : 1900 + y;
        break;
      }
      case 'm':
        if (!in.Int(1, 2, "a month number", &c.month)) {
          return false;
        }
        break;
      case 'e':
      case 'd':
        if (item.directive == 'e' && in.Peek() == ' ') {
          in.Advance(1);
        }
        if (!in.Int(1, 2, "a day of the month", &c.day)) {
          return false;
        }
        break;
      case 'k':
      case 'H':
      case 'I':
        if (item.directive == 'k' && in.Peek() == ' ') {
          in.Advance(1);
        }
        if (!in.Int(1, 2, "an hour", &c.hour)) {
          return false;
        }
        t->hour12 = item.directive == 'I';
        break;
      case 'M':
        if (!in.Int(1, 2, "a minute", &c.minute)) {
          return false;
        }
        break;
      case 'S': {
        if (!in.Int(1, 2, "a second", &c.second)) {
          return false;
        }
        const char sep = in.Peek();
        const bool pattern_continues_with_sep = i + 1 < items_.size() &&
                                                items_[i + 1].directive == '\0' &&
                                                items_[i + 1].literal == sep;
        if ((sep == '.' || sep == ',') && IsDigit(in.Peek(1)) && !pattern_continues_with_sep) {
          in.Advance(1);
          int millis = 0;
          size_t n = 0;
          while (IsDigit(in.Peek())) {
            if (n < 3) {
              millis = millis * 10 + (in.Peek() - '0');
            }
            ++n;
            in.Advance(1);
          }
          for (; n < 3; ++n) {
            millis *= 10;
          }
          c.millis = millis;
        }
        break;
      }
      case 'b': {
        const size_t start = in.pos();
        const std::string_view word = in.Word();
        if (word.empty()) {
          return in.Fail("a month name");
        }
        int month = 0;
        for (size_t m = 0; m < kMonthNames.size() && month == 0; ++m) {
          const std::string_view name =
              word.size() == 3 ? kMonthNames[m].substr(0, 3) : kMonthNames[m];
          if (EqualsIgnoreCase(word, name)) {
            month = static_cast<int>(m) + 1;
          }
        }
        if (month == 0) {
          in.Bad("month " + QuoteForMessage(text.substr(start, word.size()), 12));
          month = 1;  // Named above; keeps Resolve from naming the month again.
        }
        c.month = month;
        break;
      }
      case 'a':
        if (in.Word().empty()) {
          return in.Fail("a weekday name");
        }
        break;
      case 'p': {
        const std::string_view word = in.Word();
        if (EqualsIgnoreCase(word, "AM") || EqualsIgnoreCase(word, "PM")) {
          t->pm = EqualsIgnoreCase(word, "PM");
        } else {
          return in.Fail("AM or PM");
        }
        break;
      }
      case 'z': {
        t->has_offset = true;
        const char sign = in.Peek();
        if (sign == 'Z' || sign == 'z') {
          in.Advance(1);
          c.offset_minutes = 0;
          break;
        }
        if (sign != '+' && sign != '-') {
          return in.Fail("an offset (Z or +hh:mm)");
        }
        const size_t start = in.pos();
        in.Advance(1);
        int hh = 0;
        int mm = 0;
        if (!in.Int(2, 2, "2 digits of offset hours", &hh)) {
          return false;
        }
        if (in.Peek() == ':') {
          in.Advance(1);
          if (!in.Int(2, 2, "2 digits of offset minutes", &mm)) {
            return false;
          }
        } else if (IsDigit(in.Peek())) {
          if (!in.Int(2, 2, "2 digits of offset minutes", &mm)) {
            return false;
          }
        }
        if (hh > 23 || mm > 59) {
          in.Bad("offset " + std::string(text.substr(start, in.pos() - start)));
          c.offset_minutes = 0;
        } else {
          c.offset_minutes = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
        }
        break;
      }
      case 'Z': {
        t->has_offset = true;
        const std::string_view word = in.Word();
        if (EqualsIgnoreCase(word, "UTC") || EqualsIgnoreCase(word, "GMT") ||
            EqualsIgnoreCase(word, "Z")) {
          c.offset_minutes = 0;
        } else if (word.empty()) {
          return in.Fail("a time zone name");
        } else {
          in.Bad("time zone " + QuoteForMessage(word, 12) +
                 " (only UTC and GMT are known by name; log a numeric offset and use %z)");
        }
        break;
      }
      case 's':
        if (!in.Epoch("epoch seconds", 1000, 1, &t->epoch_ms)) {
          return false;
        }
        break;
      case 'f':
        if (!in.Epoch("epoch microseconds", 1, 1000, &t->epoch_ms)) {
          return false;
        }
        break;
      case '*':
        if (!in.Epoch("epoch milliseconds", 1, 1, &t->epoch_ms)) {
          return false;
        }
        break;
      default:
        return in.Fail("a known directive");  // Compile() admits no other letter.
    }
  }
  if (!in.AtEnd()) {
    AddPart(errors, "unexpected " + QuoteForMessage(text.substr(in.pos()), 16) + " at byte " +
                        Num(static_cast<int64_t>(in.pos())));
    return false;
  }
  return true;
}

}  // namespace vigil::ingest
