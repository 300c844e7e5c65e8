// Record imports (DESIGN §3 "Records", §4; docs/inputs.md, docs/adapters.md): deployments,
// releases, incidents, defects and alerts from native NDJSON/CSV files or from tools' exports
// (GitHub, PagerDuty, Jira, Alertmanager), given as files and directories (walked
// recursively). Each file is routed by --source, else by its content; the parsers produce
// records as given, and they are upserted by key (idempotent: the same export twice changes
// nothing, a newer export updates). Nothing is derived here: the timeline does that at query
// time.
//
// Transactions: a native file is one transaction; an adapter's files (merged by id across
// files) are one transaction; under --strict the whole invocation is one, and any rejected
// record fails it with nothing stored.
//
// Not thread-safe: one import per call; several processes may import into one store.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/importer/importer.h"
#include "vigil/ingest/record_input.h"
#include "vigil/model/records.h"
#include "vigil/store/store.h"

namespace vigil::importer {

struct RecordImportOptions {
  model::RecordKind kind = model::RecordKind::kIncident;
  std::vector<std::string> paths;  // files and directories
  // "auto" (per file, from its content), "native", "github", "pagerduty", "jira",
  // "alertmanager".
  std::string source = "auto";
  std::string input_format = "auto";  // native files: auto | ndjson | csv
  std::string parent;                 // --parent for child files whose parent is found nowhere
  bool strict = false;
  size_t max_listed_issues = 10;
};

struct RecordImportSummary {
  int64_t files = 0;
  std::map<std::string, int64_t> files_by_source;  // "native" → 3, "pagerduty" → 2
  int64_t parsed = 0;    // records of the requested kind the parsers produced
  int64_t rejected = 0;  // records (or whole files) rejected, orphans included
  int64_t skipped = 0;   // records that are not for vigil (a pull request, a draft release) or
                         // of another kind than the one asked for
  int64_t warnings = 0;
  int64_t statuses_attached = 0;  // deployment statuses added to already stored deployments
  store::RecordCounts counts;     // created / updated / unchanged of the requested kind
  std::map<std::string, int64_t> issues_by_code;
  std::vector<ingest::RecordIssue> first_issues;  // rejections and warnings, in input order
  bool committed = false;
  std::string failure;  // why nothing was stored, when committed is false
};

// The hash id of a native deployment without one (DESIGN §3, model/records.h):
// "sha256:" + the first 32 hex digits of SHA-256 over
// service \x1f environment \x1f version \x1f deployed_at (decimal Unix milliseconds).
std::string DeploymentHashId(const model::Deployment& deployment);

// Runs a record import. An error Status means it could not run: the store is unusable, a path
// is missing or unreadable, an unknown --source / --input-format, a file of no known source
// (with --source auto), or a mapping in vigil.yaml that does not compile. Rejected records are
// counted in the summary, not errors.
Result<RecordImportSummary> RunRecordImport(const ImportEnv& env,
                                            const RecordImportOptions& options);

}  // namespace vigil::importer
