// The vigil binary end to end: generate a log, init, ingest, latency — and the latency table
// checked against the exact values the generator knows (counts and 5xx exact, percentiles
// within the sketch's 1% of the nearest-rank value).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <simdjson.h>
#include <string>
#include <vector>

#include "latency_oracle.h"
#include "run_util.h"
#include "test_util.h"
#include <sys/wait.h>

#include "vigil/demo/access_log_gen.h"

namespace vigil {
namespace {

using testing::RunResult;
using testing::RunVigil;
using Truth = testing::ExpectedRow;

TEST(CliTest, InitIngestLatencyMatchesTheGeneratorsTruth) {
  testing::TempDir dir;
  demo::AccessLogOptions o;
  o.seed = 11;
  o.lines = 60'000;
  o.span = core::Duration::Days(1);
  o.utc_offset = "-0700";
  o.disorder_ms = 2000;
  std::map<std::string, Truth> truth;
  ASSERT_OK(demo::WriteSampleAccessLog(o, dir.File("access.log"), [&](const auto& r) {
    std::string name =
        r.method.empty() ? "invalid request" : std::string(r.method) + " " + std::string(r.route);
    Truth& t = truth[name];
    ++t.count;
    t.bad += r.status >= 500 ? 1 : 0;
    t.client_errors += r.status >= 400 && r.status < 500 ? 1 : 0;
    t.latencies_us.push_back(r.latency_us);
  }));

  RunResult init = RunVigil(dir.path(), "init");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  RunResult ingest = RunVigil(dir.path(), "ingest access-log access.log --quiet");
  ASSERT_EQ(ingest.exit_code, 0) << ingest.out;
  EXPECT_NE(ingest.out.find("60000 lines"), std::string::npos) << ingest.out;

  RunResult latency = RunVigil(dir.path(), "latency --format json");
  ASSERT_EQ(latency.exit_code, 0) << latency.out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(latency.out).get(doc), simdjson::SUCCESS) << latency.out;
  simdjson::dom::array rows;
  ASSERT_EQ(doc["rows"].get_array().get(rows), simdjson::SUCCESS);
  size_t seen = 0;
  for (simdjson::dom::element row : rows) {
    std::string_view name;
    ASSERT_EQ(row["name"].get_string().get(name), simdjson::SUCCESS);
    auto it = truth.find(std::string(name));
    ASSERT_NE(it, truth.end()) << name;
    testing::ExpectRowMatches(row, name, it->second);
    ++seen;
  }
  EXPECT_EQ(seen, truth.size());

  // The table form prints the same rows for people.
  RunResult table = RunVigil(dir.path(), "latency");
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("P99_MS"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("GET /api/items/:id (route)"), std::string::npos) << table.out;

  // Ingesting the same file again changes nothing.
  RunResult again = RunVigil(dir.path(), "ingest access-log access.log --quiet --format json");
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_NE(again.out.find("\"lines\":0"), std::string::npos) << again.out;
  RunResult latency2 = RunVigil(dir.path(), "latency --format json");
  EXPECT_EQ(latency2.out, latency.out);
}

TEST(CliTest, StrictImportOfAMalformedLineFailsAndStoresNothing) {
  testing::TempDir dir;
  {
    FILE* f = std::fopen(dir.File("bad.log").c_str(), "w");
    std::fputs(
        "203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.1\" 200 5 \"-\" \"c\" "
        "0.042 0.040\n"
        "198.51.100.2 - - [31/Foo/2024:25:61:00 +0200] \"GET /b HTTP/1.1\" 400 157 \"-\" \"-\" "
        "0.001 -\n",
        f);
    std::fclose(f);
  }
  RunResult strict = RunVigil(dir.path(), "ingest access-log bad.log --strict --log-format nginx");
  EXPECT_EQ(strict.exit_code, 1) << strict.out;
  EXPECT_NE(strict.out.find("bad.log:2:"), std::string::npos) << strict.out;
  EXPECT_NE(strict.out.find("nothing stored"), std::string::npos) << strict.out;
  RunResult latency = RunVigil(dir.path(), "latency");
  EXPECT_EQ(latency.exit_code, 0);
  EXPECT_NE(latency.out.find("no requests stored"), std::string::npos) << latency.out;
  RunResult lenient = RunVigil(dir.path(), "ingest access-log bad.log --log-format nginx");
  EXPECT_EQ(lenient.exit_code, 0) << lenient.out;
  EXPECT_NE(lenient.out.find("1 rejected"), std::string::npos) << lenient.out;
}

TEST(CliTest, LatencyWithoutAStoreSaysSo) {
  testing::TempDir dir;
  RunResult r = RunVigil(dir.path(), "latency 2>&1");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("vigil init"), std::string::npos) << r.out;
}

TEST(CliTest, UsageErrorsExitTwo) {
  testing::TempDir dir;
  EXPECT_NE(RunVigil(dir.path(), "latency --format xml 2>&1").exit_code, 0);
  RunResult r = RunVigil(dir.path(), "latency --last 5x 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

}  // namespace
}  // namespace vigil
