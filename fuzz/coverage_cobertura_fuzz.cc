// Fuzzes the Cobertura parser (ParseCobertura). The first byte picks how the rest is used: as a
// whole document, or spliced into a report skeleton as the content of one <class>'s <lines>
// (so mutations reach the line rules instead of dying in the XML prolog), or as attributes of
// one <line>. Checks: no crash; an error names a 1-based line no later than the input's last;
// a report holds files sorted and unique by path, each with lines sorted and unique (numbers
// >= 1), lines found = distinct lines and lines hit = lines with hits > 0 (the Cobertura
// rule), 0 <= hit <= found, branches both present or both absent with 0 <= hit <= found; a
// partial file only with an issue; issues with a line in range and a reason; source roots
// non-empty and trimmed; and parsing is deterministic (again, on a copy).
#include <algorithm>
#include <cstddef>
#include <cstdint>
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

bool IsXmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool SameFile(const ParsedFileCoverage& a, const ParsedFileCoverage& b) {
  if (a.path != b.path || a.lines.size() != b.lines.size() || a.lines_found != b.lines_found ||
      a.lines_hit != b.lines_hit || a.branches_found != b.branches_found ||
      a.branches_hit != b.branches_hit || a.partial != b.partial) {
    return false;
  }
  for (size_t i = 0; i < a.lines.size(); ++i) {
    if (a.lines[i].line != b.lines[i].line || a.lines[i].hits != b.lines[i].hits) {
      return false;
    }
  }
  return true;
}

bool Same(const ParsedCoverage& a, const ParsedCoverage& b) {
  if (a.format != b.format || a.source_roots != b.source_roots || a.timestamp != b.timestamp ||
      a.files.size() != b.files.size() || a.issues.size() != b.issues.size()) {
    return false;
  }
  for (size_t i = 0; i < a.files.size(); ++i) {
    if (!SameFile(a.files[i], b.files[i])) {
      return false;
    }
  }
  for (size_t i = 0; i < a.issues.size(); ++i) {
    if (a.issues[i].line != b.issues[i].line || a.issues[i].reason != b.issues[i].reason) {
      return false;
    }
  }
  return true;
}

void Check(const Result<ParsedCoverage>& r, std::string_view doc) {
  const int64_t last_line = 1 + std::count(doc.begin(), doc.end(), '\n');
  if (!r.ok()) {
    const vigil::Status status = r.status();  // a copy: message() must outlive this line
    const std::string& m = status.message();
    VIGIL_CHECK(m.starts_with("line "), "an error without a line");
    int64_t line = 0;
    for (size_t i = 5; i < m.size() && m[i] >= '0' && m[i] <= '9' && line < last_line + 1; ++i) {
      line = line * 10 + (m[i] - '0');
    }
    VIGIL_CHECK(line >= 1 && line <= last_line, "an error line out of range");
    return;
  }
  const ParsedCoverage& c = *r;
  VIGIL_CHECK(c.format == vigil::ingest::CoverageFormat::kCobertura, "format");
  for (const std::string& root : c.source_roots) {
    VIGIL_CHECK(!root.empty() && !IsXmlSpace(root.front()) && !IsXmlSpace(root.back()),
                "a source root empty or untrimmed");
  }
  bool any_partial = false;
  for (size_t i = 0; i < c.files.size(); ++i) {
    const ParsedFileCoverage& f = c.files[i];
    VIGIL_CHECK(!f.path.empty(), "an empty path");
    VIGIL_CHECK(i == 0 || c.files[i - 1].path < f.path, "files not sorted/unique by path");
    int64_t hit = 0;
    for (size_t j = 0; j < f.lines.size(); ++j) {
      const CoverageLine& l = f.lines[j];
      VIGIL_CHECK(l.line >= 1, "line number 0");
      VIGIL_CHECK(j == 0 || f.lines[j - 1].line < l.line, "lines not sorted/unique");
      hit += l.hits > 0 ? 1 : 0;
    }
    VIGIL_CHECK(f.lines_found == static_cast<int64_t>(f.lines.size()), "found != distinct lines");
    VIGIL_CHECK(f.lines_hit == hit, "hit != lines with hits");
    VIGIL_CHECK(0 <= f.lines_hit && f.lines_hit <= f.lines_found, "lines hit > found");
    VIGIL_CHECK(f.branches_found.has_value() == f.branches_hit.has_value(), "half branch data");
    if (f.branches_found) {
      VIGIL_CHECK(0 <= *f.branches_hit && *f.branches_hit <= *f.branches_found,
                  "branches hit > found");
    }
    any_partial = any_partial || f.partial;
  }
  VIGIL_CHECK(!any_partial || !c.issues.empty(), "a partial file without an issue");
  for (const CoverageIssue& issue : c.issues) {
    VIGIL_CHECK(issue.line >= 1 && issue.line <= last_line, "an issue line out of range");
    VIGIL_CHECK(!issue.reason.empty(), "an issue without a reason");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    Check(vigil::ingest::ParseCobertura(""), "");
    return 0;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string doc;
  switch (data[0] % 3) {
    case 0:
      doc = rest;
      break;
    case 1:
      doc =
          "<?xml version=\"1.0\"?>\n<coverage timestamp=\"1700000000\">\n<sources><source>/s"
          "</source></sources>\n<packages><package name=\"p\"><classes>\n"
          "<class name=\"a\" filename=\"a.c\"><lines>\n" +
          std::string(rest) +
          "\n</lines></class>\n<class name=\"b\" filename=\"a.c\"><lines>"
          "<line number=\"2\" hits=\"1\" branch=\"true\" condition-coverage=\"50% (1/2)\"/>"
          "</lines></class>\n</classes></package></packages>\n</coverage>\n";
      break;
    default:
      doc = "<coverage><packages><package><classes><class filename=\"f.py\"><lines>\n<line " +
            std::string(rest) + "/>\n</lines></class></classes></package></packages></coverage>";
      break;
  }
  const Result<ParsedCoverage> first = vigil::ingest::ParseCobertura(doc);
  Check(first, doc);
  const std::string copy = doc;
  const Result<ParsedCoverage> again = vigil::ingest::ParseCobertura(copy);
  VIGIL_CHECK(first.ok() == again.ok(), "parsing is not deterministic");
  if (first.ok()) {
    VIGIL_CHECK(Same(*first, *again), "parsing is not deterministic");
  } else {
    VIGIL_CHECK(first.status() == again.status(), "parsing is not deterministic");
  }
  return 0;
}
