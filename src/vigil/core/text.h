// Small ASCII text helpers shared by the parsers and their error messages. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::core {

constexpr bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// True for a non-empty string of ASCII digits.
constexpr bool AllDigits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!IsDigit(c)) {
      return false;
    }
  }
  return true;
}

// ASCII case-insensitive equality.
constexpr bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) {
      return false;
    }
  }
  return true;
}

// `text` in single quotes for a message: at most `max_bytes` bytes (then "..."), bytes other
// than printable ASCII (and the quote) written as \xHH.
std::string QuoteForMessage(std::string_view text, size_t max_bytes = 40);

}  // namespace vigil::core
