#include "vigil/ingest/coverage_paths.h"

#include <set>
#include <string>
#include <vector>

#include "test_util.h"

#include "vigil/ingest/coverage.h"

namespace vigil::ingest {
namespace {

TEST(DetectCoverageFormatTest, RecognisesEachFormatFromItsFirstBytes) {
  EXPECT_EQ(DetectCoverageFormat("mode: set\nx.go:1.1,2.2 1 1\n"), CoverageFormat::kGo);
  EXPECT_EQ(DetectCoverageFormat("TN:\nSF:/a.c\n"), CoverageFormat::kLcov);
  EXPECT_EQ(DetectCoverageFormat("SF:src/a.c\nDA:1,1\n"), CoverageFormat::kLcov);
  EXPECT_EQ(DetectCoverageFormat("# lcov --comment\nTN:x\n"), CoverageFormat::kLcov);
  EXPECT_EQ(DetectCoverageFormat("\xEF\xBB\xBF  \nVER:1\n"), CoverageFormat::kLcov);
  EXPECT_EQ(DetectCoverageFormat("<?xml version=\"1.0\" ?>\n<!DOCTYPE coverage SYSTEM "
                                 "\"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">\n"
                                 "<!-- gcovr -->\n<coverage line-rate=\"1\">"),
            CoverageFormat::kCobertura);
  EXPECT_EQ(DetectCoverageFormat("<?xml version=\"1.0\"?><!DOCTYPE report PUBLIC "
                                 "\"-//JACOCO//DTD Report 1.1//EN\" \"report.dtd\"><report "
                                 "name=\"x\">"),
            CoverageFormat::kJacoco);
  EXPECT_EQ(DetectCoverageFormat("<html><body>"), std::nullopt);
  EXPECT_EQ(DetectCoverageFormat("{\"coverage\": 1}"), std::nullopt);
  EXPECT_EQ(DetectCoverageFormat(""), std::nullopt);
  EXPECT_EQ(DetectCoverageFormat("# only a comment"), std::nullopt);
}

TEST(CoverageFormatNameTest, RoundTrips) {
  for (CoverageFormat f : {CoverageFormat::kLcov, CoverageFormat::kCobertura,
                           CoverageFormat::kJacoco, CoverageFormat::kGo}) {
    EXPECT_EQ(ParseCoverageFormatName(CoverageFormatName(f)), f);
  }
  EXPECT_EQ(ParseCoverageFormatName("LCOV"), std::nullopt);
}

TEST(CleanPathTest, DropsDotsAndEmptySegments) {
  EXPECT_EQ(CleanPath("./src//a/./b.c"), "src/a/b.c");
  EXPECT_EQ(CleanPath("src/x/../b.c"), "src/b.c");
  EXPECT_EQ(CleanPath("../up/b.c"), "../up/b.c");
  EXPECT_EQ(CleanPath("/build/../../a.c"), "/a.c");
  EXPECT_EQ(CleanPath("C:\\proj\\src\\a.cs"), "C:/proj/src/a.cs");
  EXPECT_EQ(CleanPath("/"), "/");
}

TEST(GoModulePathTest, ReadsTheModuleDirective) {
  EXPECT_EQ(GoModulePath("// comment\nmodule github.com/acme/shop/v2 // trailing\n\ngo 1.22\n"),
            "github.com/acme/shop/v2");
  EXPECT_EQ(GoModulePath("module \"example.com/quoted\"\n"), "example.com/quoted");
  EXPECT_EQ(GoModulePath("go 1.21\nrequire x v1\n"), "");
  EXPECT_EQ(GoModulePath("modules x\n"), "");
}

CoveragePathOptions RepoOptions() {
  CoveragePathOptions o;
  o.root = "/home/ci/shop";
  o.repo_files = {"src/cart/total.cc",
                  "services/api/src/main/java/com/acme/Cart.java",
                  "cart/cart.go",
                  "lib/simplelru/lru.go",
                  "lru.go",
                  "a/util.go",
                  "b/util.go",
                  "tools/v2/gen.go"};
  o.go_modules = {{"github.com/acme/shop", ""}, {"github.com/acme/shop/tools/v2", "tools/v2"}};
  return o;
}

TEST(CoverageMergerTest, ResolvesEachKindOfReportPath) {
  CoveragePathOptions o = RepoOptions();
  o.strip_prefixes = {"/build/"};
  CoverageMerger m(o);
  auto resolve = [&m](std::string_view raw) { return m.Resolve(raw, {}); };
  // Already repository-relative.
  EXPECT_EQ(resolve("src/cart/total.cc").path, "src/cart/total.cc");
  EXPECT_EQ(resolve("src/cart/total.cc").how, PathResolution::kAsIs);
  // Absolute under the root.
  EXPECT_EQ(resolve("/home/ci/shop/src/cart/total.cc").path, "src/cart/total.cc");
  EXPECT_EQ(resolve("/home/ci/shop/src/cart/total.cc").how, PathResolution::kRewritten);
  // --strip-prefix, on a segment boundary only.
  EXPECT_EQ(resolve("/build/src/cart/total.cc").path, "src/cart/total.cc");
  // Go import paths: the longest module wins (a module's /v2 is a path, not a folder).
  EXPECT_EQ(resolve("github.com/acme/shop/cart/cart.go").path, "cart/cart.go");
  EXPECT_EQ(resolve("github.com/acme/shop/tools/v2/gen.go").path, "tools/v2/gen.go");
  // JaCoCo: package/File.java found below a source root by its suffix.
  ResolvedPath java = resolve("com/acme/Cart.java");
  EXPECT_EQ(java.path, "services/api/src/main/java/com/acme/Cart.java");
  EXPECT_EQ(java.how, PathResolution::kSuffixMatch);
  // A path from another machine, matched by its longest suffix.
  EXPECT_EQ(resolve("/other/ci/workspace/src/cart/total.cc").path, "src/cart/total.cc");
  // simplelru/lru.go must not take the bare lru.go, nor the reverse.
  EXPECT_EQ(resolve("/x/simplelru/lru.go").path, "lib/simplelru/lru.go");
  EXPECT_EQ(resolve("lru.go").path, "lru.go");
  // Two equally good candidates: left unresolved, as written.
  ResolvedPath util = resolve("/elsewhere/util.go");
  EXPECT_EQ(util.path, "/elsewhere/util.go");
  EXPECT_EQ(util.how, PathResolution::kUnresolved);
  EXPECT_EQ(resolve("nothing/like/it.rs").how, PathResolution::kUnresolved);
}

TEST(CoverageMergerTest, JoinsCoberturaFilenamesToTheSourceWhereTheyExist) {
  CoveragePathOptions o;
  o.root = "/repo";
  std::set<std::string> existing = {"/repo/pkg/b/mod.py"};
  o.exists = [existing](const std::string& p) { return existing.count(p) > 0; };
  CoverageMerger m(o);
  EXPECT_EQ(m.Resolve("mod.py", {"/repo/pkg/a", "/repo/pkg/b"}).path, "pkg/b/mod.py");
  // Exists under none: the first source.
  EXPECT_EQ(m.Resolve("other.py", {"/repo/pkg/a", "/repo/pkg/b"}).path, "pkg/a/other.py");
  // An absolute filename ignores the sources.
  EXPECT_EQ(m.Resolve("/repo/x.py", {"/repo/pkg/a"}).path, "x.py");
}

ParsedFileCoverage File(std::string path, std::vector<CoverageLine> lines) {
  ParsedFileCoverage f;
  f.path = std::move(path);
  f.lines = std::move(lines);
  f.lines_found = static_cast<int64_t>(f.lines.size());
  for (const CoverageLine& l : f.lines) {
    f.lines_hit += l.hits > 0 ? 1 : 0;
  }
  return f;
}

TEST(CoverageMergerTest, KeepsStatedTotalsOfASingleReportAndUnionsRepeats) {
  CoveragePathOptions o;
  o.root = "/repo";
  CoverageMerger m(o);
  ParsedCoverage a;
  a.format = CoverageFormat::kLcov;
  // Stated by the report (JaCoCo-like counters without line data): kept exactly.
  ParsedFileCoverage stated;
  stated.path = "/repo/Only.java";
  stated.lines_found = 7;
  stated.lines_hit = 3;
  stated.branches_found = 4;
  stated.branches_hit = 1;
  a.files.push_back(stated);
  // x.c in two reports: merged line by line (below).
  a.files.push_back(File("/repo/src/x.c", {{1, 5}, {2, 0}, {3, 1}}));
  m.Add(a);
  ParsedCoverage b;
  b.format = CoverageFormat::kLcov;
  ParsedFileCoverage x = File("src/x.c", {{2, 4}, {4, 0}});
  x.partial = true;
  b.files.push_back(x);
  m.Add(b);
  std::vector<model::FileCoverage> files = m.Files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "Only.java");
  EXPECT_EQ(files[0].lines_found, 7);
  EXPECT_EQ(files[0].lines_hit, 3);
  EXPECT_EQ(files[0].branches_found, 4);
  EXPECT_EQ(files[0].branches_hit, 1);
  // x.c: lines {1:5, 2:0+4, 3:1, 4:0} → 4 found, 3 hit (1, 2, 3); no branch data anywhere.
  EXPECT_EQ(files[1].path, "src/x.c");
  EXPECT_EQ(files[1].lines_found, 4);
  EXPECT_EQ(files[1].lines_hit, 3);
  EXPECT_EQ(files[1].branches_found, std::nullopt);
  EXPECT_TRUE(files[1].partial);
  EXPECT_EQ(m.unresolved_count(), 0);
}

TEST(CoverageMergerTest, CountsAbsolutePathsOutsideTheRootAsUnresolved) {
  CoveragePathOptions o;
  o.root = "/repo";
  CoverageMerger m(o);
  ParsedCoverage a;
  a.files.push_back(File("/usr/include/c++/12/vector", {{1, 1}}));
  a.files.push_back(File("/repo/a.c", {{1, 1}}));
  m.Add(a);
  EXPECT_EQ(m.unresolved_count(), 1);
  ASSERT_EQ(m.unresolved_examples().size(), 1u);
  EXPECT_EQ(m.unresolved_examples()[0], "/usr/include/c++/12/vector");
  std::vector<model::FileCoverage> files = m.Files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "/usr/include/c++/12/vector");
  EXPECT_EQ(files[1].path, "a.c");
}

}  // namespace
}  // namespace vigil::ingest

namespace vigil::ingest {
namespace {

TEST(CoverageIssuesTest, AGarbageReportKeepsTheFirstThousandIssuesAndCountsAll) {
  // One SF section with 1500 DA lines whose line number is not a number, and one good line.
  std::string text = "SF:src/a.c\nDA:1,1\n";
  for (int i = 0; i < 1500; ++i) {
    text += "DA:x,1\n";
  }
  text += "end_of_record\n";
  Result<ParsedCoverage> parsed = ParseLcov(text);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->issue_count, 1500);
  ASSERT_EQ(parsed->issues.size(), kMaxCoverageIssuesKept);
  EXPECT_EQ(parsed->issues.front().line, 3);
  EXPECT_EQ(parsed->issues.back().line, 1002);
  ASSERT_EQ(parsed->files.size(), 1u);
  EXPECT_TRUE(parsed->files[0].partial);
  EXPECT_EQ(parsed->files[0].lines_found, 1);
}

}  // namespace
}  // namespace vigil::ingest
