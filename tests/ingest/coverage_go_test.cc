// Tests of ParseGoCoverprofile (src/vigil/ingest/coverage_go.cc) against the fixtures in
// tests/data/coverage/go/: the format sheet's example, a real `go test -coverpkg` profile,
// concatenated set-mode profiles, and malformed profiles whose every issue or error is checked.
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_util.h"

#include "vigil/ingest/coverage.h"

namespace vigil::ingest {
namespace {

using ::testing::ElementsAre;
using ::vigil::testing::TestDataPath;

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
constexpr std::string_view kExpected =
    "expected '<file>:<startLine>.<startCol>,<endLine>.<endCol> <numStmts> <count>'";

std::string ReadFixture(const std::string& name) {
  std::ifstream in(TestDataPath("coverage/go/" + name), std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ParsedCoverage MustParse(std::string_view content) {
  Result<ParsedCoverage> r = ParseGoCoverprofile(content);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : ParsedCoverage{};
}

using P = std::pair<uint32_t, uint64_t>;
using I = std::pair<int64_t, std::string>;

std::vector<P> Lines(const ParsedFileCoverage& f) {
  std::vector<P> out;
  for (const CoverageLine& l : f.lines) {
    out.emplace_back(l.line, l.hits);
  }
  return out;
}

std::vector<I> Issues(const ParsedCoverage& c) {
  std::vector<I> out;
  for (const CoverageIssue& i : c.issues) {
    out.emplace_back(i.line, i.reason);
  }
  return out;
}

// Format sheet §6: block 8.30–10.2 (2 statements, count 5) covers lines 8, 9, 10; block
// 12.2–12.15 (1 statement, count 0) leaves line 12 uncovered → 3 of 4 lines (2 of 3 statements
// in Go's own terms). Module-path stripping is the importer's.
TEST(GoCoverprofileTest, FormatSheetExample) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/format_sheet_example.out"));
  EXPECT_EQ(c.format, CoverageFormat::kGo);
  ASSERT_EQ(c.files.size(), 1u);
  const ParsedFileCoverage& f = c.files[0];
  EXPECT_EQ(f.path, "github.com/acme/shop/cart/cart.go");
  EXPECT_THAT(Lines(f), ElementsAre(P{8, 5}, P{9, 5}, P{10, 5}, P{12, 0}));
  EXPECT_EQ(f.lines_found, 4);
  EXPECT_EQ(f.lines_hit, 3);
  EXPECT_FALSE(f.branches_found.has_value());
  EXPECT_FALSE(f.branches_hit.has_value());
  EXPECT_FALSE(f.partial);
  EXPECT_TRUE(c.issues.empty());
}

// A real `go test -covermode=count -coverpkg=./... -coverprofile` (Go 1.19) over a module with
// packages cart and tax: every block appears twice (once per test binary); `go tool cover
// -func` reports 81.8% (9 of 11 statements). Summed blocks:
//   cart.go 6.45–8.27 (2 stmts) 1+0, 8.27–9.12 3+0, 9.12–10.12 1+0, 12.3–12.11 2+0,
//           14.2–14.39 1+0, 17.31–17.58 0+0
//   → lines 6:1 7:1 8:max(1,3) 9:max(3,1) 10:1 12:2 14:1 17:0 → 7 of 8.
//   tax.go 4.30–5.16 1+1, 6.12–7.12 1+0, 8.12–9.11 0+1, 11.2–11.10 0+0
//   → lines 4:2 5:2 6:1 7:1 8:1 9:1 11:0 → 6 of 7.
TEST(GoCoverprofileTest, RealCoverpkgProfileSumsDuplicateBlocks) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/coverpkg_count.out"));
  EXPECT_TRUE(c.issues.empty());
  ASSERT_EQ(c.files.size(), 2u);
  const ParsedFileCoverage& cart = c.files[0];
  EXPECT_EQ(cart.path, "github.com/acme/shop/v2/cart/cart.go");
  EXPECT_THAT(Lines(cart), ElementsAre(P{6, 1}, P{7, 1}, P{8, 3}, P{9, 3}, P{10, 1}, P{12, 2},
                                       P{14, 1}, P{17, 0}));
  EXPECT_EQ(cart.lines_found, 8);
  EXPECT_EQ(cart.lines_hit, 7);
  const ParsedFileCoverage& tax = c.files[1];
  EXPECT_EQ(tax.path, "github.com/acme/shop/v2/tax/tax.go");
  EXPECT_THAT(Lines(tax),
              ElementsAre(P{4, 2}, P{5, 2}, P{6, 1}, P{7, 1}, P{8, 1}, P{9, 1}, P{11, 0}));
  EXPECT_EQ(tax.lines_found, 7);
  EXPECT_EQ(tax.lines_hit, 6);
}

// Two set-mode profiles concatenated (mode line repeated), CRLF, a blank line, a zero-statement
// block (9.1–9.20: contributes nothing), a file name holding ':' and a space. a.go merged with
// OR: 3.14–5.2 1|0, 5.2–7.3 0|1, 11.1–12.2 0 → lines 3–7 hit (5 shared, max 1), 11–12 not → 5 of
// 7. "dir:x/b c.go": 1.1–1.9 0|0 → 0 of 1.
TEST(GoCoverprofileTest, ConcatenatedSetProfiles) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/concatenated_set_crlf.out"));
  EXPECT_TRUE(c.issues.empty());
  ASSERT_EQ(c.files.size(), 2u);
  EXPECT_EQ(c.files[0].path, "example.com/m/a.go");
  EXPECT_THAT(Lines(c.files[0]),
              ElementsAre(P{3, 1}, P{4, 1}, P{5, 1}, P{6, 1}, P{7, 1}, P{11, 0}, P{12, 0}));
  EXPECT_EQ(c.files[0].lines_found, 7);
  EXPECT_EQ(c.files[0].lines_hit, 5);
  EXPECT_EQ(c.files[1].path, "example.com/m/dir:x/b c.go");
  EXPECT_THAT(Lines(c.files[1]), ElementsAre(P{1, 0}));
  EXPECT_EQ(c.files[1].lines_hit, 0);
}

// (2^64−1) + 5 saturates; a 23-digit count saturates too. Lines 1–3 all at 2^64−1.
TEST(GoCoverprofileTest, CountsSaturate) {
  const ParsedCoverage c = MustParse(ReadFixture("valid/atomic_overflow.out"));
  EXPECT_TRUE(c.issues.empty());
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_THAT(Lines(c.files[0]), ElementsAre(P{1, kMax}, P{2, kMax}, P{3, kMax}));
  EXPECT_EQ(c.files[0].lines_hit, 3);
}

// Set mode ORs duplicates (1|1 = 1); count mode sums them (1+1 = 2); adjacent blocks sharing
// line 2 give it the larger count (3, not 0).
TEST(GoCoverprofileTest, MergeRulesPerMode) {
  struct Case {
    std::string_view name;
    std::string_view text;
    std::vector<P> lines;
    int64_t hit;
  };
  const Case cases[] = {
      {"set_or", "mode: set\nf.go:1.1,1.5 1 1\nf.go:1.1,1.5 1 1\n", {P{1, 1}}, 1},
      {"count_sum", "mode: count\nf.go:1.1,1.5 1 1\nf.go:1.1,1.5 1 1\n", {P{1, 2}}, 1},
      {"atomic_sum", "mode: atomic\nf.go:1.1,1.5 1 4\nf.go:1.1,1.5 1 0\n", {P{1, 4}}, 1},
      {"shared_line_max",
       "mode: count\nf.go:2.5,4.2 1 0\nf.go:1.1,2.5 1 3\n",
       {P{1, 3}, P{2, 3}, P{3, 0}, P{4, 0}},
       2},
      {"same_line_start_other_col",
       "mode: count\nf.go:1.1,1.5 1 0\nf.go:1.6,1.9 1 2\n",
       {P{1, 2}},
       1},
      // Blocks 4e9 lines apart (the sparse path): 1:1, 2:max(1,7), 4000000000–4000000001:0.
      {"far_apart_blocks",
       "mode: count\nf.go:1.1,2.1 1 1\nf.go:4000000000.1,4000000001.1 1 0\nf.go:2.1,2.9 1 7\n",
       {P{1, 1}, P{2, 7}, P{4000000000u, 0}, P{4000000001u, 0}},
       2},
      {"leading_blank_lines_and_bom",
       "\xEF\xBB\xBF\n\nmode: count \r\nf.go:1.1,1.5 1 0\r\n",
       {P{1, 0}},
       0},
  };
  for (const Case& tc : cases) {
    const ParsedCoverage c = MustParse(tc.text);
    ASSERT_EQ(c.files.size(), 1u) << tc.name;
    EXPECT_EQ(Lines(c.files[0]), tc.lines) << tc.name;
    EXPECT_EQ(c.files[0].lines_found, static_cast<int64_t>(tc.lines.size())) << tc.name;
    EXPECT_EQ(c.files[0].lines_hit, tc.hit) << tc.name;
    EXPECT_TRUE(c.issues.empty()) << tc.name;
  }
}

TEST(GoCoverprofileTest, BadModeIsAnError) {
  struct Case {
    std::string_view name;
    std::string text;
    std::string_view message;
  };
  const Case cases[] = {
      {"no_mode", ReadFixture("malformed/no_mode.out"),
       "line 1: not a Go coverprofile: expected 'mode: set|count|atomic', found "
       "'example.com/m/a.go:1.1,2.2 1 1'"},
      {"mode_mismatch", ReadFixture("malformed/mode_mismatch.out"),
       "line 3: mode 'count' differs from mode 'set' of line 1 (profiles of different modes "
       "cannot be merged)"},
      {"unknown_mode", ReadFixture("malformed/unknown_mode.out"),
       "line 1: unknown mode 'sett' (expected set, count or atomic)"},
      {"empty", "",
       "line 1: not a Go coverprofile: no 'mode: set|count|atomic' line (empty input)"},
      {"blank_only", "\n \r\n",
       "line 1: not a Go coverprofile: no 'mode: set|count|atomic' line (empty input)"},
      {"lcov", "TN:\nSF:a.c\n",
       "line 1: not a Go coverprofile: expected 'mode: set|count|atomic', found 'TN:'"},
      {"mode_without_space", "mode:set\n",
       "line 1: not a Go coverprofile: expected 'mode: set|count|atomic', found 'mode:set'"},
  };
  for (const Case& tc : cases) {
    const Result<ParsedCoverage> r = ParseGoCoverprofile(tc.text);
    ASSERT_FALSE(r.ok()) << tc.name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << tc.name;
    EXPECT_EQ(r.status().message(), tc.message) << tc.name;
  }
}

// Each bad block line is skipped and reported; a.go keeps 1.1–2.2 (count 1: lines 1, 2) and
// 6.1–6.9 (count 0) → 2 of 3, partial. big.go is named only by a rejected block: no entry.
TEST(GoCoverprofileTest, MalformedBlocksAreSkippedAndReported) {
  const ParsedCoverage c = MustParse(ReadFixture("malformed/bad_blocks.out"));
  const std::string want_fields = "block line has fewer than 3 fields; " + std::string(kExpected);
  EXPECT_THAT(
      Issues(c),
      ElementsAre(
          I{3, want_fields},
          I{4, "no ':' between file name and positions; " + std::string(kExpected)},
          I{5, "empty file name; " + std::string(kExpected)},
          I{6, "positions '1.1;2.2' are not <startLine>.<startCol>,<endLine>.<endCol>"},
          I{7, "numStmts 'x' is not a non-negative integer"},
          I{8, "count '-1' is not a non-negative integer"},
          I{9, "line number 0 (lines are numbered from 1)"},
          I{10, "block 5.1,4.2 ends before it starts"},
          I{11, "block 5.9,5.2 ends before it starts"},
          I{12, "block 1.1,100001.2 spans more than 100000 lines"},
          I{13, "block 1.1,2.2 has 2 statements, but 1 at line 2; the later block is skipped"}));
  ASSERT_EQ(c.files.size(), 1u);
  EXPECT_EQ(c.files[0].path, "example.com/m/a.go");
  EXPECT_THAT(Lines(c.files[0]), ElementsAre(P{1, 1}, P{2, 1}, P{6, 0}));
  EXPECT_EQ(c.files[0].lines_found, 3);
  EXPECT_EQ(c.files[0].lines_hit, 2);
  EXPECT_TRUE(c.files[0].partial);
}

// A profile with only a mode line is valid and empty.
TEST(GoCoverprofileTest, ModeOnlyHasNoFiles) {
  const ParsedCoverage c = MustParse("mode: atomic\n");
  EXPECT_TRUE(c.files.empty());
  EXPECT_TRUE(c.issues.empty());
}

}  // namespace
}  // namespace vigil::ingest
