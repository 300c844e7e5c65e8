#include "vigil/sketch/sketch.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "vigil/core/check.h"

namespace vigil::sketch {
namespace {

constexpr uint8_t kEncodingVersion = 1;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// The bucket mapping's logarithm is stretched by this relative margin: each bucket then spans
// a ratio a little below gamma, so that floating-point rounding of log() next to a boundary,
// which can move an integer into the neighbouring bucket, never widens a bucket's spread of
// integers past gamma (the spread that alpha allows). It costs 1e-7 more buckets.
constexpr double kIndexMargin = 1e-7;

// Buckets allocated on each side of the first value's bucket.
constexpr int32_t kInitialSlack = 32;

bool ValidAccuracy(double a) {
  return std::isfinite(a) && a >= kMinRelativeAccuracy && a <= kMaxRelativeAccuracy;
}

int64_t ClampValue(int64_t value_us) {
  return std::clamp<int64_t>(value_us, 0, kMaxValueUs);
}

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r = 0;
  return __builtin_add_overflow(a, b, &r) ? kInt64Max : r;
}

// a >= 0; the product saturates at INT64_MAX.
int64_t SaturatingMul(int64_t a, uint64_t b) {
  int64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? kInt64Max : r;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads the canonical encoding front to back; every failure names its byte offset.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }

  Status Error(std::string_view reason) const {
    return DataLossError("sketch encoding: " + std::string(reason) + " at byte " +
                         std::to_string(pos_));
  }

  Result<uint8_t> Byte(std::string_view what) {
    if (remaining() < 1) {
      return Error("truncated reading " + std::string(what));
    }
    return static_cast<uint8_t>(bytes_[pos_++]);
  }

  Result<uint64_t> Fixed64(std::string_view what) {
    if (remaining() < 8) {
      return Error("truncated reading " + std::string(what));
    }
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) {
      v = (v << 8) | static_cast<uint8_t>(bytes_[pos_ + static_cast<size_t>(i)]);
    }
    pos_ += 8;
    return v;
  }

  // Unsigned LEB128, at most 10 bytes, shortest form only.
  Result<uint64_t> Varint(std::string_view what) {
    const size_t start = pos_;
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
      if (remaining() < 1) {
        return Error("truncated reading " + std::string(what));
      }
      const auto b = static_cast<uint8_t>(bytes_[pos_++]);
      if (i == 9 && b > 1) {
        pos_ = start;
        return Error(std::string(what) + " overflows 64 bits");
      }
      v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          pos_ = start;
          return Error(std::string(what) + " is not in shortest form");
        }
        return v;
      }
    }
    VIGIL_CHECK(false, "unreachable: a tenth varint byte always ends the varint");
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

Sketch::Sketch(double relative_accuracy) : relative_accuracy_(relative_accuracy) {
  VIGIL_CHECK(ValidAccuracy(relative_accuracy), "sketch relative accuracy outside [1e-4, 0.5]");
  // ln(gamma) with gamma = (1 + a) / (1 - a), accurate for small a.
  const double log_gamma = std::log1p(relative_accuracy) - std::log1p(-relative_accuracy);
  index_multiplier_ = (1.0 + kIndexMargin) / log_gamma;
  max_index_ = IndexOf(kMaxValueUs);
}

Result<Sketch> Sketch::Create(double relative_accuracy) {
  if (!ValidAccuracy(relative_accuracy)) {
    return InvalidArgumentError("sketch relative accuracy " + std::to_string(relative_accuracy) +
                                " is outside [0.0001, 0.5]");
  }
  return Sketch(relative_accuracy);
}

int32_t Sketch::IndexOf(int64_t value_us) const {
  if (value_us <= 0) {
    return kZeroIndex;
  }
  const auto v = static_cast<double>(std::min(value_us, kMaxValueUs));
  return static_cast<int32_t>(std::ceil(std::log(v) * index_multiplier_));
}

void Sketch::Add(int64_t value_us, uint64_t count) {
  const int64_t v = ClampValue(value_us);
  AddIndexed(IndexOf(v), v, count);
}

void Sketch::AddIndexed(int32_t index, int64_t value_us, uint64_t count) {
  if (count == 0) {
    return;
  }
  const int64_t v = ClampValue(value_us);
  VIGIL_DCHECK(index == IndexOf(v));
  uint64_t total = 0;
  VIGIL_CHECK(!__builtin_add_overflow(count_, count, &total), "sketch count overflows uint64");
  if (index == kZeroIndex) {
    zero_count_ += count;
  } else {
    // One unsigned compare: an index below offset_ wraps around to a huge one.
    if (static_cast<size_t>(index - offset_) >= counts_.size()) {
      Cover(index);
    }
    counts_[static_cast<size_t>(index - offset_)] += count;
  }
  sum_us_ = SaturatingAdd(sum_us_, SaturatingMul(v, count));
  if (count_ == 0) {
    min_us_ = v;
    max_us_ = v;
  } else {
    min_us_ = std::min(min_us_, v);
    max_us_ = std::max(max_us_, v);
  }
  count_ = total;
}

void Sketch::Cover(int32_t index) {
  VIGIL_CHECK(index >= 0 && index <= max_index_, "sketch bucket index out of range");
  if (counts_.empty()) {
    offset_ = std::max(0, index - kInitialSlack);
    const int32_t size = std::min(max_index_, index + kInitialSlack) - offset_ + 1;
    counts_.assign(static_cast<size_t>(size), 0);
    return;
  }
  const int32_t first = offset_;
  const int32_t last = offset_ + static_cast<int32_t>(counts_.size()) - 1;
  if (index >= first && index <= last) {
    return;
  }
  // Grow towards index by at least the current size, so growth is amortised O(1) per bucket.
  const int32_t grow = std::max(static_cast<int32_t>(counts_.size()), kInitialSlack);
  const int32_t new_first = index < first ? std::max(0, std::min(index, first - grow)) : first;
  const int32_t new_last = index > last ? std::min(max_index_, std::max(index, last + grow)) : last;
  std::vector<uint64_t> grown(static_cast<size_t>(new_last - new_first + 1), 0);
  std::copy(counts_.begin(), counts_.end(), grown.begin() + (first - new_first));
  counts_ = std::move(grown);
  offset_ = new_first;
}

int64_t Sketch::UpperValueOf(int32_t index) const {
  if (index >= max_index_) {
    return kMaxValueUs;
  }
  // IndexOf(v) <= index  <=>  v <= exp(index / index_multiplier_), up to rounding: start there
  // and step to the exact answer of IndexOf itself (a step or two at most).
  const double guess = std::floor(std::exp(index / index_multiplier_));
  int64_t v = static_cast<int64_t>(std::clamp(guess, 1.0, static_cast<double>(kMaxValueUs)));
  while (v < kMaxValueUs && IndexOf(v + 1) <= index) {
    ++v;
  }
  while (v > 1 && IndexOf(v) > index) {
    --v;
  }
  return v;
}

double Sketch::ValueOf(int32_t index) const {
  if (index == kZeroIndex) {
    return 0.0;
  }
  VIGIL_CHECK(index >= 0 && index <= max_index_, "sketch bucket index out of range");
  // The integers the bucket holds are lo..hi, with hi / lo < gamma. Their harmonic midpoint
  // 2·lo·hi / (lo + hi) is within (hi - lo) / (hi + lo) < (gamma - 1) / (gamma + 1) = alpha of
  // each: DDSketch's 2·gamma^i / (gamma + 1) for wide buckets, exact for one-integer buckets.
  const int64_t hi = UpperValueOf(index);
  const int64_t lo = index == 0 ? 1 : UpperValueOf(index - 1) + 1;
  if (lo == hi) {
    return static_cast<double>(lo);
  }
  if (lo > hi) {
    // Holds no integer, so only a forged encoding can fill it: report between its neighbours.
    return static_cast<double>(hi) + 0.5;
  }
  const auto lo_d = static_cast<double>(lo);
  const auto hi_d = static_cast<double>(hi);
  return 2.0 * lo_d * hi_d / (lo_d + hi_d);
}

Status Sketch::Merge(const Sketch& other) {
  if (other.relative_accuracy_ != relative_accuracy_) {
    return InvalidArgumentError("cannot merge a sketch of relative accuracy " +
                                std::to_string(other.relative_accuracy_) + " into one of " +
                                std::to_string(relative_accuracy_));
  }
  if (other.empty()) {
    return OkStatus();
  }
  if (&other == this) {
    return Merge(Sketch(other));  // a copy: merging into this would change other
  }
  uint64_t total = 0;
  if (__builtin_add_overflow(count_, other.count_, &total)) {
    return ResourceExhaustedError("merged sketch count overflows uint64");
  }
  const Span span = other.NonEmptySpan();
  if (span.first <= span.last) {
    Cover(span.first);
    Cover(span.last);
    for (int32_t i = span.first; i <= span.last; ++i) {
      counts_[static_cast<size_t>(i - offset_)] +=
          other.counts_[static_cast<size_t>(i - other.offset_)];
    }
  }
  zero_count_ += other.zero_count_;
  sum_us_ = SaturatingAdd(sum_us_, other.sum_us_);
  min_us_ = empty() ? other.min_us_ : std::min(min_us_, other.min_us_);
  max_us_ = empty() ? other.max_us_ : std::max(max_us_, other.max_us_);
  count_ = total;
  return OkStatus();
}

std::optional<int64_t> Sketch::min_us() const {
  if (empty()) {
    return std::nullopt;
  }
  return min_us_;
}

std::optional<int64_t> Sketch::max_us() const {
  if (empty()) {
    return std::nullopt;
  }
  return max_us_;
}

std::optional<double> Sketch::Quantile(double q) const {
  VIGIL_CHECK(q >= 0.0 && q <= 1.0, "sketch quantile outside [0, 1]");
  if (empty()) {
    return std::nullopt;
  }
  // Nearest rank ceil(q * n), at least 1.
  const double r = std::ceil(q * static_cast<double>(count_));
  uint64_t rank = count_;
  if (r < 1.0) {
    rank = 1;
  } else if (r < static_cast<double>(count_)) {
    rank = static_cast<uint64_t>(r);
  }
  if (rank == 1) {
    return static_cast<double>(min_us_);
  }
  if (rank == count_) {
    return static_cast<double>(max_us_);
  }
  if (rank <= zero_count_) {
    return 0.0;
  }
  uint64_t seen = zero_count_;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const double v = ValueOf(offset_ + static_cast<int32_t>(i));
      return std::clamp(v, static_cast<double>(min_us_), static_cast<double>(max_us_));
    }
  }
  VIGIL_CHECK(false, "sketch bucket counts do not add up to its count");
}

std::optional<double> Sketch::Rank(int64_t value_us) const {
  if (empty()) {
    return std::nullopt;
  }
  if (value_us < min_us_) {
    return 0.0;
  }
  if (value_us >= max_us_) {
    return 1.0;
  }
  const int32_t index = IndexOf(value_us);
  uint64_t at_or_below = zero_count_;
  const Span span = NonEmptySpan();
  for (int32_t i = span.first; i <= std::min(index, span.last); ++i) {
    at_or_below += counts_[static_cast<size_t>(i - offset_)];
  }
  return static_cast<double>(at_or_below) / static_cast<double>(count_);
}

Sketch::Span Sketch::NonEmptySpan() const {
  size_t lo = 0;
  while (lo < counts_.size() && counts_[lo] == 0) {
    ++lo;
  }
  if (lo == counts_.size()) {
    return Span{0, -1};
  }
  size_t hi = counts_.size() - 1;
  while (counts_[hi] == 0) {
    --hi;
  }
  return Span{offset_ + static_cast<int32_t>(lo), offset_ + static_cast<int32_t>(hi)};
}

uint64_t Sketch::CountAt(int32_t index) const {
  if (index < offset_ || static_cast<size_t>(index - offset_) >= counts_.size()) {
    return 0;
  }
  return counts_[static_cast<size_t>(index - offset_)];
}

std::string Sketch::Encode() const {
  const Span span = NonEmptySpan();
  const int32_t buckets = span.last - span.first + 1;  // 0 when every value is 0
  const auto n = static_cast<uint64_t>(buckets);
  std::string out;
  out.reserve(9 + 6 * 10 + n * 3);
  out.push_back(static_cast<char>(kEncodingVersion));
  const auto accuracy_bits = std::bit_cast<uint64_t>(relative_accuracy_);
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>((accuracy_bits >> (8 * i)) & 0xff));
  }
  PutVarint(out, count_);
  if (empty()) {
    return out;
  }
  PutVarint(out, zero_count_);
  PutVarint(out, static_cast<uint64_t>(min_us_));
  PutVarint(out, static_cast<uint64_t>(max_us_));
  PutVarint(out, static_cast<uint64_t>(sum_us_));
  PutVarint(out, n);
  if (n > 0) {
    PutVarint(out, static_cast<uint64_t>(span.first));
    for (int32_t i = span.first; i <= span.last; ++i) {
      PutVarint(out, counts_[static_cast<size_t>(i - offset_)]);
    }
  }
  return out;
}

Result<Sketch> Sketch::Decode(std::string_view bytes) {
  Reader in(bytes);
  VIGIL_ASSIGN_OR_RETURN(const uint8_t version, in.Byte("the version"));
  if (version != kEncodingVersion) {
    return DataLossError("sketch encoding: unsupported version " + std::to_string(version) +
                         " (this build reads version 1) at byte 0");
  }
  VIGIL_ASSIGN_OR_RETURN(const uint64_t accuracy_bits, in.Fixed64("the relative accuracy"));
  const auto accuracy = std::bit_cast<double>(accuracy_bits);
  if (!ValidAccuracy(accuracy)) {
    return DataLossError("sketch encoding: relative accuracy outside [0.0001, 0.5] at byte 1");
  }
  Sketch s(accuracy);
  VIGIL_ASSIGN_OR_RETURN(const uint64_t count, in.Varint("the count"));
  if (count == 0) {
    if (in.remaining() != 0) {
      return in.Error("trailing bytes after an empty sketch");
    }
    return s;
  }
  VIGIL_ASSIGN_OR_RETURN(const uint64_t zero_count, in.Varint("the zero count"));
  VIGIL_ASSIGN_OR_RETURN(const uint64_t min_us, in.Varint("the minimum"));
  VIGIL_ASSIGN_OR_RETURN(const uint64_t max_us, in.Varint("the maximum"));
  if (min_us > max_us || max_us > static_cast<uint64_t>(kMaxValueUs)) {
    return in.Error("minimum above maximum or maximum above 1e13");
  }
  const size_t sum_pos = in.pos();
  VIGIL_ASSIGN_OR_RETURN(const uint64_t sum_us, in.Varint("the sum"));
  if (sum_us > static_cast<uint64_t>(kInt64Max)) {
    return in.Error("sum above INT64_MAX");
  }
  VIGIL_ASSIGN_OR_RETURN(const uint64_t n, in.Varint("the bucket run length"));
  uint64_t total = zero_count;
  if (n > 0) {
    VIGIL_ASSIGN_OR_RETURN(const uint64_t first, in.Varint("the first bucket index"));
    const auto max_index = static_cast<uint64_t>(s.max_index_);
    if (first > max_index || n > max_index - first + 1) {
      return in.Error("bucket run outside the index range of this accuracy");
    }
    // Each count takes at least one byte: a forged length cannot make us allocate.
    if (n > in.remaining()) {
      return in.Error("bucket run longer than the bytes left");
    }
    s.offset_ = static_cast<int32_t>(first);
    s.counts_.resize(static_cast<size_t>(n));
    for (uint64_t& c : s.counts_) {
      VIGIL_ASSIGN_OR_RETURN(c, in.Varint("a bucket count"));
      if (__builtin_add_overflow(total, c, &total)) {
        return in.Error("bucket counts overflow uint64");
      }
    }
    if (s.counts_.front() == 0 || s.counts_.back() == 0) {
      return in.Error("bucket run starts or ends with an empty bucket");
    }
  }
  if (in.remaining() != 0) {
    return in.Error("trailing bytes");
  }
  if (total != count) {
    return in.Error("zero and bucket counts do not add up to the count");
  }
  // min and max sit in the lowest and the highest non-empty bucket.
  const auto min_v = static_cast<int64_t>(min_us);
  const auto max_v = static_cast<int64_t>(max_us);
  const Span span{s.offset_, s.offset_ + static_cast<int32_t>(s.counts_.size()) - 1};
  const bool min_ok = zero_count > 0 ? min_v == 0 : (n > 0 && s.IndexOf(min_v) == span.first);
  const bool max_ok = n > 0 ? s.IndexOf(max_v) == span.last : max_v == 0;
  if (!min_ok || !max_ok) {
    return in.Error("minimum or maximum outside its bucket");
  }
  // The n values lie in [min, max] with min and max among them, so the saturated sum lies in
  // [min·(n-1) + max, max·(n-1) + min], both saturated.
  const int64_t lowest = SaturatingAdd(SaturatingMul(min_v, count - 1), max_v);
  const int64_t highest = SaturatingAdd(SaturatingMul(max_v, count - 1), min_v);
  const auto sum_v = static_cast<int64_t>(sum_us);
  if (sum_v < lowest || sum_v > highest) {
    return DataLossError(
        "sketch encoding: sum impossible for its count, minimum and maximum at byte " +
        std::to_string(sum_pos));
  }
  s.zero_count_ = zero_count;
  s.count_ = count;
  s.sum_us_ = sum_v;
  s.min_us_ = min_v;
  s.max_us_ = max_v;
  return s;
}

bool operator==(const Sketch& a, const Sketch& b) {
  if (a.relative_accuracy_ != b.relative_accuracy_ || a.count_ != b.count_ ||
      a.zero_count_ != b.zero_count_ || a.sum_us_ != b.sum_us_) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  if (a.min_us_ != b.min_us_ || a.max_us_ != b.max_us_) {
    return false;
  }
  const Sketch::Span sa = a.NonEmptySpan();
  const Sketch::Span sb = b.NonEmptySpan();
  if (sa.first != sb.first || sa.last != sb.last) {
    return false;
  }
  for (int32_t i = sa.first; i <= sa.last; ++i) {
    if (a.CountAt(i) != b.CountAt(i)) {
      return false;
    }
  }
  return true;
}

}  // namespace vigil::sketch
