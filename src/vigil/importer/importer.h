// The importer drives an import end to end (DESIGN §6): files and their identities and
// positions, the parser and the RollupBuilder, the transaction (per large file or group of
// files read at once; per invocation under --strict), route registration under the cap at
// commit, and the summary.
//
// Not thread-safe: one import per Importer call; several processes may import into one store.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "vigil/config/config.h"
#include "vigil/core/clock.h"
#include "vigil/core/status.h"
#include "vigil/store/store.h"

namespace vigil::importer {

enum class InputKind { kAccessLog, kEvents };

struct ImportOptions {
  InputKind kind = InputKind::kAccessLog;
  std::vector<std::string> paths;
  // Access logs: "auto", "nginx", "apache", a GoAccess format name, or a format string.
  std::string log_format = "auto";
  std::string date_format, time_format, datetime_format;
  // Events: "auto" (from the extension, then the content), "ndjson", "csv".
  std::string input_format = "auto";
  std::string service;  // --service: overrides the service of every request
  bool strict = false;  // any rejection fails the whole invocation; the store is unchanged
  bool force = false;   // read files again from the start, counting them again
  size_t max_listed_issues = 10;
  // Scanning threads (0 = one per core, at most 8): the chunks of a large plain file, or the
  // streamed files read at once; 1 reads every file with one thread, one after another.
  int threads = 0;
  // A plain file with at least this many bytes to read is split among the threads at line
  // boundaries; smaller ones and compressed files stream, one thread each, several at once.
  int64_t parallel_min_bytes = int64_t{32} << 20;
};

// One rejected line (or a warning), with its place.
struct LineReport {
  std::string file;
  int64_t line = 0;
  std::string code;
  std::string reason;
};

struct FileSummary {
  std::string path;
  std::string format;          // what was read: "nginx combined + $request_time"
  int64_t start_position = 0;  // decompressed byte offset the import started from
  int64_t end_position = 0;
  int64_t lines = 0;  // complete lines read this time
  int64_t accepted = 0;
  int64_t warnings = 0;
  int64_t rejected = 0;
  bool compressed = false;
  bool unterminated_tail = false;  // a last line without '\n' waits for the next run
  std::string note;                // "already ingested", "read again (--force)", "empty", ...
};

struct ImportSummary {
  std::vector<FileSummary> files;
  int64_t lines = 0, accepted = 0, warnings = 0, rejected = 0;
  int64_t late = 0;  // accepted lines older than the reorder horizon (merged, not dropped)
  std::map<std::string, int64_t> rejected_by_code, warnings_by_code;
  std::vector<LineReport> first_rejects, first_warnings;
  int64_t routes_registered = 0, routes_overflowed = 0, requests_in_other = 0;
  // Maintenance after the import (DESIGN §3): minute sketches folded into hour rows, and
  // rows dropped past the retention.
  int64_t sketches_downsampled = 0, rows_expired = 0;
  bool committed = false;  // false: nothing was stored (a failed --strict import)
  std::string failure;     // why nothing was stored, when committed is false
  int node = 0;            // the node id this import wrote as
};

struct ImportEnv {
  store::Store* store = nullptr;
  const config::Config* config = nullptr;
  const core::Clock* clock = nullptr;
  // Called with (bytes on disk done, total) as files are read; may be empty.
  std::function<void(int64_t, int64_t)> progress;
  // Informational notices ("access.log: log format auto → nginx combined + $request_time").
  std::function<void(const std::string&)> notice;
};

// Runs an import. An error Status means the import could not run (store unusable, a file
// missing or unreadable, a bad --log-format). Rejected lines are counted in the summary, not
// errors; under --strict any rejection rolls everything back and the summary says so
// (committed = false, failure = the reason).
Result<ImportSummary> RunImport(const ImportEnv& env, const ImportOptions& options);

}  // namespace vigil::importer
