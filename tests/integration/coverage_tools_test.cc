// The real-tool coverage test (issue 14): a small C project (tests/data/coverage/cproject) is
// built with --coverage into three programs, two of them run; Debian's lcov writes a raw
// capture (one SF record per object file, no LF/LH) and a merged tracefile, and gcovr a
// Cobertura XML. vigil ingests each, and its per-file covered/coverable lines and branches equal
// what that tool itself reports for the file (`lcov --list`, gcovr's text summaries). Where the
// tools legitimately differ (gcovr lists the built-but-never-run test_c.c at 0%, lcov has no
// data for it), vigil follows each report.
#include <cmath>
#include <map>
#include <simdjson.h>
#include <sstream>
#include <string>

#include "run_util.h"
#include "test_util.h"

namespace vigil {
namespace {

using testing::RunCommand;
using testing::RunVigil;

struct Counts {
  int64_t lines_found = 0;
  int64_t lines_hit = 0;
  int64_t branches_found = 0;
  int64_t branches_hit = 0;
  bool operator==(const Counts&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Counts& c) {
  return os << c.lines_hit << "/" << c.lines_found << " lines, " << c.branches_hit << "/"
            << c.branches_found << " branches";
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// "93.8%     16" or "    -      0" → {hit, found}: lcov prints the rate to one decimal, so for
// fewer than 1000 items rate × num rounds back to the exact hit count.
std::pair<int64_t, int64_t> RateNum(const std::string& cell) {
  std::istringstream in(cell);
  std::string rate;
  int64_t num = 0;
  in >> rate >> num;
  if (rate == "-" || num == 0) {
    return {0, num};
  }
  double pct = std::stod(rate.substr(0, rate.find('%')));
  return {std::llround(pct * static_cast<double>(num) / 100.0), num};
}

// `lcov --list` rows: "calc.c      |93.8%     16| 100%     3|87.5%      8".
std::map<std::string, Counts> LcovList(const std::string& out) {
  std::map<std::string, Counts> files;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    std::string cell;
    while (std::getline(row, cell, '|')) {
      cells.push_back(cell);
    }
    if (cells.size() != 4) {
      continue;
    }
    std::string name = Trim(cells[0]);
    if (name.empty() || name == "Filename" || name == "Total:") {
      continue;
    }
    Counts c;
    std::tie(c.lines_hit, c.lines_found) = RateNum(cells[1]);
    std::tie(c.branches_hit, c.branches_found) = RateNum(cells[3]);
    files[name] = c;
  }
  return files;
}

// gcovr's text summary rows: "calc.c    16   15   93%   24" (lines, or branches with -b).
std::map<std::string, std::pair<int64_t, int64_t>> GcovrSummary(const std::string& out) {
  std::map<std::string, std::pair<int64_t, int64_t>> files;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string name, total, taken, cover;
    if (!(row >> name >> total >> taken >> cover) || name == "File" || name == "TOTAL" ||
        cover.find('%') == std::string::npos) {
      continue;
    }
    files[name] = {std::stoll(taken), std::stoll(total)};
  }
  return files;
}

// vigil's per-file counts from `vigil coverage --format json --name NAME`.
std::map<std::string, Counts> VigilFiles(const std::string& dir, const std::string& name) {
  testing::RunResult r = RunVigil(dir, "coverage --store vigil.db --format json --name " + name);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::map<std::string, Counts> files;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r.out).get(doc) != simdjson::SUCCESS) {
    ADD_FAILURE() << "not JSON: " << r.out;
    return files;
  }
  for (simdjson::dom::element row : doc["rows"]) {
    Counts c;
    std::string_view path = row["path"].get_string().value();
    c.lines_found = row["lines_found"].get_int64().value();
    c.lines_hit = row["lines_hit"].get_int64().value();
    if (!row["branches_found"].is_null()) {
      c.branches_found = row["branches_found"].get_int64().value();
      c.branches_hit = row["branches_hit"].get_int64().value();
    }
    files[std::string(path)] = c;
  }
  return files;
}

class CoverageToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path().string();
    const std::string project = testing::TestDataPath("coverage/cproject");
    std::string build = "set -e; cd '" + root_ + "'; cp '" + project + "'/*.c '" + project +
                        "'/*.h .; " +
                        "mkdir a b c; "
                        "(cd a && gcc --coverage -O0 -c ../calc.c ../util.c ../test_a.c && "
                        "gcc --coverage -o test_a calc.o util.o test_a.o && ./test_a); "
                        "(cd b && gcc --coverage -O0 -c ../calc.c ../util.c ../test_b.c && "
                        "gcc --coverage -o test_b calc.o util.o test_b.o && ./test_b); "
                        "(cd c && gcc --coverage -O0 -c ../test_c.c && "
                        "gcc --coverage -o test_c test_c.o ../a/util.o) >/dev/null 2>&1";
    testing::RunResult r = RunCommand(build);
    ASSERT_EQ(r.exit_code, 0) << "building the fixture project failed: " << r.out;
  }

  testing::TempDir dir_;
  std::string root_;
};

TEST_F(CoverageToolsTest, VigilReportsWhatLcovAndGcovrReportPerFile) {
  const std::string rc = "--rc lcov_branch_coverage=1";
  testing::RunResult r =
      RunCommand("cd '" + root_ + "' && lcov " + rc +
                 " --capture --directory . --output-file raw.info >/dev/null 2>&1 && lcov " + rc +
                 " --add-tracefile raw.info --output-file merged.info >/dev/null 2>&1 && "
                 "gcovr -r . --xml-pretty -o gcovr.xml");
  ASSERT_EQ(r.exit_code, 0) << r.out;

  // The raw capture repeats SF records (one per object file) and has no LF/LH lines.
  testing::RunResult raw = RunCommand("grep -c '^SF:' '" + root_ + "/raw.info'");
  EXPECT_GT(std::stoi(raw.out), 4) << "expected repeated SF records";
  EXPECT_NE(RunCommand("grep -q '^LF:' '" + root_ + "/raw.info'").exit_code, 0);

  for (const char* report : {"raw.info", "merged.info", "gcovr.xml"}) {
    std::string name = std::string(report).substr(0, std::string(report).find('.'));
    testing::RunResult in = RunVigil(root_, std::string("ingest coverage --store vigil.db --root . "
                                                        "--name ") +
                                                name + " " + report);
    ASSERT_EQ(in.exit_code, 0) << in.out;
    // Importing the same report again changes nothing.
    testing::RunResult again =
        RunVigil(root_, "ingest coverage --store vigil.db --root . --format json --name " + name +
                            " " + report);
    ASSERT_EQ(again.exit_code, 0);
    EXPECT_NE(again.out.find("\"created\":false"), std::string::npos) << again.out;
  }

  // lcov's own view of each tracefile.
  for (const char* tracefile : {"raw.info", "merged.info"}) {
    testing::RunResult list =
        RunCommand("cd '" + root_ + "' && lcov " + rc + " --list " + tracefile + " 2>/dev/null");
    ASSERT_EQ(list.exit_code, 0);
    std::map<std::string, Counts> lcov = LcovList(list.out);
    ASSERT_EQ(lcov.size(), 4u) << list.out;  // calc.c util.c test_a.c test_b.c: no test_c.c
    std::string name = std::string(tracefile).substr(0, std::string(tracefile).find('.'));
    std::map<std::string, Counts> vigil = VigilFiles(root_, name);
    EXPECT_EQ(vigil, lcov) << tracefile << "\n" << list.out;
    // The hand-checked anchor: calc.c has 16 lines, 15 run (line 24 never), 7 of 8 branches.
    EXPECT_EQ(vigil["calc.c"], (Counts{16, 15, 8, 7}));
  }

  // gcovr's own view (its line and branch summaries).
  testing::RunResult lines = RunCommand("cd '" + root_ + "' && gcovr -r .");
  testing::RunResult branches = RunCommand("cd '" + root_ + "' && gcovr -r . -b");
  ASSERT_EQ(lines.exit_code, 0);
  ASSERT_EQ(branches.exit_code, 0);
  auto gl = GcovrSummary(lines.out);
  auto gb = GcovrSummary(branches.out);
  std::map<std::string, Counts> gcovr;
  for (const auto& [file, lh] : gl) {
    Counts c{lh.second, lh.first, gb[file].second, gb[file].first};
    gcovr[file] = c;
  }
  ASSERT_EQ(gcovr.size(), 5u) << lines.out;
  std::map<std::string, Counts> vigil = VigilFiles(root_, "gcovr");
  // (A file without branches has no branch data in gcovr's XML and 0/0 in its summary.)
  EXPECT_EQ(vigil, gcovr) << lines.out << branches.out;
  // Where the tools differ, vigil follows each: test_c.c (built, never run) is in gcovr's report
  // at 0 of 3 lines and absent from lcov's.
  EXPECT_EQ(vigil["test_c.c"], (Counts{3, 0, 0, 0}));
  EXPECT_EQ(VigilFiles(root_, "raw").count("test_c.c"), 0u);
}

}  // namespace
}  // namespace vigil
