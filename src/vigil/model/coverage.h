// Coverage snapshots (DESIGN §3): one imported coverage report, identified by (name, commit,
// format, content hash), with its per-file totals as the report states them. Plain values; no
// I/O. Metric 8 uses the latest snapshot of each name (by taken_at, then import order).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/core/time.h"

namespace vigil::model {

// One source file's coverage in one snapshot. Paths are repository-relative, '/'-separated.
struct FileCoverage {
  std::string path;
  int64_t lines_found = 0;                // coverable lines
  int64_t lines_hit = 0;                  // covered lines
  std::optional<int64_t> branches_found;  // nullopt when the report gives no branch data
  std::optional<int64_t> branches_hit;
  bool partial = false;  // the report had malformed records for this file (skipped)

  friend bool operator==(const FileCoverage&, const FileCoverage&) = default;
};

struct CoverageSnapshot {
  int64_t id = 0;                // assigned by the store
  std::string name = "default";  // groups reports like a Codecov flag
  std::string commit;            // "" when not given
  std::string format;            // "lcov", "cobertura", "jacoco", "go"
  std::string content_hash;      // lowercase hex SHA-256 of the report's bytes
  core::Timestamp taken_at;      // --taken-at, else the report's own time, else import time
  core::Timestamp imported_at;
  int64_t file_count = 0;           // files.size() when loaded with files
  std::vector<FileCoverage> files;  // sorted by path; empty in listings
};

}  // namespace vigil::model
