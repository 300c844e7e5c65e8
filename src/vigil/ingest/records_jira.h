// Jira search results → model::Defect (source "jira"; DESIGN §3, §4; user docs:
// docs/adapters.md "Jira"). Pure: bytes in, a batch and issues out. Thread-safe (no shared
// state).
//
// Files are raw API responses, any number and in any order:
// - `/rest/api/3/search/jql` pages `{"issues":[...], "nextPageToken", "isLast", "names"?}`;
// - legacy `/rest/api/2|3/search` pages `{"startAt", "maxResults", "total", "issues":[...]}`;
// - `/rest/api/2|3/issue/{key}` responses (an issue object with `key` and `fields`).
// Issues are merged by their numeric `id` (the version with the later `fields.updated` wins,
// else the later file). A page's `names` (`expand=names`: field id → display name), and an
// issue's own `names`, become aliases of that file's issues, completed by the names of the
// other files (a display name shared by two fields goes to the smaller field id), so a mapping
// may name a custom field by its display name (`fields["Customer Impact"].value`), case-folded.
// The browse URL is `<base of self>/browse/<key>` unless the user maps `url`.
//
// A record whose mapped `is_bug` is "false" is not a bug: counted in `skipped`.
// Issues (ParsedRecords::issues; `rejected` counts):
// - "bad_json" / "unknown_shape": a file that is not JSON or no known response is rejected
//   whole (counts 1);
// - "bad_record" / "missing_field": an issue that is not an object, has no `id`, or whose
//   mapped id or found_at yields nothing (counts 1);
// - "bad_time": found_at or resolved_at is not a time (counts 1);
// - "unknown_value": a mapped reporter, severity or escape phase vigil does not know
//   (warning: unknown).
// A rejected issue has exactly one RecordIssue (the first problem found; no warnings).
// json_path names the record in its file: `issues[3]`, or `$` for a single-issue response.
// Defects come out sorted by id (the key), so the file order does not change the batch.
#pragma once

#include <span>
#include <string_view>

#include "vigil/core/status.h"
#include "vigil/ingest/record_input.h"
#include "vigil/ingest/records_adapter.h"

namespace vigil::ingest {

// The built-in `defects:` mapping block (the mapping language of config/mappings.h).
std::string_view JiraDefaultMappings();

// True when `data` is a JSON object with a top-level `issues` array, or with both a `key`
// string and a `fields` object (one issue). Scans only the top level; no allocation.
bool LooksLikeJiraExport(std::string_view data);

// Parses all files of one invocation at once (see above). AdapterOptions::parent is unused
// (Jira issues have no child files). Errors: kInvalidArgument only when the user's mapping
// block does not compile or is not `mappings.jira.defects`.
Result<ParsedRecords> ParseJiraExports(std::span<const RecordFile> files,
                                       const AdapterOptions& options);

}  // namespace vigil::ingest
