#include "vigil/model/rollup.h"

#include "test_util.h"

namespace vigil::model {
namespace {

using core::LatencyUs;

Rollup Row(std::vector<int64_t> thresholds, std::vector<int64_t> over, int64_t count) {
  Rollup r;
  for (int64_t t : thresholds) {
    r.thresholds.push_back(LatencyUs::FromMicros(t));
  }
  r.over = std::move(over);
  r.count = count;
  r.bad = 1;
  r.client_errors = 2;
  return r;
}

TEST(RollupTest, MergeAddsCountersAndKeepsSharedThresholds) {
  Rollup a = Row({100, 200, 300}, {5, 3, 1}, 10);
  Rollup b = Row({200, 300, 400}, {2, 2, 1}, 4);
  a.latency.Add(7);
  b.latency.Add(9);
  ASSERT_OK(a.MergeFrom(b));
  EXPECT_EQ(a.count, 14);
  EXPECT_EQ(a.bad, 2);
  EXPECT_EQ(a.client_errors, 4);
  ASSERT_EQ(a.thresholds.size(), 2u);
  EXPECT_EQ(a.thresholds[0].us(), 200);
  EXPECT_EQ(a.thresholds[1].us(), 300);
  EXPECT_EQ(a.over, (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(a.latency.count(), 2u);
}

TEST(RollupTest, MergeWithSameThresholdsAddsEach) {
  Rollup a = Row({100}, {5}, 10);
  ASSERT_OK(a.MergeFrom(Row({100}, {2}, 3)));
  EXPECT_EQ(a.over, std::vector<int64_t>{7});
}

TEST(RollupTest, MergeRefusesDifferentAccuracies) {
  Rollup a;
  Rollup b;
  b.latency = sketch::Sketch(0.05);
  EXPECT_FALSE(a.MergeFrom(b).ok());
}

}  // namespace
}  // namespace vigil::model
