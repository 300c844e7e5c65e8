// Fuzzes the NDJSON request-event parser. The input is split into lines, each parsed by one
// parser in turn. Checks: no crash; a rejection has a known code and a reason; a request holds
// a status in 100..599, a latency in [0, 1e13 µs], an upper-case method token, a route
// starting with '/' and/or a path starting with '/' or http(s)://, a time in range; lines are
// independent (a fresh parser agrees with the one that saw the lines before); and an accepted
// event written back as a CSV row parses to the same request with the CSV parser.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events_fuzz_check.h"

#include "vigil/core/check.h"
#include "vigil/core/time.h"
#include "vigil/ingest/events.h"
#include "vigil/ingest/routes.h"

namespace {

using vigil::fuzz::Outcome;
using vigil::fuzz::Request;
using vigil::fuzz::RequestParser;
using vigil::fuzz::Seen;

bool KnownCode(std::string_view code) {
  constexpr std::string_view kCodes[] = {"bad_json",           "missing_field",  "bad_timestamp",
                                         "bad_status",         "bad_duration",   "bad_method",
                                         "bad_route",          "bad_path",       "wrong_type",
                                         "conflicting_fields", "duplicate_field"};
  for (std::string_view c : kCodes) {
    if (code == c) {
      return true;
    }
  }
  return false;
}

// `s` as a quoted CSV field.
void AppendCsvField(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    out->push_back(c);
    if (c == '"') {
      out->push_back('"');
    }
  }
  out->push_back('"');
}

// Writes an accepted event as a CSV row and checks the CSV parser reads the same request.
void CheckCsvAgrees(const Seen& seen) {
  for (const std::string* s :
       {&seen.service, &seen.environment, &seen.version, &seen.method, &seen.target, &seen.route}) {
    if (s->find_first_of("\r\n") != std::string::npos) {
      return;  // A CSV event cannot span lines.
    }
  }
  std::string time =
      vigil::core::FormatRfc3339(vigil::core::Timestamp::FromUnixMillis(seen.time_ms));
  if (time.empty() || time[0] < '0' || time[0] > '9') {
    return;  // Outside 0000..9999: FormatRfc3339 writes what ParseRfc3339 does not read.
  }
  std::string row;
  AppendCsvField(time, &row);
  for (const std::string* s :
       {&seen.service, &seen.environment, &seen.version, &seen.method, &seen.route, &seen.target}) {
    row.push_back(',');
    AppendCsvField(*s, &row);
  }
  row += ',';
  row += std::to_string(seen.status);
  row += ',';
  if (seen.latency_us >= 0) {
    row += std::to_string(seen.latency_us);
  }
  std::unique_ptr<RequestParser> csv = vigil::ingest::MakeCsvEventParser();
  const Seen header =
      vigil::fuzz::ParseOnce(csv.get(),
                             "timestamp,service,environment,version,method,route,path,status,"
                             "duration_us",
                             KnownCode);
  VIGIL_CHECK(header.outcome == Outcome::kSkip, "the CSV header was not accepted");
  const Seen again = vigil::fuzz::ParseOnce(csv.get(), row, KnownCode);
  VIGIL_CHECK(again == seen, "CSV reads the event differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<RequestParser> parser = vigil::ingest::MakeNdjsonEventParser();
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    // A copy with no spare bytes after it, so reading past the line is caught by ASan.
    const std::unique_ptr<char[]> exact(new char[line.size() + 1]);
    std::copy(line.begin(), line.end(), exact.get());
    const std::string_view exact_line(exact.get(), line.size());

    const Seen first = vigil::fuzz::ParseOnce(parser.get(), exact_line, KnownCode);
    std::unique_ptr<RequestParser> fresh = vigil::ingest::MakeNdjsonEventParser();
    const Seen alone = vigil::fuzz::ParseOnce(fresh.get(), exact_line, KnownCode);
    VIGIL_CHECK(first == alone, "a line's result depends on the lines before it");
    if (first.outcome == Outcome::kRequest) {
      CheckCsvAgrees(first);
    }
  }
  return 0;
}
