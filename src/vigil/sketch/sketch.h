// vigil::sketch: a mergeable relative-error quantile sketch of request latencies in integer
// microseconds (DDSketch-style logarithmic buckets), and its versioned binary encoding.
//
// Owns: Sketch, its bucket mapping and its encoding (docs/sketch-encoding.md). Does not own:
// where sketches are stored, nor which accuracy a store uses (fixed per store, DESIGN §3).
//
// Guarantee: for every q, |Quantile(q) - x| <= alpha * x, where x is the value at nearest rank
// ceil(q * n) of the (clamped) inputs. Merging is exact: merged parts equal the whole, bit for
// bit, in any order. Thread-compatible: const methods may run concurrently; the rest need
// external synchronisation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/core/time.h"

namespace vigil::sketch {

inline constexpr double kDefaultRelativeAccuracy = 0.01;
// The accepted relative accuracies: [kMinRelativeAccuracy, kMaxRelativeAccuracy]. The lower
// bound caps a sketch at ~150k buckets (~1.2 MB), so no value or forged encoding costs more.
inline constexpr double kMinRelativeAccuracy = 1e-4;
inline constexpr double kMaxRelativeAccuracy = 0.5;
// Values are clamped into [0, kMaxValueUs] (1e13 µs, ~116 days) before anything else.
inline constexpr int64_t kMaxValueUs = 10'000'000'000'000;

class Sketch {
 public:
  // The bucket of the value 0 (and of negative values, clamped to 0).
  static constexpr int32_t kZeroIndex = -1;

  // CHECKs that relative_accuracy is accepted (see Create).
  explicit Sketch(double relative_accuracy = kDefaultRelativeAccuracy);
  // kInvalidArgument unless relative_accuracy is in [kMinRelativeAccuracy, kMaxRelativeAccuracy].
  static Result<Sketch> Create(double relative_accuracy);

  double relative_accuracy() const { return relative_accuracy_; }

  // Adds `count` occurrences of value_us, clamped into [0, kMaxValueUs]; count 0 adds nothing.
  // Allocates only when the value's bucket lies outside the buckets held so far.
  // CHECKs that the total count does not overflow uint64.
  void Add(int64_t value_us, uint64_t count = 1);
  void Add(core::LatencyUs value, uint64_t count = 1) { Add(value.us(), count); }

  // The bucket of value_us (after clamping): kZeroIndex for 0, else ceil(log_gamma(v)) (with
  // the 1e-7 margin of docs/sketch-encoding.md) in [0, max_index()]. A pure, monotone function
  // of the accuracy and value_us, so callers may tabulate it.
  int32_t IndexOf(int64_t value_us) const;
  // Add(v, count) for a precomputed index, which must equal IndexOf(v) (DCHECKed); v still
  // feeds sum, min and max.
  void AddIndexed(int32_t index, int64_t value_us, uint64_t count = 1);
  // The value a bucket reports (0 for kZeroIndex): within relative_accuracy() of every integer
  // the bucket holds, and exact for a bucket holding a single integer. index <= max_index().
  double ValueOf(int32_t index) const;
  int32_t max_index() const { return max_index_; }

  // Adds other into this. kInvalidArgument if the accuracies differ, kResourceExhausted if the
  // total count would overflow uint64; on error this is unchanged.
  Status Merge(const Sketch& other);

  bool empty() const { return count_ == 0; }
  uint64_t count() const { return count_; }
  // Sum of the clamped values, saturating at INT64_MAX (so merges stay order-independent).
  int64_t sum_us() const { return sum_us_; }
  std::optional<int64_t> min_us() const;  // nullopt when empty
  std::optional<int64_t> max_us() const;  // nullopt when empty

  // The value (µs) at nearest rank ceil(q * n) (rank 1 for q = 0), within relative_accuracy();
  // exact at rank 1 (min) and rank n (max); always within [min, max]. nullopt when empty.
  // CHECKs that q is in [0, 1].
  std::optional<double> Quantile(double q) const;
  // The fraction of values <= value_us, counting the whole bucket of value_us: 0 below min,
  // 1 at or above max. nullopt when empty.
  std::optional<double> Rank(int64_t value_us) const;

  // The canonical version-1 encoding (docs/sketch-encoding.md); equal sketches encode equally.
  std::string Encode() const;
  // Accepts exactly the canonical encodings; anything else is kDataLoss naming the byte offset
  // and the reason. Allocates at most what the bytes themselves justify.
  static Result<Sketch> Decode(std::string_view bytes);

  // Same accuracy, buckets, count, sum, min and max (held capacity does not matter).
  friend bool operator==(const Sketch& a, const Sketch& b);

 private:
  // Non-zero buckets: counts_[first - offset_ .. last - offset_]; first > last when none.
  struct Span {
    int32_t first;
    int32_t last;
  };
  Span NonEmptySpan() const;
  uint64_t CountAt(int32_t index) const;
  // Makes counts_ cover index (0 <= index <= max_index_), growing geometrically.
  void Cover(int32_t index);
  // The largest integer value whose bucket is <= index (index >= 0).
  int64_t UpperValueOf(int32_t index) const;

  double relative_accuracy_;
  double index_multiplier_ = 0;  // IndexOf(v) = ceil(ln(v) * index_multiplier_)
  int32_t max_index_ = 0;
  int32_t offset_ = 0;            // the bucket index of counts_[0]
  std::vector<uint64_t> counts_;  // dense counts of buckets offset_, offset_ + 1, ...
  uint64_t zero_count_ = 0;
  uint64_t count_ = 0;
  int64_t sum_us_ = 0;
  int64_t min_us_ = 0;  // meaningful when count_ > 0
  int64_t max_us_ = 0;
};

}  // namespace vigil::sketch
