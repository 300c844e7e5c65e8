// Scale-out ingest (DESIGN §8) with the real binary: two `vigil ingest` processes write the two
// halves of one generated log into one PostgreSQL database at once, and `vigil latency` over
// their partial rollups prints exactly what one process ingesting the whole log into SQLite
// prints (counts exact, percentiles bit for bit: sketches merge exactly). Also: hostile strings
// through the CLI's string inputs (service, file path) on both backends.
#include <cstdio>
#include <fstream>
#include <simdjson.h>
#include <sstream>
#include <string>
#include <vector>

#include "postgres_test_db.h"
#include "run_util.h"
#include "test_util.h"

namespace vigil {
namespace {

using testing::Process;
using testing::RunResult;
using testing::RunVigil;
using testing::ShellQuote;
using testing::VigilCommand;

// Sum of "count" over the rows of `vigil latency --format json`.
int64_t TotalCount(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) {
    return -1;
  }
  int64_t total = 0;
  for (simdjson::dom::element row : doc["rows"].get_array()) {
    int64_t c = 0;
    if (row["count"].get_int64().get(c) != simdjson::SUCCESS) {
      return -1;
    }
    total += c;
  }
  return total;
}

TEST(PostgresScaleOutTest, TwoNodesIngestingHalvesEqualOneSqliteProcessIngestingAll) {
  VIGIL_FRESH_POSTGRES_DATABASE(db);
  testing::TempDir dir;
  constexpr int kLines = 120'000;
  // Two days of 2026-11-02…: older than 8 days by the wall clock, so each process also
  // downsamples (claims) minute sketches, concurrently with the other's writes.
  RunResult gen = RunVigil(dir.path(), "demo access-log --out all.log --lines " +
                                           std::to_string(kLines) + " --span 2d --seed 7");
  ASSERT_EQ(gen.exit_code, 0);
  {
    std::ifstream in(dir.File("all.log"));
    std::ofstream first(dir.File("first.log")), second(dir.File("second.log"));
    std::string line;
    for (int i = 0; std::getline(in, line); ++i) {
      (i < kLines / 2 ? first : second) << line << '\n';
    }
  }
  const std::string pg = " --store " + ShellQuote(db->url());
  // Both processes run at once; each leases its own node.
  Process a(VigilCommand(dir.path(), "ingest access-log first.log --quiet --format json" + pg));
  Process b(VigilCommand(dir.path(), "ingest access-log second.log --quiet --format json" + pg));
  RunResult ra = a.Wait();
  RunResult rb = b.Wait();
  ASSERT_EQ(ra.exit_code, 0) << ra.out;
  ASSERT_EQ(rb.exit_code, 0) << rb.out;
  const bool distinct_nodes = (ra.out.find("\"node\":1") != std::string::npos &&
                               rb.out.find("\"node\":2") != std::string::npos) ||
                              (ra.out.find("\"node\":2") != std::string::npos &&
                               rb.out.find("\"node\":1") != std::string::npos);
  EXPECT_TRUE(distinct_nodes) << ra.out << "\n" << rb.out;

  RunResult whole = RunVigil(dir.path(), "ingest access-log all.log --quiet --store whole.db");
  ASSERT_EQ(whole.exit_code, 0) << whole.out;

  RunResult merged = RunVigil(dir.path(), "latency --format json" + pg);
  RunResult single = RunVigil(dir.path(), "latency --format json --store whole.db");
  ASSERT_EQ(merged.exit_code, 0) << merged.out;
  ASSERT_EQ(single.exit_code, 0) << single.out;
  EXPECT_EQ(TotalCount(single.out), kLines);
  // Every row (counts, 5xx, 4xx, latency counts, percentiles to the printed digit, the
  // widened-window mark) is the same.
  EXPECT_EQ(merged.out, single.out);

  // Per service and per version the same holds (another grouping of the same partial rows).
  RunResult merged_v = RunVigil(dir.path(), "latency --format json --by version" + pg);
  RunResult single_v = RunVigil(dir.path(), "latency --format json --by version --store whole.db");
  ASSERT_EQ(merged_v.exit_code, 0);
  EXPECT_EQ(merged_v.out, single_v.out);

  // Ingesting the halves again (both at once) changes nothing: the positions were stored.
  Process a2(VigilCommand(dir.path(), "ingest access-log first.log --quiet --format json" + pg));
  Process b2(VigilCommand(dir.path(), "ingest access-log second.log --quiet --format json" + pg));
  RunResult ra2 = a2.Wait();
  RunResult rb2 = b2.Wait();
  ASSERT_EQ(ra2.exit_code, 0) << ra2.out;
  ASSERT_EQ(rb2.exit_code, 0) << rb2.out;
  EXPECT_NE(ra2.out.find("\"lines\":0"), std::string::npos) << ra2.out;
  EXPECT_EQ(RunVigil(dir.path(), "latency --format json" + pg).out, single.out);
}

// The same file offered to two processes at once is counted once: the loser of the position
// compare-and-set rolls back and reads again from the winner's position.
TEST(PostgresScaleOutTest, OneFileIngestedByTwoProcessesAtOnceCountsOnce) {
  VIGIL_FRESH_POSTGRES_DATABASE(db);
  testing::TempDir dir;
  ASSERT_EQ(RunVigil(dir.path(), "demo access-log --out a.log --lines 30000 --span 1d --seed 3")
                .exit_code,
            0);
  const std::string pg = " --store " + ShellQuote(db->url());
  Process a(VigilCommand(dir.path(), "ingest access-log a.log --quiet" + pg));
  Process b(VigilCommand(dir.path(), "ingest access-log a.log --quiet" + pg));
  ASSERT_EQ(a.Wait().exit_code, 0);
  ASSERT_EQ(b.Wait().exit_code, 0);
  RunResult latency = RunVigil(dir.path(), "latency --format json" + pg);
  ASSERT_EQ(latency.exit_code, 0);
  EXPECT_EQ(TotalCount(latency.out), 30000);
}

// Hostile strings through the CLI (the --service flag, the file's path): stored verbatim on
// both backends, found again by `latency --service`, and no table is harmed.
TEST(PostgresScaleOutTest, HostileServiceAndFilePathAreData) {
  VIGIL_FRESH_POSTGRES_DATABASE(db);
  testing::TempDir dir;
  const std::string service = "shop'; DROP TABLE rollups; -- \\ \"x\" ✓";
  const std::string file = "it's\"; DROP TABLE files; --.log";
  ASSERT_EQ(RunVigil(dir.path(), "demo access-log --lines 500 --seed 5 --out " + ShellQuote(file))
                .exit_code,
            0);
  for (const std::string& store : {db->url(), std::string("hostile.db")}) {
    SCOPED_TRACE(store);
    const std::string flags = " --store " + ShellQuote(store);
    RunResult ingest =
        RunVigil(dir.path(), "ingest access-log " + ShellQuote(file) + " --quiet --service " +
                                 ShellQuote(service) + flags);
    ASSERT_EQ(ingest.exit_code, 0) << ingest.out;
    RunResult latency =
        RunVigil(dir.path(), "latency --format json --service " + ShellQuote(service) + flags);
    ASSERT_EQ(latency.exit_code, 0) << latency.out;
    EXPECT_EQ(TotalCount(latency.out), 500);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(latency.out).get(doc), simdjson::SUCCESS);
    std::string_view got;
    ASSERT_EQ(doc["rows"].at(0)["service"].get_string().get(got), simdjson::SUCCESS);
    EXPECT_EQ(got, service);
    // The file's position was stored under its hostile path: a second run reads nothing.
    RunResult again =
        RunVigil(dir.path(), "ingest access-log " + ShellQuote(file) +
                                 " --quiet --format json --service " + ShellQuote(service) + flags);
    EXPECT_NE(again.out.find("\"lines\":0"), std::string::npos) << again.out;
  }
}

}  // namespace
}  // namespace vigil
