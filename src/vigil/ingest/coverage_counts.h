// Saturating execution counts, shared by the coverage parsers and the merger (internal to
// ingest). Counts are uint64 and stop at UINT64_MAX instead of wrapping.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace vigil::ingest {

inline constexpr uint64_t kMaxCount = std::numeric_limits<uint64_t>::max();

inline uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  const uint64_t sum = a + b;
  return sum < a ? kMaxCount : sum;
}

// Parses a non-empty run of ASCII digits as a uint64, saturating at UINT64_MAX. False when `s`
// is empty or holds anything else.
inline bool ParseCount(std::string_view s, uint64_t* out) {
  if (s.empty()) {
    return false;
  }
  uint64_t v = 0;
  bool saturated = false;
  for (char c : s) {
    const auto d = static_cast<unsigned>(static_cast<unsigned char>(c) - '0');
    if (d > 9) {
      return false;
    }
    if (!saturated) {
      if (v > (kMaxCount - d) / 10) {
        saturated = true;
      } else {
        v = v * 10 + d;
      }
    }
  }
  *out = saturated ? kMaxCount : v;
  return true;
}

}  // namespace vigil::ingest
