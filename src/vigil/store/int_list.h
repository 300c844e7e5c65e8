// The text form of integer lists in store columns ("100000,800000": a rollup's thresholds and
// over-threshold counts), shared by both backends (internal to store).
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::store {

inline std::string JoinInts(const std::vector<int64_t>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) {
      out += ',';
    }
    out += std::to_string(v[i]);
  }
  return out;
}

// kDataLoss for anything but comma-separated integers ("" is the empty list).
inline Result<std::vector<int64_t>> SplitInts(std::string_view text) {
  std::vector<int64_t> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || ptr != part.data() + part.size()) {
      return DataLossError("bad integer list in store: '" + std::string(text) + "'");
    }
    out.push_back(v);
    if (comma == std::string_view::npos) {
      break;
    }
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace vigil::store
