// Invariants every coverage parser's output must hold, shared by the coverage fuzz targets
// (coverage_{lcov,go,cobertura,jacoco}_fuzz.cc). Violations abort through VIGIL_CHECK.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/core/check.h"
#include "vigil/ingest/coverage.h"

namespace vigil::fuzz {

// Whether two parses are identical (files, lines, counts, issues, roots, time).
inline bool SameCoverage(const ingest::ParsedCoverage& a, const ingest::ParsedCoverage& b) {
  if (a.format != b.format || a.source_roots != b.source_roots || a.timestamp != b.timestamp ||
      a.files.size() != b.files.size() || a.issues.size() != b.issues.size()) {
    return false;
  }
  for (size_t i = 0; i < a.issues.size(); ++i) {
    if (a.issues[i].line != b.issues[i].line || a.issues[i].reason != b.issues[i].reason) {
      return false;
    }
  }
  for (size_t i = 0; i < a.files.size(); ++i) {
    const ingest::ParsedFileCoverage& x = a.files[i];
    const ingest::ParsedFileCoverage& y = b.files[i];
    if (a.issue_count != b.issue_count) {
      return false;
    }
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

// Lines of `text` (a last line without '\n' counts).
inline int64_t CountInputLines(std::string_view text) {
  int64_t n = 0;
  for (char c : text) {
    n += c == '\n' ? 1 : 0;
  }
  return text.empty() || text.back() == '\n' ? n : n + 1;
}

struct ShapeRules {
  bool found_is_line_count = true;  // lines_found == lines.size() (all but JaCoCo)
  bool issues_in_input_order = false;
  bool branches_never = false;  // the format has no branch data (Go)
};

// Issues have a reason and a line in [1, input_lines]; files are sorted and unique by path with
// non-empty paths; lines sorted, unique and 1-based; hit ≤ found, and (with
// found_is_line_count) found/hit equal the lines and the lines with hits; branches both present
// or both absent with 0 ≤ hit ≤ found; a partial file only with an issue.
inline void CheckCoverageShape(const ingest::ParsedCoverage& c, int64_t input_lines,
                               const ShapeRules& rules) {
  VIGIL_CHECK(c.issue_count >= static_cast<int64_t>(c.issues.size()) &&
                  c.issues.size() <= ingest::kMaxCoverageIssuesKept &&
                  (c.issue_count == static_cast<int64_t>(c.issues.size()) ||
                   c.issues.size() == ingest::kMaxCoverageIssuesKept),
              "issue_count does not match the kept issues");
  int64_t last_issue_line = 0;
  for (const ingest::CoverageIssue& issue : c.issues) {
    VIGIL_CHECK(!issue.reason.empty(), "an issue without a reason");
    VIGIL_CHECK(issue.line >= 1 && issue.line <= input_lines, "an issue outside the input");
    VIGIL_CHECK(!rules.issues_in_input_order || issue.line >= last_issue_line,
                "issues out of input order");
    last_issue_line = issue.line;
  }
  for (size_t i = 0; i < c.files.size(); ++i) {
    const ingest::ParsedFileCoverage& f = c.files[i];
    VIGIL_CHECK(!f.path.empty(), "a file without a path");
    VIGIL_CHECK(i == 0 || c.files[i - 1].path < f.path, "files not sorted and unique by path");
    int64_t hit = 0;
    for (size_t k = 0; k < f.lines.size(); ++k) {
      VIGIL_CHECK(f.lines[k].line >= 1, "line 0");
      VIGIL_CHECK(k == 0 || f.lines[k - 1].line < f.lines[k].line, "lines not sorted and unique");
      hit += f.lines[k].hits > 0 ? 1 : 0;
    }
    if (rules.found_is_line_count) {
      VIGIL_CHECK(f.lines_found == static_cast<int64_t>(f.lines.size()),
                  "lines_found is not the number of lines");
      VIGIL_CHECK(f.lines_hit == hit, "lines_hit is not the lines with hits");
    }
    VIGIL_CHECK(0 <= f.lines_hit && f.lines_hit <= f.lines_found, "lines hit > found");
    VIGIL_CHECK(f.branches_found.has_value() == f.branches_hit.has_value(), "half branch data");
    VIGIL_CHECK(!rules.branches_never || !f.branches_found.has_value(), "unexpected branch data");
    if (f.branches_found) {
      VIGIL_CHECK(0 <= *f.branches_hit && *f.branches_hit <= *f.branches_found,
                  "branches hit > found");
    }
    VIGIL_CHECK(!f.partial || !c.issues.empty(), "a partial file without an issue");
  }
}

// An error Status must start "line N" with N in [1, input_lines].
inline void CheckErrorLine(const Status& status, int64_t input_lines) {
  const std::string m = status.message();
  VIGIL_CHECK(m.starts_with("line "), "an error without a line");
  int64_t line = 0;
  for (size_t i = 5; i < m.size() && m[i] >= '0' && m[i] <= '9' && line <= input_lines; ++i) {
    line = line * 10 + (m[i] - '0');
  }
  VIGIL_CHECK(line >= 1 && line <= input_lines, "an error line out of range");
}

// Parses a copy of `doc` again with `parse` and checks the outcome equals `first` (the same
// files and issues, or the same error).
template <typename Parse>
void CheckDeterministic(Parse parse, std::string_view doc,
                        const Result<ingest::ParsedCoverage>& first) {
  const std::string copy(doc);
  const Result<ingest::ParsedCoverage> again = parse(copy);
  VIGIL_CHECK(first.ok() == again.ok(), "parsing is not deterministic");
  if (first.ok()) {
    VIGIL_CHECK(SameCoverage(*first, *again), "parsing is not deterministic");
  } else {
    VIGIL_CHECK(first.status() == again.status(), "parsing is not deterministic");
  }
}

}  // namespace vigil::fuzz
