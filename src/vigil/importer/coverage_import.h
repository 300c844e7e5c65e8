// Coverage imports (DESIGN §3 "coverage snapshot", docs/coverage.md): the
// reports of one invocation are parsed, their paths made repository-relative, merged, and
// stored as one snapshot of --name in one transaction. The snapshot's identity is (name,
// commit, formats, content hash), the hash taken over the merged per-file records, so the
// same reports imported again with the same options change nothing.
//
// Not thread-safe: one import per call; several processes may import into one store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/core/time.h"
#include "vigil/importer/importer.h"
#include "vigil/model/coverage.h"

namespace vigil::importer {

struct CoverageImportOptions {
  std::vector<std::string> paths;     // report files (plain or gzip)
  std::string input_format = "auto";  // "auto" (from the content), lcov, cobertura, jacoco, go
  std::string name = "default";
  std::string commit;
  std::optional<core::Timestamp> taken_at;  // else the newest report's own time, else now
  // The repository root: absolute report paths under it become relative, and its files are
  // indexed for suffix matching (JaCoCo, Go, paths from other machines). "" = none (absolute
  // paths under the current directory still become relative to it).
  std::string root;
  std::vector<std::string> strip_prefixes;
  bool strict = false;  // a malformed record anywhere fails the import; nothing is stored
  size_t max_listed_issues = 10;
};

struct CoverageReportSummary {
  std::string path;
  std::string format;
  int64_t files = 0;   // distinct files in this report
  int64_t issues = 0;  // malformed records skipped
};

struct CoverageImportSummary {
  std::vector<CoverageReportSummary> reports;
  std::vector<LineReport> first_issues;  // malformed records (file:line, reason)
  int64_t issues = 0;
  model::CoverageSnapshot snapshot;  // as stored (id set once committed), files included
  bool created = false;              // false: an identical snapshot was stored already
  int64_t suffix_matched = 0;        // paths found in the repository by suffix
  int64_t unresolved = 0;            // paths left as written (absolute, or not in the repo)
  std::vector<std::string> unresolved_examples;
  int64_t repo_files_indexed = 0;
  bool committed = false;
  std::string failure;  // why nothing was stored (--strict), when committed is false
};

// Runs a coverage import. An error Status means it could not run (store unusable, a report
// missing, unreadable, of no known format, or not readable as its format — with file:line).
Result<CoverageImportSummary> RunCoverageImport(const ImportEnv& env,
                                                const CoverageImportOptions& options);

}  // namespace vigil::importer
