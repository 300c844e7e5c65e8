// Request-event parsers: vigil's own schema for request telemetry, one event per request, as
// NDJSON or CSV (DESIGN §4; the schema, rules and rejection codes are in docs/inputs.md,
// "Request events"). For teams without access logs or OTLP.
//
// Pure: bytes in, Requests out. No I/O, no store; the importer reads files, hands lines in
// (without '\n'; a trailing '\r' is tolerated) and reports rejections with file:line.
//
// Thread-safety: a parser is not safe to use from two threads at once (it owns scratch
// buffers, and the CSV parser remembers its file's header); build one per file and thread.
#pragma once

#include <memory>
#include <string_view>

#include "vigil/ingest/request_parser.h"

namespace vigil::ingest {

// The parser for one NDJSON file of request events: one JSON object per line, parsed with
// simdjson from a padded copy of the line the parser owns. Blank lines → kSkip; a line that
// is not a valid event → kReject with a LineIssue (code, reason naming the field and value);
// the next line parses independently. Views in the Request are valid until the next Parse().
std::unique_ptr<RequestParser> MakeNdjsonEventParser();

// The parser for one CSV file of request events (RFC 4180, one record per line). The first
// non-blank line is the header naming the columns → kSkip, or kReject when it is unusable
// (missing or duplicate columns, broken quoting); after a rejected header every other line is
// rejected with code "bad_header". A line repeating the header exactly (a UTF-8 BOM and a '\r'
// aside) gets the header's outcome again: kSkip, or the same rejection. Views in the Request
// are valid until the next Parse() (they may point into the line handed in).
// The header must be the first line the parser sees: a caller resuming mid-file hands it the
// file's header line first; handing it in ahead of a read from the start is harmless.
std::unique_ptr<RequestParser> MakeCsvEventParser();

// "ndjson" or "csv": from the file name first (".ndjson", ".jsonl", ".json" → "ndjson"; ".csv"
// → "csv"; any case; a trailing ".gz" is ignored first), else from `prefix`, the file's first
// (decompressed) bytes: its first byte that is not whitespace or a UTF-8 BOM is '{' → "ndjson",
// anything else → "csv". "" when undecidable (no such byte).
std::string_view DetectEventFormat(std::string_view path, std::string_view prefix);

}  // namespace vigil::ingest
