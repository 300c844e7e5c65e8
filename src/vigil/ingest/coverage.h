// Coverage report parsers (DESIGN §4, metric 8): LCOV tracefiles, Cobertura XML, JaCoCo XML and
// Go coverprofiles, each read into one normalized record per source file: line → hits, lines
// found / hit and branches found / hit exactly as the report states them (each tool counts by
// its own rules; vigil never "corrects" them). The formats and the rules for each producer are
// in docs/coverage.md.
//
// Pure: a whole report's bytes in, a ParsedCoverage out. No I/O, no store; paths are left as
// the report names them (the importer makes them repository-relative, NormalizeCoveragePaths).
// A report that is not of the format at all (no `mode:` line, XML that is not well-formed, a
// different root element) is an error naming line and reason; a malformed record inside an
// otherwise readable report is skipped, reported as a CoverageIssue, and marks its file partial.
//
// Thread-safety: the functions keep no state; call them from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/core/time.h"

namespace vigil::ingest {

enum class CoverageFormat { kLcov, kCobertura, kJacoco, kGo };

// "lcov", "cobertura", "jacoco", "go".
std::string_view CoverageFormatName(CoverageFormat format);
// The inverse of CoverageFormatName; nullopt for anything else.
std::optional<CoverageFormat> ParseCoverageFormatName(std::string_view name);

// The format of a report from its first bytes (a UTF-8 BOM and leading whitespace skipped):
// "mode: " → Go; an XML document whose root element is <coverage> → Cobertura, <report> →
// JaCoCo (the DOCTYPE and comments before the root are skipped); a line starting with one of
// LCOV's record keys (TN:, SF:, VER:, or a '#' comment line followed by one) → LCOV. nullopt when
// none fits.
std::optional<CoverageFormat> DetectCoverageFormat(std::string_view prefix);

// One line's execution count (saturating at UINT64_MAX when merged counts overflow).
struct CoverageLine {
  uint32_t line = 0;
  uint64_t hits = 0;
};

struct ParsedFileCoverage {
  std::string path;                       // as the report names it (see each parser)
  std::vector<CoverageLine> lines;        // sorted by line number, one entry per line
  int64_t lines_found = 0;                // coverable lines, by the format's rule
  int64_t lines_hit = 0;                  // covered lines, by the format's rule
  std::optional<int64_t> branches_found;  // nullopt when the report gives no branch data
  std::optional<int64_t> branches_hit;
  bool partial = false;  // a malformed record of this file was skipped
};

// A record skipped as malformed: 1-based line of the input (0 when unknown) and why.
struct CoverageIssue {
  int64_t line = 0;
  std::string reason;
};

// At most this many issues are kept in full per report (a garbage file of millions of lines
// must not hold millions of messages); all of them are counted.
inline constexpr size_t kMaxCoverageIssuesKept = 1000;

// Records a skipped record: kept in `issues` while fewer than kMaxCoverageIssuesKept are,
// always counted in `*count`.
inline void AddCoverageIssue(std::vector<CoverageIssue>* issues, int64_t* count, int64_t line,
                             std::string reason) {
  ++*count;
  if (issues->size() < kMaxCoverageIssuesKept) {
    issues->push_back(CoverageIssue{line, std::move(reason)});
  }
}

struct ParsedCoverage {
  CoverageFormat format = CoverageFormat::kLcov;
  std::vector<std::string> source_roots;     // Cobertura <source> entries, in document order
  std::vector<ParsedFileCoverage> files;     // sorted by path, one entry per distinct path
  std::vector<CoverageIssue> issues;         // skipped malformed records: the first 1000
  int64_t issue_count = 0;                   // every skipped malformed record
  std::optional<core::Timestamp> timestamp;  // when the report states one
};

// LCOV tracefile (lcov 1.x and 2.x, istanbul/c8). Path = SF. Records of one SF are merged by
// summing counts per line; lines found/hit are recomputed from DA (LF/LH never trusted or
// added); branches from BRDA ('-' = not taken), merged per (line, block, branch).
Result<ParsedCoverage> ParseLcov(std::string_view content);

// Cobertura XML (gcovr, coverage.py, istanbul, Java Cobertura). Path = class@filename (the
// <source> roots are in source_roots). Lines from class/lines/line only; a line repeated in one
// report takes max(hits); branches from condition-coverage "(covered/total)". No DTD, no
// external entity is ever read.
Result<ParsedCoverage> ParseCobertura(std::string_view content);

// JaCoCo XML. Path = package@name + "/" + sourcefile@name. Lines found/hit from the
// sourcefile's LINE counter (missed + covered, covered); branches from its BRANCH counter; line
// hits 1 when ci > 0 else 0. Groups nest; no DTD is ever read.
Result<ParsedCoverage> ParseJacoco(std::string_view content);

// Go coverprofile (set/count/atomic; concatenated profiles with the same mode). Path = the
// import path as written. Duplicate blocks merged (OR for set, sum otherwise). Lines: a line is
// found when a block with ≥ 1 statement spans it and hit when any such block has count > 0.
Result<ParsedCoverage> ParseGoCoverprofile(std::string_view content);

// Dispatches to the parser for `format`.
Result<ParsedCoverage> ParseCoverage(CoverageFormat format, std::string_view content);

}  // namespace vigil::ingest
