// PagerDuty REST v2 exports → model::Incident (source "pagerduty"; DESIGN §3, §4; user docs:
// docs/adapters.md "PagerDuty"). Pure: bytes in, a batch and issues out. Thread-safe (no
// shared state).
//
// Files are raw API responses, any number and in any order:
// - `GET /incidents` pages `{"incidents":[...], "limit", "offset", "more", ...}` and
//   `GET /incidents/{id}` responses `{"incident":{...}}`: incidents, merged by `id` (the
//   version with the later `updated_at`, else `last_status_change_at`, wins; else the later
//   file; a version with such a time beats one without);
// - `GET /incidents/{id}/log_entries` and `GET /log_entries` pages `{"log_entries":[...]}`
//   (and `{"log_entry":{...}}`): children named `log_entries`;
// - `GET /incidents/{id}/custom_fields/values` responses `{"custom_fields":[...]}`: children
//   named `custom_fields`.
// A file may hold several of these members. Children may also be embedded in an incident
// (`log_entries`, `custom_fields` members; a full `first_trigger_log_entry`). A child's
// parent is its `incident.id`, else the id its file's name carries (`<id>[-pN].json`) when
// that incident is among the files, else AdapterOptions::parent, else it is an orphan.
// Duplicate children (same `id`) keep the later file's copy.
//
// Issues (ParsedRecords::issues; `rejected` counts):
// - "bad_json" / "unknown_shape": a file that is not JSON or holds no known response member
//   is rejected whole (counts 1);
// - "missing_field": an incident without a string `id`, or whose mapped id or created_at
//   yields nothing (counts 1);
// - "bad_time": created_at or resolved_at is not a time (rejected, counts 1); started_at or
//   detected_at is not a time (warning: the field is left empty);
// - "unknown_value": a mapped severity, detection source or escape phase vigil does not know
//   (warning: unknown);
// - "orphan": children whose parent incident is in none of the files: one issue per
//   (file, child kind, parent), every such child counted in `rejected` (their data is lost to this
//   import, so `--strict` refuses it);
// - ValidateIncident's codes (record_input.h): rejections and warnings.
// A rejected incident has exactly one issue (the first problem found; no warnings).
// json_path names the record in its file: `incidents[3]`, `incident`, `log_entries[0]`.
// Incidents come out sorted by id, so the file order does not change the batch.
#pragma once

#include <span>
#include <string_view>

#include "vigil/core/status.h"
#include "vigil/ingest/record_input.h"
#include "vigil/ingest/records_adapter.h"

namespace vigil::ingest {

// The built-in `incidents:` mapping block (the mapping language of config/mappings.h).
std::string_view PagerdutyDefaultMappings();

// True when `data` is a JSON object with a top-level `incidents`, `log_entries` or
// `custom_fields` array, or an `incident` or `log_entry` object. Scans only up to that
// member; no allocation.
bool LooksLikePagerdutyExport(std::string_view data);

// Parses all files of one invocation at once (see above). Errors: kInvalidArgument only when
// the user's mapping block does not compile or is not `mappings.pagerduty.incidents`.
Result<ParsedRecords> ParsePagerdutyExports(std::span<const RecordFile> files,
                                            const AdapterOptions& options);

}  // namespace vigil::ingest
