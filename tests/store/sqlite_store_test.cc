#include "vigil/store/sqlite_store.h"

#include <string>
#include <vector>

#include "test_util.h"

#include "vigil/store/store.h"

namespace vigil::store {
namespace {

using core::Duration;
using core::Timestamp;

constexpr int64_t kT0 = 1793613600000;  // 2026-11-02T10:00:00Z
const Timestamp kNow = Timestamp::FromUnixMillis(kT0);
constexpr Duration kTtl = Duration::Hours(1);

model::Rollup MakeRollup(const std::string& name, int64_t bucket_ms, int64_t count, int64_t bad,
                         std::vector<int64_t> latencies) {
  model::Rollup r;
  r.series = model::SeriesKey{"shop", "prod", model::SeriesKind::kRoute, name, ""};
  r.bucket_start = Timestamp::FromUnixMillis(bucket_ms);
  r.count = count;
  r.bad = bad;
  r.thresholds = {core::LatencyUs::FromMicros(100'000)};
  r.over = {0};
  for (int64_t v : latencies) {
    r.latency.Add(v);
    if (v > 100'000) {
      ++r.over[0];
    }
  }
  return r;
}

std::vector<model::Rollup> ScanAll(Store& s) {
  std::vector<model::Rollup> out;
  EXPECT_OK(s.ScanRollups({}, [&out](model::Rollup&& r) {
    out.push_back(std::move(r));
    return OkStatus();
  }));
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<Store>> Open(bool create = true) {
    OpenOptions o;
    o.create_if_missing = create;
    return OpenStore(dir_.File("vigil.db"), o);
  }
  testing::TempDir dir_;
};

TEST_F(SqliteStoreTest, CreatesOnceAndKeepsTheAccuracy) {
  EXPECT_EQ(Open(false).status().code(), StatusCode::kNotFound);
  {
    OpenOptions o;
    o.sketch_relative_accuracy = 0.02;
    auto s = OpenStore(dir_.File("vigil.db"), o);
    ASSERT_OK(s);
    EXPECT_EQ((*s)->info().schema_version, 1);
    EXPECT_DOUBLE_EQ((*s)->info().sketch_relative_accuracy, 0.02);
  }
  // Reopening with another accuracy keeps the store's own.
  auto s = Open(false);
  ASSERT_OK(s);
  EXPECT_DOUBLE_EQ((*s)->info().sketch_relative_accuracy, 0.02);
}

TEST_F(SqliteStoreTest, RejectsUnknownSchemesAndGarbageFiles) {
  OpenOptions o;
  EXPECT_EQ(OpenStore("mysql://x", o).status().code(), StatusCode::kInvalidArgument);
  {
    std::FILE* f = std::fopen(dir_.File("junk.db").c_str(), "wb");
    std::fputs("this is not a database, not at all, no", f);
    std::fclose(f);
  }
  Result<std::unique_ptr<Store>> bad = OpenStore(dir_.File("junk.db"), o);
  EXPECT_FALSE(bad.ok());
}

TEST_F(SqliteStoreTest, MergesIntoTheWritersOwnRows) {
  auto s = Open();
  ASSERT_OK(s);
  Store& store = **s;
  auto n1 = store.LeaseNode("a", kNow, kTtl);
  auto n2 = store.LeaseNode("b", kNow, kTtl);
  ASSERT_OK(n1);
  ASSERT_OK(n2);
  EXPECT_EQ(*n1, 1);
  EXPECT_EQ(*n2, 2);
  for (int node : {*n1, *n1, *n2}) {
    auto tx = store.Begin(node, node == 1 ? "a" : "b", kNow, kTtl);
    ASSERT_OK(tx);
    std::vector<model::Rollup> rs = {MakeRollup("GET /a", kT0, 2, 1, {50'000, 150'000})};
    ASSERT_OK((*tx)->MergeRollups(rs));
    ASSERT_OK((*tx)->Commit());
  }
  std::vector<model::Rollup> rows = ScanAll(store);
  ASSERT_EQ(rows.size(), 2u);   // one row per node
  EXPECT_EQ(rows[0].count, 4);  // node 1 merged twice
  EXPECT_EQ(rows[0].bad, 2);
  EXPECT_EQ(rows[0].over, std::vector<int64_t>{2});
  EXPECT_EQ(rows[0].latency.count(), 4u);
  EXPECT_EQ(rows[1].count, 2);
  EXPECT_EQ(rows[0].series.name, "GET /a");
  EXPECT_EQ(rows[0].series.environment, "prod");
}

TEST_F(SqliteStoreTest, UncommittedTransactionsLeaveNothing) {
  auto s = Open();
  ASSERT_OK(s);
  auto node = (*s)->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(node);
  {
    auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
    ASSERT_OK(tx);
    std::vector<model::Rollup> rs = {MakeRollup("GET /a", kT0, 1, 0, {1})};
    ASSERT_OK((*tx)->MergeRollups(rs));
  }
  EXPECT_TRUE(ScanAll(**s).empty());
}

TEST_F(SqliteStoreTest, LostLeaseFailsTheCommit) {
  auto s = Open();
  ASSERT_OK(s);
  auto node = (*s)->LeaseNode("a", kNow, Duration::Minutes(1));
  ASSERT_OK(node);
  // The lease expires and another writer takes the same node id.
  auto other = (*s)->LeaseNode("b", kNow + Duration::Minutes(2), kTtl);
  ASSERT_OK(other);
  EXPECT_EQ(*other, *node);
  auto tx = (*s)->Begin(*node, "a", kNow + Duration::Minutes(2), kTtl);
  ASSERT_OK(tx);
  std::vector<model::Rollup> rs = {MakeRollup("GET /a", kT0, 1, 0, {1})};
  ASSERT_OK((*tx)->MergeRollups(rs));
  EXPECT_EQ((*tx)->Commit().code(), StatusCode::kFailedPrecondition);
  tx->reset();
  EXPECT_TRUE(ScanAll(**s).empty());
}

TEST_F(SqliteStoreTest, ReleasedNodeIsReused) {
  auto s = Open();
  ASSERT_OK(s);
  auto a = (*s)->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(a);
  ASSERT_OK((*s)->ReleaseNode(*a, "a"));
  auto b = (*s)->LeaseNode("b", kNow, kTtl);
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
}

TEST_F(SqliteStoreTest, RouteRegistryHonoursTheCap) {
  auto s = Open();
  ASSERT_OK(s);
  auto node = (*s)->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(node);
  auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
  ASSERT_OK(tx);
  std::vector<std::string> first = {"GET /a", "GET /b"};
  auto r1 = (*tx)->RegisterRoutes("shop", first, 3, kNow);
  ASSERT_OK(r1);
  EXPECT_EQ(r1->registered.size(), 2u);
  std::vector<std::string> second = {"GET /a", "GET /c", "GET /d"};
  auto r2 = (*tx)->RegisterRoutes("shop", second, 3, kNow);
  ASSERT_OK(r2);
  EXPECT_EQ(r2->registered, (std::vector<std::string>{"GET /a", "GET /c"}));
  EXPECT_EQ(r2->overflowed, (std::vector<std::string>{"GET /d"}));
  ASSERT_OK((*tx)->Commit());
  auto snap = (*s)->LoadRoutes();
  ASSERT_OK(snap);
  ASSERT_NE(snap->Find("shop"), nullptr);
  EXPECT_EQ(snap->Find("shop")->size(), 3u);
  EXPECT_EQ(snap->Find("other-service"), nullptr);
}

TEST_F(SqliteStoreTest, RekeyMergesIntoTheTargetSeries) {
  auto s = Open();
  ASSERT_OK(s);
  auto node = (*s)->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(node);
  auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
  ASSERT_OK(tx);
  std::vector<model::Rollup> rs = {MakeRollup("GET /x", kT0, 3, 1, {1, 2, 3}),
                                   MakeRollup("other", kT0, 2, 0, {4, 5})};
  ASSERT_OK((*tx)->MergeRollups(rs));
  model::SeriesKey from = rs[0].series;
  model::SeriesKey to = rs[1].series;
  ASSERT_OK((*tx)->RekeySeries(from, to));
  ASSERT_OK((*tx)->Commit());
  std::vector<model::Rollup> rows = ScanAll(**s);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].series.name, "other");
  EXPECT_EQ(rows[0].count, 5);
  EXPECT_EQ(rows[0].bad, 1);
  EXPECT_EQ(rows[0].latency.count(), 5u);
}

TEST_F(SqliteStoreTest, FilePositionsAreCompareAndSet) {
  auto s = Open();
  ASSERT_OK(s);
  auto node = (*s)->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(node);
  FilePositionUpdate u;
  u.prefix_len = 10;
  u.prefix_hash = "abc";
  u.new_position = 100;
  u.new_line_count = 4;
  u.path = "a.log";
  {
    auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
    ASSERT_OK(tx);
    ASSERT_OK((*tx)->SaveFilePosition(u));
    ASSERT_OK((*tx)->Commit());
  }
  // A second "new file" with the same identity loses: someone stored it first.
  {
    auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
    ASSERT_OK(tx);
    EXPECT_EQ((*tx)->SaveFilePosition(u).code(), StatusCode::kFailedPrecondition);
  }
  auto lens = (*s)->FilePrefixLengths();
  ASSERT_OK(lens);
  EXPECT_EQ(*lens, std::vector<int64_t>{10});
  auto found = (*s)->FindFile(10, "abc");
  ASSERT_OK(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->position, 100);
  EXPECT_EQ((*found)->line_count, 4);
  // Moving from the right position works; from a stale one it fails.
  FilePositionUpdate move = u;
  move.file_id = (*found)->id;
  move.expected_position = 100;
  move.new_position = 250;
  move.prefix_len = 20;
  move.prefix_hash = "abcd";
  {
    auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
    ASSERT_OK(tx);
    ASSERT_OK((*tx)->SaveFilePosition(move));
    ASSERT_OK((*tx)->Commit());
  }
  {
    auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
    ASSERT_OK(tx);
    EXPECT_EQ((*tx)->SaveFilePosition(move).code(), StatusCode::kFailedPrecondition);
  }
  auto moved = (*s)->FindFile(20, "abcd");
  ASSERT_OK(moved);
  ASSERT_TRUE(moved->has_value());
  EXPECT_EQ((*moved)->position, 250);
}

TEST_F(SqliteStoreTest, ScanFiltersByServiceAndWindow) {
  auto s = Open();
  ASSERT_OK(s);
  auto node = (*s)->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(node);
  auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
  ASSERT_OK(tx);
  std::vector<model::Rollup> rs = {MakeRollup("GET /a", kT0, 1, 0, {1}),
                                   MakeRollup("GET /a", kT0 + 60'000, 1, 0, {1}),
                                   MakeRollup("GET /a", kT0 + 120'000, 1, 0, {1})};
  rs[2].series.service = "search";
  ASSERT_OK((*tx)->MergeRollups(rs));
  ASSERT_OK((*tx)->Commit());
  RollupQuery q;
  q.service = "shop";
  q.from = Timestamp::FromUnixMillis(kT0 + 60'000);
  int n = 0;
  ASSERT_OK((*s)->ScanRollups(q, [&n](model::Rollup&& r) {
    EXPECT_EQ(r.bucket_start.unix_ms(), kT0 + 60'000);
    ++n;
    return OkStatus();
  }));
  EXPECT_EQ(n, 1);
  // SQL metacharacters in strings are data.
  q.service = "shop' OR '1'='1";
  q.from.reset();
  n = 0;
  ASSERT_OK((*s)->ScanRollups(q, [&n](model::Rollup&&) {
    ++n;
    return OkStatus();
  }));
  EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace vigil::store
