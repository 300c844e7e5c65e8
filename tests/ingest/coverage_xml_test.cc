// Tests of the Cobertura and JaCoCo parsers (coverage_xml.cc) on real gcovr 5.2, coverage.py
// 6.5 and nyc 15 reports, composed Java Cobertura and JaCoCo reports, hostile documents (XXE,
// billion laughs) and malformed ones. Fixtures: tests/data/coverage/{cobertura,jacoco}/; the
// README there says how each real report was made. ParseCobertura/ParseJacoco are called
// directly so this suite never needs the LCOV and Go parsers.
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"

#include "vigil/ingest/coverage.h"

namespace vigil::ingest {
namespace {

using ::testing::HasSubstr;
using ::vigil::testing::TestDataPath;

std::string ReadFixture(const std::string& relative) {
  std::ifstream in(TestDataPath(relative), std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// What one file should hold. Lines as (number, hits) pairs.
struct WantFile {
  std::string path;
  std::vector<std::pair<uint32_t, uint64_t>> lines;
  int64_t lines_found = 0;
  int64_t lines_hit = 0;
  std::optional<int64_t> branches_found;
  std::optional<int64_t> branches_hit;
  bool partial = false;
};

void ExpectFile(const ParsedFileCoverage& got, const WantFile& want) {
  SCOPED_TRACE(want.path);
  EXPECT_EQ(got.path, want.path);
  std::vector<std::pair<uint32_t, uint64_t>> lines;
  for (const CoverageLine& l : got.lines) {
    lines.emplace_back(l.line, l.hits);
  }
  EXPECT_EQ(lines, want.lines);
  EXPECT_EQ(got.lines_found, want.lines_found);
  EXPECT_EQ(got.lines_hit, want.lines_hit);
  EXPECT_EQ(got.branches_found, want.branches_found);
  EXPECT_EQ(got.branches_hit, want.branches_hit);
  EXPECT_EQ(got.partial, want.partial);
}

void ExpectFiles(const ParsedCoverage& got, const std::vector<WantFile>& want) {
  ASSERT_EQ(got.files.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ExpectFile(got.files[i], want[i]);
  }
}

// An issue's line and a part of its reason.
struct WantIssue {
  int64_t line;
  std::string reason_part;
};

void ExpectIssues(const ParsedCoverage& got, const std::vector<WantIssue>& want) {
  ASSERT_EQ(got.issues.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].reason_part);
    EXPECT_EQ(got.issues[i].line, want[i].line) << got.issues[i].reason;
    EXPECT_THAT(got.issues[i].reason, HasSubstr(want[i].reason_part));
  }
}

std::optional<core::Timestamp> Ms(int64_t ms) {
  return core::Timestamp::FromUnixMillis(ms);
}

// ---------------------------------------------------------------------------------------------
// Cobertura: real reports

// gcovr 5.2 over tests/data/coverage/cobertura/valid/gcovr-5.2-src. gcovr's own summary of the
// run (README.md there): src/cart.c 12 lines / 10 exec, 8 branches / 5 taken; src/main.c 9 / 6,
// 2 / 1; util.c 6 / 4, 4 / 2. vigil must agree with it exactly:
// - cart.c branches: line 5 "(2/2)" + line 8 "(2/4)" + line 17 "(1/2)" = 5 of 8;
// - main.c: line 14 "(1/2)"; util.c: lines 2 and 5, "(1/2)" each = 2 of 4;
// - lines hit = lines with hits > 0 (cart.c misses 11 and 18, main.c 6, 7, 15, util.c 3, 8).
std::vector<WantFile> GcovrFiles() {
  return {
      {"src/cart.c",
       {{3, 1},
        {4, 1},
        {5, 4},
        {6, 3},
        {8, 1},
        {9, 1},
        {11, 0},
        {13, 1},
        {16, 1},
        {17, 1},
        {18, 0},
        {20, 1}},
       12,
       10,
       8,
       5},
      {"src/main.c",
       {{6, 0}, {7, 0}, {10, 1}, {12, 1}, {13, 1}, {14, 1}, {15, 0}, {17, 1}, {18, 1}},
       9,
       6,
       2,
       1},
      {"util.c", {{1, 1}, {2, 1}, {3, 0}, {5, 1}, {6, 1}, {8, 0}}, 6, 4, 4, 2},
  };
}

TEST(CoberturaTest, Gcovr52PrettyMatchesGcovrSummary) {
  Result<ParsedCoverage> r =
      ParseCobertura(ReadFixture("coverage/cobertura/valid/gcovr-5.2-pretty.xml"));
  ASSERT_OK(r);
  EXPECT_EQ(r->format, CoverageFormat::kCobertura);
  EXPECT_EQ(r->source_roots, std::vector<std::string>{"."});
  // gcovr writes epoch seconds: timestamp="1795588461".
  EXPECT_EQ(r->timestamp, Ms(1795588461000));
  EXPECT_TRUE(r->issues.empty());
  ExpectFiles(*r, GcovrFiles());
}

TEST(CoberturaTest, Gcovr52TwoLineDocumentReadsTheSame) {
  const std::string xml = ReadFixture("coverage/cobertura/valid/gcovr-5.2-two-lines.xml");
  // gcovr's non-pretty form: the declaration, then everything else on line 2.
  ASSERT_EQ(std::count(xml.begin(), xml.end(), '\n'), 2);
  Result<ParsedCoverage> r = ParseCobertura(xml);
  ASSERT_OK(r);
  EXPECT_EQ(r->timestamp, Ms(1795588462000));
  ExpectFiles(*r, GcovrFiles());
}

// coverage.py 6.5 (README.md): pkg/cart.py 11 statements, 1 missed (line 12); branches on
// lines 3 "(2/2)", 5 "(1/2)" and 11 "(1/2)" = 4 of 6 taken, as `coverage report` says (6
// branches, 2 partial). pkg/__init__.py has no statements: a file with 0 of 0. coverage.py's
// timestamp is in milliseconds (1795588481332).
TEST(CoberturaTest, CoveragePy65) {
  Result<ParsedCoverage> r =
      ParseCobertura(ReadFixture("coverage/cobertura/valid/coveragepy-6.5.xml"));
  ASSERT_OK(r);
  EXPECT_EQ(r->source_roots, std::vector<std::string>{"/tmp/pycov"});
  EXPECT_EQ(r->timestamp, Ms(1795588481332));
  EXPECT_TRUE(r->issues.empty());
  ExpectFiles(*r, {{"pkg/__init__.py", {}, 0, 0, std::nullopt, std::nullopt},
                   {"pkg/cart.py",
                    {{1, 1},
                     {2, 1},
                     {3, 1},
                     {4, 1},
                     {5, 1},
                     {6, 1},
                     {7, 1},
                     {10, 1},
                     {11, 1},
                     {12, 0},
                     {13, 1}},
                    11,
                    10,
                    6,
                    4}});
}

// nyc 15 (README.md): lib/cart.js 8 of 9 lines (line 17 missed), branches line 6 "(3/4)" +
// line 13 "(1/2)" = 4 of 6. The function lines 1, 12 and 16 are only under <methods> and
// must not count (nyc's text report says 88.88% = 8/9, not 9/12).
TEST(CoberturaTest, IstanbulNyc15SkipsMethodLines) {
  Result<ParsedCoverage> r =
      ParseCobertura(ReadFixture("coverage/cobertura/valid/istanbul-nyc-15.xml"));
  ASSERT_OK(r);
  EXPECT_EQ(r->source_roots, std::vector<std::string>{"/tmp/jscov"});
  EXPECT_EQ(r->timestamp, Ms(1795588503333));
  ExpectFiles(*r, {{"lib/cart.js",
                    {{2, 1}, {3, 1}, {4, 3}, {6, 1}, {7, 1}, {9, 1}, {13, 1}, {17, 0}, {20, 1}},
                    9,
                    8,
                    6,
                    4},
                   {"run.js", {{1, 1}, {2, 1}}, 2, 2, std::nullopt, std::nullopt}});
}

// Java Cobertura: Cart, Cart$Item and Cart$1 share Cart.java. Distinct lines 5, 9, 10, 11, 13,
// 20, 21, 25, 26 = 9 found; hit all but 11, 25, 26 = 6. Line 13 is in Cart (3 hits) and Cart$1
// (2 hits): max = 3, not 5. Branches: line 10 "(1/2)" + line 26 "(0/2)" = 1 of 4. Method
// lines repeat class lines and are not counted again. Timestamp in milliseconds. Sources
// trimmed. Ledger.java line 3 has 2^63 - 1 hits.
TEST(CoberturaTest, JavaCoberturaInnerClassesShareAFile) {
  Result<ParsedCoverage> r =
      ParseCobertura(ReadFixture("coverage/cobertura/valid/java-cobertura-inner-classes.xml"));
  ASSERT_OK(r);
  EXPECT_EQ(r->source_roots,
            (std::vector<std::string>{"/home/ci/shop/src/main/java", "src/test/java"}));
  EXPECT_EQ(r->timestamp, Ms(1700000000123));
  EXPECT_TRUE(r->issues.empty());
  ExpectFiles(*r, {{"com/acme/cart/Cart.java",
                    {{5, 3}, {9, 3}, {10, 3}, {11, 0}, {13, 3}, {20, 5}, {21, 5}, {25, 0}, {26, 0}},
                    9,
                    6,
                    4,
                    1},
                   {"com/acme/pay/Ledger.java",
                    {{3, 9223372036854775807u}, {4, 0}},
                    2,
                    1,
                    std::nullopt,
                    std::nullopt}});
}

// ---------------------------------------------------------------------------------------------
// Cobertura: rules on small documents

std::string CoberturaDoc(std::string_view root_attrs, std::string_view lines) {
  return "<coverage" + std::string(root_attrs) +
         "><packages><package name=\"p\"><classes><class name=\"a\" filename=\"a.c\"><lines>" +
         std::string(lines) + "</lines></class></classes></package></packages></coverage>";
}

TEST(CoberturaTest, RepeatedLineTakesMaxHitsAndWidestBranchData) {
  // Line 7 three times: hits max(2, 9, 0) = 9; branch data (1/2), (2/4), (0/4): the largest
  // total is 4, of those the largest covered is 2 → 2 of 4. Line 8 once without branches.
  Result<ParsedCoverage> r = ParseCobertura(CoberturaDoc(
      "", R"xml(<line number="7" hits="2" branch="true" condition-coverage="50% (1/2)"/>
             <line number="8" hits="0"/>
             <line number="7" hits="9" branch="true" condition-coverage="50% (2/4)"/>
             <line number="7" hits="0" branch="true" condition-coverage="0% (0/4)"/>)xml"));
  ASSERT_OK(r);
  ExpectFiles(*r, {{"a.c", {{7, 9}, {8, 0}}, 2, 1, 4, 2}});
}

TEST(CoberturaTest, LinesOutOfOrderAreSortedAndHugeHitsKept) {
  // uint64 max hits is kept as is; lines 3 and 1 come back sorted.
  Result<ParsedCoverage> r = ParseCobertura(CoberturaDoc(
      "", R"xml(<line number="3" hits="18446744073709551615"/><line number="1" hits="1"/>)xml"));
  ASSERT_OK(r);
  ExpectFiles(*r, {{"a.c",
                    {{1, 1}, {3, std::numeric_limits<uint64_t>::max()}},
                    2,
                    2,
                    std::nullopt,
                    std::nullopt}});
}

TEST(CoberturaTest, BranchFalseIgnoresConditionCoverage) {
  // branch absent or "false": no branch data even with the DTD's default "100%" written out;
  // branch="TRUE" is read like "true".
  Result<ParsedCoverage> r =
      ParseCobertura(CoberturaDoc("", R"xml(<line number="1" hits="1" condition-coverage="100%"/>
             <line number="2" hits="1" branch="false" condition-coverage="50% (1/2)"/>
             <line number="3" hits="1" branch="TRUE" condition-coverage="100% (4/4)"/>)xml"));
  ASSERT_OK(r);
  ExpectFiles(*r, {{"a.c", {{1, 1}, {2, 1}, {3, 1}}, 3, 3, 4, 4}});
}

TEST(CoberturaTest, TimestampSecondsOrMillisecondsByMagnitude) {
  struct Case {
    std::string attr;
    std::optional<core::Timestamp> want;
    size_t issues;
  };
  const Case cases[] = {
      // Below 1e11: seconds (1e11 s is the year 5138).
      {R"xml( timestamp="1700000000")xml", Ms(1700000000000), 0},
      {R"xml( timestamp="99999999999")xml", Ms(99999999999000), 0},
      // From 1e11 on: milliseconds (1e11 ms is 1973-03-03).
      {R"xml( timestamp="100000000000")xml", Ms(100000000000), 0},
      {R"xml( timestamp="1700000000123")xml", Ms(1700000000123), 0},
      // Absent, empty or 0: no time (0 is what SOURCE_DATE_EPOCH=0 builds write).
      {"", std::nullopt, 0},
      {R"xml( timestamp="")xml", std::nullopt, 0},
      {R"xml( timestamp="0")xml", std::nullopt, 0},
      // Not a number: no time, one issue.
      {R"xml( timestamp="2024-01-01")xml", std::nullopt, 1},
      {R"xml( timestamp="-5")xml", std::nullopt, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.attr);
    Result<ParsedCoverage> r = ParseCobertura(CoberturaDoc(c.attr, ""));
    ASSERT_OK(r);
    EXPECT_EQ(r->timestamp, c.want);
    EXPECT_EQ(r->issues.size(), c.issues);
    if (c.issues == 1) {
      EXPECT_EQ(r->issues[0].line, 1);
      EXPECT_THAT(r->issues[0].reason, HasSubstr("<coverage> timestamp"));
    }
  }
}

TEST(CoberturaTest, SourcesTrimmedInOrderEmptyOnesSkipped) {
  // coverage.py writes an empty <source></source> when a measured file lies outside every
  // source directory; it names no root and is skipped.
  Result<ParsedCoverage> r = ParseCobertura(
      "<coverage><sources><source>\n\t/b/src \n</source><source></source>"
      "<source>  </source><source>/a</source><source>rel/dir</source></sources>"
      "<packages/></coverage>");
  ASSERT_OK(r);
  EXPECT_EQ(r->source_roots, (std::vector<std::string>{"/b/src", "/a", "rel/dir"}));
  EXPECT_TRUE(r->files.empty());
}

TEST(CoberturaTest, EscapedFilenameAndUtf8ByteOrderMark) {
  Result<ParsedCoverage> r = ParseCobertura(
      "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n"
      "<coverage><packages><package name=\"\"><classes><class filename=\"R&amp;D/x&lt;1&gt;.c\">"
      "<lines><line number=\"1\" hits=\"1\"/></lines></class></classes></package></packages>"
      "</coverage>");
  ASSERT_OK(r);
  ExpectFiles(*r, {{"R&D/x<1>.c", {{1, 1}}, 1, 1, std::nullopt, std::nullopt}});
}

TEST(CoberturaTest, ClassWithoutLinesIsAFileWithNothingFound) {
  Result<ParsedCoverage> r = ParseCobertura(
      R"xml(<coverage><packages><package><classes><class filename="empty.h"/></classes></package>
         </packages></coverage>)xml");
  ASSERT_OK(r);
  ExpectFiles(*r, {{"empty.h", {}, 0, 0, std::nullopt, std::nullopt}});
}

// ---------------------------------------------------------------------------------------------
// Cobertura: malformed records (skipped, reported, file partial)

TEST(CoberturaTest, LineWithoutNumberIsSkippedAndReported) {
  // Fixture lines 9 (no number), 10 ("x7"), 11 (0) are skipped; lines 1 and 3 are kept.
  Result<ParsedCoverage> r =
      ParseCobertura(ReadFixture("coverage/cobertura/malformed/line-without-number.xml"));
  ASSERT_OK(r);
  ExpectIssues(*r, {{9, "<line> without a number attribute"},
                    {10, "<line> number 'x7' is not a line number"},
                    {11, "<line> number '0' is not a line number"}});
  ExpectFiles(*r, {{"pkg/a.py", {{1, 1}, {3, 0}}, 2, 1, std::nullopt, std::nullopt, true}});
}

TEST(CoberturaTest, NegativeOrNonNumericHitsAreSkippedAndReported) {
  Result<ParsedCoverage> r =
      ParseCobertura(ReadFixture("coverage/cobertura/malformed/negative-hits.xml"));
  ASSERT_OK(r);
  ExpectIssues(*r, {{9, "<line number=\"3\"> hits '-1' is negative"},
                    {10, "<line number=\"4\"> hits 'many' is not a whole number"},
                    {11, "<line number=\"5\"> hits '18446744073709551616' is out of range"},
                    {12, "<line number=\"6\"> hits is missing"}});
  ExpectFiles(*r, {{"src/b.c", {{2, 3}, {7, 0}}, 2, 1, std::nullopt, std::nullopt, true}});
  EXPECT_EQ(r->timestamp, Ms(1700000000000));
}

TEST(CoberturaTest, ConditionCoverageWithoutFractionIsSkippedAndReported) {
  // Kept: line 10 (1/2) and line 14 (branch="false"); so 2 lines, both hit, 1 of 2 branches.
  Result<ParsedCoverage> r = ParseCobertura(
      ReadFixture("coverage/cobertura/malformed/condition-coverage-without-fraction.xml"));
  ASSERT_OK(r);
  ExpectIssues(*r, {{9, "<line number=\"11\"> condition-coverage '50%' has no \"(covered/total)\""},
                    {10, "condition-coverage '150% (3/2)' covers more branches than there are"},
                    {11, "branch=\"true\" but condition-coverage is missing"}});
  ExpectFiles(*r, {{"src/c.c", {{10, 2}, {14, 1}}, 2, 2, 2, 1, true}});
}

TEST(CoberturaTest, ConditionCoverageForms) {
  struct Case {
    std::string value;
    std::optional<std::pair<int64_t, int64_t>> want;  // (found, hit); nullopt: skipped
  };
  const Case cases[] = {
      {"50% (1/2)", std::make_pair(2, 1)},
      {"(3/4)", std::make_pair(4, 3)},
      {"0% (0/0)", std::make_pair(0, 0)},  // nothing to cover: 0 of 0, still branch data
      {"100% (4294967295/4294967295)", std::make_pair(4294967295, 4294967295)},
      {"50% (1/2", std::nullopt},
      {"50% (1 / 2)", std::nullopt},
      {"50% (a/2)", std::nullopt},
      {"50% (/2)", std::nullopt},
      {"100% (4294967296/4294967296)", std::nullopt},  // past uint32: not a real line
      {"", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    Result<ParsedCoverage> r = ParseCobertura(
        CoberturaDoc("", R"xml(<line number="1" hits="1" branch="true" condition-coverage=")xml" +
                             c.value + R"xml("/><line number="2" hits="0"/>)xml"));
    ASSERT_OK(r);
    ASSERT_EQ(r->files.size(), 1u);
    const ParsedFileCoverage& f = r->files[0];
    if (c.want) {
      EXPECT_TRUE(r->issues.empty());
      EXPECT_EQ(f.lines_found, 2);
      EXPECT_EQ(f.branches_found, c.want->first);
      EXPECT_EQ(f.branches_hit, c.want->second);
    } else {
      ASSERT_EQ(r->issues.size(), 1u);
      EXPECT_THAT(r->issues[0].reason, HasSubstr("condition-coverage"));
      // Line 1 skipped, line 2 has no branch data: no branch data at all.
      EXPECT_EQ(f.lines_found, 1);
      EXPECT_EQ(f.branches_found, std::nullopt);
      EXPECT_TRUE(f.partial);
    }
  }
}

TEST(CoberturaTest, ClassWithoutFilenameIsSkippedAndReported) {
  Result<ParsedCoverage> r =
      ParseCobertura(ReadFixture("coverage/cobertura/malformed/class-without-filename.xml"));
  ASSERT_OK(r);
  ExpectIssues(*r, {{6, "<class name='lost_c'> without a filename"}});
  // No file to mark partial: the lost class names none.
  ExpectFiles(*r, {{"src/d.c", {{1, 1}}, 1, 1, std::nullopt, std::nullopt, false}});
}

TEST(CoberturaTest, IssueReasonNamesTheByteOffset) {
  // In a one-line document every line number is 1; the byte offset of the element's '<'
  // locates it: `<coverage><packages>...<lines>` is 10 + 10 + 18 + 9 + 31 + 7 = 85 bytes, so the
  // bad <line> starts at byte 85.
  const std::string doc = CoberturaDoc("", R"xml(<line number="x" hits="1"/>)xml");
  ASSERT_EQ(doc.find("<line "), 85u);
  Result<ParsedCoverage> r = ParseCobertura(doc);
  ASSERT_OK(r);
  ASSERT_EQ(r->issues.size(), 1u);
  EXPECT_EQ(r->issues[0].line, 1);
  EXPECT_EQ(r->issues[0].reason,
            "<line> number 'x' is not a line number (1 to 4294967295); skipped (byte 85)");
}

// ---------------------------------------------------------------------------------------------
// Cobertura: not a report at all (errors)

TEST(CoberturaTest, DocumentErrorsNameLineAndReason) {
  struct Case {
    std::string fixture_or_text;
    bool is_fixture;
    std::string message_part;
  };
  const Case cases[] = {
      // </line> closes <lines> on line 9.
      {"coverage/cobertura/malformed/mismatched-tag.xml", true,
       "line 9: not well-formed XML: Start-end tags mismatch"},
      // The first 330 bytes of the gcovr report: cut inside the root's attributes, line 3.
      {"coverage/cobertura/malformed/truncated.xml", true, "line 3: not well-formed XML: "},
      {"coverage/cobertura/malformed/wrong-root.xml", true,
       "line 3: root element <report> is not <coverage>: not a Cobertura report"},
      {"coverage/cobertura/malformed/two-roots.xml", true,
       "line 6: a second root element <coverage>"},
      // No element at all: the line where one was expected (the first non-blank byte).
      {"", false, "line 1: not an XML document: no root element"},
      {"\n\n  ", false, "line 1: not an XML document: no root element"},
      {"\n<!-- only a comment -->", false, "line 2: not an XML document: no root element"},
      {"mode: set\nx.go:1.1,2.2 1 1\n", false, "line 1: not an XML document: no root element"},
      {std::string("\xFF\xFE<\0c\0/\0>\0", 10), false, "line 1: the report is UTF-16"},
      {std::string("<coverage>\0</coverage>", 22), false, "line 1: not well-formed XML"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fixture_or_text);
    Result<ParsedCoverage> r =
        ParseCobertura(c.is_fixture ? ReadFixture(c.fixture_or_text) : c.fixture_or_text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.message_part));
  }
  // A default view (null data) is the empty document.
  Result<ParsedCoverage> empty = ParseCobertura(std::string_view());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "line 1: not an XML document: no root element");
}

// ---------------------------------------------------------------------------------------------
// Security: DTDs are never read, entities never expanded (documents parse, entities stay text)

TEST(CoberturaTest, XxeEntityIsNotExpanded) {
  // The internal subset declares a file entity and an external parameter entity. Neither is
  // read: the DOCTYPE is skipped and "&xxe;" stays literal text, so the path is "&xxe;".
  Result<ParsedCoverage> r = ParseCobertura(ReadFixture("coverage/cobertura/malformed/xxe.xml"));
  ASSERT_OK(r);
  EXPECT_EQ(r->source_roots, std::vector<std::string>{"&xxe;"});
  ExpectFiles(*r, {{"&xxe;", {{1, 1}}, 1, 1, std::nullopt, std::nullopt}});
}

TEST(CoberturaTest, BillionLaughsIsNotExpanded) {
  // 10^9 "lol"s if expanded (3 GB); instead the reference stays as 7 bytes of text, quickly.
  const auto start = std::chrono::steady_clock::now();
  Result<ParsedCoverage> r =
      ParseCobertura(ReadFixture("coverage/cobertura/malformed/billion-laughs.xml"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_OK(r);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  EXPECT_EQ(r->source_roots, std::vector<std::string>{"&lol9;"});
  ExpectFiles(*r, {{"src/&lol9;.c", {{1, 1}}, 1, 1, std::nullopt, std::nullopt}});
}

// ---------------------------------------------------------------------------------------------
// JaCoCo

// Groups nest (shop-core > shop-core-api); the latest sessioninfo dump is 1700000160500.
// - Cart.java: its own LINE counter says missed 1, covered 6 → 7 found, 6 hit. The class
//   counters would add up to 1 + 0 missed, 4 + 3 covered = 8 found (line 13 is in both
//   classes): never used. BRANCH counter 1 + 1 → 2 found, 1 hit. Line hits: 1 where ci > 0
//   (line 11 has ci 0); lines 20 and 21 omit mi/mb/cb (0 by the DTD).
// - Gateway.java (an interface): no lines, no counters → 0 of 0, no branch data.
// - Main.java in the default package "" → path "Main.java": LINE 1 + 2 → 3 found, 2 hit;
//   BRANCH missed 2, covered 0 → 2 found, 0 hit.
TEST(JacocoTest, MultiModuleGroupsInterfaceAndOwnCounters) {
  Result<ParsedCoverage> r = ParseJacoco(ReadFixture("coverage/jacoco/valid/multi-module.xml"));
  ASSERT_OK(r);
  EXPECT_EQ(r->format, CoverageFormat::kJacoco);
  EXPECT_TRUE(r->source_roots.empty());
  EXPECT_EQ(r->timestamp, Ms(1700000160500));
  EXPECT_TRUE(r->issues.empty());
  ExpectFiles(*r, {{"Main.java", {{3, 1}, {4, 0}, {7, 1}}, 3, 2, 2, 0},
                   {"com/acme/api/Gateway.java", {}, 0, 0, std::nullopt, std::nullopt},
                   {"com/acme/cart/Cart.java",
                    {{5, 1}, {9, 1}, {10, 1}, {11, 0}, {13, 1}, {20, 1}, {21, 1}},
                    7,
                    6,
                    2,
                    1}});
}

TEST(JacocoTest, OneLineReportWithOmittedZeroAttributes) {
  // Invoice.java: LINE missed 1 covered 2 → 3 / 2; BRANCH 1 + 1 → 2 / 1. Line 9 has no ci
  // (0) → 0 hits.
  Result<ParsedCoverage> r = ParseJacoco(ReadFixture("coverage/jacoco/valid/one-line.xml"));
  ASSERT_OK(r);
  EXPECT_EQ(r->timestamp, Ms(1700000001000));
  ExpectFiles(*r, {{"com/acme/billing/Invoice.java", {{8, 1}, {9, 0}, {10, 1}}, 3, 2, 2, 1}});
}

TEST(JacocoTest, SamePathInTwoModulesAddsCountersAndMergesLines) {
  // module-a: LINE 1 + 1 (2 found, 1 hit), no BRANCH; module-b: LINE 1 + 1, BRANCH 1 + 1.
  // Sum: 4 found, 2 hit, 2 branches, 1 hit. Lines: 3 (hit in a), 4 (missed in a, hit in b →
  // hit), 6 (missed in b).
  Result<ParsedCoverage> r =
      ParseJacoco(ReadFixture("coverage/jacoco/valid/same-path-in-two-modules.xml"));
  ASSERT_OK(r);
  EXPECT_EQ(r->timestamp, std::nullopt);
  ExpectFiles(*r, {{"com/acme/util/Strings.java", {{3, 1}, {4, 1}, {6, 0}}, 4, 2, 2, 1}});
}

TEST(JacocoTest, NonNumericCountersAreSkippedAndLinesCountInstead) {
  // A.java: both counters are bad (lines 8, 9); found/hit then come from its lines as JaCoCo
  // computes them: 3 lines, 2 with ci > 0; branches from mb + cb: line 5 has 1 + 1 → 2 / 1.
  // B.java: LINE covered overflows (line 13): 1 line, hit.
  Result<ParsedCoverage> r =
      ParseJacoco(ReadFixture("coverage/jacoco/malformed/counter-not-numeric.xml"));
  ASSERT_OK(r);
  ExpectIssues(
      *r,
      {{8, "<counter type=\"BRANCH\"> in 'com/acme/A.java' covered 'one' is not a whole number"},
       {9, "<counter type=\"LINE\"> in 'com/acme/A.java' missed '-1' is negative"},
       {13, "covered '99999999999999999999999' is out of range"}});
  ExpectFiles(*r, {{"com/acme/A.java", {{3, 1}, {4, 0}, {5, 1}}, 3, 2, 2, 1, true},
                   {"com/acme/B.java", {{1, 1}}, 1, 1, std::nullopt, std::nullopt, true}});
}

TEST(JacocoTest, BadLineNumbersAreSkippedAndReported) {
  // Only line 3 survives; the LINE counter (0 missed, 6 covered) is still the file's total.
  Result<ParsedCoverage> r = ParseJacoco(ReadFixture("coverage/jacoco/malformed/line-bad-nr.xml"));
  ASSERT_OK(r);
  ExpectIssues(*r, {{6, "nr '0' is not a line number"},
                    {7, "nr 'x' is not a whole number"},
                    {8, "without an nr attribute"},
                    {9, "ci '-2' is negative"},
                    {10, "ci '0x1' is not a whole number"}});
  ExpectFiles(*r, {{"com/acme/C.java", {{3, 1}}, 6, 6, std::nullopt, std::nullopt, true}});
}

TEST(JacocoTest, SourcefileWithoutNameAndBadDumpAreReported) {
  Result<ParsedCoverage> r =
      ParseJacoco(ReadFixture("coverage/jacoco/malformed/sourcefile-without-name.xml"));
  ASSERT_OK(r);
  ExpectIssues(*r, {{3, "<sessioninfo> dump 'soon' is not a whole number"},
                    {5, "<sourcefile> without a name in package 'com/acme'"}});
  EXPECT_EQ(r->timestamp, std::nullopt);
  ExpectFiles(*r, {{"com/acme/D.java", {{1, 1}}, 1, 1, std::nullopt, std::nullopt, false}});
}

TEST(JacocoTest, DocumentErrorsNameLineAndReason) {
  struct Case {
    std::string text;
    std::string message_part;
  };
  const Case cases[] = {
      {ReadFixture("coverage/jacoco/malformed/mismatched-tag.xml"),
       "line 6: not well-formed XML: Start-end tags mismatch"},
      {ReadFixture("coverage/jacoco/malformed/wrong-root.xml"),
       "line 4: root element <coverage> is not <report>: not a JaCoCo report"},
      {"", "line 1: not an XML document: no root element"},
      {"<report", "line 1: not well-formed XML"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message_part);
    Result<ParsedCoverage> r = ParseJacoco(c.text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.message_part));
  }
}

TEST(JacocoTest, XxeAndBillionLaughsAreNotExpanded) {
  Result<ParsedCoverage> xxe = ParseJacoco(ReadFixture("coverage/jacoco/malformed/xxe.xml"));
  ASSERT_OK(xxe);
  ExpectFiles(*xxe, {{"&xxe;/F.java", {{1, 1}}, 1, 1, std::nullopt, std::nullopt}});

  const auto start = std::chrono::steady_clock::now();
  Result<ParsedCoverage> lol =
      ParseJacoco(ReadFixture("coverage/jacoco/malformed/billion-laughs.xml"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ASSERT_OK(lol);
  // No LINE counter: one line, hit (ci 1).
  ExpectFiles(*lol, {{"com/&lol9;/G.java", {{1, 1}}, 1, 1, std::nullopt, std::nullopt}});
}

TEST(JacocoTest, DeeplyNestedGroupsDoNotExhaustTheStack) {
  // 100 000 nested groups around one package: walked without recursion.
  constexpr int kDepth = 100000;
  std::string doc = "<report name=\"deep\">";
  for (int i = 0; i < kDepth; ++i) {
    doc += "<group name=\"g\">";
  }
  doc += R"xml(<package name="p"><sourcefile name="S.java"><line nr="2" ci="1"/>)xml"
         R"xml(<counter type="LINE" covered="1"/></sourcefile></package>)xml";
  for (int i = 0; i < kDepth; ++i) {
    doc += "</group>";
  }
  doc += R"xml(<sessioninfo id="late" start="1" dump="5"/></report>)xml";
  Result<ParsedCoverage> r = ParseJacoco(doc);
  ASSERT_OK(r);
  ExpectFiles(*r, {{"p/S.java", {{2, 1}}, 1, 1, std::nullopt, std::nullopt}});
  EXPECT_EQ(r->timestamp, Ms(5));
}

TEST(JacocoTest, OnlyTopLevelSessioninfoAndSourcefileCountersAreRead) {
  // A sessioninfo inside a group is not JaCoCo's layout and is not read; counters of the
  // package, the class and the method never reach the file.
  Result<ParsedCoverage> r = ParseJacoco(
      R"xml(<report name="r"><group name="g"><sessioninfo id="x" start="1" dump="9"/>)xml"
      R"xml(<package name="p"><class name="p/K"><counter type="LINE" missed="5" covered="5"/>)xml"
      R"xml(</class><sourcefile name="K.java"><line nr="1" mi="1"/></sourcefile>)xml"
      R"xml(<counter type="LINE" missed="7" covered="7"/></package></group></report>)xml");
  ASSERT_OK(r);
  EXPECT_EQ(r->timestamp, std::nullopt);
  ExpectFiles(*r, {{"p/K.java", {{1, 0}}, 1, 0, std::nullopt, std::nullopt}});
}

}  // namespace
}  // namespace vigil::ingest
