// What every record parser (native NDJSON/CSV and the tool adapters) takes and gives: files'
// bytes in, a RecordBatch and the issues found out. Pure: no I/O (the importer reads files,
// walks directories and upserts what comes out).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/model/records.h"

namespace vigil::ingest {

// One input file as the importer read it.
struct RecordFile {
  std::string name;       // as the user gave it (path), used in messages
  std::string_view data;  // its bytes, decompressed
};

// A rejected record or file, or a warning on an accepted record.
struct RecordIssue {
  std::string file;
  int64_t line = 0;       // 1-based line when known (NDJSON, CSV, a JSON value's line), else 0
  std::string json_path;  // "incidents[3].created_at" for JSON exports, else ""
  std::string code;       // stable short code: "bad_json", "missing_field", "bad_time",
                          // "resolved_before_detection", "impact_after_detection", "orphan",...
  std::string reason;     // human, names the bad value (core::QuoteForMessage)
  bool warning = false;   // true: the record was kept (e.g. impact start dropped)
};

struct ParsedRecords {
  model::RecordBatch batch;
  std::vector<RecordIssue> issues;  // in input order
  int64_t rejected = 0;             // records (or whole files) rejected
  int64_t skipped = 0;              // records that are not for vigil (a GitHub issue that is
                                    // not a bug, a pull request) — not errors
  // Deployment statuses whose deployment was not among the files: (source, deployment id) →
  // statuses. The importer attaches them to a stored deployment or reports them as orphans.
  struct DetachedStatuses {
    std::string file;
    std::string deployment_id;
    std::vector<model::DeploymentStatus> statuses;
  };
  std::vector<DetachedStatuses> detached_statuses;
};

// Validation every parser applies to an incident before it enters the batch (DESIGN §2):
// resolved before detection (own detected_at, else created_at) → rejected (false, *issue
// filled); an impact start after detection → the start dropped, started_at_dropped set, and a
// warning in *issue (returns true). `issue->file/line/json_path` are the caller's to fill.
bool ValidateIncident(model::Incident* incident, RecordIssue* issue);

}  // namespace vigil::ingest
