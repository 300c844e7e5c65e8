#include "vigil/importer/coverage_import.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <zlib.h>

#include "test_util.h"
#include <gmock/gmock.h>

namespace vigil::importer {
namespace {

const core::Timestamp kNow = core::Timestamp::FromUnixMillis(1794000000000);

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Two LCOV records of /ci/build/src/a.c (as a raw lcov 1.x capture writes them, one per object
// file) and one of src/b.c:
//   a.c: lines 1:3+0=3, 2:0+2=2, 3:0+0=0 → 3 found, 2 hit; branches (2,0,0): 1+0, (2,0,1): -,-
//        → 2 found, 1 hit.
//   b.c: lines 10:1, 11:0 → 2 found, 1 hit; no branches.
constexpr std::string_view kLcov =
    "TN:\nSF:/ci/build/src/a.c\nDA:1,3\nDA:2,0\nDA:3,0\nBRDA:2,0,0,1\nBRDA:2,0,1,-\n"
    "end_of_record\nTN:\nSF:/ci/build/src/a.c\nDA:1,0\nDA:2,2\nDA:3,0\nBRDA:2,0,0,0\n"
    "BRDA:2,0,1,-\nend_of_record\nSF:src/b.c\nDA:10,1\nDA:11,0\nend_of_record\n";

class CoverageImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<store::Store>> s = store::OpenStore(dir_.File("v.db"), {});
    ASSERT_OK(s);
    store_ = std::move(s).value();
    env_.store = store_.get();
    env_.config = &config_;
    env_.clock = &clock_;
    // The repository: src/a.c and src/b.c.
    Write(dir_.File("repo/src/a.c"), "int a;\n");
    Write(dir_.File("repo/src/b.c"), "int b;\n");
  }

  Result<CoverageImportSummary> Import(std::vector<std::string> paths, bool strict = false) {
    CoverageImportOptions o;
    o.paths = std::move(paths);
    o.root = dir_.File("repo");
    o.name = "unit";
    o.commit = "abc123";
    o.strict = strict;
    return RunCoverageImport(env_, o);
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  config::Config config_;
  core::ManualClock clock_{kNow};
  ImportEnv env_;
};

TEST_F(CoverageImportTest, MergesRecordsResolvesPathsAndIsIdempotent) {
  Write(dir_.File("raw.info"), std::string(kLcov));
  Result<CoverageImportSummary> s = Import({dir_.File("raw.info")});
  ASSERT_OK(s);
  EXPECT_TRUE(s->committed);
  EXPECT_TRUE(s->created);
  EXPECT_EQ(s->suffix_matched, 1);  // /ci/build/src/a.c → src/a.c
  EXPECT_EQ(s->unresolved, 0);
  EXPECT_EQ(s->snapshot.format, "lcov");
  EXPECT_EQ(s->snapshot.taken_at, kNow);  // no --taken-at, no time in the report
  Result<model::CoverageSnapshot> stored = store_->LoadCoverageSnapshot(s->snapshot.id);
  ASSERT_OK(stored);
  ASSERT_EQ(stored->files.size(), 2u);
  EXPECT_EQ(stored->files[0], (model::FileCoverage{"src/a.c", 3, 2, 2, 1, false}));
  EXPECT_EQ(stored->files[1],
            (model::FileCoverage{"src/b.c", 2, 1, std::nullopt, std::nullopt, false}));
  EXPECT_EQ(stored->commit, "abc123");

  // The same report again (gzipped this time): same content, nothing new.
  gzFile gz = gzopen(dir_.File("raw.info.gz").c_str(), "wb");
  gzwrite(gz, kLcov.data(), static_cast<unsigned>(kLcov.size()));
  gzclose(gz);
  Result<CoverageImportSummary> again = Import({dir_.File("raw.info.gz")});
  ASSERT_OK(again);
  EXPECT_TRUE(again->committed);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->snapshot.id, s->snapshot.id);
  Result<std::vector<model::CoverageSnapshot>> all = store_->ListCoverageSnapshots();
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(CoverageImportTest, SeveralReportsOfOneInvocationAreOneSnapshot) {
  Write(dir_.File("a.info"), "SF:src/a.c\nDA:1,0\nDA:2,1\nend_of_record\n");
  Write(dir_.File("c.out"), "mode: set\nsrc/b.c:10.1,11.2 2 1\n");
  Result<CoverageImportSummary> s = Import({dir_.File("a.info"), dir_.File("c.out")});
  ASSERT_OK(s);
  ASSERT_EQ(s->reports.size(), 2u);
  EXPECT_EQ(s->reports[0].format, "lcov");
  EXPECT_EQ(s->reports[1].format, "go");
  EXPECT_EQ(s->snapshot.format, "go,lcov");
  ASSERT_EQ(s->snapshot.files.size(), 2u);
  EXPECT_EQ(s->snapshot.files[0].lines_hit, 1);    // a.c: line 2 of 1..2
  EXPECT_EQ(s->snapshot.files[1].lines_found, 2);  // b.c: lines 10–11 of one block, run
  EXPECT_EQ(s->snapshot.files[1].lines_hit, 2);
}

TEST_F(CoverageImportTest, MalformedRecordsAreReportedAndStrictStoresNothing) {
  Write(dir_.File("bad.info"), "SF:src/a.c\nDA:1,1\nDA:x,2\nDA:2,0\nend_of_record\n");
  Result<CoverageImportSummary> strict = Import({dir_.File("bad.info")}, /*strict=*/true);
  ASSERT_OK(strict);
  EXPECT_FALSE(strict->committed);
  EXPECT_THAT(strict->failure, ::testing::HasSubstr("--strict: 1 malformed record"));
  ASSERT_EQ(strict->first_issues.size(), 1u);
  EXPECT_EQ(strict->first_issues[0].line, 3);
  EXPECT_EQ(strict->first_issues[0].file, dir_.File("bad.info"));
  Result<std::vector<model::CoverageSnapshot>> none = store_->ListCoverageSnapshots();
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());

  // Without --strict the valid records are stored and the file is marked partial.
  Result<CoverageImportSummary> lenient = Import({dir_.File("bad.info")});
  ASSERT_OK(lenient);
  EXPECT_TRUE(lenient->committed);
  ASSERT_EQ(lenient->snapshot.files.size(), 1u);
  EXPECT_EQ(lenient->snapshot.files[0].lines_found, 2);
  EXPECT_EQ(lenient->snapshot.files[0].lines_hit, 1);
  EXPECT_TRUE(lenient->snapshot.files[0].partial);
}

TEST_F(CoverageImportTest, UnreadableOrUnknownReportsAreErrorsNamingTheFile) {
  Write(dir_.File("notes.txt"), "hello\n");
  Result<CoverageImportSummary> unknown = Import({dir_.File("notes.txt")});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), ::testing::HasSubstr("notes.txt: not a coverage report"));
  Write(dir_.File("broken.xml"), "<?xml version=\"1.0\"?>\n<coverage>\n<packages>\n");
  Result<CoverageImportSummary> broken = Import({dir_.File("broken.xml")});
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), ::testing::HasSubstr("broken.xml: "));
  Result<CoverageImportSummary> missing = Import({dir_.File("nope.info")});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  Result<std::vector<model::CoverageSnapshot>> none = store_->ListCoverageSnapshots();
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace vigil::importer
