// Fuzzes Sketch::Decode with arbitrary bytes: never a crash or a huge allocation; whatever
// decodes is canonical (re-encodes to the same bytes, and decodes back equal) and answers
// Quantile / Rank / Merge sanely. The same bytes, read as values, also check the accuracy
// guarantee and that merged halves equal the whole.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/sketch/sketch.h"

namespace {

using vigil::sketch::Sketch;

constexpr double kQuantiles[] = {0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1};

void CheckAnswers(const Sketch& s) {
  if (s.empty()) {
    VIGIL_CHECK(!s.Quantile(0.5).has_value() && !s.Rank(0).has_value(), "empty answers");
    return;
  }
  const auto min = static_cast<double>(*s.min_us());
  const auto max = static_cast<double>(*s.max_us());
  double previous = min;
  for (double q : kQuantiles) {
    const double v = *s.Quantile(q);
    VIGIL_CHECK(v >= previous && v <= max, "quantiles must rise within [min, max]");
    previous = v;
  }
  VIGIL_CHECK(*s.Quantile(0) == min && *s.Quantile(1) == max, "q=0 is min and q=1 is max");
  VIGIL_CHECK(*s.Rank(*s.min_us() - 1) == 0.0 && *s.Rank(*s.max_us()) == 1.0, "rank ends");
  const double mid = *s.Rank(static_cast<int64_t>((min + max) / 2));
  VIGIL_CHECK(mid >= 0.0 && mid <= 1.0, "rank in [0, 1]");
}

void CheckRoundTrip(const Sketch& s) {
  const std::string bytes = s.Encode();
  const vigil::Result<Sketch> again = Sketch::Decode(bytes);
  VIGIL_CHECK(again.ok(), "an encoding must decode");
  VIGIL_CHECK(*again == s, "decode(encode(x)) == x");
  VIGIL_CHECK(again->Encode() == bytes, "encode(decode(encode(x))) == encode(x)");
}

void FuzzDecode(std::string_view input) {
  const vigil::Result<Sketch> decoded = Sketch::Decode(input);
  if (!decoded.ok()) {
    return;
  }
  const Sketch& s = *decoded;
  VIGIL_CHECK(s.Encode() == input, "only canonical encodings decode");
  CheckRoundTrip(s);
  CheckAnswers(s);

  Sketch doubled = s;
  const vigil::Status merged = doubled.Merge(s);
  if (s.count() > UINT64_MAX / 2) {
    VIGIL_CHECK(!merged.ok() && doubled == s, "an overflowing merge fails and changes nothing");
    return;
  }
  VIGIL_CHECK(merged.ok(), "merging a sketch with itself");
  VIGIL_CHECK(doubled.count() == 2 * s.count(), "merge doubles the count");
  VIGIL_CHECK(doubled.min_us() == s.min_us() && doubled.max_us() == s.max_us(), "min and max");
  CheckRoundTrip(doubled);
  CheckAnswers(doubled);
  Sketch other_accuracy(s.relative_accuracy() == 0.5 ? 0.25 : 0.5);
  VIGIL_CHECK(!doubled.Merge(other_accuracy).ok(), "different accuracies never merge");
}

// Reads the bytes as an accuracy and little-endian values, and checks what holds for any input.
void FuzzValues(std::string_view input) {
  if (input.size() < 2) {
    return;
  }
  const double accuracies[] = {0.01, 0.05, 0.001, 0.5, 0.02, 0.1, 0.2, 1e-4};
  const double alpha = accuracies[static_cast<uint8_t>(input[0]) % 8];
  const int shift = static_cast<uint8_t>(input[1]) % 64;  // spreads values over magnitudes
  input.remove_prefix(2);
  std::vector<int64_t> values;
  while (input.size() >= 8) {
    uint64_t raw = 0;
    std::memcpy(&raw, input.data(), 8);
    input.remove_prefix(8);
    values.push_back(static_cast<int64_t>(raw >> shift));
  }
  Sketch whole(alpha);
  Sketch first(alpha);
  Sketch second(alpha);
  for (size_t i = 0; i < values.size(); ++i) {
    whole.Add(values[i]);
    (i % 3 == 0 ? first : second).Add(values[i]);
  }
  VIGIL_CHECK(second.Merge(first).ok(), "same accuracies merge");
  VIGIL_CHECK(second == whole && second.Encode() == whole.Encode(), "merged parts equal whole");
  CheckRoundTrip(whole);
  CheckAnswers(whole);
  if (values.empty()) {
    return;
  }
  for (int64_t& v : values) {
    v = std::clamp<int64_t>(v, 0, vigil::sketch::kMaxValueUs);
  }
  std::sort(values.begin(), values.end());
  const auto n = static_cast<double>(values.size());
  for (double q : kQuantiles) {
    const double r = std::ceil(q * n);
    const size_t rank = r < 1.0 ? 1 : std::min(values.size(), static_cast<size_t>(r));
    const auto exact = static_cast<double>(values[rank - 1]);
    VIGIL_CHECK(std::fabs(*whole.Quantile(q) - exact) <= alpha * exact,
                "quantile within alpha of the exact nearest-rank value");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzDecode(input);
  FuzzValues(input);
  return 0;
}
