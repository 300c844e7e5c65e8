#include "vigil/metrics/latency.h"

#include <vector>

#include "postgres_test_db.h"
#include "test_util.h"

namespace vigil::metrics {
namespace {

using core::Duration;
using core::Timestamp;

constexpr int64_t kT0 = 1793613600000;  // 2026-11-02T10:00:00Z
const Timestamp kNow = Timestamp::FromUnixMillis(kT0);

struct Req {
  int status;
  int64_t latency_ms;
};

model::Rollup Minute(model::SeriesKind kind, const std::string& name, int64_t bucket_ms,
                     const std::vector<Req>& reqs, const std::string& version = "") {
  model::Rollup r;
  r.series = model::SeriesKey{"shop", "prod", kind, name, version};
  r.bucket_start = Timestamp::FromUnixMillis(bucket_ms);
  for (const Req& q : reqs) {
    ++r.count;
    r.bad += q.status >= 500 ? 1 : 0;
    r.client_errors += q.status >= 400 && q.status < 500 ? 1 : 0;
    r.latency.Add(q.latency_ms * 1000);
  }
  return r;
}

// Runs against SQLite and PostgreSQL (a fresh database each).
class LatencyTableTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    auto s = store::OpenStore(url_, store::OpenOptions{});
    ASSERT_OK(s);
    store_ = std::move(s).value();
  }
  void Write(int node_hint, const std::vector<model::Rollup>& rows) {
    std::string holder = "h" + std::to_string(node_hint);
    auto node = store_->LeaseNode(holder, kNow, Duration::Hours(1));
    ASSERT_OK(node);
    auto tx = store_->Begin(*node, holder, kNow, Duration::Hours(1));
    ASSERT_OK(tx);
    ASSERT_OK((*tx)->MergeRollups(rows));
    ASSERT_OK((*tx)->Commit());
  }
  std::unique_ptr<store::Store> store_;
};

// Hand-computed: checkout gets 10 requests, latencies 10, 20, …, 100 ms, split over two nodes
// and two minutes; one 500 and one 404. Nearest rank over n = 10: p50 → rank ⌈5⌉ = 5 → 50 ms;
// p95 → rank ⌈9.5⌉ = 10 → 100 ms; p99, p99.9 → rank 10 → 100 ms. Error rate 1/10 = 0.1.
TEST_P(LatencyTableTest, MergesNodesAndMinutesIntoNearestRankPercentiles) {
  Write(1, {Minute(model::SeriesKind::kJourney, "checkout", kT0,
                   {{200, 10}, {200, 20}, {500, 30}, {404, 40}, {200, 50}})});
  Write(2, {Minute(model::SeriesKind::kJourney, "checkout", kT0 + 60'000,
                   {{200, 60}, {200, 70}, {200, 80}, {200, 90}, {200, 100}})});
  auto rows = LatencyTable(*store_, LatencyQuery{});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  const LatencyRow& r = (*rows)[0];
  EXPECT_EQ(r.name, "checkout");
  EXPECT_EQ(r.count, 10);
  EXPECT_EQ(r.bad, 1);
  EXPECT_EQ(r.client_errors, 1);
  ASSERT_TRUE(r.error_rate.has_value());
  EXPECT_DOUBLE_EQ(*r.error_rate, 0.1);
  ASSERT_TRUE(r.p50_ms && r.p95_ms && r.p99_ms && r.p999_ms);
  EXPECT_NEAR(*r.p50_ms, 50.0, 0.5);
  EXPECT_NEAR(*r.p95_ms, 100.0, 1.0);
  EXPECT_NEAR(*r.p99_ms, 100.0, 1.0);
  EXPECT_NEAR(*r.p999_ms, 100.0, 1.0);
}

// Hour rows (downsampled sketches) add to percentiles but never to counters: the minute rows
// keep the counts. Minute: 2 requests at 5 ms; hour: a sketch of 2 values at 500 ms. n = 4
// latencies {5, 5, 500, 500}: p50 → rank 2 → 5 ms, p95 → rank 4 → 500 ms; count stays 2.
TEST_P(LatencyTableTest, HourRowsCarrySketchesOnly) {
  model::Rollup hour = Minute(model::SeriesKind::kRoute, "GET /x", kT0, {{200, 500}, {200, 500}});
  hour.resolution = model::Resolution::kHour;
  hour.count = 0;
  hour.client_errors = 0;
  hour.bad = 0;
  Write(1, {Minute(model::SeriesKind::kRoute, "GET /x", kT0, {{200, 5}, {200, 5}}), hour});
  auto rows = LatencyTable(*store_, LatencyQuery{});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].count, 2);
  EXPECT_EQ((*rows)[0].latency_count, 4);
  EXPECT_NEAR(*(*rows)[0].p50_ms, 5.0, 0.05);
  EXPECT_NEAR(*(*rows)[0].p95_ms, 500.0, 5.0);
  EXPECT_FALSE((*rows)[0].window_widened);
  // A window starting mid-hour still gets the whole hour's sketch, and says so; the minute
  // row before `from` is not counted.
  LatencyQuery q;
  q.from = Timestamp::FromUnixMillis(kT0 + 30 * 60'000);
  auto widened = LatencyTable(*store_, q);
  ASSERT_OK(widened);
  ASSERT_EQ(widened->size(), 1u);
  EXPECT_TRUE((*widened)[0].window_widened);
  EXPECT_EQ((*widened)[0].count, 0);
  EXPECT_EQ((*widened)[0].latency_count, 2);
}

TEST_P(LatencyTableTest, FiltersWindowJourneyAndSplitsByVersion) {
  Write(1, {Minute(model::SeriesKind::kJourney, "checkout", kT0, {{200, 10}}, "1.0"),
            Minute(model::SeriesKind::kJourney, "checkout", kT0 + 60'000, {{500, 20}}, "1.1"),
            Minute(model::SeriesKind::kRoute, "GET /x", kT0, {{200, 1}, {200, 1}})});
  LatencyQuery q;
  q.journey = "checkout";
  auto all = LatencyTable(*store_, q);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].count, 2);
  q.by_version = true;
  auto split = LatencyTable(*store_, q);
  ASSERT_OK(split);
  ASSERT_EQ(split->size(), 2u);
  EXPECT_EQ((*split)[0].version, "1.0");
  EXPECT_EQ((*split)[1].version, "1.1");
  EXPECT_EQ((*split)[1].bad, 1);
  LatencyQuery window;
  window.from = Timestamp::FromUnixMillis(kT0 + 60'000);
  auto late = LatencyTable(*store_, window);
  ASSERT_OK(late);
  ASSERT_EQ(late->size(), 1u);
  EXPECT_EQ((*late)[0].count, 1);
}

TEST_P(LatencyTableTest, RequestsWithoutLatencyHaveNoPercentiles) {
  model::Rollup r = Minute(model::SeriesKind::kRoute, "GET /x", kT0, {});
  r.count = 3;
  Write(1, {r});
  auto rows = LatencyTable(*store_, LatencyQuery{});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].count, 3);
  EXPECT_FALSE((*rows)[0].p50_ms.has_value());
  EXPECT_EQ((*rows)[0].latency_count, 0);
}

TEST_P(LatencyTableTest, JourneysComeBeforeRoutesWhichSortByCount) {
  Write(1, {Minute(model::SeriesKind::kRoute, "GET /a", kT0, {{200, 1}}),
            Minute(model::SeriesKind::kRoute, "GET /b", kT0, {{200, 1}, {200, 1}}),
            Minute(model::SeriesKind::kJourney, "zeta", kT0, {{200, 1}})});
  auto rows = LatencyTable(*store_, LatencyQuery{});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].name, "zeta");
  EXPECT_EQ((*rows)[1].name, "GET /b");
  EXPECT_EQ((*rows)[2].name, "GET /a");
}

INSTANTIATE_TEST_SUITE_P(Backends, LatencyTableTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         testing::BackendName);

}  // namespace
}  // namespace vigil::metrics
