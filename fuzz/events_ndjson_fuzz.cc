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

#include "vigil/core/check.h"
#include "vigil/core/time.h"
#include "vigil/ingest/events.h"
#include "vigil/ingest/routes.h"

namespace {

using vigil::ingest::LineIssue;
using vigil::ingest::Request;
using vigil::ingest::RequestParser;
using Outcome = RequestParser::Outcome;

constexpr int64_t kMaxLatencyUs = 10'000'000'000'000;
constexpr int64_t kMillisPerDay = 86'400'000;
// RFC 3339 years 0000..9999 shifted by an offset of up to a day either way.
constexpr int64_t kMinTimeMs = vigil::core::DaysFromCivil(0, 1, 1) * kMillisPerDay - kMillisPerDay;
constexpr int64_t kMaxTimeMs =
    vigil::core::DaysFromCivil(10000, 1, 1) * kMillisPerDay + kMillisPerDay;

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

// A parse result with its views copied (they die with the next Parse).
struct Seen {
  Outcome outcome = Outcome::kSkip;
  std::string code;
  std::string reason;
  int64_t time_ms = 0;
  std::string service, environment, version, method, target, route;
  int status = 0;
  int64_t latency_us = -1;

  bool operator==(const Seen&) const = default;
};

Seen ParseOnce(RequestParser* parser, std::string_view line) {
  Request r;
  LineIssue issue;
  Seen s;
  s.outcome = parser->Parse(line, &r, &issue);
  if (s.outcome == Outcome::kReject) {
    VIGIL_CHECK(KnownCode(issue.code), "unknown rejection code");
    VIGIL_CHECK(!issue.reason.empty(), "rejection without a reason");
    s.code = std::string(issue.code);
    s.reason = issue.reason;
    return s;
  }
  if (s.outcome == Outcome::kSkip) {
    return s;
  }
  VIGIL_CHECK(issue.code.empty(), "a request with a warning");
  VIGIL_CHECK(r.status >= 100 && r.status <= 599, "status out of range");
  VIGIL_CHECK(!r.latency || (r.latency->us() >= 0 && r.latency->us() <= kMaxLatencyUs),
              "latency out of range");
  VIGIL_CHECK(vigil::ingest::IsMethodToken(r.method), "method is not a token");
  for (char c : r.method) {
    VIGIL_CHECK(!(c >= 'a' && c <= 'z'), "method not upper-cased");
  }
  VIGIL_CHECK(!r.route.empty() || !r.target.empty(), "neither route nor path");
  VIGIL_CHECK(r.route.empty() || r.route.front() == '/', "route without '/'");
  VIGIL_CHECK(r.target.empty() || r.target.front() == '/' || r.target.starts_with("http://") ||
                  r.target.starts_with("https://"),
              "bad path accepted");
  VIGIL_CHECK(r.time.unix_ms() >= kMinTimeMs && r.time.unix_ms() <= kMaxTimeMs,
              "time out of range");
  VIGIL_CHECK(!r.malformed_request, "an event flagged malformed");
  s.time_ms = r.time.unix_ms();
  s.service = std::string(r.service);
  s.environment = std::string(r.environment);
  s.version = std::string(r.version);
  s.method = std::string(r.method);
  s.target = std::string(r.target);
  s.route = std::string(r.route);
  s.status = r.status;
  s.latency_us = r.latency ? r.latency->us() : -1;
  return s;
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
  const Seen header = ParseOnce(csv.get(),
                                "timestamp,service,environment,version,method,route,path,status,"
                                "duration_us");
  VIGIL_CHECK(header.outcome == Outcome::kSkip, "the CSV header was not accepted");
  const Seen again = ParseOnce(csv.get(), row);
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

    const Seen first = ParseOnce(parser.get(), exact_line);
    std::unique_ptr<RequestParser> fresh = vigil::ingest::MakeNdjsonEventParser();
    const Seen alone = ParseOnce(fresh.get(), exact_line);
    VIGIL_CHECK(first == alone, "a line's result depends on the lines before it");
    if (first.outcome == Outcome::kRequest) {
      CheckCsvAgrees(first);
    }
  }
  return 0;
}
