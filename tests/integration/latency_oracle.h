// Checks one row of `vigil latency --format json` against exact values an independent oracle
// computed: counts exact, every percentile within the sketch's 1% of the nearest-rank value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <simdjson.h>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace vigil::testing {

// The value at rank ⌈q·n⌉ (rank 1 for q = 0) of `latencies_us`, in milliseconds.
inline double NearestRankMs(std::vector<int64_t> latencies_us, double q) {
  std::sort(latencies_us.begin(), latencies_us.end());
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(latencies_us.size())));
  rank = std::max<size_t>(rank, 1);
  return static_cast<double>(latencies_us[rank - 1]) / 1000.0;
}

struct ExpectedRow {
  int64_t count = 0;
  int64_t bad = 0;
  int64_t client_errors = 0;
  std::vector<int64_t> latencies_us;  // one per request that had a latency
};

inline void ExpectRowMatches(simdjson::dom::element row, std::string_view name,
                             const ExpectedRow& want) {
  int64_t count = 0, bad = 0, client_errors = 0, latency_count = 0;
  ASSERT_EQ(row["count"].get_int64().get(count), simdjson::SUCCESS) << name;
  ASSERT_EQ(row["bad"].get_int64().get(bad), simdjson::SUCCESS) << name;
  ASSERT_EQ(row["client_errors"].get_int64().get(client_errors), simdjson::SUCCESS) << name;
  ASSERT_EQ(row["latency_count"].get_int64().get(latency_count), simdjson::SUCCESS) << name;
  EXPECT_EQ(count, want.count) << name;
  EXPECT_EQ(bad, want.bad) << name;
  EXPECT_EQ(client_errors, want.client_errors) << name;
  EXPECT_EQ(latency_count, static_cast<int64_t>(want.latencies_us.size())) << name;
  for (auto [field, q] : {std::pair<const char*, double>{"p50_ms", 0.5},
                          {"p95_ms", 0.95},
                          {"p99_ms", 0.99},
                          {"p99_9_ms", 0.999}}) {
    double got = 0;
    ASSERT_EQ(row[field].get_double().get(got), simdjson::SUCCESS) << name << " " << field;
    const double exact = NearestRankMs(want.latencies_us, q);
    // 1% relative accuracy, plus the 0.0005 ms of printing to three decimals.
    EXPECT_LE(std::abs(got - exact), 0.01 * exact + 0.0005)
        << name << " " << field << " exact " << exact;
  }
}

}  // namespace vigil::testing
