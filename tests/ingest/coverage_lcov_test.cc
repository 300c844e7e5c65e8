// Tests of ParseLcov (src/vigil/ingest/coverage_lcov.cc) against the fixtures in
// tests/data/coverage/lcov/: a real Debian lcov 1.16 capture, the format sheet's examples,
// composed lcov 2.x, istanbul and c8 reports, and malformed files whose every issue is checked.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "test_util.h"

#include "vigil/ingest/coverage.h"

namespace vigil::ingest {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::vigil::testing::TestDataPath;

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

std::string ReadFixture(const std::string& name) {
  std::ifstream in(TestDataPath("coverage/lcov/" + name), std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ParsedCoverage MustParse(std::string_view content) {
  Result<ParsedCoverage> r = ParseLcov(content);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : ParsedCoverage{};
}

// (line, hits) pairs, for ElementsAre.
std::vector<std::pair<uint32_t, uint64_t>> Lines(const ParsedFileCoverage& f) {
  std::vector<std::pair<uint32_t, uint64_t>> out;
  for (const CoverageLine& l : f.lines) {
    out.emplace_back(l.line, l.hits);
  }
  return out;
}

std::vector<std::pair<int64_t, std::string>> Issues(const ParsedCoverage& c) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const CoverageIssue& i : c.issues) {
    out.emplace_back(i.line, i.reason);
  }
  return out;
}

std::vector<std::string> Paths(const ParsedCoverage& c) {
  std::vector<std::string> out;
  for (const ParsedFileCoverage& f : c.files) {
    out.push_back(f.path);
  }
  return out;
}

using P = std::pair<uint32_t, uint64_t>;
using I = std::pair<int64_t, std::string>;

// Format sheet §6: 3 DA lines of which 2 ran (LF:3/LH:2 agree); BRDA 12/0/0 taken 3 times and
// 12/0/1 never ('-', but it exists) → 1 of 2 branches. Prefix stripping is the importer's.
TEST(LcovTest, FormatSheetExample) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/format_sheet_example.info"));
  EXPECT_EQ(c.format, CoverageFormat::kLcov);
  ASSERT_EQ(c.files.size(), 1u);
  const ParsedFileCoverage& f = c.files[0];
  EXPECT_EQ(f.path, "/build/src/cart/total.cc");
  EXPECT_THAT(Lines(f), ElementsAre(P{10, 4}, P{12, 4}, P{14, 0}));
  EXPECT_EQ(f.lines_found, 3);
  EXPECT_EQ(f.lines_hit, 2);
  EXPECT_EQ(f.branches_found, 2);
  EXPECT_EQ(f.branches_hit, 1);
  EXPECT_FALSE(f.partial);
  EXPECT_TRUE(c.issues.empty());
  EXPECT_FALSE(c.timestamp.has_value());
}

// A real `lcov --capture` (Debian lcov 1.16, gcc 12, default settings: no branch records, no
// LF/LH) of a two-file C program whose clamp.h is included by both objects, so it has two SF
// sections. `lcov --list` / `--summary` on it print:
//   clamp.h 83.3% of 6 lines, main.c 87.5% of 8, scale.c 33.3% of 6; total 14 of 20 lines;
//   branches: no data found.
// clamp.h merged: 2:5+5, 3:5+5, 4:0+0, 6:5+5, 7:0+1, 9:5+4 → 5 of 6 hit.
TEST(LcovTest, DebianLcov116RawCaptureMergesRepeatedSections) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/debian_lcov116_raw.info"));
  EXPECT_THAT(Paths(c), ElementsAre("/tmp/lcovdemo/clamp.h", "/tmp/lcovdemo/main.c",
                                    "/tmp/lcovdemo/scale.c"));
  EXPECT_TRUE(c.issues.empty());
  const ParsedFileCoverage& clamp = c.files[0];
  EXPECT_THAT(Lines(clamp), ElementsAre(P{2, 10}, P{3, 10}, P{4, 0}, P{6, 10}, P{7, 1}, P{9, 9}));
  EXPECT_EQ(clamp.lines_found, 6);
  EXPECT_EQ(clamp.lines_hit, 5);
  const ParsedFileCoverage& main_c = c.files[1];
  EXPECT_THAT(Lines(main_c), ElementsAre(P{6, 1}, P{7, 1}, P{8, 6}, P{9, 5}, P{11, 1}, P{12, 0},
                                         P{14, 1}, P{15, 1}));
  EXPECT_EQ(main_c.lines_found, 8);
  EXPECT_EQ(main_c.lines_hit, 7);
  const ParsedFileCoverage& scale = c.files[2];
  EXPECT_EQ(scale.lines_found, 6);
  EXPECT_EQ(scale.lines_hit, 2);
  int64_t found = 0;
  int64_t hit = 0;
  for (const ParsedFileCoverage& f : c.files) {
    found += f.lines_found;
    hit += f.lines_hit;
    EXPECT_FALSE(f.branches_found.has_value()) << f.path;
    EXPECT_FALSE(f.branches_hit.has_value()) << f.path;
    EXPECT_FALSE(f.partial) << f.path;
  }
  EXPECT_EQ(found, 20);  // lcov --summary: 14 of 20 lines
  EXPECT_EQ(hit, 14);
}

// The same program captured with `--rc lcov_branch_coverage=1`. `lcov --list`: clamp.h 75.0% of
// 4 branches, main.c 66.7% of 6, scale.c 0.0% of 2; `--summary`: 7 of 12 branches.
// clamp.h merged per (line, block, branch): 3/0/0 0+0, 3/0/1 5+5, 6/0/0 0+1, 6/0/1 5+4 → 3 of 4.
// scale.c: both edges of line 8 are '-' (never evaluated): found 2, hit 0.
TEST(LcovTest, DebianLcov116RawCaptureWithBranches) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/debian_lcov116_raw_branches.info"));
  ASSERT_EQ(c.files.size(), 3u);
  EXPECT_TRUE(c.issues.empty());
  EXPECT_EQ(c.files[0].path, "/tmp/lcovdemo/clamp.h");
  EXPECT_EQ(c.files[0].branches_found, 4);
  EXPECT_EQ(c.files[0].branches_hit, 3);
  EXPECT_EQ(c.files[0].lines_hit, 5);
  EXPECT_EQ(c.files[1].branches_found, 6);
  EXPECT_EQ(c.files[1].branches_hit, 4);
  EXPECT_EQ(c.files[2].branches_found, 2);
  EXPECT_EQ(c.files[2].branches_hit, 0);
  EXPECT_EQ(*c.files[0].branches_hit + *c.files[1].branches_hit + *c.files[2].branches_hit, 7);
}

// lcov 2.x: a '#' comment first, VER, FNL/FNA, FN with an end line, MCDC/MRF/MRH/MCF/MCH, DA with
// checksums, LF:99/LH:99 that contradict DA (ignored). DA: 5:7 6:7 8:3 9:0 30:0 → 3 of 5.
// BRDA keys: 6/0/0 (3), 6/0/1 (4), 8/e0/0 (1), 8/e0/1 ('-'), 8/0/"(a, b) && c" (2),
// 8/0/"!((a, b) && c)" (0), 9/U1/0 ('-'), 9/f1/0 (5) → 8 distinct, 5 taken.
TEST(LcovTest, Lcov2RecordsAndCommaBranches) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/lcov2_records.info"));
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_TRUE(c.issues.empty());
  const ParsedFileCoverage& f = c.files[0];
  EXPECT_EQ(f.path, "src/parse.c");
  EXPECT_THAT(Lines(f), ElementsAre(P{5, 7}, P{6, 7}, P{8, 3}, P{9, 0}, P{30, 0}));
  EXPECT_EQ(f.lines_found, 5);
  EXPECT_EQ(f.lines_hit, 3);
  EXPECT_EQ(f.branches_found, 8);
  EXPECT_EQ(f.branches_hit, 5);
  EXPECT_FALSE(f.partial);
}

// nyc/istanbul: duplicate function names, BRDA after DA with 0 for untaken. cart.js: 9 DA
// lines, zero at 12 and 16 → 7 of 9; BRDA 5 edges, taken 5, 5, 1 → 3 of 5. util.js has
// BRF:0 and no BRDA → branches nullopt (no data, not 0 of 0).
TEST(LcovTest, IstanbulReport) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/istanbul.info"));
  EXPECT_THAT(Paths(c), ElementsAre("/home/ci/app/src/cart.js", "/home/ci/app/src/util.js"));
  EXPECT_TRUE(c.issues.empty());
  EXPECT_EQ(c.files[0].lines_found, 9);
  EXPECT_EQ(c.files[0].lines_hit, 7);
  EXPECT_EQ(c.files[0].branches_found, 5);
  EXPECT_EQ(c.files[0].branches_hit, 3);
  EXPECT_EQ(c.files[1].lines_found, 2);
  EXPECT_EQ(c.files[1].lines_hit, 2);
  EXPECT_FALSE(c.files[1].branches_found.has_value());
  EXPECT_FALSE(c.files[1].branches_hit.has_value());
}

// c8 counts every physical line: 8 DA lines, zero at 4 and 5 → 6 of 8; branches 1 of 2.
TEST(LcovTest, C8Report) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/c8.info"));
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].path, "src/total.mjs");
  EXPECT_EQ(c.files[0].lines_found, 8);
  EXPECT_EQ(c.files[0].lines_hit, 6);
  EXPECT_EQ(c.files[0].branches_found, 2);
  EXPECT_EQ(c.files[0].branches_hit, 1);
}

// Three CRLF sections of lib/a.c (two TN blocks, then one with lines out of order):
// 1: 1+0; 2: 0+0; 3: 2^32+2^32 = 8589934592; 4: (2^64−1)+1 saturates at 2^64−1.
// Branches: 2/0/0 '-'+'-' (exists, 0), 2/0/1 1+2 = 3, 4/0/0 '-' → found 3, hit 1.
TEST(LcovTest, MergesSectionsSumsCountsAndSaturates) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/merged_tn_blocks_crlf.info"));
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_TRUE(c.issues.empty());
  const ParsedFileCoverage& f = c.files[0];
  EXPECT_EQ(f.path, "lib/a.c");
  EXPECT_THAT(Lines(f), ElementsAre(P{1, 1}, P{2, 0}, P{3, 8589934592u}, P{4, kMax}));
  EXPECT_EQ(f.lines_found, 4);
  EXPECT_EQ(f.lines_hit, 3);
  EXPECT_EQ(f.branches_found, 3);
  EXPECT_EQ(f.branches_hit, 1);
  EXPECT_FALSE(f.partial);
}

// Format sheet §6, malformed: valid DA kept; the bad DA, the 3-field BRDA and the missing
// end_of_record reported; the file partial. LH:1 is ignored (never trusted).
TEST(LcovTest, FormatSheetMalformedExample) {
  const ParsedCoverage c = MustParse(ReadFixture("malformed/format_sheet_truncated.info"));
  EXPECT_THAT(
      Issues(c),
      ElementsAre(
          I{3, "DA line number 'x' is not a number"},
          I{4, "BRDA has 3 fields, expected 4 (line,block,branch,taken)"},
          I{5,
            "end of input inside the SF section of line 1 (no end_of_record: truncated report)"}));
  ASSERT_EQ(c.files.size(), 1u);
  const ParsedFileCoverage& f = c.files[0];
  EXPECT_EQ(f.path, "src/a.c");
  EXPECT_THAT(Lines(f), ElementsAre(P{3, 1}));
  EXPECT_EQ(f.lines_found, 1);
  EXPECT_EQ(f.lines_hit, 1);
  EXPECT_FALSE(f.branches_found.has_value());
  EXPECT_TRUE(f.partial);
}

// Every kind of bad DA/BRDA field, a non-record line and an unknown key (ignored). What stays
// in src/b.c: DA 1:5 and 6:0 (1 of 2), BRDA 1/0/0 taken 1 (1 of 1). src/c.c is untouched.
TEST(LcovTest, MalformedRecordsAreSkippedAndReported) {
  const ParsedCoverage c = MustParse(ReadFixture("malformed/bad_records.info"));
  EXPECT_THAT(
      Issues(c),
      ElementsAre(I{4, "DA has 1 field, expected 2 or 3 (line,count[,checksum])"},
                  I{5, "DA has 4 fields, expected 2 or 3 (line,count[,checksum])"},
                  I{6, "DA line number 0 (lines are numbered from 1)"},
                  I{7, "DA execution count '-1' is not a non-negative integer"},
                  I{8, "DA line number '99999999999' is out of range"},
                  I{9, "DA execution count '1.5' is not a non-negative integer"},
                  I{10, "BRDA taken count 'x' is neither '-' nor a non-negative integer"},
                  I{11, "BRDA has an empty block"}, I{13, "not an LCOV record: 'garbage line'"}));
  EXPECT_THAT(Paths(c), ElementsAre("src/b.c", "src/c.c"));
  const ParsedFileCoverage& b = c.files[0];
  EXPECT_THAT(Lines(b), ElementsAre(P{1, 5}, P{6, 0}));
  EXPECT_EQ(b.lines_found, 2);
  EXPECT_EQ(b.lines_hit, 1);
  EXPECT_EQ(b.branches_found, 1);
  EXPECT_EQ(b.branches_hit, 1);
  EXPECT_TRUE(b.partial);
  EXPECT_EQ(c.files[1].lines_found, 1);
  EXPECT_FALSE(c.files[1].partial);
}

// Records outside sections, an empty SF (its section skipped), and an SF that opens while
// src/e.c's section is still open. src/d.c: 2:2+3, 3:0 → 1 of 2, not partial (the stray
// records belong to no file); src/e.c: 1:0, partial.
TEST(LcovTest, RecordsOutsideSectionsAndUnterminatedSection) {
  const ParsedCoverage c = MustParse(ReadFixture("malformed/outside_section.info"));
  EXPECT_THAT(
      Issues(c),
      ElementsAre(
          I{1, "DA record outside an SF section (before SF or after end_of_record)"},
          I{6, "BRDA record outside an SF section (before SF or after end_of_record)"},
          I{7, "LF record outside an SF section (before SF or after end_of_record)"},
          I{8, "end_of_record without an open SF section"},
          I{9, "SF with an empty path; the section's records are skipped"},
          I{14,
            "SF record inside the SF section of line 12 (no end_of_record: truncated report)"}));
  EXPECT_THAT(Paths(c), ElementsAre("src/d.c", "src/e.c"));
  EXPECT_THAT(Lines(c.files[0]), ElementsAre(P{2, 5}, P{3, 0}));
  EXPECT_EQ(c.files[0].lines_found, 2);
  EXPECT_EQ(c.files[0].lines_hit, 1);
  EXPECT_FALSE(c.files[0].partial);
  EXPECT_THAT(Lines(c.files[1]), ElementsAre(P{1, 0}));
  EXPECT_TRUE(c.files[1].partial);
}

TEST(LcovTest, NotLcovIsAnError) {
  struct Case {
    std::string_view fixture;
    std::string_view message;
  };
  const Case cases[] = {
      {"malformed/not_lcov_go_profile.info",
       "line 1: not an LCOV tracefile: 'mode: set' is not an LCOV record and there is no SF "
       "record"},
      {"malformed/not_lcov_xml.info",
       "line 1: not an LCOV tracefile: '<?xml version=\"1.0\"?>' is not an LCOV record and there "
       "is no SF record"},
  };
  for (const Case& tc : cases) {
    const Result<ParsedCoverage> r = ParseLcov(ReadFixture(std::string(tc.fixture)));
    ASSERT_FALSE(r.ok()) << tc.fixture;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << tc.fixture;
    EXPECT_EQ(r.status().message(), tc.message) << tc.fixture;
  }
}

TEST(LcovTest, EmptyAndCommentOnlyInputsHaveNoFiles) {
  for (std::string_view text : {"", "\n\n", "# only a comment\r\n", "TN:\nTN:x\n"}) {
    const ParsedCoverage c = MustParse(text);
    EXPECT_TRUE(c.files.empty()) << text;
    EXPECT_TRUE(c.issues.empty()) << text;
  }
}

// A BOM, blank lines, unknown upper-case keys inside and outside sections (ignored), a final
// end_of_record with trailing blanks and no newline. 1:2, 2:0 → 1 of 2.
TEST(LcovTest, ToleratesBomBlankLinesAndUnknownKeys) {
  const ParsedCoverage c = MustParse(
      "\xEF\xBB\xBFTN:\n\nNEWKEY:1\nSF:x.c\nXYZ2:abc\nDA:1,2\n  \nDA:2,0\nend_of_record \t");
  EXPECT_TRUE(c.issues.empty());
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_THAT(Lines(c.files[0]), ElementsAre(P{1, 2}, P{2, 0}));
  EXPECT_EQ(c.files[0].lines_hit, 1);
}

// A line-less, branch-only section still names its file (0 of 0 lines) and its branches.
TEST(LcovTest, FileWithoutDaHasZeroLines) {
  const ParsedCoverage c = MustParse("SF:a.c\nFN:1,f\nBRDA:3,0,0,-\nend_of_record\n");
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].lines_found, 0);
  EXPECT_EQ(c.files[0].lines_hit, 0);
  EXPECT_EQ(c.files[0].branches_found, 1);
  EXPECT_EQ(c.files[0].branches_hit, 0);
}

// Many sections of a few files, in random order with shuffled and repeated lines, against a
// std::map model of the rule (sum per line and per (line, block, branch)).
TEST(LcovTest, RandomRepeatedSectionsMatchAMapModel) {
  std::mt19937 rng(14);
  std::map<std::string, std::map<uint32_t, uint64_t>> want_lines;
  std::map<std::string, std::map<std::tuple<uint32_t, int, std::string>, uint64_t>> want_branches;
  std::string text;
  for (int section = 0; section < 400; ++section) {
    const std::string path = "src/f" + std::to_string(rng() % 13) + ".c";
    text += "TN:t" + std::to_string(section % 3) + "\nSF:" + path + "\n";
    want_lines[path];  // a section with no DA still makes a file
    const int records = static_cast<int>(rng() % 40);
    const bool sorted = rng() % 2 == 0;
    uint32_t line = 1;
    for (int r = 0; r < records; ++r) {
      line = sorted ? line + rng() % 3 : 1 + rng() % 200;
      const uint64_t hits = rng() % 4 == 0 ? 0 : rng() % 1000;
      text += "DA:" + std::to_string(line) + "," + std::to_string(hits) + "\n";
      want_lines[path][line] += hits;
      if (rng() % 3 == 0) {
        const int block = static_cast<int>(rng() % 3);
        const std::string branch = rng() % 5 == 0 ? "a, b" : std::to_string(rng() % 2);
        const bool dash = rng() % 2 == 0;
        const uint64_t taken = dash ? 0 : rng() % 3;
        text += "BRDA:" + std::to_string(line) + "," + std::to_string(block) + "," + branch + "," +
                (dash ? std::string("-") : std::to_string(taken)) + "\n";
        want_branches[path][{line, block, branch}] += taken;
      }
    }
    text += "end_of_record\n";
  }
  const ParsedCoverage c = MustParse(text);
  EXPECT_TRUE(c.issues.empty());
  ASSERT_EQ(c.files.size(), want_lines.size());
  size_t i = 0;
  for (const auto& [path, lines] : want_lines) {
    const ParsedFileCoverage& f = c.files[i++];
    ASSERT_EQ(f.path, path);
    std::vector<P> want;
    int64_t hit = 0;
    for (const auto& [line, hits] : lines) {
      want.emplace_back(line, hits);
      hit += hits > 0 ? 1 : 0;
    }
    EXPECT_EQ(Lines(f), want) << path;
    EXPECT_EQ(f.lines_found, static_cast<int64_t>(lines.size())) << path;
    EXPECT_EQ(f.lines_hit, hit) << path;
    const auto b = want_branches.find(path);
    if (b == want_branches.end()) {
      EXPECT_FALSE(f.branches_found.has_value()) << path;
      continue;
    }
    int64_t taken = 0;
    for (const auto& [key, n] : b->second) {
      taken += n > 0 ? 1 : 0;
    }
    EXPECT_EQ(f.branches_found, static_cast<int64_t>(b->second.size())) << path;
    EXPECT_EQ(f.branches_hit, taken) << path;
  }
}

}  // namespace
}  // namespace vigil::ingest
