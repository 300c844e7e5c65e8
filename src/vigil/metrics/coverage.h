// Coverage by file, feature area and team (DESIGN §2 metric 8's coverage side, issue 14): the
// latest snapshot of each name, a file reported under several names taking its highest line
// coverage among them (lines are not unioned), joined to areas (vigil.yaml `areas:`) and
// owners (CODEOWNERS). A file with no area or no owner is reported as such, never dropped.
// A pure function over store reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/config/areas.h"
#include "vigil/config/codeowners.h"
#include "vigil/core/status.h"
#include "vigil/model/coverage.h"
#include "vigil/store/store.h"

namespace vigil::metrics {

enum class CoverageBy { kFile, kArea, kTeam };

struct CoverageQuery {
  CoverageBy by = CoverageBy::kFile;
  std::vector<std::string> names;  // snapshot names to use; empty = every name
};

struct CoverageRow {
  // The file's path, the area or the owner; "" = no area / no owner.
  std::string key;
  std::string area;                 // by file: its area ("" = none)
  std::vector<std::string> owners;  // by file: its owners (empty = none)
  std::string snapshot_name;        // by file: the name whose report gave its coverage
  int64_t files = 0;
  int64_t lines_found = 0;
  int64_t lines_hit = 0;
  // Sums over the row's files that give branch data; nullopt when none does.
  std::optional<int64_t> branches_found, branches_hit;
  std::optional<double> line_rate;    // lines_hit / lines_found; nullopt when nothing coverable
  std::optional<double> branch_rate;  // likewise for branches
  int64_t partial_files = 0;          // files whose report had malformed records
};

struct CoverageTable {
  std::vector<model::CoverageSnapshot> snapshots;  // the latest of each name, without files
  std::vector<CoverageRow> rows;  // sorted by key; the "" row (no area / no owner) last
  // Every file once (a file with two owners counts in both team rows, once here).
  CoverageRow total;
};

// The table. `owners` may be null (no CODEOWNERS: every file unowned).
Result<CoverageTable> BuildCoverageTable(store::Store& store, const CoverageQuery& query,
                                         const config::AreaMap& areas,
                                         const config::Codeowners* owners);

}  // namespace vigil::metrics
