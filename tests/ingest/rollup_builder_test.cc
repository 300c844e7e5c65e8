#include "vigil/ingest/rollup_builder.h"

#include <algorithm>
#include <map>
#include <string>

#include "test_util.h"

namespace vigil::ingest {
namespace {

using core::Duration;
using core::LatencyUs;
using core::Timestamp;

// 2026-11-02T10:00:00Z
constexpr int64_t kT0 = 1793613600000;

config::Config ShopConfig() {
  config::Config c = config::DefaultConfig();
  c.default_service = "shop";
  config::Service s;
  s.name = "shop";
  s.environment = "prod";
  config::Journey checkout;
  checkout.name = "checkout";
  checkout.methods = {"POST"};
  checkout.route = "/api/checkout/**";
  checkout.slo.latency = {config::LatencyObjective{LatencyUs::FromMicros(800'000), 0.99}};
  config::Journey item;
  item.name = "item";
  item.methods = {"GET"};
  item.route = "/api/items/:id";
  item.slo.latency = {config::LatencyObjective{LatencyUs::FromMicros(200'000), 0.99}};
  s.journeys = {checkout, item};
  c.services = {s};
  return c;
}

Request Req(int64_t t_ms, const char* method, const char* target, int status,
            std::optional<int64_t> latency_us) {
  Request r;
  r.time = Timestamp::FromUnixMillis(t_ms);
  r.method = method;
  r.target = target;
  r.status = status;
  if (latency_us) {
    r.latency = LatencyUs::FromMicros(*latency_us);
  }
  return r;
}

// Sums rollups by series name (all minutes).
struct Totals {
  int64_t count = 0, bad = 0, client_errors = 0;
  std::vector<int64_t> over;
  uint64_t latency_count = 0;
  std::string environment;
  model::SeriesKind kind = model::SeriesKind::kRoute;
};
std::map<std::string, Totals> ByName(const std::vector<model::Rollup>& rollups) {
  std::map<std::string, Totals> out;
  for (const model::Rollup& r : rollups) {
    Totals& t = out[r.series.name];
    t.count += r.count;
    t.bad += r.bad;
    t.client_errors += r.client_errors;
    t.latency_count += r.latency.count();
    t.environment = r.series.environment;
    t.kind = r.series.kind;
    if (t.over.size() < r.over.size()) {
      t.over.resize(r.over.size());
    }
    for (size_t i = 0; i < r.over.size(); ++i) {
      t.over[i] += r.over[i];
    }
  }
  return out;
}

TEST(RollupBuilderTest, MatchesJourneysFirstThenAutomaticRoutes) {
  config::Config c = ShopConfig();
  RollupBuilder b(c, {}, BuilderOptions{});
  b.Add(Req(kT0, "POST", "/api/checkout/pay?x=1", 200, 900'000));
  b.Add(Req(kT0 + 1, "POST", "/api/checkout", 503, 100'000));
  b.Add(Req(kT0 + 2, "GET", "/api/checkout", 200, 1000));  // method not in the journey
  b.Add(Req(kT0 + 3, "GET", "/api/items/42", 404, 300'000));
  b.Add(Req(kT0 + 4, "GET", "/api/items/43/", 200, std::nullopt));
  b.Add(Req(kT0 + 5, "GET", "/api/users/7/orders", 200, 5000));
  auto totals = ByName(b.TakeAll());
  ASSERT_EQ(totals.size(), 4u);
  EXPECT_EQ(totals["checkout"].count, 2);
  EXPECT_EQ(totals["checkout"].bad, 1);
  EXPECT_EQ(totals["checkout"].kind, model::SeriesKind::kJourney);
  EXPECT_EQ(totals["checkout"].environment, "prod");
  // Thresholds: shop's are {200 ms, 800 ms}; 900 ms is over both, 100 ms over neither.
  EXPECT_EQ(totals["checkout"].over, (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(totals["item"].count, 2);
  EXPECT_EQ(totals["item"].client_errors, 1);
  EXPECT_EQ(totals["item"].latency_count, 1u);  // one request had no latency
  EXPECT_EQ(totals["item"].over, (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(totals["GET /api/checkout"].count, 1);
  EXPECT_EQ(totals["GET /api/users/:id/orders"].count, 1);
  EXPECT_EQ(totals["GET /api/users/:id/orders"].kind, model::SeriesKind::kRoute);
  EXPECT_EQ(b.new_routes().size(), 2u);
  EXPECT_EQ(b.stats().requests, 6);
}

TEST(RollupBuilderTest, JunkRequestsCountUnderInvalidRoute) {
  config::Config c = ShopConfig();
  RollupBuilder b(c, {}, BuilderOptions{});
  Request tls = Req(kT0, "", "", 400, 1000);
  tls.malformed_request = true;
  b.Add(tls);
  b.Add(Req(kT0, "\x16\x03\x01", "/", 400, 1000));
  b.Add(Req(kT0, "GET", "relative/path", 400, 1000));
  auto totals = ByName(b.TakeAll());
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[std::string(model::kInvalidRequestRoute)].count, 3);
  EXPECT_EQ(totals[std::string(model::kInvalidRequestRoute)].client_errors, 3);
  EXPECT_EQ(b.stats().invalid_requests, 3);
  EXPECT_TRUE(b.new_routes().empty());
}

TEST(RollupBuilderTest, RouteCapAppliesToSnapshotCount) {
  config::Config c = config::DefaultConfig();
  c.ingest.route_cap = 3;
  model::RouteSnapshot snap;
  snap.services.push_back({"default", {"GET /a", "GET /b"}});
  RollupBuilder b(c, snap, BuilderOptions{});
  // /a and /b are known; one more fits under the cap of 3; the rest go to "other".
  for (const char* path : {"/a", "/b", "/c", "/d", "/e", "/c", "/a"}) {
    b.Add(Req(kT0, "GET", path, 200, 1000));
  }
  auto totals = ByName(b.TakeAll());
  EXPECT_EQ(totals["GET /a"].count, 2);
  EXPECT_EQ(totals["GET /b"].count, 1);
  EXPECT_EQ(totals["GET /c"].count, 2);
  EXPECT_EQ(totals["other"].count, 2);
  ASSERT_EQ(b.new_routes().size(), 1u);
  EXPECT_EQ(b.new_routes()[0].second, "GET /c");
  EXPECT_EQ(b.stats().over_cap, 2);
}

TEST(RollupBuilderTest, UniqueSlugsCannotGrowPastTheCap) {
  config::Config c = config::DefaultConfig();
  c.ingest.route_cap = 10;
  RollupBuilder b(c, {}, BuilderOptions{});
  for (int i = 0; i < 5000; ++i) {
    std::string path = "/posts/slug-" + std::to_string(i) + "-x";
    b.Add(Req(kT0, "GET", path.c_str(), 200, 1000));
  }
  auto all = b.TakeAll();
  EXPECT_EQ(all.size(), 11u);  // 10 routes + other, one minute
  EXPECT_EQ(b.new_routes().size(), 10u);
}

TEST(RollupBuilderTest, CompletedMinutesLeaveAfterTheHorizon) {
  config::Config c = config::DefaultConfig();
  c.ingest.reorder_horizon = Duration::Minutes(5);
  RollupBuilder b(c, {}, BuilderOptions{});
  const int64_t minute = 60'000;
  b.Add(Req(kT0, "GET", "/a", 200, 1000));
  b.Add(Req(kT0 + 5 * minute, "GET", "/a", 200, 1000));
  // Minute 0 ends at +1 min; it is complete once the watermark passes +6 min.
  EXPECT_TRUE(b.TakeCompleted().empty());
  b.Add(Req(kT0 + 6 * minute, "GET", "/a", 200, 1000));
  std::vector<model::Rollup> done = b.TakeCompleted();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].bucket_start.unix_ms(), kT0);
  EXPECT_EQ(b.stats().late, 0);
  // A line older than the horizon is merged (a new row for its minute), counted as late.
  b.Add(Req(kT0 + 30'000, "GET", "/a", 200, 1000));
  EXPECT_EQ(b.stats().late, 1);
  std::vector<model::Rollup> rest = b.TakeAll();
  int64_t total = 0;
  for (const auto& r : rest) {
    total += r.count;
  }
  EXPECT_EQ(total, 3);
  EXPECT_EQ(b.stats().requests, 4);
}

// Requests before fold_sketches_before (11:00) put their latency into their hour's sketch; the
// minute rows keep the counters (and the over-threshold counts) with an empty sketch. An hour
// leaves only with its last minute: with a 5-minute horizon, 10:00 completes once the
// watermark passes 11:05 (minute 10:59 ends at 11:00, + 5 min).
TEST(RollupBuilderTest, OldRequestsFoldTheirLatencyIntoHourSketches) {
  config::Config c = ShopConfig();
  c.ingest.reorder_horizon = Duration::Minutes(5);
  BuilderOptions o;
  o.fold_sketches_before = Timestamp::FromUnixMillis(kT0 + 3'600'000);  // 11:00
  RollupBuilder b(c, {}, o);
  const int64_t minute = 60'000;
  b.Add(Req(kT0 + 5 * minute, "GET", "/api/items/7", 200, 150'000));   // 10:05, item
  b.Add(Req(kT0 + 59 * minute, "GET", "/api/items/8", 200, 250'000));  // 10:59, over 200 ms
  b.Add(Req(kT0 + 61 * minute, "GET", "/api/items/9", 200, 50'000));   // 11:01: not folded
  // Watermark 11:01: minutes up to 10:55 are complete, 10:59 and the hour are not.
  std::vector<model::Rollup> done = b.TakeCompleted();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].resolution, model::Resolution::kMinute);
  EXPECT_EQ(done[0].bucket_start.unix_ms(), kT0 + 5 * minute);
  EXPECT_EQ(done[0].count, 1);
  EXPECT_TRUE(done[0].latency.empty());
  b.Add(Req(kT0 + 65 * minute, "GET", "/api/items/9", 200, 50'000));  // 11:05
  done = b.TakeCompleted();
  // 10:59 (minute) and 10:00 (hour) are complete now; 11:01 is not.
  ASSERT_EQ(done.size(), 2u);
  std::sort(done.begin(), done.end(), [](const model::Rollup& a, const model::Rollup& x) {
    return a.resolution < x.resolution;
  });
  EXPECT_EQ(done[0].resolution, model::Resolution::kMinute);
  EXPECT_EQ(done[0].bucket_start.unix_ms(), kT0 + 59 * minute);
  EXPECT_EQ(done[0].count, 1);
  // The service's thresholds are its journeys' (200 ms, 800 ms): 250 ms is over the first.
  EXPECT_EQ(done[0].over, std::vector<int64_t>({1, 0}));
  EXPECT_TRUE(done[0].latency.empty());
  EXPECT_EQ(done[1].resolution, model::Resolution::kHour);
  EXPECT_EQ(done[1].bucket_start.unix_ms(), kT0);
  EXPECT_EQ(done[1].series.name, "item");
  EXPECT_EQ(done[1].count, 0);
  EXPECT_EQ(done[1].latency.count(), 2u);
  EXPECT_EQ(done[1].latency.min_us(), 150'000);
  EXPECT_EQ(done[1].latency.max_us(), 250'000);
  // 11:01 and 11:05 keep their sketches in their minute rows.
  std::vector<model::Rollup> rest = b.TakeAll();
  ASSERT_EQ(rest.size(), 2u);
  for (const model::Rollup& r : rest) {
    EXPECT_EQ(r.resolution, model::Resolution::kMinute);
    EXPECT_EQ(r.latency.count(), 1u);
  }
}

TEST(RollupBuilderTest, ServiceEnvironmentAndVersionFromTheRequest) {
  config::Config c = ShopConfig();
  RollupBuilder b(c, {}, BuilderOptions{});
  Request r = Req(kT0, "GET", "/x", 200, 1000);
  r.service = "search";
  r.version = "1.2.3";
  b.Add(r);
  r.environment = "staging";
  b.Add(r);
  std::vector<model::Rollup> all = b.TakeAll();
  ASSERT_EQ(all.size(), 2u);
  std::sort(all.begin(), all.end(),
            [](const auto& x, const auto& y) { return x.series < y.series; });
  EXPECT_EQ(all[0].series.service, "search");
  EXPECT_EQ(all[0].series.environment, "");
  EXPECT_EQ(all[0].series.version, "1.2.3");
  EXPECT_EQ(all[1].series.environment, "staging");
  EXPECT_TRUE(all[0].thresholds.empty());
}

TEST(RollupBuilderTest, AKnownRouteTemplateIsUsedAsGiven) {
  config::Config c = ShopConfig();
  RollupBuilder b(c, {}, BuilderOptions{});
  Request r = Req(kT0, "GET", "/api/items/abc-def", 200, 1000);
  r.route = "/api/items/{sku}";
  b.Add(r);  // the journey "item" (/api/items/:id) matches the template
  r.method = "DELETE";
  b.Add(r);  // no journey: the automatic route keeps the template, no ":id" rewrite
  auto totals = ByName(b.TakeAll());
  EXPECT_EQ(totals["item"].count, 1);
  EXPECT_EQ(totals["DELETE /api/items/{sku}"].count, 1);
}

TEST(RollupBuilderTest, MinuteBucketsFloorBeforeTheEpochToo) {
  config::Config c = config::DefaultConfig();
  RollupBuilder b(c, {}, BuilderOptions{});
  b.Add(Req(-1, "GET", "/x", 200, 1000));
  std::vector<model::Rollup> all = b.TakeAll();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].bucket_start.unix_ms(), -60'000);
}

}  // namespace
}  // namespace vigil::ingest
