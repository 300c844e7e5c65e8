#include "vigil/ingest/records_jira.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <string>
#include <utility>
#include <vector>

#include "vigil/ingest/export_json.h"
#include "vigil/ingest/record_mapping.h"

namespace vigil::ingest {
namespace {

using exportjson::FieldReader;
using exportjson::JsonFile;
using exportjson::VersionKey;

// Kept in step with docs/adapters.md ("Jira"), which shows it.
constexpr std::string_view kDefaultMappings = R"yaml(# Jira issues: vigil's built-in mappings.
# A field mapped under mappings.jira.defects in vigil.yaml replaces its rules here.
# url is not mapped: it is <base of self>/browse/<key> unless vigil.yaml maps it.
id:
  from: key
number:
  from: id
title:
  from: fields.summary
status:
  from: fields.status.name
found_at:
  from: fields.created
resolved_at:
  from: fields.resolutiondate
# Only bugs are defects; any other issue type is skipped.
is_bug:
  - when: {path: fields.issuetype.name, equals: Bug}
    value: 'true'
  - value: 'false'
reporter:
  - when: {path: fields.labels, equals: customer-reported}
    value: customer
  - value: internal
severity:
  - from: fields.priority.name
    values: {Highest: critical, Blocker: critical, High: significant, Critical: significant}
    unmatched: drop
  - when: {path: fields.priority.name, exists: true}
    value: minor
area:
  from: 'fields.components[0].name'
# The affects version the bug escaped from.
release:
  from: 'fields.versions[0].name'
)yaml";

using Aliases = std::map<std::string, std::string, std::less<>>;

// A parsed file and the aliases its `names` give.
struct JiraFile {
  std::unique_ptr<JsonFile> json;
  Aliases aliases;
};

struct Candidate {
  simdjson::dom::element element;
  const JiraFile* file = nullptr;
  std::string json_path;
  VersionKey version;
};

// Adds display name (case-folded) → field id; of two fields with one display name the
// smaller id keeps it, so the order of pages and members does not matter.
void AddAlias(std::string folded_name, std::string_view field_id, Aliases* aliases) {
  auto [it, inserted] = aliases->try_emplace(std::move(folded_name), field_id);
  if (!inserted && field_id < it->second) {
    it->second = std::string(field_id);
  }
}

// `names` (field id → display name) into aliases.
void AddNames(simdjson::dom::element holder, Aliases* aliases) {
  simdjson::dom::object names;
  if (holder["names"].get(names) != simdjson::SUCCESS) {
    return;
  }
  for (simdjson::dom::key_value_pair name : names) {
    std::string_view display;
    if (name.value.get(display) == simdjson::SUCCESS && !display.empty()) {
      AddAlias(exportjson::AsciiLowerCopy(display), name.key, aliases);
    }
  }
}

// Each file's aliases, completed with the names other files give (an export where only
// some pages were fetched with expand=names still resolves them); a file's own names win.
void ShareAliases(const std::vector<std::unique_ptr<JiraFile>>& files) {
  Aliases all;
  for (const auto& file : files) {
    for (const auto& [name, id] : file->aliases) {
      AddAlias(name, id, &all);
    }
  }
  for (const auto& file : files) {
    for (const auto& [name, id] : all) {
      file->aliases.try_emplace(name, id);
    }
  }
}

std::optional<core::Timestamp> UpdatedOf(simdjson::dom::element issue) {
  std::string_view text;
  if (issue["fields"]["updated"].get(text) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  Result<core::Timestamp> t = exportjson::ParseExportTime(text);
  return t.ok() ? std::optional<core::Timestamp>(*t) : std::nullopt;
}

// `https://x.atlassian.net/rest/api/3/issue/10431` + `PAY-812` →
// `https://x.atlassian.net/browse/PAY-812`; "" when `self` has no `/rest/`.
std::string BrowseUrl(simdjson::dom::element issue, std::string_view key) {
  const std::optional<std::string_view> self = exportjson::StringMember(issue, "self");
  if (!self || key.empty()) {
    return "";
  }
  const size_t rest = self->find("/rest/");
  if (rest == std::string_view::npos) {
    return "";
  }
  std::string url(self->substr(0, rest));
  url += "/browse/";
  url += key;
  return url;
}

class Collector {
 public:
  Collector(std::map<std::string, std::vector<Candidate>, std::less<>>* versions,
            ParsedRecords* parsed, size_t* positions)
      : versions_(versions), parsed_(parsed), positions_(positions) {}

  // Reads one file; false when it is no response this adapter knows, with *why set.
  bool Read(JiraFile* file, std::string* why) {
    const simdjson::dom::element root = file->json->root;
    if (!root.is_object()) {
      *why = "expected a JSON object (a Jira search or issue response), got ";
      *why += exportjson::JsonTypeName(root);
      return false;
    }
    simdjson::dom::element issues;
    if (root["issues"].get(issues) == simdjson::SUCCESS) {
      simdjson::dom::array array;
      if (issues.get(array) != simdjson::SUCCESS) {
        *why = "member 'issues' is ";
        *why += exportjson::JsonTypeName(issues);
        *why += ", expected an array";
        return false;
      }
      AddNames(root, &file->aliases);
      size_t i = 0;
      for (simdjson::dom::element issue : array) {
        Add(file, issue, exportjson::IndexedPath("issues", i++));
      }
      return true;
    }
    if (root["key"].is_string() && root["fields"].is_object()) {
      AddNames(root, &file->aliases);
      Add(file, root, "$");
      return true;
    }
    *why =
        "not a Jira search response (no top-level 'issues' array) nor an issue (no 'key' and "
        "'fields')";
    return false;
  }

 private:
  void Reject(const JiraFile& file, const std::string& json_path, std::string_view code,
              std::string reason) {
    parsed_->issues.push_back(
        exportjson::MakeIssue(*file.json->file, json_path, code, std::move(reason)));
    ++parsed_->rejected;
  }

  void Add(JiraFile* file, simdjson::dom::element issue, std::string json_path) {
    if (!issue.is_object()) {
      std::string reason = "an issue must be an object, got ";
      reason += exportjson::JsonTypeName(issue);
      Reject(*file, json_path, "bad_record", std::move(reason));
      return;
    }
    simdjson::dom::element id_element;
    std::string id;
    if (issue["id"].get(id_element) == simdjson::SUCCESS) {
      id = exportjson::IdText(id_element);
    }
    if (id.empty()) {
      Reject(*file, json_path, "missing_field", "issue has no 'id'");
      return;
    }
    if (issue["names"].is_object()) {
      AddNames(issue, &file->aliases);
    }
    Candidate candidate;
    candidate.element = issue;
    candidate.file = file;
    candidate.json_path = std::move(json_path);
    candidate.version.updated = UpdatedOf(issue);
    candidate.version.file_order = file->json->order;
    candidate.version.position = (*positions_)++;
    (*versions_)[id].push_back(std::move(candidate));
  }

  std::map<std::string, std::vector<Candidate>, std::less<>>* versions_;
  ParsedRecords* parsed_;
  size_t* positions_;
};

enum class Mapped { kDefect, kSkipped, kRejected };

Mapped MapDefect(const RecordMapper& mapper, const Candidate& winner, model::Defect* out,
                 std::vector<RecordIssue>* issues) {
  RecordView view;
  view.record = winner.element;
  view.aliases = &winner.file->aliases;
  FieldReader read(mapper, view, *winner.file->json->file, winner.json_path);
  if (!winner.element["fields"].is_object()) {
    // Before is_bug: without fields every issue would look like a non-bug and be skipped.
    read.Reject("missing_field",
                "issue has no 'fields' object (/search/jql returns only ids unless 'fields' is "
                "requested)");
    *issues = std::move(read.issues());
    return Mapped::kRejected;
  }
  if (exportjson::AsciiLowerCopy(read.Text("is_bug")) == "false") {
    return Mapped::kSkipped;
  }
  model::Defect& defect = *out;
  defect.source = std::string(model::kSourceJira);
  defect.id = read.Text("id");
  if (defect.id.empty()) {
    read.Reject("missing_field", "issue has no key (mapped field 'id' yields nothing)");
  }
  const std::optional<core::Timestamp> found =
      read.Time("found_at", FieldReader::TimeUse::kFirst, /*required=*/true);
  if (!found && !read.rejected()) {
    read.Reject("missing_field", "issue has no found_at");
  }
  defect.resolved_at = read.Time("resolved_at", FieldReader::TimeUse::kFirst, true);
  if (read.rejected()) {
    *issues = std::move(read.issues());
    return Mapped::kRejected;
  }
  defect.found_at = *found;
  defect.number = read.Text("number");
  defect.url =
      mapper.Has("url")
          ? read.Text("url")
          : BrowseUrl(winner.element, exportjson::StringMember(winner.element, "key").value_or(""));
  defect.title = read.Text("title");
  defect.status = read.Text("status");
  defect.service = read.Text("service");
  defect.area = read.Text("area");
  defect.team = read.Text("team");
  defect.release = read.Text("release");
  defect.incident = read.Text("incident");
  defect.reporter =
      read.Enumerated<model::ReporterKind>("reporter", model::ParseReporterKind, "reporter kind");
  defect.severity = read.Enumerated<model::Severity>("severity", model::ParseSeverity, "severity");
  defect.escape_phase =
      read.Enumerated<model::EscapePhase>("escape_phase", model::ParseEscapePhase, "escape phase");
  *issues = std::move(read.issues());
  return Mapped::kDefect;
}

// Parsed once per process; immutable after.
const Result<config::SourceMappings>& Defaults() {
  static const Result<config::SourceMappings> defaults =
      exportjson::ParseDefaults(kDefaultMappings, model::kSourceJira, model::RecordKind::kDefect);
  return defaults;
}

}  // namespace

std::string_view JiraDefaultMappings() {
  return kDefaultMappings;
}

bool LooksLikeJiraExport(std::string_view data) {
  bool key = false;
  bool fields = false;
  return exportjson::ScanTopLevelMembers(data, [&](std::string_view name, char value_start) {
    if (name == "issues") {
      return value_start == '[';
    }
    key = key || (name == "key" && value_start == '"');
    fields = fields || (name == "fields" && value_start == '{');
    return key && fields;
  });
}

Result<ParsedRecords> ParseJiraExports(std::span<const RecordFile> files,
                                       const AdapterOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(const RecordMapper mapper,
                         exportjson::MakeMapper(Defaults(), model::kSourceJira,
                                                model::RecordKind::kDefect, options.user_mappings));
  ParsedRecords parsed;
  simdjson::dom::parser parser;
  std::vector<std::unique_ptr<JiraFile>> loaded;
  std::map<std::string, std::vector<Candidate>, std::less<>> versions;
  size_t positions = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string why;
    auto file = std::make_unique<JiraFile>();
    file->json = exportjson::LoadJsonFile(files[i], i, &parser, &why);
    if (file->json == nullptr) {
      parsed.issues.push_back(exportjson::MakeIssue(files[i], "", "bad_json", std::move(why)));
      ++parsed.rejected;
      continue;
    }
    // The shape is decided before any record is taken, so a file is all or nothing.
    Collector collector(&versions, &parsed, &positions);
    if (!collector.Read(file.get(), &why)) {
      parsed.issues.push_back(exportjson::MakeIssue(files[i], "", "unknown_shape", std::move(why)));
      ++parsed.rejected;
      continue;
    }
    loaded.push_back(std::move(file));
  }

  ShareAliases(loaded);

  std::vector<model::Defect> defects;
  for (const auto& [id, candidates] : versions) {
    const Candidate* winner = &candidates.front();
    for (const Candidate& candidate : candidates) {
      if (winner->version < candidate.version) {
        winner = &candidate;
      }
    }
    model::Defect defect;
    std::vector<RecordIssue> issues;
    const Mapped mapped = MapDefect(mapper, *winner, &defect, &issues);
    for (RecordIssue& issue : issues) {
      parsed.issues.push_back(std::move(issue));
    }
    if (mapped == Mapped::kSkipped) {
      ++parsed.skipped;
    } else if (mapped == Mapped::kRejected) {
      ++parsed.rejected;
    } else {
      defects.push_back(std::move(defect));
    }
  }
  std::stable_sort(defects.begin(), defects.end(),
                   [](const model::Defect& a, const model::Defect& b) { return a.id < b.id; });
  parsed.batch.defects = std::move(defects);
  return parsed;
}

}  // namespace vigil::ingest
