#include "vigil/ingest/access_log.h"

#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"

#include "vigil/core/time.h"

namespace vigil::ingest {
namespace {

using ::vigil::testing::TestDataPath;

constexpr int64_t kNoLatency = -1;

// What one line should give: a record (code empty) or a rejection.
struct Outcome {
  std::string_view code;  // Rejection code; empty for a record.
  std::string_view reason;
  std::string_view time;  // RFC 3339, UTC.
  std::string_view method;
  std::string_view target;
  std::string_view protocol;
  int status = 0;
  int64_t latency_us = kNoLatency;
  std::string_view vhost;
  bool malformed_request = false;
};

Outcome Record(std::string_view time, std::string_view method, std::string_view target,
               std::string_view protocol, int status, int64_t latency_us,
               std::string_view vhost = {}) {
  return Outcome{{}, {}, time, method, target, protocol, status, latency_us, vhost, false};
}
// A record whose request line is junk (or HTTP/0.9).
Outcome Junk(std::string_view time, int status, int64_t latency_us, std::string_view method = {},
             std::string_view target = {}) {
  return Outcome{{}, {}, time, method, target, {}, status, latency_us, {}, true};
}
Outcome Rejected(std::string_view code, std::string_view reason) {
  Outcome o;
  o.code = code;
  o.reason = reason;
  return o;
}

struct FixtureCase {
  std::string_view file;  // Under tests/data/access-log/.
  std::string_view spec;
  std::string_view date_format;
  std::string_view time_format;
  std::string_view datetime_format;
  std::vector<Outcome> lines;
};

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string_view> Views(const std::vector<std::string>& lines) {
  return {lines.begin(), lines.end()};
}

void ExpectOutcome(AccessLogFormat* format, std::string_view line, const Outcome& want,
                   const std::string& where) {
  AccessLogRecord r;
  LineRejection rejection;
  const bool ok = format->Parse(line, &r, &rejection);
  if (!want.code.empty()) {
    ASSERT_FALSE(ok) << where;
    EXPECT_EQ(rejection.code, want.code) << where;
    EXPECT_EQ(rejection.reason, want.reason) << where;
    return;
  }
  ASSERT_TRUE(ok) << where << ": " << rejection.code << ": " << rejection.reason;
  EXPECT_EQ(core::FormatRfc3339(r.time), want.time) << where;
  EXPECT_EQ(r.method, want.method) << where;
  EXPECT_EQ(r.target, want.target) << where;
  EXPECT_EQ(r.protocol, want.protocol) << where;
  EXPECT_EQ(r.status, want.status) << where;
  if (want.latency_us == kNoLatency) {
    EXPECT_FALSE(r.latency.has_value()) << where;
  } else {
    ASSERT_TRUE(r.latency.has_value()) << where;
    EXPECT_EQ(r.latency->us(), want.latency_us) << where;
  }
  EXPECT_EQ(r.vhost, want.vhost) << where;
  EXPECT_EQ(r.malformed_request, want.malformed_request) << where;
}

void RunFixture(const FixtureCase& c) {
  Result<AccessLogFormat> format =
      AccessLogFormat::Create(c.spec, c.date_format, c.time_format, c.datetime_format);
  ASSERT_OK(format);
  const std::vector<std::string> lines =
      ReadLines(TestDataPath("access-log/" + std::string(c.file)));
  ASSERT_EQ(lines.size(), c.lines.size()) << c.file;
  for (size_t i = 0; i < lines.size(); ++i) {
    ExpectOutcome(&*format, lines[i], c.lines[i],
                  std::string(c.file) + ":" + std::to_string(i + 1) + " as " + std::string(c.spec));
  }
}

// Expectations written by hand from access-logs.md: offsets subtracted to give UTC, \xHH and
// \" \\ unescaped in the target, $request_time decimal seconds and %D µs to µs.
TEST(AccessLogTest, ValidFixtures) {
  const std::string_view kCafe = "/caf\xC3\xA9/menu?q=\"x\"";
  const FixtureCase kCases[] = {
      {"valid/nginx_request_time.log",
       "nginx",
       {},
       {},
       {},
       {
           // access-logs.md §5, verbatim: 13:55:36 -0700 is 20:55:36Z, 0.042 s is 42 ms.
           Record("2000-10-10T20:55:36Z", "GET", "/api/orders?id=9", "HTTP/1.1", 200, 42'000),
           // IPv6 client, +0530, upstream time list ignored, 0.0005 s = 500 µs exactly.
           Record("2024-06-10T08:25:36Z", "POST", "/api/items/42?x=1", "HTTP/2.0", 201, 500),
           // +0545; nginx \xHH escapes in the target (UTF-8 é, a quote).
           Record("2024-06-10T08:10:36Z", "GET", kCafe, "HTTP/1.1", 404, 0),
           // A target with a space; 499; the same wall clock under +0200 then +0100 (DST).
           Record("2024-10-27T00:30:00Z", "GET", "/a b/c", "HTTP/1.1", 499, 1'250'000),
           Record("2024-10-27T01:30:00Z", "GET", "/", "HTTP/1.1", 444, kNoLatency),
           // No latency field at all; before the epoch in local time, the epoch in UTC.
           Record("1970-01-01T00:00:00Z", "HEAD", "/health", "HTTP/1.0", 200, kNoLatency),
           Record("2024-02-29T23:59:59Z", "OPTIONS", "*", "HTTP/1.1", 200, 12'345'000),
       }},
      // The same file read as GoAccess COMBINED: trailing fields ignored, offsets applied.
      {"valid/nginx_request_time.log",
       "COMBINED",
       {},
       {},
       {},
       {
           Record("2000-10-10T20:55:36Z", "GET", "/api/orders?id=9", "HTTP/1.1", 200, kNoLatency),
           Record("2024-06-10T08:25:36Z", "POST", "/api/items/42?x=1", "HTTP/2.0", 201, kNoLatency),
           Record("2024-06-10T08:10:36Z", "GET", kCafe, "HTTP/1.1", 404, kNoLatency),
           Record("2024-10-27T00:30:00Z", "GET", "/a b/c", "HTTP/1.1", 499, kNoLatency),
           Record("2024-10-27T01:30:00Z", "GET", "/", "HTTP/1.1", 444, kNoLatency),
           Record("1970-01-01T00:00:00Z", "HEAD", "/health", "HTTP/1.0", 200, kNoLatency),
           Record("2024-02-29T23:59:59Z", "OPTIONS", "*", "HTTP/1.1", 200, kNoLatency),
       }},
      {"valid/nginx_combined.log",
       "nginx",
       {},
       {},
       {},
       {
           Record("2000-10-10T20:55:36Z", "GET", "/index.html", "HTTP/1.1", 200, kNoLatency),
           Record("2000-10-10T20:56:00Z", "GET", "/favicon.ico", "HTTP/1.1", 404, kNoLatency),
           Record("2000-10-10T20:57:00Z", "GET", "/q?a=1&b=[2]", "HTTP/1.1", 302, kNoLatency),
       }},
      {"valid/nginx_main.log",
       "nginx",
       {},
       {},
       {},
       {
           Record("2000-10-10T20:55:36Z", "GET", "/api/orders?id=9", "HTTP/1.1", 200, 120'000),
           Record("2000-10-10T20:55:37Z", "DELETE", "/api/orders/9", "HTTP/1.1", 204, 3'000),
       }},
      {"valid/apache_combined_micros.log",
       "apache",
       {},
       {},
       {},
       {
           // access-logs.md §5, verbatim: -0400, body '-', \" and \t in the user agent.
           Record("2011-09-18T23:18:28Z", "POST", "/login", "HTTP/1.1", 500, 1'830'512),
           Record("2011-09-18T23:18:29Z", "GET", "/search?q=\"a b\"", "HTTP/1.1", 200, 5'120),
           Record("2011-09-18T23:18:30Z", "GET", "/path\\with\\backslash", "HTTP/1.1", 200, 2'300),
           Record("2011-09-18T23:18:31Z", "GET", "/caf\xC3\xA9", "HTTP/1.1", 200, 1'999),
           Record("2011-09-18T23:18:32Z", "GET", "/slow", "HTTP/1.1", 200, kNoLatency),
           // "agent\\" ends in an escaped backslash, not an escaped quote.
           Record("2011-09-18T23:18:33Z", "GET", "/ua-ends-in-backslash", "HTTP/1.1", 200, 1'500),
           Record("2011-09-18T23:18:40Z", "GET", "/items/0", "HTTP/1.1", 200, 1'000),
           Record("2011-09-18T23:18:41Z", "GET", "/items/1", "HTTP/1.1", 200, 1'250),
           Record("2011-09-18T23:18:42Z", "GET", "/items/2", "HTTP/1.1", 200, 1'500),
           Record("2011-09-18T23:18:43Z", "GET", "/items/3", "HTTP/1.1", 200, 1'750),
           Record("2011-09-18T23:18:44Z", "GET", "/items/4", "HTTP/1.1", 200, 2'000),
           Record("2011-09-18T23:18:45Z", "GET", "/items/5", "HTTP/1.1", 200, 2'250),
       }},
      {"valid/apache_common.log",
       "apache",
       {},
       {},
       {},
       {
           Record("2011-09-18T23:18:28Z", "GET", "/a", "HTTP/1.0", 200, kNoLatency),
           Record("2000-10-10T20:55:36Z", "GET", "/apache_pb.gif", "HTTP/1.0", 200, kNoLatency),
       }},
      {"valid/apache_common.log",
       "COMMON",
       {},
       {},
       {},
       {
           Record("2011-09-18T23:18:28Z", "GET", "/a", "HTTP/1.0", 200, kNoLatency),
           Record("2000-10-10T20:55:36Z", "GET", "/apache_pb.gif", "HTTP/1.0", 200, kNoLatency),
       }},
      {"valid/vcombined.log",
       "VCOMBINED",
       {},
       {},
       {},
       {
           Record("2000-10-10T20:55:36Z", "GET", "/cart", "HTTP/2.0", 200, kNoLatency,
                  "shop.example.com"),
           Record("2000-10-10T20:55:37Z", "GET", "/v1/items", "HTTP/1.1", 503, kNoLatency,
                  "api.example.com"),
       }},
      // Tab-separated GoAccess format with %m %U %q %H parts; no zone: UTC.
      {"valid/goaccess_tab.log",
       R"(%d\t%t\t%h\t%m\t%U\t%q\t%H\t%s\t%b\t%D)",
       "%Y-%m-%d",
       "%H:%M:%S",
       {},
       {
           Record("2024-06-10T13:55:36Z", "GET", "/api/items?page=2", "HTTP/1.1", 200, 1'830),
           Record("2024-06-10T13:55:37Z", "POST", "/api/items", "HTTP/2.0", 201, kNoLatency),
       }},
      // %x with a CLF datetime format; %T decimal seconds, an integer too.
      {"valid/goaccess_datetime.log",
       R"(%h %^[%x] "%r" %s %b "%R" "%u" %T)",
       {},
       {},
       "%d/%b/%Y:%H:%M:%S %z",
       {
           Record("2000-10-10T20:55:36Z", "GET", "/api/orders?id=9", "HTTP/1.1", 200, 42'000),
           Record("2024-06-10T08:10:36Z", "GET", "/x", "HTTP/1.1", 200, 2'000'000),
       }},
      // The §3 "nginx combined + request time" string: [%d:%t %^] takes the offset.
      {"valid/goaccess_datetime.log",
       R"(%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T)",
       "%d/%b/%Y",
       "%H:%M:%S",
       {},
       {
           Record("2000-10-10T20:55:36Z", "GET", "/api/orders?id=9", "HTTP/1.1", 200, 42'000),
           Record("2024-06-10T08:10:36Z", "GET", "/x", "HTTP/1.1", 200, 2'000'000),
       }},
      // %x in ISO 8601 ($time_iso8601) with a fraction; %L milliseconds.
      {"valid/goaccess_iso8601.log",
       R"(%h - %^ [%x] "%r" %s %b %L)",
       {},
       {},
       "%Y-%m-%dT%H:%M:%S%z",
       {
           Record("2000-10-10T20:55:36Z", "GET", "/", "HTTP/1.1", 200, 12'000),
           Record("2024-06-10T08:25:36.250Z", "GET", "/x", "HTTP/1.1", 200, 7'000),
       }},
      // W3C (IIS): directive lines are "comment" rejections; %L is time-taken in ms.
      {"valid/w3c.log",
       "W3C",
       {},
       {},
       {},
       {
           Rejected("comment", "comment line '#Software: Microsoft Int...'"),
           Rejected("comment", "comment line '#Version: 1.0'"),
           Rejected("comment", "comment line '#Date: 2024-06-10 13:55:...'"),
           Rejected("comment", "comment line '#Fields: date time s-ip ...'"),
           Record("2024-06-10T13:55:36Z", "GET", "/default.htm", "", 200, 15'000),
           Record("2024-06-10T13:55:37Z", "POST", "/api/login?user=a", "", 401, 3'000),
       }},
  };
  for (const FixtureCase& c : kCases) {
    RunFixture(c);
  }
}

TEST(AccessLogTest, MalformedFixtures) {
  const FixtureCase kCases[] = {
      {"malformed/unterminated_quote.log",
       "nginx",
       {},
       {},
       {},
       {
           Rejected("unterminated_quote",
                    "unterminated quote: the request opened at byte 45 has no closing '\"'"),
           Rejected("unterminated_quote",
                    "unterminated quote: the user agent opened at byte 74 has no closing '\"'"),
           // Apache's \" does not close the field.
           Rejected("unterminated_quote",
                    "unterminated quote: the user agent opened at byte 71 has no closing '\"'"),
       }},
      {"malformed/bad_month.log",
       "nginx",
       {},
       {},
       {},
       {
           // access-logs.md §5, verbatim: every bad part named.
           Rejected("bad_timestamp",
                    "bad timestamp '31/Foo/2024:25:61:00 +0200': month 'Foo', hour 25, minute 61"),
           Rejected("bad_timestamp", "bad timestamp '10/oct/2000:13:55:36 -0700': month 'oct'"),
       }},
      {"malformed/bad_timestamp.log",
       "nginx",
       {},
       {},
       {},
       {
           Rejected("bad_timestamp",
                    "bad timestamp '29/Feb/2023:12:00:00 +0000': day 29 of 2023-02"),
           Rejected("bad_timestamp", "bad timestamp '10/Oct/2000:13:55:36 +2400': offset +2400"),
           Rejected("bad_timestamp",
                    "bad timestamp '10/Oct/2000:13:55:36': expected ' ' after the second at byte "
                    "20, found the end"),
           Rejected("bad_timestamp",
                    "bad timestamp '2000-10-10T13:55:36-07:00': expected '/' after the day at "
                    "byte 2, found '0'"),
       }},
      {"malformed/bad_status.log",
       "nginx",
       {},
       {},
       {},
       {
           Rejected("bad_status", "bad status '2x0': expected a 3-digit number"),
           Rejected("bad_status", "bad status 600: outside 100..599"),
           Rejected("bad_status", "bad status '-': expected a 3-digit number"),
           Rejected("bad_status", "bad status '99': expected a 3-digit number"),
           Rejected("bad_status", "bad status 000: outside 100..599"),
       }},
      {"malformed/bad_latency.log",
       "nginx",
       {},
       {},
       {},
       {
           Rejected("bad_latency", "bad latency '0.0x4': expected decimal seconds or '-'"),
           Rejected("bad_latency", "bad latency 'abc': expected decimal seconds or '-'"),
           Rejected("bad_latency", "bad latency '1.': expected decimal seconds or '-'"),
           Rejected("bad_latency", "bad latency '-0.5': expected decimal seconds or '-'"),
           Rejected("bad_latency", "bad latency '99999999999999.000': too large"),
       }},
      {"malformed/missing_field.log",
       "nginx",
       {},
       {},
       {},
       {
           Rejected("missing_field", "line ends after the client address"),
           Rejected("missing_field", "no '[' opening the timestamp"),
           Rejected("missing_field", "no ']' closing the timestamp opened at byte 16"),
           Rejected("missing_field", "line ends before the request"),
           Rejected("missing_field", "line ends before the status"),
           Rejected("missing_field", "line ends before the body bytes"),
           Rejected("missing_field", "line ends before the referer"),
           Rejected("missing_field", "line ends before the user agent"),
       }},
      {"malformed/format_mismatch.log",
       "nginx",
       {},
       {},
       {},
       {
           Rejected("format_mismatch", "expected a client address at byte 0, found ' '"),
           Rejected("format_mismatch", "expected ' \"' before the request at byte 44, found ' G'"),
           Rejected("format_mismatch", "body bytes 'abc' is not a number or '-'"),
           Rejected("format_mismatch",
                    "expected '\"' opening the user agent at byte 74, found 'c'"),
           Rejected("format_mismatch", "expected ' ' after the request at byte 61, found '2'"),
       }},
      // Junk request lines are requests (status kept), flagged, not rejected.
      {"malformed/tls_handshake.log",
       "nginx",
       {},
       {},
       {},
       {
           Junk("2024-06-10T11:55:36Z", 400, 1'000),
           Junk("2024-06-10T11:55:37Z", 400, 0),
       }},
      {"malformed/junk_request.log",
       "nginx",
       {},
       {},
       {},
       {
           Junk("2024-06-10T11:55:37Z", 400, 0),              // "-"
           Junk("2024-06-10T11:55:38Z", 400, 0),              // ""
           Junk("2024-06-10T11:55:39Z", 400, 0, "GET", "/"),  // HTTP/0.9
           Junk("2024-06-10T11:55:40Z", 400, 0),              // SOCKS bytes
           Junk("2024-06-10T11:55:41Z", 400, 0),              // no target
           Junk("2024-06-10T11:55:42Z", 400, 0),              // method not a token
       }},
  };
  for (const FixtureCase& c : kCases) {
    RunFixture(c);
  }
}

// The §5 examples of access-logs.md, verbatim.
constexpr std::string_view kNginxExample =
    R"(203.0.113.7 - - [10/Oct/2000:13:55:36 -0700] "GET /api/orders?id=9 HTTP/1.1" 200 512 "-" "curl/8.5.0" 0.042 0.040)";
constexpr std::string_view kApacheExample =
    R"(2001:db8::5 - alice [18/Sep/2011:19:18:28 -0400] "POST /login HTTP/1.1" 500 - "https://ex.test/" "Bot \"x\"\t1.0" 1830512)";
constexpr std::string_view kMalformedExample =
    R"(198.51.100.2 - - [31/Foo/2024:25:61:00 +0200] "\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03" 400 157 "-" "-" 0.001 -)";

TEST(AccessLogTest, SpecExamples) {
  Result<AccessLogFormat> nginx = AccessLogFormat::Create("nginx");
  ASSERT_OK(nginx);
  ExpectOutcome(&*nginx, kNginxExample,
                Record("2000-10-10T20:55:36Z", "GET", "/api/orders?id=9", "HTTP/1.1", 200, 42'000),
                "nginx example");
  ExpectOutcome(&*nginx, kMalformedExample,
                Rejected("bad_timestamp",
                         "bad timestamp '31/Foo/2024:25:61:00 +0200': month "
                         "'Foo', hour 25, minute 61"),
                "malformed example");
  Result<AccessLogFormat> apache = AccessLogFormat::Create("apache");
  ASSERT_OK(apache);
  ExpectOutcome(&*apache, kApacheExample,
                Record("2011-09-18T23:18:28Z", "POST", "/login", "HTTP/1.1", 500, 1'830'512),
                "apache example");
}

// nginx logs any Basic-auth user name raw, brackets and spaces included (a quote is escaped):
// the timestamp is the bracket pair just before the request's opening quote.
TEST(AccessLogTest, ClientControlledUserFieldCannotHideTheTimestamp) {
  Result<AccessLogFormat> nginx = AccessLogFormat::Create("nginx");
  ASSERT_OK(nginx);
  ExpectOutcome(&*nginx,
                "127.0.0.1 - x [evil [25/Nov/2026:10:09:45 +0530] \"GET /a?d=1 HTTP/1.1\" 200 12 "
                "\"-\" \"curl/7.88.1\" 0.002 0.002",
                Record("2026-11-25T04:39:45Z", "GET", "/a?d=1", "HTTP/1.1", 200, 2'000),
                "user with '['");
  ExpectOutcome(&*nginx,
                "127.0.0.1 - a] [b \\x22c [25/Nov/2026:10:09:45 +0530] \"GET /a HTTP/1.1\" 200 12 "
                "\"-\" \"curl\" 0.002 -",
                Record("2026-11-25T04:39:45Z", "GET", "/a", "HTTP/1.1", 200, 2'000),
                "user with '] [' and an escaped quote");
}

struct DetectCase {
  std::string_view file;
  std::string_view describe;
  LatencyUnit unit;
};

TEST(AccessLogDetectTest, DecidesFromFixtures) {
  const DetectCase kCases[] = {
      {"valid/nginx_request_time.log", "nginx combined + $request_time", LatencyUnit::kSeconds},
      {"valid/nginx_combined.log", "COMBINED (no latency)", LatencyUnit::kNone},
      {"valid/nginx_main.log", "nginx main + $request_time", LatencyUnit::kSeconds},
      // 11 integers, median 1750 (µs; as seconds the typical request would take 29 minutes).
      {"valid/apache_combined_micros.log", "apache combined + %D", LatencyUnit::kMicros},
      {"valid/apache_common.log", "COMMON (no latency)", LatencyUnit::kNone},
      {"valid/vcombined.log", "VCOMBINED (no latency)", LatencyUnit::kNone},
      // Junk request lines do not stop detection.
      {"malformed/junk_request.log", "nginx combined + $request_time", LatencyUnit::kSeconds},
  };
  for (const DetectCase& c : kCases) {
    const std::vector<std::string> lines =
        ReadLines(TestDataPath("access-log/" + std::string(c.file)));
    const std::vector<std::string_view> views = Views(lines);
    Result<AccessLogFormat> format = AccessLogFormat::Detect(views);
    ASSERT_OK(format);
    EXPECT_EQ(format->Describe(), c.describe) << c.file;
    EXPECT_EQ(format->latency_unit(), c.unit) << c.file;
    // The detected format parses every line of its sample.
    for (const std::string& line : lines) {
      AccessLogRecord r;
      LineRejection rejection;
      EXPECT_TRUE(format->Parse(line, &r, &rejection)) << c.file << ": " << rejection.reason;
    }
  }
}

TEST(AccessLogDetectTest, DetectedVhostAndMicrosAreParsed) {
  std::vector<std::string> lines = ReadLines(TestDataPath("access-log/valid/vcombined.log"));
  Result<AccessLogFormat> format = AccessLogFormat::Detect(Views(lines));
  ASSERT_OK(format);
  ExpectOutcome(&*format, lines[0],
                Record("2000-10-10T20:55:36Z", "GET", "/cart", "HTTP/2.0", 200, kNoLatency,
                       "shop.example.com"),
                "vcombined");
  lines = ReadLines(TestDataPath("access-log/valid/apache_combined_micros.log"));
  format = AccessLogFormat::Detect(Views(lines));
  ASSERT_OK(format);
  ExpectOutcome(&*format, kApacheExample,
                Record("2011-09-18T23:18:28Z", "POST", "/login", "HTTP/1.1", 500, 1'830'512),
                "apache");
}

// Twelve Apache lines whose trailing integer is mostly 0: as µs half the requests would take
// 0 µs, so auto reads them as %T whole seconds.
TEST(AccessLogDetectTest, IntegersWithMedianZeroAreWholeSeconds) {
  std::vector<std::string> lines;
  lines.reserve(12);
  for (int i = 0; i < 12; ++i) {
    lines.push_back("192.0.2.1 - - [18/Sep/2011:19:18:" + std::to_string(10 + i) +
                    R"( -0400] "GET /x HTTP/1.1" 200 5 "-" "-" )" + (i % 4 == 3 ? "2" : "0"));
  }
  Result<AccessLogFormat> format = AccessLogFormat::Detect(Views(lines));
  ASSERT_OK(format);
  EXPECT_EQ(format->Describe(), "apache combined + %T");
  EXPECT_EQ(format->latency_unit(), LatencyUnit::kWholeSeconds);
  ExpectOutcome(&*format, lines[3],
                Record("2011-09-18T23:18:13Z", "GET", "/x", "HTTP/1.1", 200, 2'000'000), "%T");
}

TEST(AccessLogDetectTest, SpecExamples) {
  // nginx: a decimal after the combined fields is $request_time.
  const std::string_view nginx[] = {kNginxExample};
  Result<AccessLogFormat> format = AccessLogFormat::Detect(nginx);
  ASSERT_OK(format);
  EXPECT_EQ(format->Describe(), "nginx combined + $request_time");

  // Apache alone: one integer cannot tell %D from %T; the error says what to pass.
  const std::string_view apache[] = {kApacheExample};
  format = AccessLogFormat::Detect(apache);
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(format.status().message(),
            "ambiguous latency field: integers after the combined fields (e.g. '1830512' on line "
            "1) may be Apache %D microseconds or %T whole seconds (1 value, median 1830512; auto "
            "decides only from 10+ values with median >= 1000 or == 0); pass --log-format "
            "apache if it is %D (microseconds), or --log-format '%h %^[%d:%t %^] \"%r\" %s %b "
            "\"%R\" \"%u\" %T' if it is whole seconds");
  // The suggested format string works.
  Result<AccessLogFormat> suggested =
      AccessLogFormat::Create(R"(%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T)");
  ASSERT_OK(suggested);
  ExpectOutcome(
      &*suggested, kApacheExample,
      Record("2011-09-18T23:18:28Z", "POST", "/login", "HTTP/1.1", 500, 1'830'512'000'000),
      "suggested");

  // The malformed example alone: its only line is rejected.
  const std::string_view bad[] = {kMalformedExample};
  format = AccessLogFormat::Detect(bad);
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.status().message(),
            "no access-log format fits: every sampled line was rejected; line 1: bad timestamp "
            "'31/Foo/2024:25:61:00 +0200': month 'Foo', hour 25, minute 61");
  // With a good line beside it, nginx is still found.
  const std::string_view mixed[] = {kMalformedExample, kNginxExample};
  format = AccessLogFormat::Detect(mixed);
  ASSERT_OK(format);
  EXPECT_EQ(format->Describe(), "nginx combined + $request_time");
}

TEST(AccessLogDetectTest, Errors) {
  struct ErrorCase {
    std::vector<std::string> lines;
    std::string_view message;
  };
  const std::string ok =
      R"(192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "-")";
  const ErrorCase kCases[] = {
      {{}, "no access-log lines to detect the format from"},
      {{"", "\r", "#comment"}, "no access-log lines to detect the format from"},
      // Line numbers count every given line, empty ones included.
      {{ok, "", "hello world"},
       "no access-log format fits line 3: no '[' opening the timestamp (auto knows the "
       "combined/common family; pass --log-format with a GoAccess name or format string)"},
      // A trailing field that is no latency ($host).
      {{ok + " 0.042", ok + " example.com"},
       "line 2: the field 'example.com' after the combined fields is not a latency (decimal "
       "seconds or integer microseconds); pass --log-format COMBINED to ignore it, or a format "
       "string that names it (access-logs.md §3)"},
      {{ok + " -", ok + " -"},
       "ambiguous latency field: the field after the combined fields is '-' on every sampled "
       "line, so its unit cannot be told; pass --log-format apache if it is %D (microseconds), "
       "or --log-format '%h %^[%d:%t %^] \"%r\" %s %b \"%R\" \"%u\" %T' if it is whole seconds"},
      // Medians between 1 and 999 decide nothing, even from many lines; more tokens after
      // the integer show in the suggested format.
      {std::vector<std::string>(12, ok + " 7 x"),
       "ambiguous latency field: integers after the combined fields (e.g. '7' on line 1) may be "
       "Apache %D microseconds or %T whole seconds (12 values, median 7; auto decides only from "
       "10+ values with median >= 1000 or == 0); pass --log-format apache if it is %D "
       "(microseconds), or --log-format '%h %^[%d:%t %^] \"%r\" %s %b \"%R\" \"%u\" %T %^' if "
       "it is whole seconds"},
  };
  for (const ErrorCase& c : kCases) {
    const std::vector<std::string_view> views = Views(c.lines);
    Result<AccessLogFormat> format = AccessLogFormat::Detect(views);
    ASSERT_FALSE(format.ok()) << c.message;
    EXPECT_EQ(format.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(format.status().message(), c.message);
  }
}

TEST(AccessLogDetectTest, GoAccessFormatFilesNeedAFormatString) {
  const std::vector<std::string> lines =
      ReadLines(TestDataPath("access-log/valid/goaccess_tab.log"));
  Result<AccessLogFormat> format = AccessLogFormat::Detect(Views(lines));
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.status().message(),
            "no access-log format fits line 1: line ends after the client address (auto knows "
            "the combined/common family; pass --log-format with a GoAccess name or format "
            "string)");
}

// $request_time and the integer units are read as integers: no floating point rounding.
TEST(AccessLogTest, LatencyIsExact) {
  struct LatencyCase {
    std::string_view spec;
    std::string_view field;
    int64_t us;
  };
  const LatencyCase kCases[] = {
      {"nginx", "0.042", 42'000},
      {"nginx", "0.0005", 500},
      {"nginx", "0.000", 0},
      {"nginx", "0.0000009", 0},
      {"nginx", "1", 1'000'000},
      {"nginx", "12.3456789", 12'345'678},
      {"nginx", "0.1", 100'000},
      {"nginx", "9223372036854.775807", 9223372036854775807},
      {"apache", "1830512", 1'830'512},
      {"apache", "0", 0},
      {"apache", "9223372036854775807", 9223372036854775807},
  };
  const std::string prefix =
      R"(192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "-" )";
  for (const LatencyCase& c : kCases) {
    Result<AccessLogFormat> format = AccessLogFormat::Create(c.spec);
    ASSERT_OK(format);
    AccessLogRecord r;
    LineRejection rejection;
    ASSERT_TRUE(format->Parse(prefix + std::string(c.field), &r, &rejection))
        << c.field << ": " << rejection.reason;
    ASSERT_TRUE(r.latency.has_value()) << c.field;
    EXPECT_EQ(r.latency->us(), c.us) << c.field;
  }
  // Apache %D is an integer.
  Result<AccessLogFormat> apache = AccessLogFormat::Create("apache");
  ASSERT_OK(apache);
  ExpectOutcome(
      &*apache, prefix + "0.042",
      Rejected("bad_latency", "bad latency '0.042': expected integer microseconds or '-'"),
      "apache decimal");
  ExpectOutcome(&*apache, prefix + "9223372036854775808",
                Rejected("bad_latency", "bad latency '9223372036854775808': too large"),
                "apache overflow");
  Result<AccessLogFormat> nginx = AccessLogFormat::Create("nginx");
  ASSERT_OK(nginx);
  ExpectOutcome(&*nginx, prefix + "9223372036854.775808",
                Rejected("bad_latency", "bad latency '9223372036854.775808': too large"),
                "nginx overflow");
}

TEST(AccessLogTest, LineLimitsAndEndings) {
  Result<AccessLogFormat> format = AccessLogFormat::Create("nginx");
  ASSERT_OK(format);
  const std::string head =
      R"(192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" ")";
  const std::string tail = "\" 0.001";
  // Exactly 64 KiB is accepted; one more byte is rejected.
  std::string line =
      head + std::string(kMaxAccessLogLineBytes - head.size() - tail.size(), 'a') + tail;
  ASSERT_EQ(line.size(), kMaxAccessLogLineBytes);
  ExpectOutcome(&*format, line, Record("2000-10-10T20:55:36Z", "GET", "/", "HTTP/1.1", 200, 1'000),
                "64 KiB");
  ExpectOutcome(&*format, line + "\r",
                Record("2000-10-10T20:55:36Z", "GET", "/", "HTTP/1.1", 200, 1'000), "64 KiB + CR");
  line.insert(head.size(), "a");
  ExpectOutcome(&*format, line,
                Rejected("line_too_long", "line of 65537 bytes exceeds the limit of 65536 bytes"),
                "64 KiB + 1");
  ExpectOutcome(&*format, "", Rejected("empty_line", "empty line"), "empty");
  ExpectOutcome(&*format, "\r", Rejected("empty_line", "empty line"), "CR only");
  ExpectOutcome(&*format, std::string(kNginxExample) + "\r",
                Record("2000-10-10T20:55:36Z", "GET", "/api/orders?id=9", "HTTP/1.1", 200, 42'000),
                "CRLF");
  // Bytes other than printable ASCII appear as \xHH in reasons.
  ExpectOutcome(
      &*format, head + "-\" \x01\xFF",
      Rejected("bad_latency", "bad latency '\\x01\\xFF': expected decimal seconds or '-'"),
      "binary");
}

// Views into the scratch buffer stay valid until the next Parse; copies are independent.
TEST(AccessLogTest, ScratchViewsAndCopies) {
  Result<AccessLogFormat> format = AccessLogFormat::Create("nginx");
  ASSERT_OK(format);
  AccessLogFormat copy = *format;
  const std::string a =
      R"(192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a\x20b HTTP/1.1" 200 5 "-" "-")";
  const std::string b =
      R"(192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET /\x41\x42 HTTP/1.1" 200 5 "-" "-")";
  AccessLogRecord ra;
  AccessLogRecord rb;
  LineRejection rejection;
  ASSERT_TRUE(format->Parse(a, &ra, &rejection));
  ASSERT_TRUE(copy.Parse(b, &rb, &rejection));
  EXPECT_EQ(ra.target, "/a b");
  EXPECT_EQ(rb.target, "/AB");
  // The method points into the line itself.
  EXPECT_GE(ra.method.data(), a.data());
  EXPECT_LT(ra.method.data(), a.data() + a.size());
}

TEST(AccessLogTest, PatternFormats) {
  struct PatternCase {
    std::string_view spec;
    std::string_view line;
    Outcome want;
  };
  const PatternCase kCases[] = {
      // COMBINED applies the zone GoAccess skips (`%t %^]`).
      {"COMBINED", R"(192.0.2.1 - - [10/Jun/2024:13:55:36 +0545] "GET / HTTP/1.1" 200 5 "-" "-")",
       Record("2024-06-10T08:10:36Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
      {"COMBINED", R"(192.0.2.1 - - [10/Jun/2024:13:55:36 +2500] "GET / HTTP/1.1" 200 5 "-" "-")",
       Rejected("bad_timestamp", "bad timestamp '10/Jun/2024:13:55:36 +2500': offset +2500")},
      {"COMBINED", R"(192.0.2.1 - - [31/Foo/2024:25:61:00 +0200] "GET / HTTP/1.1" 200 5 "-" "-")",
       Rejected("bad_timestamp",
                "bad timestamp '31/Foo/2024:25:61:00 +0200': month 'Foo', hour 25, minute 61")},
      {"combined",  // Names are case-insensitive.
       R"(192.0.2.1 - - [10/Jun/2024:13:55:36 +0000] "GET /x HTTP/1.1" 200 5 "-" "unterminated)",
       Rejected("unterminated_quote",
                "unterminated quote: the user agent opened at byte 71 has no closing '\"'")},
      {"COMBINED", R"(192.0.2.1 - - [10/Jun/2024:13:55:36 +0000] "GET /x HTTP/1.1" 200)",
       Rejected("missing_field",
                "line ends in the status field starting at byte 61 (no ' ' after it)")},
      {"COMBINED", R"(192.0.2.1 - - [10/Jun/2024:13:55:36 +0000] "GET /x HTTP/1.1" 200 5 - "-")",
       Rejected("format_mismatch", "expected '\"' at byte 67, found '-'")},
      {"COMMON", R"(192.0.2.1 - - [10/Jun/2024:13:55:36 +0000] "GET /x HTTP/1.1" 200 5)",
       Record("2024-06-10T13:55:36Z", "GET", "/x", "HTTP/1.1", 200, kNoLatency)},
      {"VCOMMON", R"(example.org:8080 192.0.2.1 - - [10/Jun/2024:13:55:36 +0000] "-" 400 0)",
       Outcome{{}, {}, "2024-06-10T13:55:36Z", {}, {}, {}, 400, kNoLatency, "example.org", true}},
      {"CLOUDFRONT",
       "2014-05-23\t01:13:11\tFRA2\t182\t192.0.2.10\tGET\td111111abcdef8.cloudfront.net\t/view/"
       "my/file.html\t200\twww.displaymyfiles.com\tMozilla/4.0\tfoo=bar\tzip=98101\tRefreshHit\t"
       "MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==\td111111abcdef8.cloudfront.net"
       "\thttp\t-\t0.001\t-\t-\t-\tRefreshHit\tHTTP/1.1\tProcessed\t1",
       Record("2014-05-23T01:13:11Z", "GET", "/view/my/file.html?foo=bar", "HTTP/1.1", 200, 1'000,
              "d111111abcdef8.cloudfront.net")},
      {"TRAEFIKCLF",
       R"(192.0.2.1 - alice [10/Oct/2000:13:55:36 -0700] "GET /api HTTP/1.1" 200 512 "-" "curl/8.5.0" 3 "router@docker" "http://10.0.0.2:80" 12ms)",
       Record("2000-10-10T20:55:36Z", "GET", "/api", "HTTP/1.1", 200, 12'000, "router@docker")},
      {"SQUID",
       "Jun 10 13:55:36 proxy squid[12]: 1718027736.123    42 192.0.2.1 TCP_MISS/200 512 GET "
       "http://example.com/x",
       Record("2024-06-10T13:55:36Z", "GET", "http://example.com/x", "", 200, 42'000, "proxy")},
      {"CLOUDSTORAGE",
       R"("1718027736123456","192.0.2.1",1,2,"GET","/bucket/obj","200",3,"512","8123",4,"-","ua")",
       Record("2024-06-10T13:55:36.123Z", "GET", "/bucket/obj", "", 200, 8'123)},
      {"AWSELB",
       R"(http 2015-05-13T23:39:43.945958Z my-lb 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - - arn:aws:elasticloadbalancing "Root=1-58337262" "www.example.com")",
       Record("2015-05-13T23:39:43Z", "GET", "http://www.example.com:80/", "HTTP/1.1", 200, 1'048,
              "www.example.com")},
  };
  for (const PatternCase& c : kCases) {
    Result<AccessLogFormat> format = AccessLogFormat::Create(c.spec);
    ASSERT_OK(format);
    ExpectOutcome(&*format, c.line, c.want, std::string(c.spec) + " " + std::string(c.line));
  }
}

TEST(AccessLogTest, DateTimeFormats) {
  struct TimeCase {
    std::string_view format;
    std::string_view date;
    std::string_view time;
    std::string_view datetime;
    std::string_view line;
    Outcome want;
  };
  const std::string_view kFormat = R"(%h [%x] "%r" %s %b)";
  const TimeCase kCases[] = {
      {kFormat,
       {},
       {},
       "%s",
       R"(192.0.2.1 [1718027736] "GET / HTTP/1.1" 200 5)",
       Record("2024-06-10T13:55:36Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
      {kFormat,
       {},
       {},
       "%*",
       R"(192.0.2.1 [-1] "GET / HTTP/1.1" 200 5)",
       Record("1969-12-31T23:59:59.999Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
      {kFormat,
       {},
       {},
       "%F %T %Z",
       R"(192.0.2.1 [2024-06-10 13:55:36 UTC] "GET / HTTP/1.1" 200 5)",
       Record("2024-06-10T13:55:36Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
      {kFormat,
       {},
       {},
       "%a, %e %B %Y %I:%M:%S %p %z",
       R"(192.0.2.1 [Mon,  3 june 2024 01:05:09 PM -02:30] "GET / HTTP/1.1" 200 5)",
       Record("2024-06-03T15:35:09Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
      {kFormat,
       {},
       {},
       "%D %R",
       R"(192.0.2.1 [02/29/24 23:59] "GET / HTTP/1.1" 200 5)",
       Record("2024-02-29T23:59:00Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
      {kFormat,
       {},
       {},
       "%Y-%m-%dT%H:%M:%S,%z",
       R"(192.0.2.1 [2024-06-10T13:55:36,Z] "GET / HTTP/1.1" 200 5)",
       Record("2024-06-10T13:55:36Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
      {kFormat,
       {},
       {},
       "%Y-%m-%dT%H:%M:%S%z",
       R"(192.0.2.1 [2023-02-29T24:00:00+0100] "GET / HTTP/1.1" 200 5)",
       Rejected("bad_timestamp",
                "bad timestamp '2023-02-29T24:00:00+0100': day 29 of 2023-02, hour 24")},
      {kFormat,
       {},
       {},
       "%Y-%m-%d %H:%M:%S %Z",
       R"(192.0.2.1 [2024-06-10 13:55:36 CEST] "GET / HTTP/1.1" 200 5)",
       Rejected("bad_timestamp",
                "bad timestamp '2024-06-10 13:55:36 CEST': time zone 'CEST' (only UTC and GMT "
                "are known by name; log a numeric offset and use %z)")},
      {kFormat,
       {},
       {},
       "%d/%b/%Y:%H:%M:%S %z",
       R"(192.0.2.1 [10/Oct/2000:13:55:36 -0700 extra] "GET / HTTP/1.1" 200 5)",
       Rejected("bad_timestamp",
                "bad timestamp '10/Oct/2000:13:55:36 -0700 extra': unexpected ' extra' at byte "
                "26")},
      {kFormat,
       {},
       {},
       "%d/%b/%Y:%H:%M:%S %z",
       R"(192.0.2.1 [10/Oct/2000:1x:55:36 -0700] "GET / HTTP/1.1" 200 5)",
       Rejected("bad_timestamp",
                "bad timestamp '10/Oct/2000:1x:55:36 -0700': expected ':' at byte 13, found "
                "'x:55:36 ...'")},
      // %d and %t in separate fields: errors of both are named together.
      {R"(%d %t %h "%r" %s %b)",
       "%Y-%m-%d",
       "%H:%M:%S",
       {},
       R"(2024-13-10 25:00:00 192.0.2.1 "GET / HTTP/1.1" 200 5)",
       Rejected("bad_timestamp", "bad timestamp '2024-13-10 25:00:00': month 13, hour 25")},
      // No zone anywhere: UTC; `%t %^` reads the offset only when it looks like one.
      {R"(%d %t %^ %h "%r" %s %b)",
       "%Y-%m-%d",
       "%H:%M:%S",
       {},
       R"(2024-06-10 13:55:36 CEST 192.0.2.1 "GET / HTTP/1.1" 200 5)",
       Record("2024-06-10T13:55:36Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
      {R"(%d %t %^ %h "%r" %s %b)",
       "%Y-%m-%d",
       "%H:%M:%S",
       {},
       R"(2024-06-10 13:55:36 -0130 192.0.2.1 "GET / HTTP/1.1" 200 5)",
       Record("2024-06-10T15:25:36Z", "GET", "/", "HTTP/1.1", 200, kNoLatency)},
  };
  for (const TimeCase& c : kCases) {
    Result<AccessLogFormat> format = AccessLogFormat::Create(c.format, c.date, c.time, c.datetime);
    ASSERT_OK(format);
    ExpectOutcome(&*format, c.line, c.want, std::string(c.line));
  }
}

TEST(AccessLogTest, CreateErrors) {
  struct ErrorCase {
    std::string_view spec;
    std::string_view date;
    std::string_view time;
    std::string_view datetime;
    std::string_view message;
  };
  const ErrorCase kCases[] = {
      {"",
       {},
       {},
       {},
       "empty log format (expected auto, nginx, apache, a GoAccess name or a format string)"},
      {"auto",
       {},
       {},
       {},
       "log format 'auto' is decided from each file's first lines (Detect), not created"},
      {"haproxy",
       {},
       {},
       {},
       "unknown log format 'haproxy' (expected auto, nginx, apache, one of COMBINED, VCOMBINED, "
       "COMMON, VCOMMON, W3C, CLOUDFRONT, CLOUDSTORAGE, AWSELB, SQUID, AWSS3, AWSALB, "
       "TRAEFIKCLF, or a format string with % fields)"},
      {"CADDY",
       {},
       {},
       {},
       "log format CADDY is JSON; the access-log parser reads text lines (import Caddy logs as "
       "NDJSON request events)"},
      {R"(%h [%x] "%r" %s %Q)",
       {},
       {},
       {},
       "log format '%h [%x] \"%r\" %s %Q': unsupported specifier %Q at byte 16"},
      {R"(%h [%x] "%r" %b)",
       {},
       {},
       {},
       "log format '%h [%x] \"%r\" %b': no %s (status): vigil needs it to count errors"},
      {R"(%h [%x] %s %b)",
       {},
       {},
       {},
       "log format '%h [%x] %s %b': no %r (request line) or %U (URL path)"},
      {R"(%h "%r" %s %b)",
       {},
       {},
       {},
       "log format '%h \"%r\" %s %b': no date: needs %x, or %d and %t"},
      {R"(%h [%d] "%r" %s %b)",
       {},
       {},
       {},
       "log format '%h [%d] \"%r\" %s %b': its date/time formats give no full timestamp (year, "
       "month, day, hour and minute, or an epoch %s/%f/%*)"},
      {R"(%h%^ [%x] "%r" %s %b)",
       {},
       {},
       {},
       "log format '%h%^ [%x] \"%r\" %s %b': %h must be followed by a literal delimiter, not "
       "another specifier"},
      {R"(%h [%x] "%r" %s %b %)",
       {},
       {},
       {},
       "log format '%h [%x] \"%r\" %s %b %': ends with a lone '%'"},
      {R"(%h [%x] "%r" %s %b)",
       {},
       {},
       "%Y-%m-%Q",
       "datetime format: time format '%Y-%m-%Q': unsupported directive %Q"},
      {"COMBINED", "%d/%b/%", {}, {}, "date format: time format '%d/%b/%' ends with a lone '%'"},
  };
  for (const ErrorCase& c : kCases) {
    Result<AccessLogFormat> format = AccessLogFormat::Create(c.spec, c.date, c.time, c.datetime);
    ASSERT_FALSE(format.ok()) << c.spec;
    EXPECT_EQ(format.status().code(), StatusCode::kInvalidArgument) << c.spec;
    EXPECT_EQ(format.status().message(), c.message) << c.spec;
  }
}

TEST(AccessLogTest, DescribeAndUnit) {
  struct DescribeCase {
    std::string_view spec;
    std::string_view describe;
    LatencyUnit unit;
  };
  const DescribeCase kCases[] = {
      {"nginx", "nginx combined + $request_time (optional)", LatencyUnit::kSeconds},
      {"apache", "apache common/combined + %D (optional)", LatencyUnit::kMicros},
      {"COMBINED", "COMBINED (no latency)", LatencyUnit::kNone},
      {"vcommon", "VCOMMON (no latency)", LatencyUnit::kNone},
      {"W3C", "W3C + %L", LatencyUnit::kMillis},
      {"CLOUDFRONT", "CLOUDFRONT + %T", LatencyUnit::kSeconds},
      {"CLOUDSTORAGE", "CLOUDSTORAGE + %D", LatencyUnit::kMicros},
      {R"(%h [%x] "%r" %s %b %n %T)",
       R"(format %h [%x] "%r" %s %b %n %T (datetime %d/%b/%Y:%H:%M:%S %z))", LatencyUnit::kNanos},
      {R"(%d %t %h "%r" %s %b)", R"(format %d %t %h "%r" %s %b (date %d/%b/%Y, time %H:%M:%S))",
       LatencyUnit::kNone},
  };
  for (const DescribeCase& c : kCases) {
    Result<AccessLogFormat> format = AccessLogFormat::Create(c.spec);
    ASSERT_OK(format);
    EXPECT_EQ(format->Describe(), c.describe);
    EXPECT_EQ(format->latency_unit(), c.unit) << c.spec;
  }
}

}  // namespace
}  // namespace vigil::ingest
