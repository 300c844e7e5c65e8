#include "vigil/ingest/events.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"

#include "vigil/core/time.h"

namespace vigil::ingest {
namespace {

using ::vigil::testing::TestDataPath;
using Outcome = RequestParser::Outcome;

constexpr int64_t kNoLatency = -1;
// 2024-06-10T13:55:36Z, the time of most fixture lines.
constexpr int64_t kT = 1718027736000;

// What one line should give: a request (code empty), a skip (code "skip") or a rejection.
struct Want {
  std::string_view code;
  std::string_view reason;
  int64_t time_ms = 0;  // UTC
  std::string_view method;
  std::string_view target;
  std::string_view route;
  int status = 0;
  int64_t latency_us = kNoLatency;
  std::string_view service;
  std::string_view environment;
  std::string_view version;
};

Want Ok(int64_t time_ms, std::string_view method, std::string_view target, std::string_view route,
        int status, int64_t latency_us, std::string_view service = {},
        std::string_view environment = {}, std::string_view version = {}) {
  return Want{{},     {},         time_ms, method,      target, route,
              status, latency_us, service, environment, version};
}
// The line every malformed fixture ends with, parsed after the bad ones.
Want GoodOk() {
  return Ok(kT, "GET", "/ok", "", 200, kNoLatency);
}
Want Skip() {
  Want w;
  w.code = "skip";
  return w;
}
Want Rej(std::string_view code, std::string_view reason) {
  Want w;
  w.code = code;
  w.reason = reason;
  return w;
}

// Parses `line` and checks it against `want`; `where` names the case in failures.
void ExpectLine(RequestParser* parser, std::string_view line, const Want& want,
                const std::string& where) {
  SCOPED_TRACE(where);
  Request r;
  LineIssue issue;
  issue.code = "stale";  // A request must clear it (no warning).
  issue.reason = "stale";
  const Outcome outcome = parser->Parse(line, &r, &issue);
  if (want.code == "skip") {
    EXPECT_EQ(outcome, Outcome::kSkip);
    return;
  }
  if (!want.code.empty()) {
    ASSERT_EQ(outcome, Outcome::kReject);
    EXPECT_EQ(issue.code, want.code);
    EXPECT_EQ(issue.reason, want.reason);
    return;
  }
  ASSERT_EQ(outcome, Outcome::kRequest) << issue.code << ": " << issue.reason;
  EXPECT_TRUE(issue.code.empty()) << issue.code;
  EXPECT_EQ(r.time.unix_ms(), want.time_ms);
  EXPECT_EQ(r.service, want.service);
  EXPECT_EQ(r.environment, want.environment);
  EXPECT_EQ(r.version, want.version);
  EXPECT_EQ(r.method, want.method);
  EXPECT_EQ(r.target, want.target);
  EXPECT_EQ(r.route, want.route);
  EXPECT_EQ(r.status, want.status);
  EXPECT_EQ(r.latency.has_value() ? r.latency->us() : kNoLatency, want.latency_us);
  EXPECT_FALSE(r.malformed_request);
}

// The lines of a file split on '\n' only (a '\r' stays for the parser), as the importer does.
std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      nl = text.size();
    }
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::unique_ptr<RequestParser> ParserFor(std::string_view path) {
  return DetectEventFormat(path, "") == "csv" ? MakeCsvEventParser() : MakeNdjsonEventParser();
}

struct FixtureCase {
  std::string_view file;  // Under tests/data/events/.
  std::vector<Want> lines;
};

void RunFixture(const FixtureCase& c) {
  const std::string path = TestDataPath("events/" + std::string(c.file));
  const std::vector<std::string> lines = ReadLines(path);
  ASSERT_EQ(lines.size(), c.lines.size()) << c.file;
  std::unique_ptr<RequestParser> parser = ParserFor(c.file);
  for (size_t i = 0; i < lines.size(); ++i) {
    ExpectLine(parser.get(), lines[i], c.lines[i],
               std::string(c.file) + ":" + std::to_string(i + 1));
  }
}

TEST(EventFixtureTest, ValidNdjsonLinesGiveTheirFields) {
  const FixtureCase cases[] = {
      {"valid/basic.ndjson",
       {
           Ok(kT, "GET", "/api/items/42?full=1", "/api/items/{id}", 200, 42500, "checkout",
              "production", "2.4.1"),
           Ok(kT + 250, "POST", "/api/orders", "", 201, 1250),       // +02:00 applied; upper-cased
           Ok(kT, "GET", "", "/health", 503, kNoLatency),            // epoch ms; no duration
           Skip(), Ok(kT, "DELETE", "/api/items/7", "", 404, 3000),  // "404", "3"; extras ignored
           Ok(kT + int64_t{7} * 3'600'000, "GET", "https://shop.example.com/cart", "", 200, 0),
           Skip(),                                                   // spaces and a tab
           Ok(kT, "GET", "", "/q/\"x\"", 200, 7000, "caf\xC3\xA9"),  // JSON escapes undone
       }},
      {"valid/numbers.ndjson",
       {
           Ok(kT, "GET", "/n", "", 200, 1'000'000),           // 1e3 ms
           Ok(kT, "GET", "/n", "", 200, 42001),               // 42.0005 ms: 42000.5 µs, half up
           Ok(kT, "GET", "/n", "", 200, 42000),               // 42.0004999 ms
           Ok(kT, "GET", "/n", "", 200, 1),                   // 0.0005 ms = 0.5 µs, half up
           Ok(kT, "GET", "/n", "", 200, 0),                   // 0.0004 ms
           Ok(kT, "GET", "/n", "", 200, 2),                   // 1.5e-3 ms
           Ok(kT, "GET", "/n", "", 200, 25000),               // 2.5E+1 ms
           Ok(kT, "GET", "/n", "", 200, 0),                   // -0
           Ok(kT, "GET", "/n", "", 200, 10'000'000'000'000),  // the maximum, in ms
           Ok(kT, "GET", "/n", "", 200, 1),                   // "0.0005" (a string)
           Ok(kT, "GET", "/n", "", 200, 1'500'000),           // "1.5e3"
           Ok(kT, "GET", "/n", "", 200, 1000),                // duration_us 1e3
           Ok(kT, "GET", "/n", "", 200, 10'000'000'000'000),  // the maximum, in µs
           Ok(kT, "GET", "/n", "", 200, 17),                  // duration_us "17"
           Ok(kT, "GET", "/n", "", 200, kNoLatency),          // status 2e2
           Ok(kT, "GET", "/n", "", 599, kNoLatency),          // status 599.0
           Ok(kT, "GET", "/n", "", 100, kNoLatency),          // timestamp 1.718027736e12
           Ok(kT + 1, "GET", "/n", "", 200, kNoLatency),      // timestamp "1718027736001"
       }},
      {"valid/crlf_bom.ndjson",
       {
           Ok(kT, "GET", "/a", "", 200, 1000),
           Skip(),
           Ok(kT, "GET", "/b", "", 500, 2000),
       }},
  };
  for (const FixtureCase& c : cases) {
    RunFixture(c);
  }
}

TEST(EventFixtureTest, ValidCsvLinesGiveTheirFields) {
  const FixtureCase cases[] = {
      {"valid/basic.csv",
       {
           Skip(),
           Ok(kT, "GET", "/api/items/42?full=1", "/api/items/{id}", 200, 42500, "checkout",
              "production", "2.4.1"),
           Ok(kT, "POST", "/api/orders", "", 201, 1250), Skip(),
           Ok(kT + 250, "GET", "", "/health", 503, kNoLatency, "checkout"),
           Ok(kT, "GET", "/n", "", 200, 1'000'000),  // 1e3
           Ok(kT, "GET", "/n", "", 200, 42001),      // 42.0005
       }},
      {"valid/quoting.csv",
       {
           Skip(), Ok(kT, "GET", "/search?q=a,b", "", 200, 1500),
           Ok(kT, "GET", "/say/\"hi\"", "", 200, 7),
           Ok(kT, "GET", "/q", "", 200, kNoLatency),  // every field quoted; "" is absent
           Ok(kT, "GET", "/trimmed", "", 200, 9),     // spaces around unquoted values
       }},
      {"valid/header_variations.csv",
       {
           Skip(),  // BOM, any case, spaces, quotes, unknown and unnamed columns
           Ok(kT, "GET", "", "/api/items/{id}", 200, 100),
           Ok(kT, "HEAD", "", "/api/items/{id}", 404, kNoLatency),
       }},
      {"valid/crlf.csv",
       {
           Skip(),
           Ok(kT, "GET", "/a", "", 200, 1000),
           Skip(),
           Ok(kT, "GET", "/b,c", "", 500, 2000),
       }},
      {"valid/repeated_header.csv",
       {
           Skip(),
           Ok(kT, "GET", "/a", "", 200, kNoLatency),
           Skip(),
           Skip(),  // the header again (files concatenated)
           Ok(kT, "GET", "/b", "", 200, kNoLatency),
       }},
  };
  for (const FixtureCase& c : cases) {
    RunFixture(c);
  }
}

TEST(EventFixtureTest, MalformedNdjsonLinesAreRejectedWithCodeAndReason) {
  constexpr std::string_view kStructure =
      "bad JSON: The JSON document has an improper structure: missing or superfluous commas, "
      "braces, missing keys, etc.";
  const FixtureCase cases[] = {
      {"malformed/bad_json.ndjson",
       {
           Rej("bad_json", kStructure),  // no closing brace
           GoodOk(),
           Rej("bad_json", kStructure),  // one brace too many
           Rej("bad_json", "expected a JSON object per line, got an array"),
           Rej("bad_json", "expected a JSON object per line, got a string"),
           Rej("bad_json", kStructure),  // two objects on one line
           Rej("bad_json", "bad JSON: Problem while parsing an atom starting with the letter 'n'"),
           Rej("bad_json", kStructure),  // [1,,2] in an unknown field: still checked
           Rej("bad_json", "bad JSON: Problem while parsing a number"),  // beyond 64 bits
           GoodOk(),
       }},
      {"malformed/missing_field.ndjson",
       {
           Rej("missing_field", "missing required field 'timestamp'"),
           Rej("missing_field", "missing required field 'method'"),
           Rej("missing_field", "missing required field 'route' or 'path'"),  // route ""
           Rej("missing_field", "missing required field 'status'"),           // null
           Rej("missing_field", "missing required field 'method'"),           // ""
           Rej("missing_field",
               "missing required fields 'timestamp', 'method', 'route' or 'path', 'status'"),
           GoodOk(),
       }},
      {"malformed/bad_timestamp.ndjson",
       {
           Rej("bad_timestamp", "bad timestamp '2024-13-01T00:00:00Z': month 13"),
           Rej("bad_timestamp",
               "bad timestamp '2024-06-10 13:55:36': missing offset ('Z' or +hh:mm) at the end"),
           Rej("bad_timestamp",
               "bad timestamp 1718027736: epoch milliseconds before 1973-03-03 (is it in "
               "seconds?)"),
           Rej("bad_timestamp",
               "bad timestamp 1718027736000000: epoch milliseconds after 9999-12-31 (is it in "
               "microseconds or nanoseconds?)"),
           Rej("bad_timestamp",
               "bad timestamp 1718027736000.5: epoch milliseconds must be an integer"),
           Rej("bad_timestamp", "bad timestamp -5: negative epoch milliseconds"),
           Rej("bad_timestamp",
               "bad timestamp true: expected an RFC 3339 string or integer epoch milliseconds"),
           Rej("bad_timestamp",
               "bad timestamp 'yesterday at noon, roughly, in the afternoon of a long and very "
               "...': expected 4 digits of the year at byte 0, found 'yest'"),  // cut at 64
           GoodOk(),
       }},
      {"malformed/bad_status.ndjson",
       {
           Rej("bad_status", "bad status 600: outside 100..599"),
           Rej("bad_status", "bad status 99: outside 100..599"),
           Rej("bad_status", "bad status '2xx': expected an integer 100..599"),
           Rej("bad_status", "bad status 200.5: expected an integer 100..599"),
           Rej("bad_status", "bad status true: expected an integer 100..599"),
           Rej("bad_status", "bad status '0200': expected an integer 100..599"),
           Rej("bad_status", "bad status -200: expected an integer 100..599"),
           Rej("bad_status", "bad status 1e+300: expected an integer 100..599"),
           GoodOk(),
       }},
      {"malformed/bad_duration.ndjson",
       {
           Rej("bad_duration", "bad duration_ms -1: negative"),
           Rej("bad_duration", "bad duration_ms 1e+300: larger than 10000000000000 us (~116 days)"),
           Rej("bad_duration", "bad duration_ms 'abc': expected a decimal number of milliseconds"),
           Rej("bad_duration", "bad duration_us 42.5: expected an integer number of microseconds"),
           Rej("bad_duration",
               "bad duration_ms 10000000000.001: larger than 10000000000000 us (~116 days)"),
           Rej("bad_duration", "bad duration_us '-3': negative"),
           Rej("bad_duration", "bad duration_ms [...]: expected a number"),
           Rej("bad_duration", "bad duration_ms '42.': expected a decimal number of milliseconds"),
           Rej("bad_duration", "bad duration_ms '.5': expected a decimal number of milliseconds"),
           Rej("bad_duration",
               "bad duration_us 12345678901234567890: larger than 10000000000000 us (~116 days)"),
           Rej("bad_duration", "bad duration_ms ' 5': expected a decimal number of milliseconds"),
           GoodOk(),
       }},
      {"malformed/bad_method.ndjson",
       {
           Rej("bad_method", "bad method 'G ET': not an HTTP method token"),
           Rej("bad_method", "'method' must be a string, got 5"),
           Rej("bad_method", "bad method 'GET\\x00': not an HTTP method token"),
           Rej("bad_method",
               "bad method 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG': longer than 32 bytes"),
           GoodOk(),
       }},
      {"malformed/bad_path.ndjson",
       {
           Rej("bad_route", "bad route 'api/items/{id}': a route template starts with '/'"),
           Rej("bad_path",
               "bad path 'api/items/42': a path starts with '/' (or is an absolute http(s) URL)"),
           Rej("bad_path", "bad path '*': a path starts with '/' (or is an absolute http(s) URL)"),
           GoodOk(),
       }},
      {"malformed/wrong_type.ndjson",
       {
           Rej("wrong_type", "'service' must be a string, got 5"),
           Rej("wrong_type", "'version' must be a string, got 2.4"),
           Rej("wrong_type", "'environment' must be a string, got [...]"),
           Rej("bad_route", "'route' must be a string, got 5"),
           Rej("bad_path", "'path' must be a string, got {...}"),
           GoodOk(),
       }},
      {"malformed/conflicting_fields.ndjson",
       {
           Rej("conflicting_fields",
               "both 'duration_ms' and 'duration_us' given (use one): duration_ms 1.5, "
               "duration_us 1500"),
           Ok(kT, "GET", "/a", "", 200, 1500),  // a null duration_ms is absent
       }},
      {"malformed/duplicate_field.ndjson",
       {
           Rej("duplicate_field", "field 'status' given twice"),
           GoodOk(),
       }},
  };
  for (const FixtureCase& c : cases) {
    RunFixture(c);
  }
}

TEST(EventFixtureTest, MalformedCsvLinesAreRejectedWithCodeAndReason) {
  const FixtureCase cases[] = {
      {"malformed/missing_column.csv",
       {
           Rej("missing_column", "the header lacks required column 'route' or 'path'"),
           Rej("bad_header",
               "the header was rejected: the header lacks required column 'route' or 'path'"),
           Rej("bad_header",
               "the header was rejected: the header lacks required column 'route' or 'path'"),
       }},
      {"malformed/missing_columns.csv",
       {
           Rej("missing_column",
               "the header lacks required columns 'timestamp', 'method', 'status'"),
           Rej("bad_header",
               "the header was rejected: the header lacks required columns 'timestamp', "
               "'method', 'status'"),
       }},
      {"malformed/duplicate_column.csv",
       {
           Rej("duplicate_column", "column 'status' appears twice in the header"),
           Rej("bad_header",
               "the header was rejected: column 'status' appears twice in the header"),
       }},
      {"malformed/unterminated_header.csv",
       {
           Rej("unterminated_quote",
               "field 3: the quote at byte 17 is not closed on this line (an event cannot span "
               "lines)"),
           Rej("bad_header",
               "the header was rejected: field 3: the quote at byte 17 is not closed on this "
               "line (an event cannot span lines)"),
       }},
      {"malformed/field_count.csv",
       {
           Skip(),
           Rej("field_count", "3 fields where the header has 4"),
           Rej("field_count", "5 fields where the header has 4"),
           Rej("field_count", "5 fields where the header has 4"),  // a trailing comma
           GoodOk(),
       }},
      {"malformed/unterminated_quote.csv",
       {
           Skip(),
           Rej("unterminated_quote",
               "field 3: the quote at byte 25 is not closed on this line (an event cannot span "
               "lines)"),
           // A quoted newline: each half is a line of its own.
           Rej("unterminated_quote",
               "field 3: the quote at byte 25 is not closed on this line (an event cannot span "
               "lines)"),
           Rej("field_count", "2 fields where the header has 4"),
           GoodOk(),
       }},
      {"malformed/bad_quote.csv",
       {
           Skip(),
           Rej("bad_quote",
               "field 3: unexpected 'x' at byte 29 after a closing quote (write \"\" for a quote "
               "inside quotes)"),
           Rej("bad_quote",
               "field 3: unexpected ' ' at byte 29 after a closing quote (write \"\" for a quote "
               "inside quotes)"),
           GoodOk(),
       }},
      {"malformed/bad_values.csv",
       {
           Skip(),
           Rej("bad_timestamp", "bad timestamp '2024-06-10T25:00:00Z': hour 25"),
           Rej("bad_timestamp",
               "bad timestamp '1718027736': epoch milliseconds before 1973-03-03 (is it in "
               "seconds?)"),
           Rej("bad_method", "bad method 'G ET': not an HTTP method token"),
           Rej("bad_status", "bad status '2xx': expected an integer 100..599"),
           Rej("bad_duration", "bad duration_ms '-1': negative"),
           Rej("bad_duration", "bad duration_us '1.5': expected an integer number of microseconds"),
           Rej("conflicting_fields",
               "both 'duration_ms' and 'duration_us' given (use one): duration_ms '1.5', "
               "duration_us '1500'"),
           Rej("missing_field", "missing required field 'route' or 'path'"),
           Rej("bad_route", "bad route 'items': a route template starts with '/'"),
           Rej("missing_field", "missing required field 'timestamp'"),
           GoodOk(),
       }},
  };
  for (const FixtureCase& c : cases) {
    RunFixture(c);
  }
}

TEST(EventsNdjsonTest, LineAfterABadOneParsesAsIfAlone) {
  const std::string good =
      R"({"timestamp":"2024-06-10T13:55:36Z","method":"GET","path":"/a","status":200,)"
      R"("duration_us":5})";
  const std::string bad = R"({"timestamp":"2024-06-10T13:55:36Z","method":"GET","path":"/a)";
  std::string long_bad = R"({"x":")";
  long_bad += std::string(10000, 'y');
  long_bad += R"(", oops})";
  auto parser = MakeNdjsonEventParser();
  const Want want = Ok(kT, "GET", "/a", "", 200, 5);
  ExpectLine(parser.get(), good, want, "first");
  ExpectLine(parser.get(), bad, Rej("bad_json", "bad JSON: A string is opened, but never closed."),
             "bad");
  ExpectLine(parser.get(), good, want, "after bad");
  ExpectLine(parser.get(), long_bad,
             Rej("bad_json",
                 "bad JSON: The JSON document has an improper structure: missing or superfluous "
                 "commas, braces, missing keys, etc."),
             "long bad");
  ExpectLine(parser.get(), good, want, "after long bad");
}

TEST(EventsNdjsonTest, ParsesFromItsOwnCopyOfTheLine) {
  // The line is not padded and is overwritten right after Parse: views must not point into it.
  std::string line = R"({"timestamp":1718027736000,"service":"svc","method":"GET","route":"/r",)"
                     R"("path":"/p","status":200})";
  auto parser = MakeNdjsonEventParser();
  Request r;
  LineIssue issue;
  ASSERT_EQ(parser->Parse(std::string_view(line), &r, &issue), Outcome::kRequest);
  std::fill(line.begin(), line.end(), 'X');
  EXPECT_EQ(r.service, "svc");
  EXPECT_EQ(r.route, "/r");
  EXPECT_EQ(r.target, "/p");
  EXPECT_EQ(r.method, "GET");
}

TEST(EventsNdjsonTest, NumbersInEveryFormConvertExactly) {
  struct Case {
    std::string_view duration;  // the JSON value of the field
    std::string_view field;
    int64_t want_us;  // kNoLatency: rejected; kAbsent: accepted without latency
  };
  constexpr int64_t kAbsent = -2;
  const Case cases[] = {
      {"1e3", "duration_ms", 1'000'000},
      {"1E3", "duration_ms", 1'000'000},
      {"42.0005", "duration_ms", 42001},
      {"42.5", "duration_ms", 42500},
      {"0.0015", "duration_ms", 2},
      {"0.0025", "duration_ms", 3},  // half up, not to even
      {"0.00049", "duration_ms", 0},
      {"1e-300", "duration_ms", 0},
      {"0", "duration_ms", 0},
      {"0.0", "duration_ms", 0},
      {"123456789.123456", "duration_ms", 123'456'789'123},
      {"9999999999.9994", "duration_ms", 9'999'999'999'999},
      {"9999999999.9995", "duration_ms", 10'000'000'000'000},
      {"10000000000.0005", "duration_ms", kNoLatency},
      {"9223372036854775807", "duration_ms", kNoLatency},
      {"18446744073709551615", "duration_us", kNoLatency},
      {"-1", "duration_ms", kNoLatency},
      {"-0.0", "duration_ms", 0},
      {"1e400", "duration_ms", kNoLatency},  // simdjson: not a number it accepts
      {"\"1e-9999999999999\"", "duration_ms", 0},
      {"\"1e9999999999999\"", "duration_ms", kNoLatency},
      {"\"0e9999999999999\"", "duration_ms", 0},
      {"\"007.5\"", "duration_ms", 7500},
      {"\"+5\"", "duration_ms", kNoLatency},
      {"\"5ms\"", "duration_ms", kNoLatency},
      {"\"\"", "duration_ms", kAbsent},  // "" is absent
      {"1000", "duration_us", 1000},
      {"1.5e3", "duration_us", 1500},
      {"1.0", "duration_us", 1},
      {"1.0001", "duration_us", kNoLatency},
      {"0.5", "duration_us", kNoLatency},
      {"10000000000000", "duration_us", 10'000'000'000'000},
      {"10000000000001", "duration_us", kNoLatency},
  };
  auto parser = MakeNdjsonEventParser();
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.field) + " " + std::string(c.duration));
    std::string line = R"({"timestamp":1718027736000,"method":"GET","path":"/","status":200,")";
    line += c.field;
    line += "\":";
    line += c.duration;
    line += "}";
    Request r;
    LineIssue issue;
    const Outcome outcome = parser->Parse(line, &r, &issue);
    if (c.want_us == kAbsent) {
      ASSERT_EQ(outcome, Outcome::kRequest) << issue.reason;
      EXPECT_FALSE(r.latency.has_value());
    } else if (c.want_us == kNoLatency) {
      ASSERT_EQ(outcome, Outcome::kReject);
      EXPECT_TRUE(issue.code == "bad_duration" || issue.code == "bad_json") << issue.code;
    } else {
      ASSERT_EQ(outcome, Outcome::kRequest) << issue.reason;
      ASSERT_TRUE(r.latency.has_value());
      EXPECT_EQ(r.latency->us(), c.want_us);
    }
  }
}

TEST(EventsNdjsonTest, StatusAndTimestampAcceptNumbersByValueAndDigitStrings) {
  struct Case {
    std::string_view timestamp;
    std::string_view status;
    std::string_view code;  // empty: accepted
    int64_t time_ms = kT;
    int want_status = 200;
  };
  const Case cases[] = {
      {"1718027736000", "200", ""},
      {"\"1718027736000\"", "\"200\"", ""},
      {"1.718027736e12", "2e2", ""},
      {"1718027736000.0", "200.0", ""},
      {"\"2024-06-10T13:55:36.999999999Z\"", "599", "", kT + 999, 599},
      {"\"2024-06-10t19:25:36+05:30\"", "100", "", kT, 100},
      {"100000000000", "200", "", 100'000'000'000},
      {"99999999999", "200", "bad_timestamp"},
      {"253402300799999", "200", "", 253'402'300'799'999},
      {"253402300800000", "200", "bad_timestamp"},
      {"\"1.718027736e12\"", "200", "bad_timestamp"},  // text: RFC 3339 or digits only
      {"\" 1718027736000\"", "200", "bad_timestamp"},
      {"null", "200", "missing_field"},
      {"{}", "200", "bad_timestamp"},
      {"1718027736000", "\"20\"", "bad_status"},
      {"1718027736000", "\" 200\"", "bad_status"},
      {"1718027736000", "100.5", "bad_status"},
      {"1718027736000", "[200]", "bad_status"},
      {"1718027736000", "false", "bad_status"},
  };
  auto parser = MakeNdjsonEventParser();
  for (const Case& c : cases) {
    std::string line = R"({"method":"GET","path":"/","timestamp":)";
    line += c.timestamp;
    line += R"(,"status":)";
    line += c.status;
    line += "}";
    SCOPED_TRACE(line);
    Request r;
    LineIssue issue;
    const Outcome outcome = parser->Parse(line, &r, &issue);
    if (!c.code.empty()) {
      ASSERT_EQ(outcome, Outcome::kReject);
      EXPECT_EQ(issue.code, c.code) << issue.reason;
      continue;
    }
    ASSERT_EQ(outcome, Outcome::kRequest) << issue.reason;
    EXPECT_EQ(r.time.unix_ms(), c.time_ms);
    EXPECT_EQ(r.status, c.want_status);
  }
}

TEST(EventsNdjsonTest, BlankLinesAreSkipped) {
  auto parser = MakeNdjsonEventParser();
  for (std::string_view line : {"", " ", "\t", "\r", " \t \r", "\xEF\xBB\xBF"}) {
    ExpectLine(parser.get(), line, Skip(), "blank");
  }
}

TEST(EventsNdjsonTest, RejectionReasonsEscapeAndCutLongValues) {
  auto parser = MakeNdjsonEventParser();
  std::string line = R"({"timestamp":"2024-06-10T13:55:36Z","path":"/","status":200,"method":")";
  line += std::string(40, 'A');
  line += R"(\u00e9\")";
  line += "\"}";
  ExpectLine(parser.get(), line,
             Rej("bad_method",
                 "bad method 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\\xC3\\xA9\"': longer than "
                 "32 bytes"),
             "long method");
  line = R"({"timestamp":"2024-06-10T13:55:36Z","method":"GET","status":200,"route":")";
  line += std::string(100, 'r') + "\"}";
  std::string want = "bad route '" + std::string(64, 'r');
  want += "...': a route template starts with '/'";
  ExpectLine(parser.get(), line, Rej("bad_route", want), "long route");
}

TEST(EventsNdjsonTest, DescribeNamesTheFormat) {
  EXPECT_EQ(MakeNdjsonEventParser()->Describe(), "request events (NDJSON)");
  EXPECT_EQ(MakeCsvEventParser()->Describe(), "request events (CSV)");
}

// Parses `lines` with one CSV parser and checks each against `want`.
void ExpectCsv(const std::vector<std::string_view>& lines, const std::vector<Want>& want,
               const std::string& name) {
  ASSERT_EQ(lines.size(), want.size()) << name;
  auto parser = MakeCsvEventParser();
  for (size_t i = 0; i < lines.size(); ++i) {
    ExpectLine(parser.get(), lines[i], want[i], name + " line " + std::to_string(i + 1));
  }
}

TEST(EventsCsvTest, QuotedFieldsFollowRfc4180) {
  struct Case {
    std::string_view name;
    std::string_view row;  // under the header "timestamp,method,path,status,note"
    Want want;
  };
  const Case cases[] = {
      {"comma inside quotes", R"(1718027736000,GET,"/a,b",200,x)",
       Ok(kT, "GET", "/a,b", "", 200, kNoLatency)},
      {"doubled quotes", R"(1718027736000,GET,"/say ""hi""",200,x)",
       Ok(kT, "GET", "/say \"hi\"", "", 200, kNoLatency)},
      {"only a doubled quote", R"(1718027736000,GET,"/""",200,"""")",
       Ok(kT, "GET", "/\"", "", 200, kNoLatency)},
      {"quoted unknown column", R"(1718027736000,GET,/a,200,"say ""hi"", a,b")",
       Ok(kT, "GET", "/a", "", 200, kNoLatency)},
      {"spaces kept inside quotes", R"(1718027736000,GET," /a",200,x)",
       Rej("bad_path", "bad path ' /a': a path starts with '/' (or is an absolute http(s) URL)")},
      {"quote inside an unquoted field is literal", R"(1718027736000,GET,/a"b,200,x)",
       Ok(kT, "GET", "/a\"b", "", 200, kNoLatency)},
      {"empty quoted last field", R"(1718027736000,GET,/a,200,"")",
       Ok(kT, "GET", "/a", "", 200, kNoLatency)},
      {"empty unquoted last field", R"(1718027736000,GET,/a,200,)",
       Ok(kT, "GET", "/a", "", 200, kNoLatency)},
      {"unterminated", R"(1718027736000,GET,/a,200,"x)",
       Rej("unterminated_quote",
           "field 5: the quote at byte 25 is not closed on this line (an event cannot span "
           "lines)")},
      {"unterminated after doubled quotes", R"(1718027736000,GET,/a,200,"x"")",
       Rej("unterminated_quote",
           "field 5: the quote at byte 25 is not closed on this line (an event cannot span "
           "lines)")},
      {"text after closing quote", R"(1718027736000,GET,"/a"b,200,x)",
       Rej("bad_quote",
           "field 3: unexpected 'b' at byte 22 after a closing quote (write \"\" for a quote "
           "inside quotes)")},
      {"CRLF", "1718027736000,GET,/a,200,x\r", Ok(kT, "GET", "/a", "", 200, kNoLatency)},
      {"CRLF after quotes", "1718027736000,GET,\"/a\",200,\"x\"\r",
       Ok(kT, "GET", "/a", "", 200, kNoLatency)},
  };
  for (const Case& c : cases) {
    ExpectCsv({"timestamp,method,path,status,note", c.row}, {Skip(), c.want}, std::string(c.name));
  }
}

TEST(EventsCsvTest, HeaderVariations) {
  const Want a = Ok(kT, "GET", "/a", "", 200, kNoLatency);
  struct Case {
    std::string_view name;
    std::vector<std::string_view> lines;
    std::vector<Want> want;
  };
  const Case cases[] = {
      {"blank lines before the header",
       {"", "  \r", "timestamp,method,path,status", "", "1718027736000,GET,/a,200"},
       {Skip(), Skip(), Skip(), Skip(), a}},
      {"BOM",
       {"\xEF\xBB\xBFtimestamp,method,path,status", "1718027736000,GET,/a,200"},
       {Skip(), a}},
      {"BOM alone on the first line",
       {"\xEF\xBB\xBF", "timestamp,method,path,status", "1718027736000,GET,/a,200"},
       {Skip(), Skip(), a}},
      {"case and spaces",
       {" TimeStamp ,\tMETHOD, Path ,Status\r", "1718027736000,GET,/a,200"},
       {Skip(), a}},
      {"quoted names",
       {R"("timestamp","method","path","status")", "1718027736000,GET,/a,200"},
       {Skip(), a}},
      {"reordered with unknown columns",
       {"host,status,path,x,method,timestamp", "h1,200,/a,,GET,1718027736000"},
       {Skip(), a}},
      {"route only",
       {"timestamp,method,route,status", "1718027736000,GET,/r/{id},200"},
       {Skip(), Ok(kT, "GET", "", "/r/{id}", 200, kNoLatency)}},
      {"BOM on any line, e.g. concatenated files",
       {"\xEF\xBB\xBFtimestamp,method,path,status",
        "\xEF\xBB\xBF"
        "1718027736000,GET,/a,200",
        "\xEF\xBB\xBFtimestamp,method,path,status"},
       {Skip(), a, Skip()}},
      {"the header handed in first, then the file from its start",
       {"timestamp,method,path,status\r", "\xEF\xBB\xBFtimestamp,method,path,status\r",
        "1718027736000,GET,/a,200"},
       {Skip(), Skip(), a}},
      {"a rejected header handed in first, then the file from its start",
       {"timestamp,method,path", "timestamp,method,path", "1718027736000,GET,/a"},
       {Rej("missing_column", "the header lacks required column 'status'"),
        Rej("missing_column", "the header lacks required column 'status'"),
        Rej("bad_header", "the header was rejected: the header lacks required column 'status'")}},
      {"a header-looking line is data once the header is known",
       {"timestamp,method,path,status", "Timestamp,method,path,status"},
       {Skip(), Rej("bad_timestamp",
                    "bad timestamp 'Timestamp': expected 4 digits of the year at byte 0, found "
                    "'Time'")}},
      {"missing column named once per header",
       {"timestamp,method,path", "1718027736000,GET,/a", ""},
       {Rej("missing_column", "the header lacks required column 'status'"),
        Rej("bad_header", "the header was rejected: the header lacks required column 'status'"),
        Skip()}},
      {"duplicate known column in other case",
       {"timestamp,method,PATH,status,path", "1718027736000,GET,/a,200,/b"},
       {Rej("duplicate_column", "column 'path' appears twice in the header"),
        Rej("bad_header", "the header was rejected: column 'path' appears twice in the header")}},
  };
  for (const Case& c : cases) {
    ExpectCsv(c.lines, c.want, std::string(c.name));
  }
}

TEST(EventsCsvTest, ValuesMatchTheNdjsonReading) {
  // The same event written both ways gives the same Request.
  const std::string_view csv_header =
      "timestamp,service,environment,version,method,route,path,status,duration_ms";
  const std::string_view csv_row =
      "2024-06-10T15:55:36.5+02:00,api,staging,1.2.3,patch,/v1/x/{id},/v1/x/9?y=1,418,0.0015";
  const std::string_view json =
      R"({"timestamp":"2024-06-10T15:55:36.5+02:00","service":"api","environment":"staging",)"
      R"("version":"1.2.3","method":"patch","route":"/v1/x/{id}","path":"/v1/x/9?y=1",)"
      R"("status":418,"duration_ms":0.0015})";
  const Want want =
      Ok(kT + 500, "PATCH", "/v1/x/9?y=1", "/v1/x/{id}", 418, 2, "api", "staging", "1.2.3");
  ExpectCsv({csv_header, csv_row}, {Skip(), want}, "csv");
  auto ndjson = MakeNdjsonEventParser();
  ExpectLine(ndjson.get(), json, want, "ndjson");
}

TEST(DetectEventFormatTest, FromTheNameThenTheContent) {
  struct Case {
    std::string_view path;
    std::string_view prefix;
    std::string_view want;
  };
  const Case cases[] = {
      {"events.ndjson", "", "ndjson"},
      {"events.jsonl", "a,b", "ndjson"},
      {"events.json", "", "ndjson"},
      {"EVENTS.JSONL", "", "ndjson"},
      {"events.ndjson.gz", "\x1f\x8b", "ndjson"},
      {"events.csv", "{\"a\":1}", "csv"},
      {"events.CSV.GZ", "", "csv"},
      {"/data/x.csv/events.ndjson", "", "ndjson"},
      {"/data/x.json/events", "timestamp,method", "csv"},
      {"events.txt", "{\"timestamp\":1}", "ndjson"},
      {"events.txt", " \r\n\t{", "ndjson"},
      {"events", "\xEF\xBB\xBF{", "ndjson"},
      {"events", "\xEF\xBB\xBFtimestamp", "csv"},
      {"events.log", "timestamp,method,path,status\n", "csv"},
      {"events.log", "[{}]", "csv"},
      {"events.gz", "\n\n", ""},
      {"", "", ""},
      {".csv", "", "csv"},
      {"events.tsv", "", ""},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DetectEventFormat(c.path, c.prefix), c.want) << c.path << " / " << c.prefix;
  }
}

}  // namespace
}  // namespace vigil::ingest
