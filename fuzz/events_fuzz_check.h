// What both request-event fuzz targets (events_csv_fuzz.cc, events_ndjson_fuzz.cc) check of one
// parsed line: a rejection has a known code and a reason; a request holds a status in 100..599,
// a latency in [0, 1e13 µs], a time in RFC 3339's range, an upper-case method token, a route
// starting with '/' and/or a path starting with '/' or http(s)://. Violations abort.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/core/check.h"
#include "vigil/core/time.h"
#include "vigil/ingest/request_parser.h"
#include "vigil/ingest/routes.h"

namespace vigil::fuzz {

using ingest::LineIssue;
using ingest::Request;
using ingest::RequestParser;
using Outcome = RequestParser::Outcome;

inline constexpr int64_t kMaxLatencyUs = 10'000'000'000'000;
inline constexpr int64_t kMillisPerDay = 86'400'000;
// RFC 3339 years 0000..9999 shifted by an offset of up to a day either way.
inline constexpr int64_t kMinTimeMs = core::DaysFromCivil(0, 1, 1) * kMillisPerDay - kMillisPerDay;
inline constexpr int64_t kMaxTimeMs =
    core::DaysFromCivil(10000, 1, 1) * kMillisPerDay + kMillisPerDay;

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

inline Seen ParseOnce(RequestParser* parser, std::string_view line,
                      bool (*known_code)(std::string_view)) {
  Request r;
  LineIssue issue;
  Seen s;
  s.outcome = parser->Parse(line, &r, &issue);
  if (s.outcome == Outcome::kReject) {
    VIGIL_CHECK(known_code(issue.code), "unknown rejection code");
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
  VIGIL_CHECK(ingest::IsMethodToken(r.method), "method is not a token");
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

}  // namespace vigil::fuzz
