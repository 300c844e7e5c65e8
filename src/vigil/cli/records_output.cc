#include "vigil/cli/records_output.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <fmt/core.h>

#include "vigil/cli/output.h"

namespace vigil::cli {
namespace {

// One value of a row: what people read (table, CSV) and its JSON form.
struct Cell {
  std::string text;
  std::string json;
};

Cell Str(std::string_view s) {
  return {s.empty() ? "-" : std::string(s), s.empty() ? "null" : JsonString(s)};
}
Cell Name(std::string_view s) {  // enum names: never null
  return {std::string(s), JsonString(s)};
}
Cell Time(const std::optional<core::Timestamp>& t) {
  if (!t) {
    return {"-", "null"};
  }
  const std::string text = core::FormatRfc3339(*t);
  return {text, JsonString(text)};
}
Cell Time(core::Timestamp t) {
  return Time(std::optional<core::Timestamp>(t));
}
Cell Bool(bool b) {
  return {b ? "yes" : "no", b ? "true" : "false"};
}
// A list: "; "-joined for people, an array of strings in JSON.
Cell List(const std::vector<std::string>& items) {
  Cell c;
  c.json = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      c.text += "; ";
      c.json += ",";
    }
    c.text += items[i];
    c.json += JsonString(items[i]);
  }
  c.json += "]";
  if (c.text.empty()) {
    c.text = "-";
  }
  return c;
}
// A value that may be inferred: "1.4.2 (inferred)" for people; JSON carries the flag in a
// column of its own.
Cell Marked(std::string_view value, bool inferred) {
  Cell c = Str(value);
  if (inferred && !value.empty()) {
    c.text += " (inferred)";
  }
  return c;
}

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

void Print(const Table& t, model::RecordKind kind, core::Timestamp as_of,
           const std::string& format) {
  if (format == "json") {
    std::string out = "{\"version\":1,\"kind\":" + JsonString(model::RecordKindName(kind)) +
                      ",\"as_of\":" + JsonString(core::FormatRfc3339(as_of)) + ",\"rows\":[";
    for (size_t r = 0; r < t.rows.size(); ++r) {
      out += r == 0 ? "{" : ",{";
      for (size_t c = 0; c < t.columns.size(); ++c) {
        if (c > 0) {
          out += ',';
        }
        out += JsonString(t.columns[c]);
        out += ':';
        out += t.rows[r][c].json;
      }
      out += '}';
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return;
  }
  if (format == "csv") {
    std::string out;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      out += c == 0 ? "" : ",";
      out += t.columns[c];
    }
    out += '\n';
    for (const auto& row : t.rows) {
      for (size_t c = 0; c < row.size(); ++c) {
        out += c == 0 ? "" : ",";
        out += CsvField(row[c].text == "-" ? "" : row[c].text);
      }
      out += '\n';
    }
    std::fputs(out.c_str(), stdout);
    return;
  }
  if (t.rows.empty()) {
    fmt::print("no {}\n", model::RecordKindName(kind));
    return;
  }
  std::vector<size_t> width(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) {
    width[c] = t.columns[c].size();
    for (const auto& row : t.rows) {
      width[c] = std::max(width[c], std::min<size_t>(row[c].text.size(), 60));
    }
  }
  auto line = [&](auto cell_text) {
    std::string out;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      std::string text = cell_text(c);
      if (text.size() > 60) {
        text = text.substr(0, 57) + "...";
      }
      out += text;
      if (c + 1 < t.columns.size()) {
        out.append(width[c] - std::min(width[c], text.size()) + 2, ' ');
      }
    }
    fmt::print("{}\n", out);
  };
  line([&](size_t c) { return t.columns[c]; });
  for (const auto& row : t.rows) {
    line([&](size_t c) { return row[c].text; });
  }
  fmt::print("{} {} as of {}\n", t.rows.size(), model::RecordKindName(kind),
             core::FormatRfc3339(as_of));
}

bool InWindow(const ListFilter& f, const std::optional<core::Timestamp>& t) {
  if (!f.from && !f.to) {
    return true;
  }
  if (!t) {
    return false;
  }
  return (!f.from || *t >= *f.from) && (!f.to || *t < *f.to);
}
bool Matches(const std::string& want, const std::string& have) {
  return want.empty() || want == have;
}

std::string KeyText(const metrics::RecordKey& k) {
  return k.source + ":" + k.id;
}

Table Deployments(const metrics::Timeline& tl, const ListFilter& f) {
  Table t{{"source", "id", "service", "environment", "version", "deployed_at", "outcome",
           "succeeded_at", "production", "made_release", "statuses"},
          {}};
  for (const metrics::DerivedDeployment& d : tl.deployments) {
    const model::Deployment& r = d.deployment;
    if (!Matches(f.service, r.service) || !f.team.empty() || !InWindow(f, r.deployed_at)) {
      continue;
    }
    std::vector<std::string> statuses;
    for (const model::DeploymentStatus& s : r.statuses) {
      statuses.push_back(std::string(model::DeploymentStateName(s.state)) + "@" +
                         core::FormatRfc3339(s.at));
    }
    t.rows.push_back({Str(r.source), Str(r.id), Str(r.service), Str(r.environment), Str(r.version),
                      Time(r.deployed_at), Name(metrics::DeploymentOutcomeName(d.outcome)),
                      Time(d.succeeded_at), Bool(d.is_production), Bool(d.made_release),
                      List(statuses)});
  }
  return t;
}

Table Releases(const metrics::Timeline& tl, const ListFilter& f) {
  Table t{{"service", "version", "state", "deployed_at", "window_end", "type", "type_inferred",
           "prerelease", "team", "areas", "failure_reasons", "rolled_back_at", "rollbacks",
           "hotfix_for", "hotfix_basis", "hotfixes", "deployment"},
          {}};
  for (const metrics::DerivedRelease& r : tl.releases) {
    const std::optional<core::Timestamp> at =
        r.deployed ? std::optional<core::Timestamp>(r.deployed_at) : std::nullopt;
    if (!Matches(f.service, r.service) || !Matches(f.team, r.team) || !InWindow(f, at)) {
      continue;
    }
    std::vector<std::string> reasons, rollbacks, hotfixes;
    for (metrics::FailureReason reason : r.failure_reasons) {
      reasons.emplace_back(metrics::FailureReasonName(reason));
    }
    for (const metrics::Rollback& b : r.rollbacks) {
      rollbacks.push_back(core::FormatRfc3339(b.at) + " to " + b.to_version +
                          (b.within_window ? "" : " (after the window)"));
    }
    for (const metrics::HotfixShipped& h : r.hotfixes) {
      hotfixes.push_back(h.version + " at " + core::FormatRfc3339(h.at) + " (" +
                         std::string(metrics::HotfixBasisName(h.basis)) +
                         (h.within_window ? "" : ", after the window") + ")");
    }
    const bool hotfix_inferred = r.hotfix_basis == metrics::HotfixBasis::kInferred ||
                                 r.hotfix_basis == metrics::HotfixBasis::kPatch;
    t.rows.push_back({Str(r.service), Str(r.version), Name(metrics::ReleaseStateName(r.state)),
                      r.deployed ? Time(r.deployed_at) : Cell{"not deployed", "null"},
                      r.deployed ? Time(r.window_end) : Time(std::nullopt),
                      Marked(model::ReleaseTypeName(r.type), r.type_inferred),
                      Bool(r.type_inferred), Bool(r.prerelease), Str(r.team), List(r.areas),
                      List(reasons), Time(r.rolled_back_at), List(rollbacks),
                      Marked(r.hotfix_for, hotfix_inferred),
                      Name(metrics::HotfixBasisName(r.hotfix_basis)), List(hotfixes),
                      r.deployed ? Str(KeyText(r.deployment)) : Str("")});
  }
  return t;
}

Table Incidents(const metrics::Timeline& tl, const ListFilter& f) {
  Table t{{"source", "id", "title", "severity", "service", "team", "created_at", "detected_at",
           "detected_by", "resolved_at", "cause_release", "cause_basis", "cause_release_found",
           "detection_source", "escape_phase", "excluded", "alerts", "defects"},
          {}};
  for (const metrics::DerivedIncident& d : tl.incidents) {
    const model::Incident& r = d.incident;
    if ((!f.service.empty() && f.service != r.service && f.service != d.cause_service) ||
        !Matches(f.team, r.team) || !InWindow(f, r.created_at)) {
      continue;
    }
    std::string cause;
    if (!d.cause_version.empty()) {
      cause = (d.cause_service.empty() ? r.service : d.cause_service) + "@" + d.cause_version;
    }
    std::vector<std::string> alerts, defects;
    for (const metrics::AlertKey& a : d.alerts) {
      alerts.push_back(a.fingerprint + "@" + core::FormatRfc3339(a.starts_at));
    }
    for (const metrics::RecordKey& k : d.defects) {
      defects.push_back(KeyText(k));
    }
    t.rows.push_back({Str(r.source), Str(r.id), Str(r.title), Name(model::SeverityName(r.severity)),
                      Str(r.service), Str(r.team), Time(r.created_at), Time(d.detected_at),
                      Name(metrics::DetectionBasisName(d.detected_by)),
                      r.resolved_at ? Time(r.resolved_at) : Cell{"open", "null"},
                      Marked(cause, d.cause_basis == metrics::CauseBasis::kInferred),
                      Name(metrics::CauseBasisName(d.cause_basis)), Bool(d.cause_release_found),
                      Name(model::DetectionSourceName(r.detection_source)),
                      Name(model::EscapePhaseName(r.escape_phase)), Str(d.excluded_reason),
                      List(alerts), List(defects)});
  }
  return t;
}

Table Defects(const metrics::Timeline& tl, const ListFilter& f) {
  Table t{{"source", "id", "title", "reporter", "severity", "service", "area", "team", "found_at",
           "resolved_at", "release", "incident", "counted_with_incident", "escape_phase"},
          {}};
  for (const metrics::DerivedDefect& d : tl.defects) {
    const model::Defect& r = d.defect;
    if (!Matches(f.service, r.service) || !Matches(f.team, r.team) || !InWindow(f, r.found_at)) {
      continue;
    }
    Cell incident = d.incident ? Str(KeyText(*d.incident)) : Str("");
    if (d.incident_ref_unresolved) {
      incident = Str(r.incident + " (not found)");
    }
    t.rows.push_back({Str(r.source), Str(r.id), Str(r.title),
                      Name(model::ReporterKindName(r.reporter)),
                      Name(model::SeverityName(r.severity)), Str(r.service), Str(r.area),
                      Str(r.team), Time(r.found_at), Time(r.resolved_at), Str(r.release), incident,
                      Bool(d.counted_with_incident), Name(model::EscapePhaseName(r.escape_phase))});
  }
  return t;
}

Table Alerts(const metrics::Timeline& tl, const ListFilter& f) {
  Table t{{"fingerprint", "rule", "service", "starts_at", "ends_at", "incident", "link"}, {}};
  for (const metrics::DerivedAlert& d : tl.alerts) {
    const model::Alert& r = d.alert;
    if (!Matches(f.service, r.service) || !f.team.empty() || !InWindow(f, r.starts_at)) {
      continue;
    }
    Cell incident = d.incident ? Str(KeyText(*d.incident)) : Str("");
    if (d.incident_ref_unresolved) {
      incident = Str(r.incident + " (not found)");
    }
    t.rows.push_back({Str(r.fingerprint), Str(r.rule), Str(r.service), Time(r.starts_at),
                      r.ends_at ? Time(r.ends_at) : Cell{"firing", "null"}, incident,
                      Name(metrics::AlertLinkBasisName(d.link))});
  }
  return t;
}

}  // namespace

void PrintRecordImportSummary(const importer::RecordImportSummary& s, model::RecordKind kind,
                              const std::string& format) {
  const std::string_view what = model::RecordKindName(kind);
  if (format == "json") {
    std::string out = "{\"version\":1,\"kind\":" + JsonString(what) +
                      ",\"committed\":" + (s.committed ? "true" : "false") +
                      ",\"failure\":" + (s.failure.empty() ? "null" : JsonString(s.failure)) +
                      ",\"files\":" + std::to_string(s.files) + ",\"files_by_source\":{";
    bool first = true;
    for (const auto& [source, n] : s.files_by_source) {
      out += (first ? "" : ",") + JsonString(source) + ":" + std::to_string(n);
      first = false;
    }
    out += "},\"parsed\":" + std::to_string(s.parsed) +
           ",\"created\":" + std::to_string(s.counts.created) +
           ",\"updated\":" + std::to_string(s.counts.updated) +
           ",\"unchanged\":" + std::to_string(s.counts.unchanged) +
           ",\"rejected\":" + std::to_string(s.rejected) +
           ",\"skipped\":" + std::to_string(s.skipped) +
           ",\"warnings\":" + std::to_string(s.warnings) +
           ",\"statuses_attached\":" + std::to_string(s.statuses_attached) +
           ",\"issues_by_code\":{";
    first = true;
    for (const auto& [code, n] : s.issues_by_code) {
      out += (first ? "" : ",") + JsonString(code) + ":" + std::to_string(n);
      first = false;
    }
    out += "},\"first_issues\":[";
    for (size_t i = 0; i < s.first_issues.size(); ++i) {
      const ingest::RecordIssue& is = s.first_issues[i];
      out += (i == 0 ? "{" : ",{");
      out += "\"file\":" + JsonString(is.file) + ",\"line\":" + std::to_string(is.line) +
             ",\"json_path\":" + (is.json_path.empty() ? "null" : JsonString(is.json_path)) +
             ",\"code\":" + JsonString(is.code) + ",\"reason\":" + JsonString(is.reason) +
             ",\"warning\":" + (is.warning ? "true" : "false") + "}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return;
  }
  std::string sources;
  for (const auto& [source, n] : s.files_by_source) {
    sources += (sources.empty() ? "" : ", ") + source + " " + std::to_string(n);
  }
  fmt::print(
      "{} file(s) ({}): {} {} parsed: {} created, {} updated, {} unchanged; {} rejected, "
      "{} skipped, {} warning(s)\n",
      s.files, sources, s.parsed, what, s.counts.created, s.counts.updated, s.counts.unchanged,
      s.rejected, s.skipped, s.warnings);
  if (s.statuses_attached > 0) {
    fmt::print("deployment statuses added to stored deployments: {}\n", s.statuses_attached);
  }
  for (const ingest::RecordIssue& is : s.first_issues) {
    std::string where = is.file;
    if (is.line > 0) {
      where += ":" + std::to_string(is.line);
    }
    if (!is.json_path.empty()) {
      where += (where.empty() ? "" : ": ") + is.json_path;
    }
    fmt::print("  {}: {}: {}: {}\n", where.empty() ? "-" : where,
               is.warning ? "warning" : "rejected", is.code, is.reason);
  }
  if (!s.committed) {
    fmt::print("nothing stored: {}\n", s.failure);
  }
}

void PrintRecordList(const metrics::Timeline& timeline, model::RecordKind kind,
                     const ListFilter& filter, core::Timestamp as_of, const std::string& format) {
  switch (kind) {
    case model::RecordKind::kDeployment:
      Print(Deployments(timeline, filter), kind, as_of, format);
      return;
    case model::RecordKind::kRelease:
      Print(Releases(timeline, filter), kind, as_of, format);
      return;
    case model::RecordKind::kIncident:
      Print(Incidents(timeline, filter), kind, as_of, format);
      return;
    case model::RecordKind::kDefect:
      Print(Defects(timeline, filter), kind, as_of, format);
      return;
    case model::RecordKind::kAlert:
      Print(Alerts(timeline, filter), kind, as_of, format);
      return;
  }
}

}  // namespace vigil::cli
