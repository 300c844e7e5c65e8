// Golden test of the coverage table over a small hand-computed dataset (worked out below).
#include "vigil/metrics/coverage.h"

#include <string>
#include <vector>

#include "postgres_test_db.h"
#include "test_util.h"

#include "vigil/config/config.h"

namespace vigil::metrics {
namespace {

model::FileCoverage F(std::string path, int64_t found, int64_t hit,
                      std::optional<int64_t> branches_found = std::nullopt,
                      std::optional<int64_t> branches_hit = std::nullopt) {
  model::FileCoverage f;
  f.path = std::move(path);
  f.lines_found = found;
  f.lines_hit = hit;
  f.branches_found = branches_found;
  f.branches_hit = branches_hit;
  return f;
}

model::CoverageSnapshot Snap(std::string name, int64_t taken_ms,
                             std::vector<model::FileCoverage> files) {
  model::CoverageSnapshot s;
  s.name = std::move(name);
  s.format = "lcov";
  s.content_hash = s.name + std::to_string(taken_ms);
  s.taken_at = core::Timestamp::FromUnixMillis(taken_ms);
  s.imported_at = s.taken_at;
  s.files = std::move(files);
  return s;
}

// The dataset:
//   unit @t1:        a/x.go 5/10, b/y.go 4/4, z/gone.go 1/2      (superseded by unit @t2)
//   unit @t2:        a/x.go 8/10, b/y.go 2/4                      (z/gone.go deleted since)
//   integration @t1: a/x.go 6/10, b/y.go 3/4, c/new.go 1/5 with branches 2/4
// Latest of each name: unit @t2 and integration @t1. Highest line coverage per file:
//   a/x.go 8/10 (unit; 0.8 > 0.6), b/y.go 3/4 (integration; 0.75 > 0.5), c/new.go 1/5.
// Total: 3 files, 12/19 lines, branches 2/4 (only c/new.go gives any).
// Areas: alpha = a/, beta = b/** → c/new.go has none.
// CODEOWNERS: `*` @org/platform; `/a/` @org/alpha @alice; `/c/new.go` (no owners) →
//   a/x.go: @org/alpha @alice; b/y.go: @org/platform; c/new.go: unowned.
class CoverageTableTest : public testing::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) {
      return;
    }
    Result<std::unique_ptr<store::Store>> s = store::OpenStore(url_, {});
    ASSERT_OK(s);
    store_ = std::move(s).value();
    Result<int> node =
        store_->LeaseNode("t", core::Timestamp::FromUnixMillis(0), core::Duration::Hours(1));
    ASSERT_OK(node);
    auto tx =
        store_->Begin(*node, "t", core::Timestamp::FromUnixMillis(0), core::Duration::Hours(1));
    ASSERT_OK(tx);
    for (const model::CoverageSnapshot& snap :
         {Snap("unit", 1000, {F("a/x.go", 10, 5), F("b/y.go", 4, 4), F("z/gone.go", 2, 1)}),
          Snap("unit", 2000, {F("a/x.go", 10, 8), F("b/y.go", 4, 2)}),
          Snap("integration", 1000,
               {F("a/x.go", 10, 6), F("b/y.go", 4, 3), F("c/new.go", 5, 1, 4, 2)})}) {
      Result<store::CoverageSave> saved = (*tx)->SaveCoverageSnapshot(snap);
      ASSERT_OK(saved);
      EXPECT_TRUE(saved->created);
    }
    // The same identity again changes nothing.
    Result<store::CoverageSave> again =
        (*tx)->SaveCoverageSnapshot(Snap("unit", 2000, {F("a/x.go", 10, 1)}));
    ASSERT_OK(again);
    EXPECT_FALSE(again->created);
    ASSERT_OK((*tx)->Commit());

    config::Area alpha{"alpha", {"a/"}};
    config::Area beta{"beta", {"b/**"}};
    Result<config::AreaMap> areas = config::AreaMap::Build({alpha, beta});
    ASSERT_OK(areas);
    areas_ = std::move(areas).value();
    Result<config::Codeowners> owners =
        config::Codeowners::Parse("*  @org/platform\n/a/ @org/alpha @alice\n/c/new.go\n");
    ASSERT_OK(owners);
    owners_.emplace(std::move(owners).value());
  }

  CoverageTable Build(CoverageBy by, std::vector<std::string> names = {}) {
    CoverageQuery q;
    q.by = by;
    q.names = std::move(names);
    Result<CoverageTable> t = BuildCoverageTable(*store_, q, areas_, &*owners_);
    EXPECT_OK(t);
    return t.ok() ? std::move(t).value() : CoverageTable{};
  }

  std::unique_ptr<store::Store> store_;
  config::AreaMap areas_;
  std::optional<config::Codeowners> owners_;
};

void ExpectRow(const CoverageRow& r, const std::string& key, int64_t files, int64_t found,
               int64_t hit) {
  EXPECT_EQ(r.key, key);
  EXPECT_EQ(r.files, files) << key;
  EXPECT_EQ(r.lines_found, found) << key;
  EXPECT_EQ(r.lines_hit, hit) << key;
  ASSERT_TRUE(r.line_rate.has_value()) << key;
  EXPECT_DOUBLE_EQ(*r.line_rate, static_cast<double>(hit) / static_cast<double>(found)) << key;
}

TEST_P(CoverageTableTest, ByFileTakesTheLatestSnapshotOfEachNameAndTheBestName) {
  CoverageTable t = Build(CoverageBy::kFile);
  ASSERT_EQ(t.snapshots.size(), 2u);
  EXPECT_EQ(t.snapshots[0].name, "integration");
  EXPECT_EQ(t.snapshots[1].name, "unit");
  EXPECT_EQ(t.snapshots[1].taken_at.unix_ms(), 2000);
  EXPECT_EQ(t.snapshots[1].file_count, 2);
  ASSERT_EQ(t.rows.size(), 3u);
  ExpectRow(t.rows[0], "a/x.go", 1, 10, 8);
  EXPECT_EQ(t.rows[0].snapshot_name, "unit");
  EXPECT_EQ(t.rows[0].area, "alpha");
  EXPECT_EQ(t.rows[0].owners, (std::vector<std::string>{"@org/alpha", "@alice"}));
  ExpectRow(t.rows[1], "b/y.go", 1, 4, 3);
  EXPECT_EQ(t.rows[1].snapshot_name, "integration");
  EXPECT_EQ(t.rows[1].owners, (std::vector<std::string>{"@org/platform"}));
  ExpectRow(t.rows[2], "c/new.go", 1, 5, 1);
  EXPECT_EQ(t.rows[2].area, "");
  EXPECT_TRUE(t.rows[2].owners.empty());
  EXPECT_EQ(t.rows[2].branches_found, 4);
  EXPECT_EQ(t.rows[2].branches_hit, 2);
  EXPECT_DOUBLE_EQ(*t.rows[2].branch_rate, 0.5);
  ExpectRow(t.total, "", 3, 19, 12);
  EXPECT_EQ(t.total.branches_found, 4);
}

TEST_P(CoverageTableTest, ByAreaKeepsFilesWithoutAnAreaLast) {
  CoverageTable t = Build(CoverageBy::kArea);
  ASSERT_EQ(t.rows.size(), 3u);
  ExpectRow(t.rows[0], "alpha", 1, 10, 8);
  ExpectRow(t.rows[1], "beta", 1, 4, 3);
  ExpectRow(t.rows[2], "", 1, 5, 1);
  EXPECT_EQ(t.rows[0].branches_found, std::nullopt);
  ExpectRow(t.total, "", 3, 19, 12);
}

TEST_P(CoverageTableTest, ByTeamCountsAFileForEachOwnerAndOnceInTheTotal) {
  CoverageTable t = Build(CoverageBy::kTeam);
  ASSERT_EQ(t.rows.size(), 4u);
  ExpectRow(t.rows[0], "@alice", 1, 10, 8);
  ExpectRow(t.rows[1], "@org/alpha", 1, 10, 8);
  ExpectRow(t.rows[2], "@org/platform", 1, 4, 3);
  ExpectRow(t.rows[3], "", 1, 5, 1);
  ExpectRow(t.total, "", 3, 19, 12);
}

TEST_P(CoverageTableTest, ANameFilterUsesOnlyThoseSnapshots) {
  // unit @t2 alone: a/x.go 8/10, b/y.go 2/4 → 10/14.
  CoverageTable t = Build(CoverageBy::kFile, {"unit"});
  ASSERT_EQ(t.snapshots.size(), 1u);
  ASSERT_EQ(t.rows.size(), 2u);
  ExpectRow(t.rows[1], "b/y.go", 1, 4, 2);
  ExpectRow(t.total, "", 2, 14, 10);
}

TEST_P(CoverageTableTest, WithoutOwnersOrAreasEveryFileIsInTheNoneRow) {
  CoverageQuery q;
  q.by = CoverageBy::kTeam;
  Result<CoverageTable> t = BuildCoverageTable(*store_, q, config::AreaMap(), nullptr);
  ASSERT_OK(t);
  ASSERT_EQ(t->rows.size(), 1u);
  ExpectRow(t->rows[0], "", 3, 19, 12);
}

INSTANTIATE_TEST_SUITE_P(Backends, CoverageTableTest,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         testing::BackendName);

TEST(CoverageTableEmptyTest, NoSnapshotsGiveNoRowsAndNoRate) {
  testing::TempDir dir;
  Result<std::unique_ptr<store::Store>> s = store::OpenStore(dir.File("v.db"), {});
  ASSERT_OK(s);
  Result<CoverageTable> t = BuildCoverageTable(**s, {}, config::AreaMap(), nullptr);
  ASSERT_OK(t);
  EXPECT_TRUE(t->snapshots.empty());
  EXPECT_TRUE(t->rows.empty());
  EXPECT_EQ(t->total.line_rate, std::nullopt);
}

}  // namespace
}  // namespace vigil::metrics
