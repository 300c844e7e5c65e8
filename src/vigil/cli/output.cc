#include "vigil/cli/output.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string_view>

#include <fmt/core.h>

namespace vigil::cli {
namespace {

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Milliseconds with microsecond precision and no float noise: 42.1234 → "42.123".
std::string Ms(const std::optional<double>& v) {
  if (!v) {
    return "-";
  }
  return fmt::format("{:.3f}", *v);
}

std::string JsonMs(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : "null";
}

std::string Percent(const std::optional<double>& ratio) {
  if (!ratio) {
    return "-";
  }
  return fmt::format("{:.3f}%", *ratio * 100.0);
}

std::string JsonRatio(const std::optional<double>& ratio) {
  return ratio ? fmt::format("{:.6g}", *ratio) : "null";
}

std::string RowName(const metrics::LatencyRow& r) {
  if (r.kind == model::SeriesKind::kJourney) {
    return r.name;
  }
  return r.name + " (route)";
}

std::string WindowText(const TimeWindow& w) {
  if (!w.from && !w.to) {
    return "all stored data";
  }
  return fmt::format("{} .. {}", w.from ? core::FormatRfc3339(*w.from) : "start",
                     w.to ? core::FormatRfc3339(*w.to) : "end");
}

}  // namespace

int ExitCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return 2;
    case StatusCode::kNotFound:
      return 3;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return 4;
    case StatusCode::kUnauthenticated:
      return 5;
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
      return 6;
    case StatusCode::kDataLoss:
      return 7;
    case StatusCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "vigil: %s\n", status.message().c_str());
  return ExitCode(status.code());
}

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled), start_ms_(MonotonicMs()) {}

void ProgressBar::Update(int64_t done, int64_t total) {
  if (!enabled_ || total <= 0) {
    return;
  }
  int permille = static_cast<int>(std::min<int64_t>(1000, done * 1000 / total));
  if (permille == last_permille_) {
    return;
  }
  last_permille_ = permille;
  constexpr int kWidth = 30;
  int filled = permille * kWidth / 1000;
  double secs = static_cast<double>(MonotonicMs() - start_ms_) / 1000.0;
  double mbps = secs > 0 ? static_cast<double>(done) / 1e6 / secs : 0;
  std::fprintf(stderr, "\r[%s%s] %5.1f%% %8.1f MB/s", std::string(filled, '=').c_str(),
               std::string(kWidth - filled, ' ').c_str(), permille / 10.0, mbps);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (drawn_) {
    std::fprintf(stderr, "\r%60s\r", "");
    drawn_ = false;
  }
}

Result<TimeWindow> ParseTimeWindow(const std::string& from, const std::string& to,
                                   const std::string& last, core::Timestamp now) {
  TimeWindow w;
  if (!last.empty()) {
    if (!from.empty() || !to.empty()) {
      return InvalidArgumentError("--last cannot be combined with --from/--to");
    }
    Result<core::Duration> d = core::ParseDuration(last);
    if (!d.ok()) {
      return d.status().WithPrefix("--last");
    }
    w.from = now - *d;
    w.to = now;
    return w;
  }
  if (!from.empty()) {
    Result<core::Timestamp> t = core::ParseRfc3339(from);
    if (!t.ok()) {
      return t.status().WithPrefix("--from");
    }
    w.from = *t;
  }
  if (!to.empty()) {
    Result<core::Timestamp> t = core::ParseRfc3339(to);
    if (!t.ok()) {
      return t.status().WithPrefix("--to");
    }
    w.to = *t;
  }
  if (w.from && w.to && *w.to <= *w.from) {
    return InvalidArgumentError("--to must be after --from");
  }
  return w;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629: no overlongs, no surrogates,
// at most U+10FFFF), or 0 when the bytes there are not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&s](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (i + len > s.size() || b(i + 1) < lo || b(i + 1) > hi) {
    return 0;
  }
  for (size_t k = 2; k < len; ++k) {
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) {
      return 0;
    }
  }
  return len;
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Valid UTF-8 passes through; any other byte (names keep the bytes clients sent) becomes
      // U+FFFD, so the output is always valid JSON.
      size_t len = Utf8SequenceLength(s, i);
      if (len == 0) {
        out += "\\ufffd";
      } else {
        out.append(s.substr(i, len));
        i += len - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    return std::string(s);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
  return out;
}

void PrintImportSummary(const importer::ImportSummary& s, const std::string& format) {
  if (format == "json") {
    std::string out = "{\"version\":1";
    out += fmt::format(",\"committed\":{},\"node\":{}", s.committed ? "true" : "false", s.node);
    if (!s.failure.empty()) {
      out += ",\"failure\":" + JsonString(s.failure);
    }
    out += fmt::format(
        ",\"lines\":{},\"accepted\":{},\"warnings\":{},\"rejected\":{},\"late\":{},"
        "\"routes_registered\":{},\"routes_overflowed\":{},\"requests_in_other\":{},"
        "\"sketches_downsampled\":{},\"rows_expired\":{}",
        s.lines, s.accepted, s.warnings, s.rejected, s.late, s.routes_registered,
        s.routes_overflowed, s.requests_in_other, s.sketches_downsampled, s.rows_expired);
    auto counts = [&out](const char* name, const std::map<std::string, int64_t>& m) {
      out += fmt::format(",\"{}\":{{", name);
      bool first = true;
      for (const auto& [code, n] : m) {
        out += fmt::format("{}{}:{}", first ? "" : ",", JsonString(code), n);
        first = false;
      }
      out += "}";
    };
    counts("rejected_by_code", s.rejected_by_code);
    counts("warnings_by_code", s.warnings_by_code);
    auto issues = [&out](const char* name, const std::vector<importer::LineReport>& v) {
      out += fmt::format(",\"{}\":[", name);
      for (size_t i = 0; i < v.size(); ++i) {
        out += fmt::format("{}{{\"file\":{},\"line\":{},\"code\":{},\"reason\":{}}}", i ? "," : "",
                           JsonString(v[i].file), v[i].line, JsonString(v[i].code),
                           JsonString(v[i].reason));
      }
      out += "]";
    };
    issues("first_rejects", s.first_rejects);
    issues("first_warnings", s.first_warnings);
    out += ",\"files\":[";
    for (size_t i = 0; i < s.files.size(); ++i) {
      const importer::FileSummary& f = s.files[i];
      out += fmt::format(
          "{}{{\"path\":{},\"format\":{},\"compressed\":{},\"start_position\":{},"
          "\"end_position\":{},\"lines\":{},\"accepted\":{},\"warnings\":{},\"rejected\":{},"
          "\"unterminated_tail\":{},\"note\":{}}}",
          i ? "," : "", JsonString(f.path), JsonString(f.format), f.compressed ? "true" : "false",
          f.start_position, f.end_position, f.lines, f.accepted, f.warnings, f.rejected,
          f.unterminated_tail ? "true" : "false", JsonString(f.note));
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return;
  }
  for (const importer::FileSummary& f : s.files) {
    fmt::print("{}: {}{} — {} lines (bytes {} → {}){}{}\n", f.path,
               f.format.empty() ? "-" : f.format, f.compressed ? " (gzip)" : "", f.lines,
               f.start_position, f.end_position, f.note.empty() ? "" : "; ", f.note);
    if (f.unterminated_tail) {
      fmt::print("  its last line has no newline yet: it is read on the next run\n");
    }
  }
  fmt::print("{} lines: {} accepted, {} warnings, {} rejected", s.lines, s.accepted, s.warnings,
             s.rejected);
  if (s.late > 0) {
    fmt::print("; {} late (older than the reorder horizon, merged)", s.late);
  }
  fmt::print("\n");
  if (s.routes_registered > 0 || s.routes_overflowed > 0) {
    fmt::print("routes: {} registered, {} over the cap ({} requests counted under 'other')\n",
               s.routes_registered, s.routes_overflowed, s.requests_in_other);
  }
  if (s.sketches_downsampled > 0 || s.rows_expired > 0) {
    fmt::print(
        "maintenance: {} minute sketches folded into hour rows, {} rows past retention "
        "removed\n",
        s.sketches_downsampled, s.rows_expired);
  }
  for (const auto& [code, n] : s.rejected_by_code) {
    fmt::print("  rejected {}: {}\n", code, n);
  }
  for (const auto& [code, n] : s.warnings_by_code) {
    fmt::print("  warning {}: {}\n", code, n);
  }
  for (const importer::LineReport& r : s.first_rejects) {
    fmt::print("  {}:{}: {}: {}\n", r.file, r.line, r.code, r.reason);
  }
  for (const importer::LineReport& r : s.first_warnings) {
    fmt::print("  {}:{}: warning: {}: {}\n", r.file, r.line, r.code, r.reason);
  }
  if (!s.committed) {
    fmt::print("nothing stored: {}\n", s.failure);
  }
}

void PrintLatencyTable(const std::vector<metrics::LatencyRow>& rows, const TimeWindow& window,
                       bool by_version, const std::string& format) {
  if (format == "json") {
    std::string out = "{\"version\":1,\"window\":{";
    out += "\"from\":" + (window.from ? JsonString(core::FormatRfc3339(*window.from)) : "null");
    out += ",\"to\":" + (window.to ? JsonString(core::FormatRfc3339(*window.to)) : "null");
    out += "},\"rows\":[";
    for (size_t i = 0; i < rows.size(); ++i) {
      const metrics::LatencyRow& r = rows[i];
      out += fmt::format("{}{{\"service\":{},\"environment\":{},\"kind\":{},\"name\":{}",
                         i ? "," : "", JsonString(r.service), JsonString(r.environment),
                         JsonString(model::SeriesKindName(r.kind)), JsonString(r.name));
      if (by_version) {
        out += ",\"version\":" + JsonString(r.version);
      }
      out += fmt::format(
          ",\"count\":{},\"bad\":{},\"client_errors\":{},\"error_rate\":{},"
          "\"latency_count\":{},\"p50_ms\":{},\"p95_ms\":{},\"p99_ms\":{},\"p99_9_ms\":{},"
          "\"window_widened\":{}}}",
          r.count, r.bad, r.client_errors, JsonRatio(r.error_rate), r.latency_count,
          JsonMs(r.p50_ms), JsonMs(r.p95_ms), JsonMs(r.p99_ms), JsonMs(r.p999_ms),
          r.window_widened ? "true" : "false");
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return;
  }
  if (format == "csv") {
    fmt::print(
        "service,environment,kind,name,{}count,bad,client_errors,error_rate,"
        "latency_count,p50_ms,p95_ms,p99_ms,p99_9_ms\n",
        by_version ? "version," : "");
    for (const metrics::LatencyRow& r : rows) {
      fmt::print("{},{},{},{},{}{},{},{},{},{},{},{},{},{}\n", CsvField(r.service),
                 CsvField(r.environment), model::SeriesKindName(r.kind), CsvField(r.name),
                 by_version ? CsvField(r.version) + "," : "", r.count, r.bad, r.client_errors,
                 r.error_rate ? JsonRatio(r.error_rate) : "", r.latency_count,
                 r.p50_ms ? Ms(r.p50_ms) : "", r.p95_ms ? Ms(r.p95_ms) : "",
                 r.p99_ms ? Ms(r.p99_ms) : "", r.p999_ms ? Ms(r.p999_ms) : "");
    }
    return;
  }
  if (rows.empty()) {
    fmt::print("no requests stored for {}\n", WindowText(window));
    return;
  }
  size_t name_width = 12;
  size_t service_width = 7;
  for (const metrics::LatencyRow& r : rows) {
    name_width = std::max(name_width, RowName(r).size() + (by_version ? r.version.size() + 3 : 0));
    service_width = std::max(service_width, r.service.size());
  }
  name_width = std::min<size_t>(name_width, 60);
  fmt::print("{:<{}}  {:<{}}  {:>10}  {:>8}  {:>8}  {:>8}  {:>10}  {:>10}  {:>10}  {:>10}\n",
             "SERVICE", service_width, "JOURNEY / ROUTE", name_width, "COUNT", "5XX", "4XX", "ERR%",
             "P50_MS", "P95_MS", "P99_MS", "P99.9_MS");
  bool widened = false;
  for (const metrics::LatencyRow& r : rows) {
    widened = widened || r.window_widened;
    std::string name = RowName(r);
    if (r.window_widened) {
      name += " *";
    }
    if (by_version) {
      name += " @ " + (r.version.empty() ? std::string("-") : r.version);
    }
    if (name.size() > name_width) {
      name = name.substr(0, name_width - 1) + "~";
    }
    fmt::print("{:<{}}  {:<{}}  {:>10}  {:>8}  {:>8}  {:>8}  {:>10}  {:>10}  {:>10}  {:>10}\n",
               r.service, service_width, name, name_width, r.count, r.bad, r.client_errors,
               Percent(r.error_rate), Ms(r.p50_ms), Ms(r.p95_ms), Ms(r.p99_ms), Ms(r.p999_ms));
  }
  fmt::print("window: {}; latencies in ms within the store's sketch accuracy; '-' = no data\n",
             WindowText(window));
  if (widened) {
    fmt::print(
        "* percentiles from hourly sketches (data older than 8 days): the window is "
        "widened to whole hours for them; counts are exact\n");
  }
}

namespace {

std::string JsonOptInt(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "null";
}

std::string Fraction(int64_t hit, int64_t found) {
  return fmt::format("{}/{}", hit, found);
}

std::string SnapshotLine(const model::CoverageSnapshot& s) {
  return fmt::format("{} ({}{}, taken {}, {} files)", s.name, s.format,
                     s.commit.empty() ? "" : ", commit " + s.commit.substr(0, 12),
                     core::FormatRfc3339(s.taken_at), s.file_count);
}

std::string SnapshotJson(const model::CoverageSnapshot& s) {
  return fmt::format(
      "{{\"id\":{},\"name\":{},\"commit\":{},\"format\":{},\"content_hash\":{},"
      "\"taken_at\":{},\"imported_at\":{},\"files\":{}}}",
      s.id, JsonString(s.name), JsonString(s.commit), JsonString(s.format),
      JsonString(s.content_hash), JsonString(core::FormatRfc3339(s.taken_at)),
      JsonString(core::FormatRfc3339(s.imported_at)), s.file_count);
}

std::string KeyText(const std::string& key, metrics::CoverageBy by) {
  if (!key.empty()) {
    return key;
  }
  return by == metrics::CoverageBy::kTeam ? "(no owner)" : "(no area)";
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) {
      out += sep;
    }
    out += s;
  }
  return out;
}

std::string CoverageRowJson(const metrics::CoverageRow& r, metrics::CoverageBy by, bool total) {
  std::string out = "{";
  if (!total) {
    const char* key = by == metrics::CoverageBy::kFile   ? "path"
                      : by == metrics::CoverageBy::kArea ? "area"
                                                         : "owner";
    out += fmt::format("\"{}\":{},", key, r.key.empty() ? "null" : JsonString(r.key));
    if (by == metrics::CoverageBy::kFile) {
      out += "\"area\":";
      out += r.area.empty() ? std::string("null") : JsonString(r.area);
      out += ",\"owners\":[";
      for (size_t i = 0; i < r.owners.size(); ++i) {
        out += i ? "," : "";
        out += JsonString(r.owners[i]);
      }
      out += "],\"snapshot\":";
      out += JsonString(r.snapshot_name);
      out += ",";
    }
  }
  out += fmt::format(
      "\"files\":{},\"lines_found\":{},\"lines_hit\":{},\"line_rate\":{},"
      "\"branches_found\":{},\"branches_hit\":{},\"branch_rate\":{},\"partial_files\":{}}}",
      r.files, r.lines_found, r.lines_hit, JsonRatio(r.line_rate), JsonOptInt(r.branches_found),
      JsonOptInt(r.branches_hit), JsonRatio(r.branch_rate), r.partial_files);
  return out;
}

}  // namespace

void PrintCoverageImportSummary(const importer::CoverageImportSummary& s,
                                const std::string& format) {
  if (format == "json") {
    std::string out = fmt::format("{{\"version\":1,\"committed\":{},\"created\":{}",
                                  s.committed ? "true" : "false", s.created ? "true" : "false");
    if (!s.failure.empty()) {
      out += ",\"failure\":" + JsonString(s.failure);
    }
    out += ",\"snapshot\":" + SnapshotJson(s.snapshot);
    out += fmt::format(
        ",\"issues\":{},\"suffix_matched\":{},\"unresolved\":{},\"repo_files_indexed\":{}",
        s.issues, s.suffix_matched, s.unresolved, s.repo_files_indexed);
    out += ",\"unresolved_examples\":[";
    for (size_t i = 0; i < s.unresolved_examples.size(); ++i) {
      out += i ? "," : "";
      out += JsonString(s.unresolved_examples[i]);
    }
    out += "],\"first_issues\":[";
    for (size_t i = 0; i < s.first_issues.size(); ++i) {
      const importer::LineReport& r = s.first_issues[i];
      out += fmt::format("{}{{\"file\":{},\"line\":{},\"reason\":{}}}", i ? "," : "",
                         JsonString(r.file), r.line, JsonString(r.reason));
    }
    out += "],\"reports\":[";
    for (size_t i = 0; i < s.reports.size(); ++i) {
      const importer::CoverageReportSummary& r = s.reports[i];
      out += fmt::format("{}{{\"path\":{},\"format\":{},\"files\":{},\"issues\":{}}}", i ? "," : "",
                         JsonString(r.path), JsonString(r.format), r.files, r.issues);
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return;
  }
  for (const importer::CoverageReportSummary& r : s.reports) {
    fmt::print("{}: {} — {} files{}\n", r.path, r.format, r.files,
               r.issues > 0 ? fmt::format(", {} malformed records skipped", r.issues) : "");
  }
  for (const importer::LineReport& r : s.first_issues) {
    fmt::print("  {}:{}: {}\n", r.file, r.line, r.reason);
  }
  if (s.unresolved > 0) {
    fmt::print("{} paths are not repository-relative (use --root or --strip-prefix), e.g. {}\n",
               s.unresolved, s.unresolved_examples.empty() ? "" : s.unresolved_examples.front());
  }
  if (s.suffix_matched > 0) {
    fmt::print("{} paths found in the repository by their suffix\n", s.suffix_matched);
  }
  if (!s.committed) {
    fmt::print("nothing stored: {}\n", s.failure);
    return;
  }
  int64_t found = 0;
  int64_t hit = 0;
  for (const model::FileCoverage& f : s.snapshot.files) {
    found += f.lines_found;
    hit += f.lines_hit;
  }
  fmt::print("snapshot {}: {} — {} files, {} lines covered ({})\n",
             s.created ? "stored" : "already stored (unchanged)", SnapshotLine(s.snapshot),
             s.snapshot.files.size(), Fraction(hit, found),
             Percent(found > 0 ? std::optional<double>(static_cast<double>(hit) /
                                                       static_cast<double>(found))
                               : std::nullopt));
}

void PrintCoverageTable(const metrics::CoverageTable& t, metrics::CoverageBy by,
                        const std::string& format) {
  if (format == "json") {
    std::string out = "{\"version\":1,\"by\":";
    out += by == metrics::CoverageBy::kFile   ? "\"file\""
           : by == metrics::CoverageBy::kArea ? "\"area\""
                                              : "\"team\"";
    out += ",\"snapshots\":[";
    for (size_t i = 0; i < t.snapshots.size(); ++i) {
      out += i ? "," : "";
      out += SnapshotJson(t.snapshots[i]);
    }
    out += "],\"rows\":[";
    for (size_t i = 0; i < t.rows.size(); ++i) {
      out += i ? "," : "";
      out += CoverageRowJson(t.rows[i], by, false);
    }
    out += "],\"total\":" + CoverageRowJson(t.total, by, true) + "}\n";
    std::fputs(out.c_str(), stdout);
    return;
  }
  if (format == "csv") {
    fmt::print(
        "{},{}files,lines_found,lines_hit,line_rate,branches_found,branches_hit,"
        "branch_rate,partial_files\n",
        by == metrics::CoverageBy::kFile   ? "path"
        : by == metrics::CoverageBy::kArea ? "area"
                                           : "owner",
        by == metrics::CoverageBy::kFile ? "area,owners,snapshot," : "");
    for (const metrics::CoverageRow& r : t.rows) {
      fmt::print("{},{}{},{},{},{},{},{},{},{}\n", CsvField(r.key),
                 by == metrics::CoverageBy::kFile
                     ? CsvField(r.area) + "," + CsvField(Join(r.owners, " ")) + "," +
                           CsvField(r.snapshot_name) + ","
                     : "",
                 r.files, r.lines_found, r.lines_hit, r.line_rate ? JsonRatio(r.line_rate) : "",
                 r.branches_found ? std::to_string(*r.branches_found) : "",
                 r.branches_hit ? std::to_string(*r.branches_hit) : "",
                 r.branch_rate ? JsonRatio(r.branch_rate) : "", r.partial_files);
    }
    return;
  }
  if (t.snapshots.empty()) {
    fmt::print("no coverage stored (vigil ingest coverage FILE...)\n");
    return;
  }
  size_t key_width = 10;
  for (const metrics::CoverageRow& r : t.rows) {
    key_width = std::max(key_width, KeyText(r.key, by).size());
  }
  key_width = std::min<size_t>(key_width, 70);
  const char* head = by == metrics::CoverageBy::kFile   ? "FILE"
                     : by == metrics::CoverageBy::kArea ? "AREA"
                                                        : "OWNER";
  const bool file = by == metrics::CoverageBy::kFile;
  fmt::print("{:<{}}  {:>6}  {:>9}  {:>17}  {:>9}  {:>15}{}\n", head, key_width, "FILES", "LINES%",
             "LINES", "BRANCH%", "BRANCHES", file ? "  AREA  OWNERS" : "");
  auto print_row = [&](const metrics::CoverageRow& r, const std::string& key, bool total) {
    std::string k = key;
    if (k.size() > key_width) {
      k = k.substr(k.size() - key_width + 1);
      k.insert(k.begin(), '~');
    }
    if (r.partial_files > 0) {
      k += " !";
    }
    fmt::print("{:<{}}  {:>6}  {:>9}  {:>17}  {:>9}  {:>15}{}\n", k, key_width, r.files,
               Percent(r.line_rate), Fraction(r.lines_hit, r.lines_found), Percent(r.branch_rate),
               r.branches_found ? Fraction(*r.branches_hit, *r.branches_found) : "-",
               file && !total ? fmt::format("  {}  {}", r.area.empty() ? "-" : r.area,
                                            r.owners.empty() ? "-" : Join(r.owners, " "))
                              : "");
  };
  for (const metrics::CoverageRow& r : t.rows) {
    print_row(r, KeyText(r.key, by), false);
  }
  print_row(t.total, "TOTAL", true);
  for (const model::CoverageSnapshot& s : t.snapshots) {
    fmt::print("snapshot {}\n", SnapshotLine(s));
  }
  if (by == metrics::CoverageBy::kTeam) {
    fmt::print("a file with several owners counts in each of their rows, once in TOTAL\n");
  }
  if (t.total.partial_files > 0) {
    fmt::print("! some files had malformed records in their report (skipped)\n");
  }
}

}  // namespace vigil::cli
