// Fuzzes ParseLcov (src/vigil/ingest/coverage_lcov.cc) with the whole input as a tracefile.
// Checks: no crash; an error names a line and only happens when no line starts with "SF:";
// files sorted and unique by path; lines sorted, unique and 1-based; lines_found == number of
// lines; lines_hit == lines with hits > 0 ≤ found; branches both present or both absent, and
// then 1 ≤ found, hit ≤ found; issues have a reason and a line within the input, in input
// order; no issue means no partial file; parsing is deterministic; and a clean report parsed
// twice over (concatenated) gives the same files and counts with every hit doubled
// (saturating), as repeated SF sections are summed.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "vigil/core/check.h"
#include "vigil/ingest/coverage.h"

namespace {

using vigil::Result;
using vigil::ingest::CoverageIssue;
using vigil::ingest::CoverageLine;
using vigil::ingest::ParsedCoverage;
using vigil::ingest::ParsedFileCoverage;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool Same(const ParsedCoverage& a, const ParsedCoverage& b) {
  if (a.files.size() != b.files.size() || a.issues.size() != b.issues.size()) {
    return false;
  }
  for (size_t i = 0; i < a.issues.size(); ++i) {
    if (a.issues[i].line != b.issues[i].line || a.issues[i].reason != b.issues[i].reason) {
      return false;
    }
  }
  for (size_t i = 0; i < a.files.size(); ++i) {
    const ParsedFileCoverage& x = a.files[i];
    const ParsedFileCoverage& y = b.files[i];
    if (x.path != y.path || x.lines.size() != y.lines.size() || x.lines_found != y.lines_found ||
        x.lines_hit != y.lines_hit || x.branches_found != y.branches_found ||
        x.branches_hit != y.branches_hit || x.partial != y.partial) {
      return false;
    }
    for (size_t k = 0; k < x.lines.size(); ++k) {
      if (x.lines[k].line != y.lines[k].line || x.lines[k].hits != y.lines[k].hits) {
        return false;
      }
    }
  }
  return true;
}

int64_t CountLines(std::string_view text) {
  int64_t n = 0;
  for (char c : text) {
    n += c == '\n' ? 1 : 0;
  }
  return text.empty() || text.back() == '\n' ? n : n + 1;
}

bool HasSfLine(std::string_view text) {
  if (text.starts_with(kBom)) {
    text.remove_prefix(kBom.size());
  }
  if (text.starts_with("SF:")) {
    return true;
  }
  return text.find("\nSF:") != std::string_view::npos;
}

void CheckInvariants(const ParsedCoverage& c, int64_t input_lines) {
  int64_t last_issue_line = 0;
  for (const CoverageIssue& issue : c.issues) {
    VIGIL_CHECK(!issue.reason.empty(), "an issue without a reason");
    VIGIL_CHECK(issue.line >= 1 && issue.line <= input_lines, "an issue outside the input");
    VIGIL_CHECK(issue.line >= last_issue_line, "issues out of input order");
    last_issue_line = issue.line;
  }
  for (size_t i = 0; i < c.files.size(); ++i) {
    const ParsedFileCoverage& f = c.files[i];
    VIGIL_CHECK(!f.path.empty(), "a file without a path");
    VIGIL_CHECK(i == 0 || c.files[i - 1].path < f.path, "files not sorted and unique by path");
    VIGIL_CHECK(f.lines_found == static_cast<int64_t>(f.lines.size()),
                "lines_found is not the number of DA lines");
    int64_t hit = 0;
    for (size_t k = 0; k < f.lines.size(); ++k) {
      VIGIL_CHECK(f.lines[k].line >= 1, "line 0");
      VIGIL_CHECK(k == 0 || f.lines[k - 1].line < f.lines[k].line, "lines not sorted and unique");
      hit += f.lines[k].hits > 0 ? 1 : 0;
    }
    VIGIL_CHECK(f.lines_hit == hit && hit <= f.lines_found, "lines_hit is not the hit DA lines");
    VIGIL_CHECK(f.branches_found.has_value() == f.branches_hit.has_value(),
                "branches found without hit or the reverse");
    if (f.branches_found.has_value()) {
      VIGIL_CHECK(*f.branches_found >= 1, "branch data with no branch");
      VIGIL_CHECK(*f.branches_hit >= 0 && *f.branches_hit <= *f.branches_found,
                  "branches_hit > branches_found");
    }
    VIGIL_CHECK(!f.partial || !c.issues.empty(), "a partial file without an issue");
  }
}

uint64_t Doubled(uint64_t v) {
  return v > std::numeric_limits<uint64_t>::max() / 2 ? std::numeric_limits<uint64_t>::max()
                                                      : 2 * v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Result<ParsedCoverage> first = vigil::ingest::ParseLcov(text);
  if (!first.ok()) {
    VIGIL_CHECK(first.status().message().starts_with("line "), "an error without its line");
    VIGIL_CHECK(!HasSfLine(text), "an error for a report with an SF record");
    return 0;
  }
  CheckInvariants(*first, CountLines(text));
  const std::string copy(text);
  const Result<ParsedCoverage> again = vigil::ingest::ParseLcov(copy);
  VIGIL_CHECK(again.ok() && Same(*first, *again), "parsing is not deterministic");

  if (!first->issues.empty()) {
    return 0;
  }
  // A clean report twice over: the second copy's sections merge into the first's.
  std::string twice(text);
  if (!twice.empty() && twice.back() != '\n') {
    twice.push_back('\n');
  }
  twice.append(text.starts_with(kBom) ? text.substr(kBom.size()) : text);
  const Result<ParsedCoverage> doubled = vigil::ingest::ParseLcov(twice);
  VIGIL_CHECK(doubled.ok() && doubled->issues.empty(), "a clean report twice over is not clean");
  VIGIL_CHECK(doubled->files.size() == first->files.size(), "twice over changes the files");
  for (size_t i = 0; i < first->files.size(); ++i) {
    const ParsedFileCoverage& x = first->files[i];
    const ParsedFileCoverage& y = doubled->files[i];
    VIGIL_CHECK(x.path == y.path && x.lines_found == y.lines_found && x.lines_hit == y.lines_hit &&
                    x.branches_found == y.branches_found && x.branches_hit == y.branches_hit &&
                    !y.partial,
                "twice over changes a file's counts");
    for (size_t k = 0; k < x.lines.size(); ++k) {
      const CoverageLine& a = x.lines[k];
      const CoverageLine& b = y.lines[k];
      VIGIL_CHECK(a.line == b.line && Doubled(a.hits) == b.hits,
                  "twice over does not double the hits");
    }
  }
  return 0;
}
