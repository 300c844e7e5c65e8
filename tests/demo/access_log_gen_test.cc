#include "vigil/demo/access_log_gen.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"
#include <gtest/gtest.h>

namespace vigil::demo {
namespace {

// What observe() reported for one line, copied (its views die with the callback).
struct Observed {
  int64_t time_ms = 0;
  std::string method;
  std::string route;
  std::string target;
  int status = 0;
  int64_t latency_us = 0;
  int64_t body_bytes = 0;
  std::string upstream;
  std::string line;
};

struct Generated {
  std::string bytes;
  std::vector<Observed> observed;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Generated Generate(const AccessLogOptions& options, bool observe = true) {
  vigil::testing::TempDir dir;
  const std::string path = dir.File("access.log");
  Generated g;
  std::function<void(const SampleRequest&)> callback;
  if (observe) {
    callback = [&g](const SampleRequest& r) {
      g.observed.push_back(Observed{r.time.unix_ms(), std::string(r.method), std::string(r.route),
                                    std::string(r.target), r.status, r.latency_us, r.body_bytes,
                                    std::string(r.upstream_response_time), std::string(r.line)});
    };
  }
  const Status status = WriteSampleAccessLog(options, path, callback);
  EXPECT_OK(status);
  g.bytes = ReadFile(path);
  return g;
}

std::vector<std::string_view> SplitLines(std::string_view bytes) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < bytes.size()) {
    const size_t nl = bytes.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.push_back(bytes.substr(start));  // unterminated: the tests catch it
      break;
    }
    lines.push_back(bytes.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
bool IsLowerHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}
bool IsUpperHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

// One nginx `combined` line (+ " $request_time $upstream_response_time"), split by hand.
struct ParsedLine {
  std::string_view addr, user, time, request, referer, agent;
  int status = 0;
  int64_t bytes = 0;
  int64_t request_time_ms = -1;
  std::string_view upstream;
};

// Milliseconds from "s.mmm", or -1.
int64_t ParseSeconds3(std::string_view s) {
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos || s.size() != dot + 4 || !IsDigits(s.substr(0, dot)) ||
      !IsDigits(s.substr(dot + 1))) {
    return -1;
  }
  return std::stoll(std::string(s.substr(0, dot))) * 1000 +
         std::stoll(std::string(s.substr(dot + 1)));
}

// A quoted field's content: printable ASCII, no raw quote, backslashes only as \xHH (uppercase).
bool IsNginxEscaped(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7F || c == '"') {
      return false;
    }
    if (c == '\\') {
      if (i + 3 >= s.size() || s[i + 1] != 'x' || !IsUpperHex(s[i + 2]) || !IsUpperHex(s[i + 3])) {
        return false;
      }
      i += 3;
    }
  }
  return true;
}

// Splits `line`; on failure says why in `why`.
std::optional<ParsedLine> ParseLine(std::string_view line, bool with_latency, std::string* why) {
  ParsedLine out;
  size_t pos = 0;
  const auto fail = [&](const char* reason) {
    *why = std::string(reason) + " at " + std::to_string(pos) + ": " + std::string(line);
    return std::nullopt;
  };
  const auto take_until = [&](char c, std::string_view* field) {
    const size_t end = line.find(c, pos);
    if (end == std::string_view::npos) {
      return false;
    }
    *field = line.substr(pos, end - pos);
    pos = end;
    return true;
  };
  const auto expect = [&](std::string_view literal) {
    if (line.substr(pos, literal.size()) != literal) {
      return false;
    }
    pos += literal.size();
    return true;
  };
  if (!take_until(' ', &out.addr) || out.addr.empty() || !expect(" - ")) {
    return fail("remote_addr");
  }
  for (const char c : out.addr) {
    if (!(IsLowerHex(c) || c == '.' || c == ':')) {
      return fail("remote_addr chars");
    }
  }
  if (!take_until(' ', &out.user) || out.user.empty() || !expect(" [")) {
    return fail("remote_user");
  }
  if (line.size() < pos + 26) {
    return fail("time_local");
  }
  out.time = line.substr(pos, 26);
  pos += 26;
  if (!expect("] \"")) {
    return fail("time_local end");
  }
  if (!take_until('"', &out.request) || !expect("\" ") || !IsNginxEscaped(out.request)) {
    return fail("request");
  }
  std::string_view status;
  std::string_view bytes;
  if (!take_until(' ', &status) || status.size() != 3 || !IsDigits(status) || !expect(" ")) {
    return fail("status");
  }
  out.status = std::stoi(std::string(status));
  if (!take_until(' ', &bytes) || !IsDigits(bytes) || !expect(" \"")) {
    return fail("body_bytes_sent");
  }
  out.bytes = std::stoll(std::string(bytes));
  if (!take_until('"', &out.referer) || out.referer.empty() || !IsNginxEscaped(out.referer) ||
      !expect("\" \"")) {
    return fail("http_referer");
  }
  if (!take_until('"', &out.agent) || out.agent.empty() || !IsNginxEscaped(out.agent) ||
      !expect("\"")) {
    return fail("http_user_agent");
  }
  if (!with_latency) {
    if (pos != line.size()) {
      return fail("trailing text");
    }
    return out;
  }
  std::string_view request_time;
  if (!expect(" ") || !take_until(' ', &request_time) || !expect(" ")) {
    return fail("request_time");
  }
  out.request_time_ms = ParseSeconds3(request_time);
  if (out.request_time_ms < 0) {
    return fail("request_time value");
  }
  out.upstream = line.substr(pos);
  if (out.upstream != "-") {
    // "a" or "a, b": each ≤ request_time, the sum too.
    int64_t sum = 0;
    size_t start = 0;
    for (;;) {
      const size_t comma = out.upstream.find(", ", start);
      const int64_t v = ParseSeconds3(out.upstream.substr(start, comma - start));
      if (v < 0) {
        return fail("upstream_response_time value");
      }
      sum += v;
      if (comma == std::string_view::npos) {
        break;
      }
      start = comma + 2;
    }
    if (sum > out.request_time_ms) {
      return fail("upstream_response_time > request_time");
    }
  }
  return out;
}

// "02/Nov/2026:13:55:36 -0700" → UTC ms, or -1.
int64_t ParseTimeLocal(std::string_view t) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (t.size() != 26 || t[2] != '/' || t[6] != '/' || t[11] != ':' || t[14] != ':' ||
      t[17] != ':' || t[20] != ' ' || (t[21] != '+' && t[21] != '-')) {
    return -1;
  }
  const size_t month = kMonths.find(t.substr(3, 3));
  if (month == std::string_view::npos || month % 3 != 0) {
    return -1;
  }
  const auto num = [&](size_t at, size_t n) -> int64_t {
    return std::stoll(std::string(t.substr(at, n)));
  };
  const int64_t days = core::DaysFromCivil(num(7, 4), static_cast<unsigned>(month / 3 + 1),
                                           static_cast<unsigned>(num(0, 2)));
  const int64_t local_s = days * 86'400 + num(12, 2) * 3600 + num(15, 2) * 60 + num(18, 2);
  const int64_t offset_s = (num(22, 2) * 3600 + num(24, 2) * 60) * (t[21] == '-' ? -1 : 1);
  return (local_s - offset_s) * 1000;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' : !IsLowerHex(s[i])) {
      return false;
    }
  }
  return true;
}

// DESIGN §6 automatic routes: query stripped; numeric, UUID and long-hex segments → ":id".
std::string NormaliseTarget(std::string_view target) {
  target = target.substr(0, target.find('?'));
  std::string out;
  size_t start = 1;
  while (start <= target.size()) {
    size_t slash = target.find('/', start);
    if (slash == std::string_view::npos) {
      slash = target.size();
    }
    const std::string_view segment = target.substr(start, slash - start);
    const bool long_hex =
        segment.size() >= 16 && std::all_of(segment.begin(), segment.end(), IsLowerHex);
    out += '/';
    out += IsDigits(segment) || IsUuid(segment) || long_hex ? std::string_view(":id") : segment;
    start = slash + 1;
  }
  return out;
}

AccessLogOptions SmallOptions(uint64_t seed = 7) {
  AccessLogOptions options;
  options.seed = seed;
  options.lines = 20'000;
  return options;
}

TEST(DemoAccessLogTest, SameSeedGivesIdenticalBytes) {
  const Generated a = Generate(SmallOptions(), /*observe=*/false);
  const Generated b = Generate(SmallOptions(), /*observe=*/true);
  EXPECT_FALSE(a.bytes.empty());
  EXPECT_TRUE(a.bytes == b.bytes) << "observing must not change the output";
}

TEST(DemoAccessLogTest, DifferentSeedGivesDifferentBytes) {
  const Generated a = Generate(SmallOptions(7), false);
  const Generated b = Generate(SmallOptions(8), false);
  EXPECT_FALSE(a.bytes == b.bytes);
}

TEST(DemoAccessLogTest, LineCountIsTheOption) {
  for (const int64_t lines : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{12'345}}) {
    AccessLogOptions options = SmallOptions();
    options.lines = lines;
    const Generated g = Generate(options);
    EXPECT_EQ(std::count(g.bytes.begin(), g.bytes.end(), '\n'), lines) << lines;
    EXPECT_EQ(static_cast<int64_t>(g.observed.size()), lines) << lines;
    if (lines > 0) {
      EXPECT_EQ(g.bytes.back(), '\n');
    }
  }
}

TEST(DemoAccessLogTest, BurstsDependOnSeedStartAndSpanOnly) {
  AccessLogOptions a = SmallOptions();
  AccessLogOptions b = a;
  b.lines = 77;
  auto bursts_a = PlanSampleErrorBursts(a);
  auto bursts_b = PlanSampleErrorBursts(b);
  ASSERT_OK(bursts_a);
  ASSERT_OK(bursts_b);
  ASSERT_EQ(bursts_a->size(), bursts_b->size());
  for (size_t i = 0; i < bursts_a->size(); ++i) {
    EXPECT_EQ((*bursts_a)[i].start, (*bursts_b)[i].start);
    EXPECT_EQ((*bursts_a)[i].route, (*bursts_b)[i].route);
  }
}

TEST(DemoAccessLogTest, EveryLineHasTheNginxCombinedShapeAndObserveMatchesIt) {
  AccessLogOptions options = SmallOptions();
  options.lines = 200'000;
  const Generated g = Generate(options);
  const std::vector<std::string_view> lines = SplitLines(g.bytes);
  ASSERT_EQ(lines.size(), g.observed.size());
  int junk_tls = 0;
  int junk_empty = 0;
  int ipv6 = 0;
  int escaped_quote = 0;
  int escaped_utf8 = 0;
  int percent_encoded = 0;
  int zero_latency = 0;
  int64_t max_latency_us = 0;
  std::set<std::string> routes;
  std::set<std::string> uuid_like;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Observed& o = g.observed[i];
    ASSERT_EQ(lines[i], o.line) << "line " << i;
    std::string why;
    const std::optional<ParsedLine> parsed = ParseLine(lines[i], true, &why);
    ASSERT_TRUE(parsed.has_value()) << why;
    EXPECT_EQ(parsed->status, o.status) << lines[i];
    EXPECT_EQ(parsed->bytes, o.body_bytes) << lines[i];
    EXPECT_EQ(parsed->request_time_ms * 1000, o.latency_us) << lines[i];
    EXPECT_EQ(parsed->upstream, o.upstream) << lines[i];
    EXPECT_EQ(ParseTimeLocal(parsed->time), o.time_ms) << lines[i];
    EXPECT_EQ(o.latency_us % 1000, 0);
    max_latency_us = std::max(max_latency_us, o.latency_us);
    zero_latency += o.latency_us == 0 ? 1 : 0;
    ipv6 += parsed->addr.find(':') != std::string_view::npos ? 1 : 0;
    escaped_quote += parsed->agent.find("\\x22") != std::string_view::npos ? 1 : 0;
    escaped_utf8 += parsed->agent.find("\\xC3\\xA9") != std::string_view::npos ? 1 : 0;
    if (o.method.empty()) {
      // Junk request line: the target is the $request text.
      EXPECT_EQ(o.route, "");
      EXPECT_EQ(o.status, 400);
      EXPECT_EQ(parsed->request, o.target);
      EXPECT_EQ(parsed->upstream, "-");
      if (o.target.empty()) {
        ++junk_empty;
      } else {
        EXPECT_EQ(o.target, "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03");
        ++junk_tls;
      }
      continue;
    }
    // "$method $target HTTP/x.y"
    const std::string_view request = parsed->request;
    const size_t sp1 = request.find(' ');
    const size_t sp2 = request.rfind(' ');
    ASSERT_NE(sp1, sp2) << lines[i];
    EXPECT_EQ(request.substr(0, sp1), o.method);
    EXPECT_EQ(request.substr(sp1 + 1, sp2 - sp1 - 1), o.target);
    const std::string_view protocol = request.substr(sp2 + 1);
    EXPECT_TRUE(protocol == "HTTP/1.1" || protocol == "HTTP/2.0" || protocol == "HTTP/1.0")
        << lines[i];
    EXPECT_TRUE(o.method == "GET" || o.method == "POST" || o.method == "PUT" ||
                o.method == "DELETE")
        << o.method;
    EXPECT_EQ(NormaliseTarget(o.target), o.route) << lines[i];
    percent_encoded += o.target.find('%') != std::string::npos ? 1 : 0;
    routes.insert(o.method + " " + o.route);
    if (o.route.rfind("/static/", 0) == 0) {
      EXPECT_EQ(o.upstream, "-") << lines[i];
    }
  }
  EXPECT_GE(routes.size(), 40U);
  EXPECT_GE(junk_tls, 1);
  EXPECT_GE(junk_empty, 1);
  EXPECT_LE(junk_tls + junk_empty, 100);  // ~0.01%
  EXPECT_GT(ipv6, 0);
  EXPECT_GT(escaped_quote, 0);
  EXPECT_GT(escaped_utf8, 0);
  EXPECT_GT(percent_encoded, 0);
  EXPECT_GT(zero_latency, 0);             // sub-millisecond routes print 0.000
  EXPECT_GE(max_latency_us, 5'000'000);   // a heavy tail
  EXPECT_LE(max_latency_us, 30'010'000);  // capped by the 30 s upstream timeout
}

TEST(DemoAccessLogTest, PlainCombinedHasNoLatencyFields) {
  AccessLogOptions options = SmallOptions();
  options.request_time = false;
  const Generated g = Generate(options);
  for (const Observed& o : g.observed) {
    std::string why;
    ASSERT_TRUE(ParseLine(o.line, false, &why).has_value()) << why;
    EXPECT_EQ(o.upstream, "");
  }
}

TEST(DemoAccessLogTest, TimestampsLieInTheSpanInOrderWithADailyCycle) {
  AccessLogOptions options = SmallOptions();
  options.lines = 100'000;
  const Generated g = Generate(options);
  const int64_t start = options.start.unix_ms();
  const int64_t end = (options.start + options.span).unix_ms();
  int64_t previous = start;
  int64_t by_hour[24] = {};
  for (const Observed& o : g.observed) {
    EXPECT_GE(o.time_ms, start);
    EXPECT_LT(o.time_ms, end);
    EXPECT_EQ(o.time_ms % 1000, 0);
    EXPECT_GE(o.time_ms, previous) << o.line;
    previous = o.time_ms;
    ++by_hour[(o.time_ms / 3'600'000) % 24];
  }
  // Busiest around midday UTC, quietest before dawn.
  EXPECT_GT(by_hour[13], 3 * by_hour[4]);
  EXPECT_EQ(g.observed.front().time_ms < start + 3'600'000, true);
  EXPECT_GT(g.observed.back().time_ms, end - 3'600'000);
}

TEST(DemoAccessLogTest, UtcOffsetChangesTheTextNotTheInstant) {
  for (const char* offset : {"-0700", "+0530", "+0000"}) {
    AccessLogOptions utc = SmallOptions();
    AccessLogOptions local = utc;
    local.utc_offset = offset;
    const Generated a = Generate(utc);
    const Generated b = Generate(local);
    ASSERT_EQ(a.observed.size(), b.observed.size());
    for (size_t i = 0; i < a.observed.size(); ++i) {
      ASSERT_EQ(a.observed[i].time_ms, b.observed[i].time_ms) << offset;
      std::string why;
      const auto parsed = ParseLine(b.observed[i].line, true, &why);
      ASSERT_TRUE(parsed.has_value()) << why;
      EXPECT_EQ(parsed->time.substr(21), offset);
      EXPECT_EQ(ParseTimeLocal(parsed->time), b.observed[i].time_ms) << b.observed[i].line;
    }
    if (std::string_view(offset) == "-0700") {
      // Midnight UTC on Monday is Sunday 17:00 at -0700.
      EXPECT_EQ(b.observed.front().line.find("[01/Nov/2026:17:"), b.observed.front().line.find('['))
          << b.observed.front().line;
    }
  }
}

TEST(DemoAccessLogTest, StartMidSecondAndShortSpanStayInside) {
  AccessLogOptions options = SmallOptions();
  options.start = core::Timestamp::FromUnixMillis(kSampleStart.unix_ms() + 250);
  options.span = core::Duration::Seconds(10);
  options.lines = 1000;
  const Generated g = Generate(options);
  for (const Observed& o : g.observed) {
    EXPECT_GE(o.time_ms, options.start.unix_ms());
    EXPECT_LT(o.time_ms, (options.start + options.span).unix_ms());
  }
}

TEST(DemoAccessLogTest, DisorderIsBoundedByTheOption) {
  AccessLogOptions options = SmallOptions();
  options.lines = 100'000;
  options.span = core::Duration::Hours(6);
  options.disorder_ms = 5000;
  const Generated g = Generate(options);
  const int64_t start = options.start.unix_ms();
  const int64_t end = (options.start + options.span).unix_ms();
  int earlier = 0;
  for (size_t i = 0; i < g.observed.size(); ++i) {
    const int64_t t = g.observed[i].time_ms;
    EXPECT_GE(t, start);
    EXPECT_LT(t, end);
    if (i > 0) {
      const int64_t previous = g.observed[i - 1].time_ms;
      EXPECT_GE(t, previous - 5000) << g.observed[i].line;
      earlier += t < previous ? 1 : 0;
    }
  }
  EXPECT_GT(earlier, 100);
  // The same seed without disorder has the same line count and is ordered.
  options.disorder_ms = 0;
  const Generated ordered = Generate(options);
  EXPECT_TRUE(
      std::is_sorted(ordered.observed.begin(), ordered.observed.end(),
                     [](const Observed& a, const Observed& b) { return a.time_ms < b.time_ms; }));
}

TEST(DemoAccessLogTest, FiveHundredsComeInBursts) {
  AccessLogOptions options = SmallOptions();
  options.lines = 300'000;
  options.span = core::Duration::Days(1);
  const Generated g = Generate(options);
  const auto bursts = PlanSampleErrorBursts(options);
  ASSERT_OK(bursts);
  ASSERT_GE(bursts->size(), 2U);
  for (const ErrorBurst& b : *bursts) {
    const int64_t minutes = (b.end - b.start).ms() / 60'000;
    EXPECT_GE(minutes, 5);
    EXPECT_LE(minutes, 20);
    EXPECT_GE(b.error_ratio, 0.2);
    EXPECT_LE(b.error_ratio, 0.5);
  }
  const auto in_burst = [&](const Observed& o) {
    return std::any_of(bursts->begin(), bursts->end(), [&](const ErrorBurst& b) {
      return b.route == o.route && b.method == o.method && o.time_ms >= b.start.unix_ms() &&
             o.time_ms < b.end.unix_ms();
    });
  };
  // (method route, minute) → {requests, 5xx}
  std::map<std::pair<std::string, int64_t>, std::pair<int, int>> minutes;
  int64_t outside = 0;
  int64_t outside_bad = 0;
  int64_t inside = 0;
  int64_t inside_bad = 0;
  for (const Observed& o : g.observed) {
    const bool bad = o.status >= 500;
    auto& cell = minutes[{o.method + " " + o.route, o.time_ms / 60'000}];
    ++cell.first;
    cell.second += bad ? 1 : 0;
    if (in_burst(o)) {
      ++inside;
      inside_bad += bad ? 1 : 0;
    } else {
      ++outside;
      outside_bad += bad ? 1 : 0;
    }
  }
  int hot_minutes = 0;
  for (const auto& [key, cell] : minutes) {
    if (cell.first >= 10 && cell.second * 5 >= cell.first) {
      ++hot_minutes;
    }
  }
  EXPECT_GE(hot_minutes, 1) << "no minute with >= 20% 5xx on one route";
  ASSERT_GT(inside, 50);
  EXPECT_GT(static_cast<double>(inside_bad) / static_cast<double>(inside), 0.15);
  EXPECT_LT(static_cast<double>(outside_bad) / static_cast<double>(outside), 0.005);
  EXPECT_GT(outside_bad, 0);  // the 0.1% baseline
}

TEST(DemoAccessLogTest, InvalidOptionsAreRejected) {
  vigil::testing::TempDir dir;
  const std::string path = dir.File("x.log");
  struct Case {
    const char* name;
    AccessLogOptions options;
  };
  std::vector<Case> cases;
  const auto add = [&](const char* name, auto&& edit) {
    AccessLogOptions o = SmallOptions();
    edit(o);
    cases.push_back(Case{name, o});
  };
  add("negative lines", [](AccessLogOptions& o) { o.lines = -1; });
  add("zero span", [](AccessLogOptions& o) { o.span = core::Duration::Millis(0); });
  add("no whole second", [](AccessLogOptions& o) {
    o.start = core::Timestamp::FromUnixMillis(kSampleStart.unix_ms() + 1);
    o.span = core::Duration::Millis(500);
  });
  add("offset without sign", [](AccessLogOptions& o) { o.utc_offset = "0700"; });
  add("offset hour 24", [](AccessLogOptions& o) { o.utc_offset = "+2400"; });
  add("offset with colon", [](AccessLogOptions& o) { o.utc_offset = "+07:00"; });
  add("negative disorder", [](AccessLogOptions& o) { o.disorder_ms = -1; });
  add("before 1970", [](AccessLogOptions& o) { o.start = core::Timestamp::FromUnixMillis(-1000); });
  for (const Case& c : cases) {
    const Status status = WriteSampleAccessLog(c.options, path);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.name << ": " << status.ToString();
    EXPECT_EQ(PlanSampleErrorBursts(c.options).status().code(), StatusCode::kInvalidArgument)
        << c.name;
  }
  const Status missing_dir = WriteSampleAccessLog(SmallOptions(), dir.File("no/such/dir.log"));
  EXPECT_EQ(missing_dir.code(), StatusCode::kNotFound) << missing_dir.ToString();
  EXPECT_NE(missing_dir.message().find("no/such/dir.log"), std::string::npos);
}

TEST(DemoAccessLogTest, GenerationSpeed) {
  // Not a timed assertion: prints MB/s for the record (bench/ has the real benchmark).
  AccessLogOptions options;
  options.lines = 1'000'000;
  vigil::testing::TempDir dir;
  const std::string path = dir.File("speed.log");
  const auto begin = std::chrono::steady_clock::now();
  ASSERT_OK(WriteSampleAccessLog(options, path));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  const auto bytes = static_cast<double>(std::filesystem::file_size(path));
  std::printf("generated %.0f lines, %.1f MB in %.3f s: %.0f MB/s, %.2f M lines/s\n",
              static_cast<double>(options.lines), bytes / 1e6, seconds, bytes / 1e6 / seconds,
              static_cast<double>(options.lines) / 1e6 / seconds);
  EXPECT_GT(bytes, 0);
}

}  // namespace
}  // namespace vigil::demo
