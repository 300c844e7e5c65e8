// Native record schemas: vigil's own NDJSON and CSV forms of the five record kinds
// (deployments, releases, incidents, defects, alerts), for teams whose tools have no adapter.
// The schema, its rules and every rejection code are documented in docs/inputs.md,
// "Records (native schema)"; field names are the model's (model/records.h).
//
// Pure: a file's bytes in, a RecordBatch and its issues out; no I/O, no store. Hashing the
// id of a deployment without one is the importer's job (its id stays "" here).
//
// Thread-safety: the functions keep no state between calls and may run on several threads at
// once (each call owns its simdjson parser and scratch buffers).
#pragma once

#include <string_view>

#include "vigil/core/status.h"
#include "vigil/ingest/record_input.h"
#include "vigil/model/records.h"

namespace vigil::ingest {

enum class RecordInputFormat { kAuto, kNdjson, kCsv };

// "auto", "ndjson" or "csv" (any case) → the format; anything else → kInvalidArgument naming
// the text and the choices.
Result<RecordInputFormat> ParseRecordInputFormat(std::string_view text);

// The format of `file` (never kAuto): from its name first (".ndjson", ".jsonl", ".json" →
// kNdjson; ".csv" → kCsv; any case; a trailing ".gz" is looked through), else from its
// content: the first byte that is not whitespace or a UTF-8 BOM is '{' → kNdjson, anything
// else (or no such byte) → kCsv.
RecordInputFormat DetectRecordInputFormat(const RecordFile& file);

// Parses one native file holding records of `kind` (kAuto: DetectRecordInputFormat). Never
// fails as a whole: a record that cannot be used is rejected with an issue (file, 1-based
// physical line where the record starts, code, reason) and counted in `rejected`; a CSV file
// whose header is unusable gets one issue and counts every row (at least 1) as rejected.
// Accepted records are appended to batch.<kind>s in input order with source "native";
// incidents pass ValidateIncident (a dropped impact start is a warning issue). `skipped` and
// `detached_statuses` stay empty. The result holds no views into `file.data`.
ParsedRecords ParseNativeRecords(model::RecordKind kind, const RecordFile& file,
                                 RecordInputFormat format);

}  // namespace vigil::ingest
