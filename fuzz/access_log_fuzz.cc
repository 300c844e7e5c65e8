// Fuzzes the access-log parser. The first byte picks a format (nginx, apache, GoAccess names,
// format strings, Detect, or a fuzzed format string); the rest is split into lines and parsed.
// Checks: no crash; exactly one of record / rejection with a known code and a reason; records
// hold a status in 100..599 and a non-negative latency; a well-formed request line has a
// method, a target and an HTTP/ protocol; parsing is deterministic (again, and on a copy);
// lines over 64 KiB are line_too_long; where the nginx engine and GoAccess COMBINED both
// accept a line they agree on time, status and request.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/ingest/access_log.h"

namespace {

using vigil::Result;
using vigil::ingest::AccessLogFormat;
using vigil::ingest::AccessLogRecord;
using vigil::ingest::LineRejection;

bool KnownCode(std::string_view code) {
  constexpr std::string_view kCodes[] = {
      "empty_line",  "comment",       "line_too_long",      "bad_timestamp",  "bad_status",
      "bad_latency", "missing_field", "unterminated_quote", "format_mismatch"};
  for (std::string_view c : kCodes) {
    if (code == c) {
      return true;
    }
  }
  return false;
}

// The comparable part of a record (views copied: they die with the next Parse).
struct Seen {
  bool ok = false;
  std::string code;
  std::string reason;
  int64_t time_ms = 0;
  int status = 0;
  int64_t latency_us = -1;
  std::string method;
  std::string target;
  std::string protocol;
  std::string vhost;
  bool malformed = false;

  bool operator==(const Seen&) const = default;
};

Seen ParseOnce(AccessLogFormat* format, std::string_view line, bool request_line_format) {
  AccessLogRecord r;
  LineRejection rejection;
  Seen seen;
  seen.ok = format->Parse(line, &r, &rejection);
  if (!seen.ok) {
    VIGIL_CHECK(KnownCode(rejection.code), "unknown rejection code");
    VIGIL_CHECK(!rejection.reason.empty(), "rejection without a reason");
    seen.code = std::string(rejection.code);
    seen.reason = rejection.reason;
    return seen;
  }
  std::string_view body = line;
  if (!body.empty() && body.back() == '\r') {
    body.remove_suffix(1);
  }
  VIGIL_CHECK(body.size() <= vigil::ingest::kMaxAccessLogLineBytes, "an over-long line parsed");
  VIGIL_CHECK(r.status >= 100 && r.status <= 599, "status out of range");
  VIGIL_CHECK(!r.latency.has_value() || r.latency->us() >= 0, "negative latency");
  if (r.malformed_request) {
    VIGIL_CHECK(r.protocol.empty(), "a malformed request with a protocol");
  } else if (request_line_format) {
    VIGIL_CHECK(!r.method.empty() && !r.target.empty(), "a good request without method/target");
    VIGIL_CHECK(r.protocol.substr(0, 5) == "HTTP/", "a good request without HTTP/ protocol");
  }
  seen.time_ms = r.time.unix_ms();
  seen.status = r.status;
  seen.latency_us = r.latency.has_value() ? r.latency->us() : -1;
  seen.method = std::string(r.method);
  seen.target = std::string(r.target);
  seen.protocol = std::string(r.protocol);
  seen.vhost = std::string(r.vhost);
  seen.malformed = r.malformed_request;
  return seen;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const unsigned mode = data[0] % 12;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string_view> lines = SplitLines(text);

  Result<AccessLogFormat> format = vigil::InvalidArgumentError("unset");
  bool request_line_format = true;
  switch (mode) {
    case 0:
      format = AccessLogFormat::Create("nginx");
      break;
    case 1:
      format = AccessLogFormat::Create("apache");
      break;
    case 2:
      format = AccessLogFormat::Create("COMBINED");
      break;
    case 3:
      format = AccessLogFormat::Create("VCOMBINED");
      break;
    case 4:
      format = AccessLogFormat::Create("W3C");
      request_line_format = false;
      break;
    case 5:
      format = AccessLogFormat::Create("CLOUDFRONT");
      request_line_format = false;
      break;
    case 6:
      format = AccessLogFormat::Create("SQUID");
      request_line_format = false;
      break;
    case 7:
      format = AccessLogFormat::Create(R"(%h %^[%x] "%r" %s %b "%R" "%u" %T %^)", {}, {},
                                       "%Y-%m-%dT%H:%M:%S%z");
      break;
    case 8:
      format = AccessLogFormat::Create(R"(%d\t%t\t%h\t%m\t%U\t%q\t%H\t%s\t%b\t%D)", "%Y-%m-%d",
                                       "%H:%M:%S");
      request_line_format = false;
      break;
    case 9:
      format = AccessLogFormat::Create(R"(%v %h [%x] "%r" %s %b %L)", {}, {},
                                       "%a, %e %B %Y %I:%M:%S %p %Z");
      break;
    case 10:
      format = AccessLogFormat::Detect(lines);
      break;
    default: {
      // The first line is a format string, the second a datetime format, the rest log lines.
      if (lines.size() < 2) {
        return 0;
      }
      format = AccessLogFormat::Create(lines[0], lines[1], lines[1], lines[1]);
      request_line_format = false;
      lines.erase(lines.begin(), lines.begin() + 2);
      break;
    }
  }
  if (!format.ok()) {
    VIGIL_CHECK(!format.status().message().empty(), "an error without a message");
    return 0;
  }
  VIGIL_CHECK(!format->Describe().empty(), "an empty description");
  AccessLogFormat copy = *format;
  // Created once: their scratch buffers are sized on first use, not per input.
  static Result<AccessLogFormat> nginx = AccessLogFormat::Create("nginx");
  static Result<AccessLogFormat> combined = AccessLogFormat::Create("COMBINED");
  VIGIL_CHECK(nginx.ok() && combined.ok(), "built-in formats compile");
  for (std::string_view line : lines) {
    const Seen first = ParseOnce(&*format, line, request_line_format);
    const Seen again = ParseOnce(&*format, line, request_line_format);
    const Seen on_copy = ParseOnce(&copy, line, request_line_format);
    VIGIL_CHECK(first == again && first == on_copy, "parsing is not deterministic");
    if (line.size() > vigil::ingest::kMaxAccessLogLineBytes + 1) {
      VIGIL_CHECK(!first.ok && first.code == "line_too_long", "long line not rejected");
    }
    if (mode <= 2) {
      const Seen a = ParseOnce(&*nginx, line, true);
      const Seen b = ParseOnce(&*combined, line, true);
      // A user field holding '[' (nginx logs Basic-auth names raw) is where they may differ:
      // nginx takes the stamp just before the request's quote (the first unescaped '"' after
      // the client address), COMBINED's `%^[` the first '['.
      size_t quote = std::min(line.find(' '), line.size());
      while (quote < line.size() && line[quote] != '"') {
        quote += line[quote] == '\\' ? 2 : 1;
      }
      const std::string_view head = line.substr(0, std::min(quote, line.size()));
      const bool one_bracket = head.find('[') == head.rfind('[');
      if (a.ok && b.ok && one_bracket) {
        VIGIL_CHECK(a.time_ms == b.time_ms, "nginx and COMBINED disagree on time");
        VIGIL_CHECK(a.status == b.status, "nginx and COMBINED disagree on status");
        VIGIL_CHECK(a.method == b.method && a.target == b.target && a.protocol == b.protocol &&
                        a.malformed == b.malformed,
                    "nginx and COMBINED disagree on the request");
      }
    }
  }
  return 0;
}
