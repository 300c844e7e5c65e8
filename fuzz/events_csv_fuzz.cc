// Fuzzes the CSV request-event parser. The input is split into lines: the first non-blank one
// is the header. Checks: no crash; a rejection has a known code and a reason; a request holds
// a status in 100..599, a latency in [0, 1e13 µs], an upper-case method token, a route
// starting with '/' and/or a path starting with '/' or http(s)://; parsing is deterministic (a
// second parser fed the same lines agrees); and an accepted row written back as an NDJSON
// object parses to the same request with the NDJSON parser.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>
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

bool KnownCode(std::string_view code) {
  constexpr std::string_view kCodes[] = {
      "missing_column", "duplicate_column", "bad_header",    "field_count", "unterminated_quote",
      "bad_quote",      "missing_field",    "bad_timestamp", "bad_status",  "bad_duration",
      "bad_method",     "bad_route",        "bad_path",      "wrong_type",  "conflicting_fields"};
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

// `s` as a JSON string.
void AppendJsonString(std::string_view s, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xF]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// Writes an accepted row as an NDJSON object and checks the NDJSON parser reads the same.
void CheckNdjsonAgrees(const Seen& seen) {
  for (const std::string* s :
       {&seen.service, &seen.environment, &seen.version, &seen.method, &seen.target, &seen.route}) {
    if (!simdjson::validate_utf8(s->data(), s->size())) {
      return;  // JSON text is UTF-8; CSV fields are bytes.
    }
  }
  const std::string time =
      vigil::core::FormatRfc3339(vigil::core::Timestamp::FromUnixMillis(seen.time_ms));
  if (time.empty() || time[0] < '0' || time[0] > '9') {
    return;  // Outside 0000..9999: FormatRfc3339 writes what ParseRfc3339 does not read.
  }
  std::string line = "{\"timestamp\":";
  AppendJsonString(time, &line);
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"service", &seen.service}, {"environment", &seen.environment},
      {"version", &seen.version}, {"method", &seen.method},
      {"route", &seen.route},     {"path", &seen.target}};
  for (const auto& [name, value] : fields) {
    line += ",\"";
    line += name;
    line += "\":";
    AppendJsonString(*value, &line);
  }
  line += ",\"status\":";
  line += std::to_string(seen.status);
  if (seen.latency_us >= 0) {
    line += ",\"duration_us\":";
    line += std::to_string(seen.latency_us);
  }
  line += "}";
  std::unique_ptr<RequestParser> ndjson = vigil::ingest::MakeNdjsonEventParser();
  const Seen again = ParseOnce(ndjson.get(), line);
  VIGIL_CHECK(again == seen, "NDJSON reads the row differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<RequestParser> parser = vigil::ingest::MakeCsvEventParser();
  std::unique_ptr<RequestParser> twin = vigil::ingest::MakeCsvEventParser();
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const Seen first = ParseOnce(parser.get(), line);
    const std::string copy(line);
    const Seen second = ParseOnce(twin.get(), copy);
    VIGIL_CHECK(first == second, "parsing is not deterministic");
    if (first.outcome == Outcome::kRequest) {
      CheckNdjsonAgrees(first);
    }
  }
  return 0;
}
