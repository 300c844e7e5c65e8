// A fast non-cryptographic hash of short byte strings (paths, route names, series keys), for
// the hot path's caches and maps. Not stable across versions: never store its values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vigil::core {

namespace hash_internal {
constexpr uint64_t kMul1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kMul2 = 0xBF58476D1CE4E5B9ull;
constexpr uint64_t Finish(uint64_t h) {
  h ^= h >> 31;
  h *= kMul2;
  h ^= h >> 29;
  return h;
}
}  // namespace hash_internal

// Eight bytes at a time: a multiply and a rotate per word, a final avalanche.
inline uint64_t HashBytes(std::string_view s, uint64_t seed = 0) {
  using namespace hash_internal;
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = seed ^ (static_cast<uint64_t>(n) * kMul1);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = ((h ^ w) * kMul1);
    h = (h << 27) | (h >> 37);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * kMul2;
  }
  return Finish(h);
}

// For unordered containers keyed by std::string, with lookups by std::string_view (no key
// copy): std::unordered_map<std::string, V, StringHash, std::equal_to<>>.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return static_cast<size_t>(HashBytes(s)); }
  size_t operator()(const std::string& s) const { return static_cast<size_t>(HashBytes(s)); }
  size_t operator()(const char* s) const { return static_cast<size_t>(HashBytes(s)); }
};

}  // namespace vigil::core
