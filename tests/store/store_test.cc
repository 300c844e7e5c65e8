// The Store interface against both backends (SQLite and PostgreSQL): every behaviour test runs
// once per backend (TEST_P over Backend), so the two stay interchangeable. PostgreSQL tests get a
// fresh database each (postgres_test_db.h); backend-specific checks are plain TEST_Fs at the end.
#include "vigil/store/store.h"

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "postgres_test_db.h"
#include "test_util.h"

#include "vigil/store/postgres_store.h"
#include "vigil/store/sqlite_store.h"

namespace vigil::store {
namespace {

using core::Duration;
using core::Timestamp;

constexpr int64_t kT0 = 1793613600000;  // 2026-11-02T10:00:00Z
const Timestamp kNow = Timestamp::FromUnixMillis(kT0);
constexpr Duration kTtl = Duration::Hours(1);
constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 3'600'000;

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

// Leases a node for `holder`, merges `rows` in one transaction and commits.
void WriteAs(Store& store, const std::string& holder, const std::vector<model::Rollup>& rows) {
  auto node = store.LeaseNode(holder, kNow, kTtl);
  ASSERT_OK(node);
  auto tx = store.Begin(*node, holder, kNow, kTtl);
  ASSERT_OK(tx);
  ASSERT_OK((*tx)->MergeRollups(rows));
  ASSERT_OK((*tx)->Commit());
}

using testing::Backend;
using testing::BackendName;

class StoreTest : public testing::BackendTest {
 protected:
  Result<std::unique_ptr<Store>> Open(bool create = true) {
    OpenOptions o;
    o.create_if_missing = create;
    return OpenStore(url_, o);
  }
  std::unique_ptr<Store> OpenOrDie() {
    auto s = Open();
    EXPECT_OK(s);
    return s.ok() ? std::move(s).value() : nullptr;
  }
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
};

TEST_P(StoreTest, CreatesOnceAndKeepsTheAccuracy) {
  EXPECT_EQ(Open(false).status().code(), StatusCode::kNotFound);
  {
    OpenOptions o;
    o.sketch_relative_accuracy = 0.02;
    auto s = OpenStore(url_, o);
    ASSERT_OK(s);
    EXPECT_EQ((*s)->info().schema_version, 4);
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

TEST_P(StoreTest, MergesIntoTheWritersOwnRows) {
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

TEST_P(StoreTest, UncommittedTransactionsLeaveNothing) {
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

TEST_P(StoreTest, LostLeaseFailsTheCommit) {
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

TEST_P(StoreTest, ReleasedNodeIsReused) {
  auto s = Open();
  ASSERT_OK(s);
  auto a = (*s)->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(a);
  ASSERT_OK((*s)->ReleaseNode(*a, "a"));
  auto b = (*s)->LeaseNode("b", kNow, kTtl);
  ASSERT_OK(b);
  EXPECT_EQ(*a, *b);
}

TEST_P(StoreTest, RouteRegistryHonoursTheCap) {
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

TEST_P(StoreTest, RekeyMergesIntoTheTargetSeries) {
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

TEST_P(StoreTest, FilePositionsAreCompareAndSet) {
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

TEST_P(StoreTest, ScanFiltersByServiceAndWindow) {
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

// Downsampling (DESIGN §3): every minute sketch before the cut-off, whichever node wrote it, is
// claimed into the downsampler's own hour row; minute counters stay. Node 1 writes 10:00 (2
// requests, 1 bad) and 10:01 (1 request); node 2 writes 10:02 (3 requests) and 11:00 (1). A
// third node with a cut-off of 11:00 folds the three 10:xx sketches (2 + 1 + 3 = 6 latencies)
// into its 10:00 hour row.
TEST_P(StoreTest, DownsamplingClaimsMinuteSketchesIntoTheWritersHourRow) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  WriteAs(*store, "a",
          {MakeRollup("GET /a", kT0, 2, 1, {50'000, 150'000}),
           MakeRollup("GET /a", kT0 + kMinuteMs, 1, 0, {70'000})});
  WriteAs(*store, "b",
          {MakeRollup("GET /a", kT0 + 2 * kMinuteMs, 3, 0, {1, 2, 3}),
           MakeRollup("GET /a", kT0 + kHourMs, 1, 0, {9})});
  auto node = store->LeaseNode("d", kNow, kTtl);
  ASSERT_OK(node);
  {
    auto tx = store->Begin(*node, "d", kNow, kTtl);
    ASSERT_OK(tx);
    auto folded = (*tx)->DownsampleSketches(Timestamp::FromUnixMillis(kT0 + kHourMs));
    ASSERT_OK(folded);
    EXPECT_EQ(*folded, 3);
    ASSERT_OK((*tx)->Commit());
  }
  std::vector<model::Rollup> rows = ScanAll(*store);
  int64_t minute_count = 0, minute_bad = 0, minute_sketched = 0, hour_rows = 0;
  for (const model::Rollup& r : rows) {
    if (r.resolution == model::Resolution::kMinute) {
      minute_count += r.count;
      minute_bad += r.bad;
      minute_sketched += static_cast<int64_t>(r.latency.count());
    } else {
      ++hour_rows;
      EXPECT_EQ(r.bucket_start.unix_ms(), kT0);
      EXPECT_EQ(r.count, 0);  // hour rows carry a sketch only
      EXPECT_EQ(r.latency.count(), 6u);
      EXPECT_EQ(r.latency.max_us(), std::optional<int64_t>(150'000));
    }
  }
  EXPECT_EQ(hour_rows, 1);
  EXPECT_EQ(minute_count, 7);  // 2 + 1 + 3 + 1: counters stay on the minutes
  EXPECT_EQ(minute_bad, 1);
  EXPECT_EQ(minute_sketched, 1);  // only 11:00 still has its minute sketch
  {
    // Nothing is left to claim before 11:00.
    auto tx = store->Begin(*node, "d", kNow, kTtl);
    ASSERT_OK(tx);
    auto again = (*tx)->DownsampleSketches(Timestamp::FromUnixMillis(kT0 + kHourMs));
    ASSERT_OK(again);
    EXPECT_EQ(*again, 0);
  }
  // A late minute (10:05, 2 latencies) folds into the existing hour row: 6 + 2 = 8.
  WriteAs(*store, "e", {MakeRollup("GET /a", kT0 + 5 * kMinuteMs, 2, 0, {4, 5})});
  {
    auto tx = store->Begin(*node, "d", kNow, kTtl);
    ASSERT_OK(tx);
    auto late = (*tx)->DownsampleSketches(Timestamp::FromUnixMillis(kT0 + kHourMs));
    ASSERT_OK(late);
    EXPECT_EQ(*late, 1);
    ASSERT_OK((*tx)->Commit());
  }
  int64_t hours = 0;
  for (const model::Rollup& r : ScanAll(*store)) {
    if (r.resolution == model::Resolution::kHour) {
      ++hours;
      EXPECT_EQ(r.latency.count(), 8u);
    }
  }
  EXPECT_EQ(hours, 1);
}

// Retention deletes rows of every node and resolution before the cut-off: two rows two days
// old (nodes 1 and 2) go, the row at kT0 stays.
TEST_P(StoreTest, RetentionDeletesOldRowsOfEveryNode) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  const int64_t old = kT0 - 2 * 24 * kHourMs;
  WriteAs(*store, "a",
          {MakeRollup("GET /a", old, 1, 0, {1}), MakeRollup("GET /a", kT0, 1, 0, {1})});
  WriteAs(*store, "b", {MakeRollup("GET /a", old, 1, 0, {1})});
  auto node = store->LeaseNode("c", kNow, kTtl);
  ASSERT_OK(node);
  auto tx = store->Begin(*node, "c", kNow, kTtl);
  ASSERT_OK(tx);
  auto deleted = (*tx)->DeleteRollupsBefore(Timestamp::FromUnixMillis(kT0 - 24 * kHourMs));
  ASSERT_OK(deleted);
  EXPECT_EQ(*deleted, 2);
  ASSERT_OK((*tx)->Commit());
  std::vector<model::Rollup> rows = ScanAll(*store);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].bucket_start.unix_ms(), kT0);
}

model::CoverageSnapshot MakeSnapshot(const std::string& name, int64_t taken_ms,
                                     const std::string& hash) {
  model::CoverageSnapshot s;
  s.name = name;
  s.commit = "abc123";
  s.format = "lcov";
  s.content_hash = hash;
  s.taken_at = Timestamp::FromUnixMillis(taken_ms);
  s.imported_at = kNow;
  s.files = {model::FileCoverage{"src/a.cc", 10, 7, 4, 2, false},
             model::FileCoverage{"src/B.cc", 5, 5, std::nullopt, std::nullopt, true}};
  return s;
}

TEST_P(StoreTest, CoverageSnapshotsAreStoredOnceAndListedInOrder) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  auto node = store->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(node);
  int64_t first_id = 0;
  {
    auto tx = store->Begin(*node, "a", kNow, kTtl);
    ASSERT_OK(tx);
    auto saved = (*tx)->SaveCoverageSnapshot(MakeSnapshot("unit", kT0, "h1"));
    ASSERT_OK(saved);
    EXPECT_TRUE(saved->created);
    first_id = saved->id;
    // The same identity again in the same transaction: nothing changes.
    auto again = (*tx)->SaveCoverageSnapshot(MakeSnapshot("unit", kT0 + 1, "h1"));
    ASSERT_OK(again);
    EXPECT_FALSE(again->created);
    EXPECT_EQ(again->id, first_id);
    ASSERT_OK((*tx)->SaveCoverageSnapshot(MakeSnapshot("unit", kT0 - 5, "h2")));
    ASSERT_OK((*tx)->SaveCoverageSnapshot(MakeSnapshot("e2e", kT0 + 9, "h3")));
    ASSERT_OK((*tx)->Commit());
  }
  {
    // A rolled-back snapshot leaves nothing.
    auto tx = store->Begin(*node, "a", kNow, kTtl);
    ASSERT_OK(tx);
    ASSERT_OK((*tx)->SaveCoverageSnapshot(MakeSnapshot("zzz", kT0, "h4")));
  }
  auto list = store->ListCoverageSnapshots();
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 3u);
  // By name ("e2e" < "unit"), then taken_at (kT0 - 5 before kT0).
  EXPECT_EQ((*list)[0].name, "e2e");
  EXPECT_EQ((*list)[1].content_hash, "h2");
  EXPECT_EQ((*list)[2].id, first_id);
  EXPECT_EQ((*list)[2].taken_at.unix_ms(), kT0);  // the first save's, not the repeat's
  EXPECT_EQ((*list)[2].file_count, 2);
  EXPECT_TRUE((*list)[2].files.empty());
  auto loaded = store->LoadCoverageSnapshot(first_id);
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->commit, "abc123");
  EXPECT_EQ(loaded->format, "lcov");
  EXPECT_EQ(loaded->imported_at.unix_ms(), kT0);
  ASSERT_EQ(loaded->files.size(), 2u);
  // Sorted by path, bytewise: "src/B.cc" < "src/a.cc".
  EXPECT_EQ(loaded->files[0],
            (model::FileCoverage{"src/B.cc", 5, 5, std::nullopt, std::nullopt, true}));
  EXPECT_EQ(loaded->files[1], (model::FileCoverage{"src/a.cc", 10, 7, 4, 2, false}));
  EXPECT_EQ(store->LoadCoverageSnapshot(first_id + 1000).status().code(), StatusCode::kNotFound);
}

// SQL injection attempts through every string field are data: stored and read back verbatim,
// and every table is still there afterwards.
TEST_P(StoreTest, HostileStringsInEveryFieldAreStoredVerbatim) {
  const std::vector<std::string> hostile = {
      "'; DROP TABLE rollups; --",
      "x' OR '1'='1",
      "Robert'); DROP TABLE series;--",
      "back\\slash \\' \\\" \\x00 \\0",
      "$1 $$ dollar $$ :name ? %s %% _",
      "\"quoted ident\"; DELETE FROM files",
      "Ünïcødé ✓ 日本語 🚀",
      "tab\tnew\nline\r",
  };
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  for (size_t i = 0; i < hostile.size(); ++i) {
    SCOPED_TRACE(hostile[i]);
    const std::string& h = hostile[i];
    const std::string holder = h + std::to_string(i);
    auto node = store->LeaseNode(holder, kNow, kTtl);
    ASSERT_OK(node);
    auto tx = store->Begin(*node, holder, kNow, kTtl);
    ASSERT_OK(tx);
    model::Rollup route = MakeRollup(h, kT0, 1, 0, {5});
    route.series.service = h;
    route.series.environment = h;
    route.series.version = h;
    model::Rollup journey = route;
    journey.series.kind = model::SeriesKind::kJourney;
    ASSERT_OK((*tx)->MergeRollups(std::vector<model::Rollup>{route, journey}));
    std::vector<std::string> routes = {h};
    auto reg = (*tx)->RegisterRoutes(h, routes, 10, kNow);
    ASSERT_OK(reg);
    EXPECT_EQ(reg->registered, routes);
    FilePositionUpdate file;
    file.prefix_len = static_cast<int64_t>(i) + 1;
    file.prefix_hash = h;
    file.new_position = 7;
    file.new_line_count = 1;
    file.path = "/var/log/" + h + ".log";
    ASSERT_OK((*tx)->SaveFilePosition(file));
    model::CoverageSnapshot snap = MakeSnapshot(h, kT0, h);
    snap.commit = h;
    snap.format = h;
    snap.files = {model::FileCoverage{h, 1, 1, std::nullopt, std::nullopt, false}};
    auto saved = (*tx)->SaveCoverageSnapshot(snap);
    ASSERT_OK(saved);
    ASSERT_OK((*tx)->Commit());

    RollupQuery q;
    q.service = h;
    std::vector<model::Rollup> rows;
    ASSERT_OK(store->ScanRollups(q, [&rows](model::Rollup&& r) {
      rows.push_back(std::move(r));
      return OkStatus();
    }));
    ASSERT_EQ(rows.size(), 2u);
    for (const model::Rollup& r : rows) {
      EXPECT_EQ(r.series.service, h);
      EXPECT_EQ(r.series.environment, h);
      EXPECT_EQ(r.series.name, h);
      EXPECT_EQ(r.series.version, h);
      EXPECT_EQ(r.count, 1);
    }
    auto snapshot = store->LoadRoutes();
    ASSERT_OK(snapshot);
    ASSERT_NE(snapshot->Find(h), nullptr);
    EXPECT_EQ(*snapshot->Find(h), routes);
    auto found = store->FindFile(file.prefix_len, h);
    ASSERT_OK(found);
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->path, file.path);
    auto loaded = store->LoadCoverageSnapshot(saved->id);
    ASSERT_OK(loaded);
    EXPECT_EQ(loaded->name, h);
    EXPECT_EQ(loaded->commit, h);
    EXPECT_EQ(loaded->format, h);
    EXPECT_EQ(loaded->content_hash, h);
    ASSERT_EQ(loaded->files.size(), 1u);
    EXPECT_EQ(loaded->files[0].path, h);
  }
  // Every table is intact: all rows are there (2 per hostile string), in a reopened store too.
  store.reset();
  auto reopened = Open(false);
  ASSERT_OK(reopened);
  EXPECT_EQ(ScanAll(**reopened).size(), 2 * hostile.size());
  auto lens = (*reopened)->FilePrefixLengths();
  ASSERT_OK(lens);
  EXPECT_EQ(lens->size(), hostile.size());
  auto snaps = (*reopened)->ListCoverageSnapshots();
  ASSERT_OK(snaps);
  EXPECT_EQ(snaps->size(), hostile.size());
}

// Two writers (two Store objects, as two processes) merge into the same series and buckets at
// once, 5 rounds each: each keeps its own rows, and the totals add up (2 × 5 × 3 = 30 requests
// per bucket over 2 rows).
TEST_P(StoreTest, ConcurrentWritersMergeOnlyIntoTheirOwnRows) {
  ASSERT_NE(OpenOrDie(), nullptr);  // create the schema once
  auto writer = [this](const std::string& holder) {
    auto s = Open();
    ASSERT_OK(s);
    auto node = (*s)->LeaseNode(holder, kNow, kTtl);
    ASSERT_OK(node);
    for (int round = 0; round < 5; ++round) {
      auto tx = (*s)->Begin(*node, holder, kNow, kTtl);
      ASSERT_OK(tx);
      std::vector<model::Rollup> rs;
      for (int m = 0; m < 20; ++m) {
        rs.push_back(MakeRollup("GET /a", kT0 + m * kMinuteMs, 3, 1, {10, 20, 200'000}));
      }
      ASSERT_OK((*tx)->MergeRollups(rs));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // overlap the other writer
      ASSERT_OK((*tx)->Commit());
    }
  };
  std::thread a(writer, "a");
  std::thread b(writer, "b");
  a.join();
  b.join();
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  std::vector<model::Rollup> rows = ScanAll(*store);
  ASSERT_EQ(rows.size(), 40u);  // 20 buckets × 2 nodes
  std::map<int64_t, int64_t> per_bucket;
  for (const model::Rollup& r : rows) {
    EXPECT_EQ(r.count, 15);  // 5 rounds × 3
    EXPECT_EQ(r.bad, 5);
    EXPECT_EQ(r.over, std::vector<int64_t>{5});
    EXPECT_EQ(r.latency.count(), 15u);
    per_bucket[r.bucket_start.unix_ms()] += r.count;
  }
  for (const auto& [bucket, count] : per_bucket) {
    EXPECT_EQ(count, 30) << bucket;
  }
}

// Two downsamplers at once claim each minute sketch exactly once: 3 nodes × 30 minutes = 90
// sketches of 2 latencies each are folded in total, and the hour rows hold all 180 latencies.
TEST_P(StoreTest, ConcurrentDownsamplersClaimEachSketchOnce) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    for (const char* holder : {"w1", "w2", "w3"}) {
      std::vector<model::Rollup> rs;
      for (int m = 0; m < 30; ++m) {
        rs.push_back(MakeRollup("GET /a", kT0 + m * 2 * kMinuteMs, 2, 0, {m + 1, 1000 + m}));
      }
      WriteAs(*store, holder, rs);
    }
  }
  std::atomic<int64_t> folded{0};
  auto downsampler = [this, &folded](const std::string& holder) {
    auto s = Open();
    ASSERT_OK(s);
    auto node = (*s)->LeaseNode(holder, kNow, kTtl);
    ASSERT_OK(node);
    auto tx = (*s)->Begin(*node, holder, kNow, kTtl);
    ASSERT_OK(tx);
    auto n = (*tx)->DownsampleSketches(Timestamp::FromUnixMillis(kT0 + 2 * kHourMs));
    ASSERT_OK(n);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_OK((*tx)->Commit());
    folded += *n;
  };
  std::thread a(downsampler, "d1");
  std::thread b(downsampler, "d2");
  a.join();
  b.join();
  EXPECT_EQ(folded.load(), 90);
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  uint64_t in_hours = 0, in_minutes = 0;
  for (const model::Rollup& r : ScanAll(*store)) {
    (r.resolution == model::Resolution::kHour ? in_hours : in_minutes) += r.latency.count();
  }
  EXPECT_EQ(in_hours, 180u);
  EXPECT_EQ(in_minutes, 0u);
}

// Two writers register routes of one service at once under a cap of 15: 10 + 10 distinct
// routes, so exactly 15 are registered and 5 refused, whoever comes first.
TEST_P(StoreTest, ConcurrentRouteRegistrationHonoursTheCap) {
  ASSERT_NE(OpenOrDie(), nullptr);
  std::atomic<int> registered{0}, overflowed{0};
  auto registrar = [&](const std::string& holder) {
    auto s = Open();
    ASSERT_OK(s);
    auto node = (*s)->LeaseNode(holder, kNow, kTtl);
    ASSERT_OK(node);
    auto tx = (*s)->Begin(*node, holder, kNow, kTtl);
    ASSERT_OK(tx);
    std::vector<std::string> routes;
    for (int i = 0; i < 10; ++i) {
      routes.push_back("GET /" + holder + "/" + std::to_string(i));
    }
    auto reg = (*tx)->RegisterRoutes("shop", routes, 15, kNow);
    ASSERT_OK(reg);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_OK((*tx)->Commit());
    registered += static_cast<int>(reg->registered.size());
    overflowed += static_cast<int>(reg->overflowed.size());
  };
  std::thread a(registrar, "a");
  std::thread b(registrar, "b");
  a.join();
  b.join();
  EXPECT_EQ(registered.load(), 15);
  EXPECT_EQ(overflowed.load(), 5);
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  auto snap = store->LoadRoutes();
  ASSERT_OK(snap);
  ASSERT_NE(snap->Find("shop"), nullptr);
  EXPECT_EQ(snap->Find("shop")->size(), 15u);
}

// Two imports of one new file at once: exactly one stores its position; the other is told to
// read again (kFailedPrecondition), so the file's lines count once.
TEST_P(StoreTest, ConcurrentFirstImportsOfOneFileStoreItOnce) {
  ASSERT_NE(OpenOrDie(), nullptr);
  std::atomic<int> ok{0}, lost{0};
  auto importer = [&](const std::string& holder) {
    auto s = Open();
    ASSERT_OK(s);
    auto node = (*s)->LeaseNode(holder, kNow, kTtl);
    ASSERT_OK(node);
    auto tx = (*s)->Begin(*node, holder, kNow, kTtl);
    ASSERT_OK(tx);
    FilePositionUpdate u;
    u.prefix_len = 10;
    u.prefix_hash = "same";
    u.new_position = 100;
    u.new_line_count = 3;
    u.path = holder + ".log";
    Status st = (*tx)->SaveFilePosition(u);
    if (st.ok()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      st = (*tx)->Commit();
    }
    if (st.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
      ++lost;
    }
  };
  std::thread a(importer, "a");
  std::thread b(importer, "b");
  a.join();
  b.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(lost.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

// --- PostgreSQL only ---------------------------------------------------------------------

TEST(PostgresUrlTest, RedactsPasswords) {
  EXPECT_EQ(RedactPostgresUrl("postgres://vigil:s3cret@db.example:5432/vigil"),
            "postgres://vigil:***@db.example:5432/vigil");
  EXPECT_EQ(RedactPostgresUrl("postgresql://u@h/db?sslmode=require&password=pw&x=1"),
            "postgresql://u@h/db?sslmode=require&password=***&x=1");
  EXPECT_EQ(RedactPostgresUrl("postgresql://h/db"), "postgresql://h/db");
}

TEST(PostgresConnectTest, ErrorsNameHostAndDatabaseButNeverThePassword) {
  // Port 1 on 127.0.0.1: nothing listens there.
  auto s = OpenStore("postgresql://vigil:TopSecret42@127.0.0.1:1/metricsdb", OpenOptions{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  const std::string msg = s.status().message();
  EXPECT_NE(msg.find("127.0.0.1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("metricsdb"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("TopSecret42"), std::string::npos) << msg;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIGIL_FRESH_POSTGRES_DATABASE(db);
    db_ = std::move(db);
  }
  std::unique_ptr<testing::PostgresTestDatabase> db_;
};

TEST_F(PostgresStoreTest, AMissingDatabaseIsNotFound) {
  auto s = OpenStore(testing::WithDatabase(db_->url(), db_->name() + "_missing"), OpenOptions{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound) << s.status().ToString();
  EXPECT_NE(s.status().message().find(db_->name() + "_missing"), std::string::npos);
}

// Two processes opening one fresh database at once: the migration lock lets one create the
// schema and the other find it.
TEST_F(PostgresStoreTest, ConcurrentFirstOpensCreateTheSchemaOnce) {
  std::atomic<int> ok{0};
  auto opener = [&]() {
    auto s = OpenStore(db_->url(), OpenOptions{});
    EXPECT_OK(s);
    if (s.ok() && (*s)->info().schema_version == 4) {
      ++ok;
    }
  };
  std::thread a(opener);
  std::thread b(opener);
  std::thread c(opener);
  a.join();
  b.join();
  c.join();
  EXPECT_EQ(ok.load(), 3);
}

TEST_F(PostgresStoreTest, TextThatIsNotUtf8IsRejectedWithTheField) {
  auto s = OpenStore(db_->url(), OpenOptions{});
  ASSERT_OK(s);
  auto node = (*s)->LeaseNode("a", kNow, kTtl);
  ASSERT_OK(node);
  auto tx = (*s)->Begin(*node, "a", kNow, kTtl);
  ASSERT_OK(tx);
  std::vector<model::Rollup> rs = {MakeRollup(std::string("GET /caf\xE9", 9), kT0, 1, 0, {1})};
  Status st = (*tx)->MergeRollups(rs);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("route"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("UTF-8"), std::string::npos) << st.message();
}

TEST_F(PostgresStoreTest, InfoShowsTheUrlWithoutThePassword) {
  const std::string url = db_->url();
  // Trust authentication ignores the password, so the store opens.
  const std::string with_password = "postgresql://vigil:pw123@" + url.substr(url.find('@') + 1);
  auto s = OpenStore(with_password, OpenOptions{});
  ASSERT_OK(s);
  EXPECT_EQ((*s)->info().url.find("pw123"), std::string::npos) << (*s)->info().url;
  EXPECT_NE((*s)->info().url.find("vigil:***@"), std::string::npos) << (*s)->info().url;
}

}  // namespace
}  // namespace vigil::store
