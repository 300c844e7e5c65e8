#include "vigil/sketch/sketch.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

namespace vigil::sketch {
namespace {

constexpr double kQuantiles[] = {0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1};
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

int64_t Clamped(int64_t v) {
  return std::clamp<int64_t>(v, 0, kMaxValueUs);
}

// The value at nearest rank ceil(q * n) (rank 1 for q = 0) of the clamped values.
int64_t ExactNearestRank(const std::vector<int64_t>& sorted, double q) {
  const double r = std::ceil(q * static_cast<double>(sorted.size()));
  size_t rank = sorted.size();
  if (r < 1.0) {
    rank = 1;
  } else if (r < static_cast<double>(sorted.size())) {
    rank = static_cast<size_t>(r);
  }
  return sorted[rank - 1];
}

std::vector<int64_t> SortedClamped(std::vector<int64_t> values) {
  for (int64_t& v : values) {
    v = Clamped(v);
  }
  std::sort(values.begin(), values.end());
  return values;
}

Sketch Build(double alpha, const std::vector<int64_t>& values) {
  Sketch s(alpha);
  for (int64_t v : values) {
    s.Add(v);
  }
  return s;
}

// The smallest integer in [1, kMaxValueUs] whose bucket is >= index, found by bisection on
// IndexOf alone (so it checks the mapping rather than repeating it); kMaxValueUs + 1 if none.
int64_t LowestValueAtOrAbove(const Sketch& s, int32_t index) {
  int64_t lo = 1;
  int64_t hi = kMaxValueUs + 1;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (s.IndexOf(mid) >= index) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// The integers of each bucket: [lowest, highest], empty when lowest > highest.
struct BucketExtent {
  int32_t index;
  int64_t lowest;
  int64_t highest;
};

std::vector<BucketExtent> AllBucketExtents(const Sketch& s) {
  std::vector<BucketExtent> out;
  int64_t next = 1;
  for (int32_t i = 0; i <= s.max_index(); ++i) {
    const int64_t after = i == s.max_index() ? kMaxValueUs + 1 : LowestValueAtOrAbove(s, i + 1);
    out.push_back(BucketExtent{i, next, after - 1});
    next = after;
  }
  return out;
}

// --- Input distributions (seeded) -----------------------------------------------------------

std::vector<int64_t> Pareto(double /*alpha*/) {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<int64_t> v;
  for (int i = 0; i < 20000; ++i) {
    // x_m = 2 ms, shape 1.1: a heavy tail reaching far past a second.
    v.push_back(static_cast<int64_t>(2000.0 / std::pow(1.0 - u(rng), 1.0 / 1.1)));
  }
  return v;
}

std::vector<int64_t> LogNormal(double /*alpha*/) {
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> d(std::log(30000.0), 1.2);
  std::vector<int64_t> v;
  for (int i = 0; i < 20000; ++i) {
    v.push_back(static_cast<int64_t>(d(rng)));
  }
  return v;
}

std::vector<int64_t> Bimodal(double /*alpha*/) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> fast(800.0, 100.0);
  std::normal_distribution<double> slow(2.5e6, 3e5);
  std::bernoulli_distribution is_slow(0.3);
  std::vector<int64_t> v;
  for (int i = 0; i < 20000; ++i) {
    v.push_back(static_cast<int64_t>(is_slow(rng) ? slow(rng) : fast(rng)));
  }
  return v;
}

std::vector<int64_t> Constant(double /*alpha*/) {
  return std::vector<int64_t>(1000, 123457);
}

std::vector<int64_t> Tiny(double /*alpha*/) {
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int64_t> d(0, 10);
  std::vector<int64_t> v;
  for (int i = 0; i < 5000; ++i) {
    v.push_back(d(rng));
  }
  return v;
}

std::vector<int64_t> Huge(double /*alpha*/) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, std::log(1e12));
  std::vector<int64_t> v;
  for (int i = 0; i < 20000; ++i) {
    v.push_back(static_cast<int64_t>(std::exp(u(rng))));
  }
  v.push_back(1'000'000'000'000);
  return v;
}

// The integers next to DDSketch's boundaries gamma^i, for every i up to 1e13.
std::vector<int64_t> GammaPowers(double alpha) {
  const double gamma = (1 + alpha) / (1 - alpha);
  std::vector<int64_t> v{0};
  for (int i = 0; std::pow(gamma, i) <= 1e13; ++i) {
    const auto f = static_cast<int64_t>(std::floor(std::pow(gamma, i)));
    for (int64_t d = -1; d <= 2; ++d) {
      v.push_back(f + d);
    }
  }
  return v;
}

// The lowest and highest integer of every bucket this sketch's mapping defines.
std::vector<int64_t> BucketEdges(double alpha) {
  std::vector<int64_t> v{0};
  for (const BucketExtent& b : AllBucketExtents(Sketch(alpha))) {
    if (b.lowest <= b.highest) {
      v.push_back(b.lowest);
      v.push_back(b.highest);
    }
  }
  return v;
}

std::vector<int64_t> AlternatingExtremes(double /*alpha*/) {
  std::vector<int64_t> v;
  for (int i = 0; i < 1001; ++i) {
    v.push_back(i % 2 == 0 ? 1 : 1'000'000'000'000);
    if (i % 7 == 0) {
      v.push_back(0);
    }
  }
  return v;
}

std::vector<int64_t> OutOfRange(double /*alpha*/) {
  return {-5, -1, 0, 7, 999, 20'000'000'000'000, kInt64Max, std::numeric_limits<int64_t>::min()};
}

std::vector<int64_t> TwoValues(double /*alpha*/) {
  return {1234567, 7654321};
}

struct Distribution {
  const char* name;
  std::vector<int64_t> (*make)(double alpha);
};

constexpr Distribution kDistributions[] = {
    {"pareto", Pareto},
    {"lognormal", LogNormal},
    {"bimodal", Bimodal},
    {"constant", Constant},
    {"tiny_with_zeros", Tiny},
    {"huge_to_1e12", Huge},
    {"ddsketch_gamma_powers", GammaPowers},
    {"bucket_edges", BucketEdges},
    {"alternating_extremes", AlternatingExtremes},
    {"out_of_range_clamped", OutOfRange},
    {"two_values", TwoValues},
};

// --- Accuracy -------------------------------------------------------------------------------

TEST(SketchTest, QuantilesAreWithinAlphaOfExactNearestRank) {
  for (double alpha : {0.01, 0.05}) {
    for (const Distribution& d : kDistributions) {
      SCOPED_TRACE(::testing::Message() << d.name << " alpha=" << alpha);
      const std::vector<int64_t> values = d.make(alpha);
      const Sketch s = Build(alpha, values);
      const std::vector<int64_t> sorted = SortedClamped(values);
      ASSERT_EQ(s.count(), sorted.size());
      for (double q : kQuantiles) {
        const auto exact = static_cast<double>(ExactNearestRank(sorted, q));
        const std::optional<double> got = s.Quantile(q);
        ASSERT_TRUE(got.has_value());
        EXPECT_LE(std::fabs(*got - exact), alpha * exact) << "q=" << q << " exact=" << exact;
      }
    }
  }
}

TEST(SketchTest, EveryQuantileOfBoundaryInputsIsWithinAlpha) {
  // Every rank, not only the usual percentiles, on the inputs that sit on bucket edges.
  for (double alpha : {0.01, 0.05}) {
    SCOPED_TRACE(::testing::Message() << "alpha=" << alpha);
    const std::vector<int64_t> values = BucketEdges(alpha);
    const Sketch s = Build(alpha, values);
    const std::vector<int64_t> sorted = SortedClamped(values);
    const auto n = static_cast<double>(sorted.size());
    for (size_t rank = 1; rank <= sorted.size(); ++rank) {
      const double q = static_cast<double>(rank) / n;
      const auto exact = static_cast<double>(ExactNearestRank(sorted, q));
      EXPECT_LE(std::fabs(*s.Quantile(q) - exact), alpha * exact) << "rank=" << rank;
    }
  }
}

TEST(SketchTest, EveryBucketValueIsWithinAlphaOfEveryIntegerItHolds) {
  for (double alpha : {1e-4, 1e-3, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5}) {
    SCOPED_TRACE(::testing::Message() << "alpha=" << alpha);
    const Sketch s(alpha);
    const double gamma = (1 + alpha) / (1 - alpha);
    double previous = 0;
    int failures = 0;
    for (const BucketExtent& b : AllBucketExtents(s)) {
      const double value = s.ValueOf(b.index);
      EXPECT_GE(value, previous) << "bucket values must not decrease, bucket " << b.index;
      previous = value;
      if (b.lowest > b.highest) {
        continue;  // holds no integer
      }
      const auto lo = static_cast<double>(b.lowest);
      const auto hi = static_cast<double>(b.highest);
      const bool ok = std::fabs(value - lo) <= alpha * lo && std::fabs(value - hi) <= alpha * hi &&
                      hi / lo < gamma && value >= lo && value <= hi;
      if (!ok && ++failures <= 5) {
        ADD_FAILURE() << "bucket " << b.index << " holds [" << b.lowest << ", " << b.highest
                      << "] and reports " << value;
      }
    }
    EXPECT_EQ(failures, 0);
  }
}

TEST(SketchTest, BucketsHoldingOneIntegerAreExact) {
  // At 1%, buckets below ~50 µs are narrower than 1 µs: small values come back exactly.
  const Sketch s(0.01);
  for (int64_t v = 1; v <= 50; ++v) {
    EXPECT_EQ(s.ValueOf(s.IndexOf(v)), static_cast<double>(v)) << v;
  }
  Sketch tiny(0.01);
  for (int64_t v = 0; v <= 40; ++v) {
    tiny.Add(v, 3);
  }
  const std::vector<int64_t> sorted = [] {
    std::vector<int64_t> out;
    for (int64_t v = 0; v <= 40; ++v) {
      out.insert(out.end(), 3, v);
    }
    return out;
  }();
  for (double q : kQuantiles) {
    EXPECT_EQ(*tiny.Quantile(q), static_cast<double>(ExactNearestRank(sorted, q))) << q;
  }
}

TEST(SketchTest, IndexOfIsCeilLogGammaUpToItsMarginAndMonotone) {
  for (double alpha : {0.01, 0.05}) {
    const Sketch s(alpha);
    const double log_gamma = std::log((1 + alpha) / (1 - alpha));
    EXPECT_EQ(s.IndexOf(0), Sketch::kZeroIndex);
    EXPECT_EQ(s.IndexOf(-3), Sketch::kZeroIndex);
    EXPECT_EQ(s.IndexOf(1), 0);
    EXPECT_EQ(s.IndexOf(kMaxValueUs), s.max_index());
    EXPECT_EQ(s.IndexOf(kInt64Max), s.max_index());
    std::mt19937_64 rng(6);
    std::uniform_real_distribution<double> u(0.0, std::log(1e13));
    int32_t previous = Sketch::kZeroIndex;
    std::vector<int64_t> values;
    for (int i = 0; i < 100000; ++i) {
      values.push_back(static_cast<int64_t>(std::exp(u(rng))));
    }
    std::sort(values.begin(), values.end());
    for (int64_t v : values) {
      const int32_t index = s.IndexOf(v);
      const double exact = std::log(static_cast<double>(v)) / log_gamma;
      EXPECT_GE(index, exact - 1e-9) << v;
      EXPECT_LT(index, exact * (1 + 2e-7) + 1) << v;
      EXPECT_GE(index, previous) << v;
      previous = index;
    }
  }
}

TEST(SketchTest, AccuracyOnlyDependsOnAlphaNotOnTheSketchInstance) {
  // Two sketches (and a decoded one) map every value to the same bucket.
  const Sketch a(0.01);
  const Sketch b(0.01);
  const Result<Sketch> c = Sketch::Decode(Sketch(0.01).Encode());
  ASSERT_OK(c);
  for (int64_t v = 1; v < 10'000'000'000'000; v = v * 3 + 1) {
    EXPECT_EQ(a.IndexOf(v), b.IndexOf(v));
    EXPECT_EQ(a.IndexOf(v), c->IndexOf(v));
  }
}

// --- Quantile and Rank ----------------------------------------------------------------------

TEST(SketchTest, QuantileZeroIsMinAndOneIsMaxExactly) {
  const Sketch s = Build(0.05, {1234567, 2000000, 7654321, 31, 0, 5});
  EXPECT_EQ(*s.Quantile(0), 0.0);
  EXPECT_EQ(*s.Quantile(1), 7654321.0);
  const Sketch no_zero = Build(0.05, {1234567, 2000000, 7654321});
  EXPECT_EQ(*no_zero.Quantile(0), 1234567.0);
  EXPECT_EQ(*no_zero.Quantile(0.2), 1234567.0);  // rank 1
  EXPECT_EQ(*no_zero.Quantile(1), 7654321.0);
}

TEST(SketchTest, QuantilesAreMonotoneAndWithinMinMax) {
  const Sketch s = Build(0.01, LogNormal(0.01));
  double previous = 0;
  for (int i = 0; i <= 1000; ++i) {
    const double q = i / 1000.0;
    const double v = *s.Quantile(q);
    EXPECT_GE(v, previous) << q;
    EXPECT_GE(v, static_cast<double>(*s.min_us()));
    EXPECT_LE(v, static_cast<double>(*s.max_us()));
    previous = v;
  }
}

TEST(SketchTest, EmptySketchHasNoQuantileRankMinOrMax) {
  const Sketch s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.sum_us(), 0);
  EXPECT_EQ(s.Quantile(0.5), std::nullopt);
  EXPECT_EQ(s.Quantile(0), std::nullopt);
  EXPECT_EQ(s.Rank(100), std::nullopt);
  EXPECT_EQ(s.min_us(), std::nullopt);
  EXPECT_EQ(s.max_us(), std::nullopt);
  EXPECT_EQ(s.relative_accuracy(), kDefaultRelativeAccuracy);
}

TEST(SketchTest, RankIsZeroBelowMinAndOneAtOrAboveMax) {
  const Sketch s = Build(0.01, {500, 1000, 2000});
  EXPECT_EQ(*s.Rank(-1), 0.0);
  EXPECT_EQ(*s.Rank(499), 0.0);
  EXPECT_EQ(*s.Rank(2000), 1.0);
  EXPECT_EQ(*s.Rank(kInt64Max), 1.0);
  EXPECT_NEAR(*s.Rank(500), 1.0 / 3, 1e-12);
  EXPECT_NEAR(*s.Rank(1500), 2.0 / 3, 1e-12);
  const Sketch zeros = Build(0.01, {0, 0, 10});
  EXPECT_NEAR(*zeros.Rank(0), 2.0 / 3, 1e-12);
  EXPECT_NEAR(*zeros.Rank(9), 2.0 / 3, 1e-12);
}

TEST(SketchTest, RankBracketsTheExactFractionWithinOneBucket) {
  for (double alpha : {0.01, 0.05}) {
    SCOPED_TRACE(::testing::Message() << "alpha=" << alpha);
    const double gamma = (1 + alpha) / (1 - alpha);
    const std::vector<int64_t> sorted = SortedClamped(Pareto(alpha));
    const Sketch s = Build(alpha, sorted);
    const auto n = static_cast<double>(sorted.size());
    auto exact_at_or_below = [&](double x) {
      return static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(),
                                                  static_cast<int64_t>(std::floor(x))) -
                                 sorted.begin()) /
             n;
    };
    double previous = 0;
    for (int64_t x = 1000; x < 100'000'000; x = x * 11 / 10 + 1) {
      const double rank = *s.Rank(x);
      EXPECT_GE(rank, exact_at_or_below(static_cast<double>(x))) << x;
      EXPECT_LE(rank, exact_at_or_below(static_cast<double>(x) * gamma)) << x;
      EXPECT_GE(rank, previous) << x;
      previous = rank;
    }
  }
}

TEST(SketchTest, RankOfAQuantileIsAtLeastThatQuantile) {
  const Sketch s = Build(0.01, Bimodal(0.01));
  for (double q : kQuantiles) {
    const double v = *s.Quantile(q);
    EXPECT_GE(*s.Rank(std::llround(v)), q - 1e-12) << q;
  }
}

// --- Add ------------------------------------------------------------------------------------

TEST(SketchTest, AddWithCountEqualsRepeatedAdd) {
  struct Case {
    const char* name;
    int64_t value;
    uint64_t count;
  };
  const Case cases[] = {
      {"zero", 0, 5},
      {"one", 1, 3},
      {"sub_ms", 750, 17},
      {"seconds", 2'500'000, 4},
      {"clamped_high", kInt64Max, 2},
      {"negative", -40, 6},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Sketch bulk = Build(0.01, {10, 20000});
    Sketch repeated = bulk;
    bulk.Add(c.value, c.count);
    for (uint64_t i = 0; i < c.count; ++i) {
      repeated.Add(c.value);
    }
    EXPECT_EQ(bulk, repeated);
    EXPECT_EQ(bulk.Encode(), repeated.Encode());
  }
}

TEST(SketchTest, AddCountZeroChangesNothing) {
  Sketch s;
  s.Add(100, 0);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s, Sketch());
}

TEST(SketchTest, AddIndexedAndLatencyOverloadEqualAdd) {
  Sketch by_value(0.02);
  Sketch by_index(0.02);
  Sketch by_latency(0.02);
  for (int64_t v : LogNormal(0.02)) {
    by_value.Add(v, 2);
    by_index.AddIndexed(by_index.IndexOf(v), v, 2);
    by_latency.Add(core::LatencyUs::FromMicros(v), 2);
  }
  by_index.AddIndexed(Sketch::kZeroIndex, 0);
  by_value.Add(0);
  by_latency.Add(core::LatencyUs::FromMicros(0));
  EXPECT_EQ(by_value, by_index);
  EXPECT_EQ(by_value, by_latency);
}

TEST(SketchTest, ClampsNegativeToZeroAndHugeToMax) {
  const Sketch s = Build(0.01, {-10, kInt64Max});
  EXPECT_EQ(*s.min_us(), 0);
  EXPECT_EQ(*s.max_us(), kMaxValueUs);
  EXPECT_EQ(s.sum_us(), kMaxValueUs);
  EXPECT_EQ(s, Build(0.01, {0, kMaxValueUs}));
}

TEST(SketchTest, CountSumMinMaxAreExact) {
  const std::vector<int64_t> values = LogNormal(0.01);
  const Sketch s = Build(0.01, values);
  EXPECT_EQ(s.count(), values.size());
  EXPECT_EQ(s.sum_us(), std::accumulate(values.begin(), values.end(), int64_t{0}));
  EXPECT_EQ(*s.min_us(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(*s.max_us(), *std::max_element(values.begin(), values.end()));
}

TEST(SketchTest, SumSaturatesAtInt64Max) {
  Sketch s;
  s.Add(kMaxValueUs, 1'000'000);  // 1e19 > INT64_MAX
  EXPECT_EQ(s.sum_us(), kInt64Max);
  s.Add(5);
  EXPECT_EQ(s.sum_us(), kInt64Max);
}

TEST(SketchTest, CreateValidatesRelativeAccuracy) {
  for (double bad :
       {0.0, -0.01, 5e-5, 0.5000001, 1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
    const Result<Sketch> r = Sketch::Create(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  for (double good : {kMinRelativeAccuracy, 0.01, 0.05, kMaxRelativeAccuracy}) {
    const Result<Sketch> r = Sketch::Create(good);
    ASSERT_OK(r);
    EXPECT_EQ(r->relative_accuracy(), good);
  }
}

TEST(SketchTest, ConstructorChecksRelativeAccuracy) {
  EXPECT_DEATH(Sketch(0.7), "relative accuracy");
}

// --- Merge ----------------------------------------------------------------------------------

// Values over the whole range, split into k parts with very different ranges, so merging
// grows the buckets both downwards and upwards.
std::vector<std::vector<int64_t>> Parts(size_t k) {
  std::vector<std::vector<int64_t>> parts(k);
  const std::vector<int64_t> sources[] = {LogNormal(0), Tiny(0), Huge(0), Bimodal(0)};
  std::mt19937_64 rng(7);
  for (const auto& source : sources) {
    for (int64_t v : source) {
      parts[rng() % k].push_back(v);
    }
  }
  // One part holds only huge values, one only zeros and ones.
  parts[0].push_back(9'000'000'000'000);
  parts[k - 1] = {0, 1, 0};
  return parts;
}

TEST(SketchTest, MergeOfPartsEqualsWholeInAnyOrder) {
  for (double alpha : {0.01, 0.05}) {
    SCOPED_TRACE(::testing::Message() << "alpha=" << alpha);
    const auto parts = Parts(5);
    std::vector<int64_t> all;
    std::vector<Sketch> sketches;
    for (const auto& p : parts) {
      all.insert(all.end(), p.begin(), p.end());
      sketches.push_back(Build(alpha, p));
    }
    const Sketch whole = Build(alpha, all);
    const std::string whole_bytes = whole.Encode();
    std::vector<size_t> order(parts.size());
    std::iota(order.begin(), order.end(), 0);
    int permutations = 0;
    do {
      Sketch merged(alpha);
      for (size_t i : order) {
        ASSERT_OK(merged.Merge(sketches[i]));
      }
      EXPECT_EQ(merged, whole);
      EXPECT_EQ(merged.Encode(), whole_bytes);
      ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(permutations, 120);
    // A tree of merges ((0+1)+(2+3))+4, merging into a part rather than into an empty sketch.
    Sketch left = sketches[0];
    ASSERT_OK(left.Merge(sketches[1]));
    Sketch right = sketches[2];
    ASSERT_OK(right.Merge(sketches[3]));
    ASSERT_OK(left.Merge(right));
    ASSERT_OK(left.Merge(sketches[4]));
    EXPECT_EQ(left, whole);
    EXPECT_EQ(left.Encode(), whole_bytes);
  }
}

TEST(SketchTest, MergeOfDecodedPartsEqualsWhole) {
  const auto parts = Parts(3);
  Sketch merged;
  std::vector<int64_t> all;
  for (const auto& p : parts) {
    all.insert(all.end(), p.begin(), p.end());
    const Result<Sketch> decoded = Sketch::Decode(Build(0.01, p).Encode());
    ASSERT_OK(decoded);
    ASSERT_OK(merged.Merge(*decoded));
  }
  EXPECT_EQ(merged, Build(0.01, all));
}

TEST(SketchTest, MergeWithDifferentAccuracyIsInvalidArgumentAndChangesNothing) {
  Sketch a = Build(0.01, {1, 2, 3});
  const Sketch before = a;
  const Sketch b = Build(0.02, {4});
  const Status st = a.Merge(b);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a, before);
  Sketch empty(0.01);
  EXPECT_EQ(empty.Merge(Sketch(0.05)).code(), StatusCode::kInvalidArgument);
}

TEST(SketchTest, MergeWithItselfDoublesEveryCount) {
  const std::vector<int64_t> values = Bimodal(0.01);
  Sketch s = Build(0.01, values);
  ASSERT_OK(s.Merge(s));
  Sketch twice = Build(0.01, values);
  for (int64_t v : values) {
    twice.Add(v);
  }
  EXPECT_EQ(s, twice);
}

TEST(SketchTest, MergeOfEmptyChangesNothingAndIntoEmptyCopies) {
  const Sketch full = Build(0.01, {0, 5, 500000});
  Sketch a = full;
  ASSERT_OK(a.Merge(Sketch(0.01)));
  EXPECT_EQ(a, full);
  Sketch b(0.01);
  ASSERT_OK(b.Merge(full));
  EXPECT_EQ(b, full);
  EXPECT_EQ(b.Encode(), full.Encode());
}

TEST(SketchTest, MergeOverflowingTheCountIsResourceExhaustedAndChangesNothing) {
  Sketch a;
  a.Add(5, uint64_t{1} << 63);
  const Sketch before = a;
  Sketch b;
  b.Add(7, uint64_t{1} << 63);
  EXPECT_EQ(a.Merge(b).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(a, before);
}

// --- Encoding -------------------------------------------------------------------------------

TEST(SketchEncodingTest, DecodeOfEncodeEqualsOriginal) {
  std::vector<std::pair<std::string, Sketch>> cases;
  cases.emplace_back("empty", Sketch());
  cases.emplace_back("empty_half", Sketch(0.5));
  cases.emplace_back("zeros_only", Build(0.01, {0, 0, 0}));
  cases.emplace_back("single", Build(0.01, {42}));
  cases.emplace_back("max_only", Build(0.01, {kMaxValueUs}));
  cases.emplace_back("saturated_sum", [] {
    Sketch s;
    s.Add(kMaxValueUs, 2'000'000);
    return s;
  }());
  for (const Distribution& d : kDistributions) {
    cases.emplace_back(d.name, Build(0.05, d.make(0.05)));
  }
  cases.emplace_back("finest_accuracy_wide_range", Build(kMinRelativeAccuracy, Huge(0)));
  for (const auto& [name, sketch] : cases) {
    SCOPED_TRACE(name);
    const std::string bytes = sketch.Encode();
    const Result<Sketch> decoded = Sketch::Decode(bytes);
    ASSERT_OK(decoded);
    EXPECT_EQ(*decoded, sketch);
    EXPECT_EQ(decoded->Encode(), bytes);
    for (double q : kQuantiles) {
      EXPECT_EQ(decoded->Quantile(q), sketch.Quantile(q));
    }
  }
}

TEST(SketchEncodingTest, EqualSketchesEncodeToTheSameBytes) {
  // Different insertion orders grow the dense buckets differently; the bytes do not change.
  std::vector<int64_t> values = Huge(0);
  const Sketch forward = Build(0.01, values);
  std::reverse(values.begin(), values.end());
  const Sketch backward = Build(0.01, values);
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(forward.Encode(), backward.Encode());
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

TEST(SketchEncodingTest, MatchesTheWorkedExampleInTheDocs) {
  // docs/sketch-encoding.md, "Worked example": alpha 0.05; values 0, 1000, 1000, 1200 µs.
  const Sketch s = Build(0.05, {0, 1000, 1000, 1200});
  EXPECT_EQ(s.IndexOf(1000), 70);
  EXPECT_EQ(s.IndexOf(1200), 71);
  EXPECT_EQ(Hex(s.Encode()),
            "01"                // version
            "9a9999999999a93f"  // 0.05, IEEE-754 little-endian
            "04"                // count 4
            "01"                // zero count 1
            "00"                // min 0
            "b009"              // max 1200
            "8019"              // sum 3200
            "02"                // 2 buckets
            "46"                // starting at index 70
            "0201");            // counts 2, 1
  // Rank 2 lies in bucket 70, which holds 999..1103 and reports 2·999·1103/2102.
  EXPECT_EQ(s.IndexOf(998), 69);
  EXPECT_EQ(s.IndexOf(999), 70);
  EXPECT_EQ(s.IndexOf(1103), 70);
  EXPECT_EQ(s.IndexOf(1104), 71);
  EXPECT_DOUBLE_EQ(*s.Quantile(0.5), 2.0 * 999 * 1103 / 2102);
}

// The fixed prefix of a version-1 encoding: version and accuracy.
std::string Header(double alpha, uint8_t version = 1) {
  std::string out(1, static_cast<char>(version));
  uint64_t bits = 0;
  std::memcpy(&bits, &alpha, sizeof bits);
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
  return out;
}

std::string Varints(std::initializer_list<uint64_t> values) {
  std::string out;
  for (uint64_t v : values) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  }
  return out;
}

struct BadEncoding {
  const char* name;
  std::string bytes;
  const char* reason;  // a substring of the error message
};

std::vector<BadEncoding> BadEncodings() {
  const double a = 0.05;  // IndexOf(1000) = 70, IndexOf(1200) = 71, max index ~307
  const std::string valid = Header(a) + Varints({4, 1, 0, 1200, 3200, 2, 70, 2, 1});
  const std::string truncated_count =
      Header(a) + Varints({202, 0, 1000, 1200, 201000, 2, 70, 2, 200});  // 200: two bytes
  return {
      {"empty_input", "", "truncated reading the version"},
      {"version_0", Header(a, 0) + Varints({0}), "unsupported version 0"},
      {"version_2", Header(a, 2) + valid.substr(9), "unsupported version 2"},
      {"truncated_accuracy", Header(a).substr(0, 5), "truncated reading the relative accuracy"},
      {"accuracy_zero", Header(0.0) + Varints({0}), "relative accuracy outside"},
      {"accuracy_nan", Header(std::nan("")) + Varints({0}), "relative accuracy outside"},
      {"accuracy_above_half", Header(0.6) + Varints({0}), "relative accuracy outside"},
      {"truncated_count", Header(a), "truncated reading the count"},
      {"truncated_in_counts", valid.substr(0, valid.size() - 1), "longer than the bytes left"},
      {"truncated_in_a_count", truncated_count.substr(0, truncated_count.size() - 1),
       "truncated reading a bucket count"},
      {"trailing_after_empty", Header(a) + Varints({0, 0}), "trailing bytes after an empty"},
      {"trailing_bytes", valid + "x", "trailing bytes"},
      {"overlong_varint", Header(a) + std::string("\x80\x00", 2), "not in shortest form"},
      {"varint_overflow", Header(a) + std::string(9, '\xff') + "\x02", "overflows 64 bits"},
      {"eleven_byte_varint", Header(a) + std::string(10, '\xff') + "\x01", "overflows 64 bits"},
      {"forged_run_length", Header(a) + Varints({4, 1, 0, 1200, 3200, 1ull << 40, 70, 2, 1}),
       "bucket run outside"},
      {"run_longer_than_bytes", Header(a) + Varints({4, 1, 0, 1200, 3200, 200, 70, 2, 1}),
       "longer than the bytes left"},
      {"first_index_too_high", Header(a) + Varints({1, 0, 1200, 1200, 1200, 1, 100000, 1}),
       "outside the index range"},
      {"counts_do_not_add_up", Header(a) + Varints({5, 1, 0, 1200, 3200, 2, 70, 2, 1}),
       "do not add up"},
      {"zero_count_above_count", Header(a) + Varints({1, 2, 0, 0, 0, 0}), "do not add up"},
      {"run_starts_empty", Header(a) + Varints({4, 1, 0, 1200, 3200, 3, 69, 0, 2, 1}),
       "starts or ends with an empty bucket"},
      {"run_ends_empty", Header(a) + Varints({4, 1, 0, 1200, 3200, 3, 70, 2, 1, 0}),
       "starts or ends with an empty bucket"},
      {"bucket_counts_overflow",
       Header(a) + Varints({3, 1, 0, 1200, 3200, 2, 70, 1ull << 63, 1ull << 63}), "overflow"},
      {"min_above_max", Header(a) + Varints({4, 1, 1300, 1200, 3200, 2, 70, 2, 1}),
       "minimum above maximum"},
      {"max_beyond_range", Header(a) + Varints({1, 0, 1, 20'000'000'000'000, 1, 1, 0, 1}),
       "maximum above"},
      {"min_not_in_first_bucket", Header(a) + Varints({3, 0, 900, 1200, 3100, 2, 70, 2, 1}),
       "minimum or maximum outside its bucket"},
      {"zeros_but_min_positive", Header(a) + Varints({4, 1, 1000, 1200, 3200, 2, 70, 2, 1}),
       "minimum or maximum outside its bucket"},
      {"max_not_in_last_bucket", Header(a) + Varints({4, 1, 0, 1000, 3000, 2, 70, 2, 1}),
       "minimum or maximum outside its bucket"},
      {"only_zeros_but_max_positive", Header(a) + Varints({2, 2, 0, 5, 5, 0}),
       "minimum or maximum outside its bucket"},
      {"sum_too_small", Header(a) + Varints({4, 1, 0, 1200, 1199, 2, 70, 2, 1}), "sum impossible"},
      {"sum_too_large", Header(a) + Varints({4, 1, 0, 1200, 3601, 2, 70, 2, 1}), "sum impossible"},
      {"sum_above_int64", Header(a) + Varints({1, 0, 1, 1, 1ull << 63, 1, 0, 1}),
       "sum above INT64_MAX"},
  };
}

TEST(SketchEncodingTest, MalformedInputsAreDataLossNamingTheReason) {
  for (const BadEncoding& c : BadEncodings()) {
    SCOPED_TRACE(c.name);
    const Result<Sketch> r = Sketch::Decode(c.bytes);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
    EXPECT_THAT(r.status().message(), ::testing::HasSubstr(c.reason));
    EXPECT_THAT(r.status().message(), ::testing::HasSubstr(" at byte "));
  }
}

TEST(SketchEncodingTest, EveryProperPrefixIsRejected) {
  const std::string bytes = Build(0.01, LogNormal(0.01)).Encode();
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(Sketch::Decode(bytes.substr(0, len)).ok()) << len;
  }
}

TEST(SketchEncodingTest, EveryByteFlipDecodesToAnErrorOrToTheSameBytes) {
  // Only canonical encodings decode, so whatever a corruption decodes to re-encodes verbatim.
  const std::string valid = Build(0.05, Bimodal(0.05)).Encode();
  std::mt19937_64 rng(8);
  for (size_t i = 0; i < valid.size(); ++i) {
    for (int trial = 0; trial < 4; ++trial) {
      std::string bytes = valid;
      bytes[i] = static_cast<char>(bytes[i] ^ static_cast<char>(1 + rng() % 255));
      const Result<Sketch> r = Sketch::Decode(bytes);
      if (r.ok()) {
        EXPECT_EQ(r->Encode(), bytes) << "byte " << i;
      } else {
        EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
      }
    }
  }
}

// --- The committed fuzz corpus, which doubles as the encoding's golden files ----------------

struct CorpusFile {
  std::string name;
  std::string bytes;
  bool valid;
};

// Integer-only values (no std:: distribution, whose output may differ between standard
// libraries), so the committed bytes stay reproducible: a mantissa of 1..1000 shifted left by up to
// max_shift bits.
std::vector<int64_t> PortableSpread(uint64_t seed, int n, int max_shift) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> out;
  for (int i = 0; i < n; ++i) {
    const auto mantissa = static_cast<int64_t>(rng() % 1000 + 1);
    out.push_back(mantissa << (rng() % static_cast<uint64_t>(max_shift + 1)));
  }
  return out;
}

std::vector<CorpusFile> Corpus() {
  std::vector<CorpusFile> files;
  auto valid = [&](const std::string& name, const Sketch& s) {
    files.push_back(CorpusFile{name, s.Encode(), true});
  };
  const std::vector<int64_t> heavy_tail = PortableSpread(10, 300, 8);
  const std::vector<int64_t> bimodal = [] {
    std::vector<int64_t> out = PortableSpread(11, 200, 0);  // 1 µs .. 1 ms
    for (int64_t v : PortableSpread(12, 100, 0)) {
      out.push_back(2'000'000 + v * 1000);  // 2 s .. 3 s
    }
    return out;
  }();
  const std::vector<int64_t> wide_range = PortableSpread(13, 100, 30);
  valid("valid_empty.bin", Sketch());
  valid("valid_zeros_only.bin", Build(0.01, {0, 0, 0, 0}));
  valid("valid_single_value.bin", Build(0.01, {250000}));
  valid("valid_tiny_with_zeros.bin", Build(0.01, {0, 1, 2, 3, 5, 8, 10, 0, 1}));
  valid("valid_heavy_tail_1pct.bin", Build(0.01, heavy_tail));
  valid("valid_bimodal_5pct.bin", Build(0.05, bimodal));
  valid("valid_wide_range_2pct.bin", Build(0.02, wide_range));
  valid("valid_accuracy_half_extremes.bin", Build(0.5, {0, 1, kMaxValueUs, kMaxValueUs}));
  valid("valid_docs_example.bin", Build(0.05, {0, 1000, 1000, 1200}));
  for (const BadEncoding& bad : BadEncodings()) {
    const std::string name(bad.name);
    if (name == "forged_run_length" || name == "overlong_varint" || name == "version_2" ||
        name == "counts_do_not_add_up" || name == "sum_too_large" ||
        name == "bucket_counts_overflow") {
      files.push_back(CorpusFile{"invalid_" + name + ".bin", bad.bytes, false});
    }
  }
  const std::string heavy = Build(0.01, heavy_tail).Encode();
  files.push_back(
      CorpusFile{"invalid_truncated_heavy_tail.bin", heavy.substr(0, heavy.size() / 2), false});
  std::mt19937_64 rng(9);
  std::string garbage;
  for (int i = 0; i < 64; ++i) {
    garbage.push_back(static_cast<char>(rng()));
  }
  files.push_back(CorpusFile{"invalid_garbage.bin", garbage, false});
  return files;
}

// Set VIGIL_UPDATE_SKETCH_CORPUS=1 to (re)write the files after a deliberate format change
// (which also needs a new version byte: committed encodings must keep decoding).
TEST(SketchCorpusTest, CommittedCorpusMatchesTheCurrentEncoding) {
  const std::filesystem::path dir(VIGIL_SKETCH_CORPUS_DIR);
  const char* update = std::getenv("VIGIL_UPDATE_SKETCH_CORPUS");
  for (const CorpusFile& f : Corpus()) {
    SCOPED_TRACE(f.name);
    const std::filesystem::path path = dir / f.name;
    if (update != nullptr && std::string(update) == "1") {
      std::filesystem::create_directories(dir);
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(f.bytes.data(), static_cast<std::streamsize>(f.bytes.size()));
      ASSERT_TRUE(out.good());
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in.good()) << "missing " << path;
    const std::string committed((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
    EXPECT_EQ(Hex(committed), Hex(f.bytes));
    const Result<Sketch> decoded = Sketch::Decode(committed);
    EXPECT_EQ(decoded.ok(), f.valid) << decoded.status().ToString();
  }
}

}  // namespace
}  // namespace vigil::sketch
