#include "vigil/ingest/records_pagerduty.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "vigil/core/text.h"
#include "vigil/ingest/export_json.h"
#include "vigil/ingest/record_mapping.h"

namespace vigil::ingest {
namespace {

using exportjson::FieldReader;
using exportjson::JsonFile;
using exportjson::VersionKey;

// Kept in step with docs/adapters.md ("PagerDuty"), which shows it.
constexpr std::string_view kDefaultMappings =
    R"yaml(# PagerDuty incidents: vigil's built-in mappings.
# A field mapped under mappings.pagerduty.incidents in vigil.yaml replaces its rules here.
id:
  from: id
number:
  from: incident_number
url:
  from: html_url
title:
  from: [title, summary]
status:
  from: status
created_at:
  from: created_at
# The latest value of the first rule that yields one (a reopened incident's last resolve).
resolved_at:
  - from: resolved_at
  - when: {path: status, equals: resolved}
    from: 'log_entries[type=resolve_log_entry].created_at'
  - when: {path: status, equals: resolved}
    from: last_status_change_at
severity:
  - from: priority.summary
    values: {P1: critical, P2: significant, P3: minor, P4: minor, P5: minor}
    unmatched: drop
  - from: urgency
    values: {high: significant, low: minor}
    unmatched: drop
service:
  from: service.summary
team:
  from: 'teams[0].summary'
# Custom-field values: PagerDuty writes `value` bare or wrapped as {value: ...}.
area:
  from: ['custom_fields[name=area].value', 'custom_fields[name=area].value.value']
started_at:
  from: ['custom_fields[name=impact_start].value',
         'custom_fields[name=impact_start].value.value']
cause_service:
  from: ['custom_fields[name=causing_release].value',
         'custom_fields[name=causing_release].value.value']
  regex: '^\s*([^@\s]+)@'
cause_version:
  from: ['custom_fields[name=causing_release].value',
         'custom_fields[name=causing_release].value.value']
  regex: '@?[vV]?([0-9][0-9A-Za-z.+-]*)\s*$'
escape_phase:
  from: ['custom_fields[name=escape_phase].value',
         'custom_fields[name=escape_phase].value.value']
# An explicit custom field, else who triggered it: a person (web UI, email, SMS) is an
# engineer; an integration, the API, email integrations and monitors are alerts.
detection_source:
  - from: ['custom_fields[name=detection_source].value',
           'custom_fields[name=detection_source].value.value']
  - when: {path: 'log_entries[type=trigger_log_entry].agent.type', contains: user}
    value: engineer
  - from: 'log_entries[type=trigger_log_entry].channel.type'
    values: {api: alert, auto: alert, email: alert, nagios: alert, timeout: alert,
             integration: alert, web_trigger: engineer, website: engineer, sms: engineer,
             note: engineer}
    unmatched: drop
# Merged into another incident: resolved with a merge_resolve_reason.
merged:
  - when:
      any:
        - {path: resolve_reason.type, equals: merge_resolve_reason}
        - {path: 'log_entries[type=resolve_log_entry].resolve_reason.type',
           equals: merge_resolve_reason}
    value: 'true'
)yaml";

constexpr std::string_view kLogEntries = "log_entries";
constexpr std::string_view kCustomFields = "custom_fields";

// One child (log entry or custom-field value) with what orders and dedupes it.
struct Child {
  simdjson::dom::element element;
  std::string key;  // dedupe key: `id` (custom fields: else `name`); "" = never deduped
  std::optional<core::Timestamp> created;
  size_t file_order = 0;
  size_t position = 0;
};

struct Children {
  std::vector<Child> log_entries;
  std::vector<Child> custom_fields;
};

// One version of an incident.
struct Candidate {
  simdjson::dom::element element;
  const JsonFile* file = nullptr;
  std::string json_path;
  VersionKey version;
};

// A child from a file of children, waiting for its parent to be resolved.
struct LooseChild {
  const JsonFile* file = nullptr;
  std::string_view kind;
  std::string content_parent;  // `incident.id`, "" when the content has none
  std::string json_path;
  Child child;
};

struct Collected {
  std::map<std::string, Candidate, std::less<>> incidents;              // winner per id
  std::map<std::string, std::vector<Candidate>, std::less<>> versions;  // all, per id
  std::vector<LooseChild> loose;
  size_t positions = 0;  // running position across all records, for ordering
};

std::optional<core::Timestamp> TimeMember(simdjson::dom::element object, std::string_view key) {
  const std::optional<std::string_view> text = exportjson::StringMember(object, key);
  if (!text) {
    return std::nullopt;
  }
  Result<core::Timestamp> t = exportjson::ParseExportTime(*text);
  return t.ok() ? std::optional<core::Timestamp>(*t) : std::nullopt;
}

Child MakeLogEntry(simdjson::dom::element entry, size_t file_order, size_t position) {
  Child child;
  child.element = entry;
  simdjson::dom::element id;
  if (entry["id"].get(id) == simdjson::SUCCESS) {
    child.key = exportjson::IdText(id);
  }
  child.created = TimeMember(entry, "created_at");
  child.file_order = file_order;
  child.position = position;
  return child;
}

Child MakeCustomField(simdjson::dom::element value, size_t file_order, size_t position) {
  Child child;
  child.element = value;
  simdjson::dom::element id;
  if (value["id"].get(id) == simdjson::SUCCESS) {
    child.key = exportjson::IdText(id);
  }
  if (child.key.empty()) {
    if (std::optional<std::string_view> name = exportjson::StringMember(value, "name")) {
      child.key = "name:" + exportjson::AsciiLowerCopy(*name);
    }
  }
  child.file_order = file_order;
  child.position = position;
  return child;
}

// The incident a log entry names (`incident.id`), or "".
std::string LogEntryParent(simdjson::dom::element entry) {
  simdjson::dom::element id;
  if (entry["incident"]["id"].get(id) != simdjson::SUCCESS) {
    return "";
  }
  return exportjson::IdText(id);
}

class Collector {
 public:
  Collector(Collected* out, ParsedRecords* parsed) : out_(out), parsed_(parsed) {}

  // Reads one file's members; false when it holds none this adapter knows (or a known one
  // with the wrong type), with *why set.
  bool Read(const JsonFile& file, std::string* why) {
    simdjson::dom::object root;
    if (file.root.get(root) != simdjson::SUCCESS) {
      *why = "expected a JSON object (a PagerDuty API response), got ";
      *why += exportjson::JsonTypeName(file.root);
      return false;
    }
    bool known = false;
    for (simdjson::dom::key_value_pair member : root) {
      const std::string_view key = member.key;
      if (!HasExpectedType(key, member.value, why)) {
        return false;
      }
      simdjson::dom::array array;
      if (member.value.is_array() && member.value.get(array) != simdjson::SUCCESS) {
        continue;  // Cannot happen: is_array() said so.
      }
      if (key == "incidents") {
        size_t i = 0;
        for (simdjson::dom::element incident : array) {
          AddIncident(file, incident, exportjson::IndexedPath(key, i++));
        }
      } else if (key == "incident") {
        AddIncident(file, member.value, "incident");
      } else if (key == kLogEntries) {
        size_t i = 0;
        for (simdjson::dom::element entry : array) {
          AddLooseLogEntry(file, entry, exportjson::IndexedPath(key, i++));
        }
      } else if (key == "log_entry") {
        AddLooseLogEntry(file, member.value, "log_entry");
      } else if (key == kCustomFields) {
        size_t i = 0;
        for (simdjson::dom::element value : array) {
          AddLooseCustomField(file, value, exportjson::IndexedPath(key, i++));
        }
      } else {
        continue;
      }
      known = true;
    }
    if (!known) {
      *why =
          "not a PagerDuty incidents, incident, log_entries or custom_fields response (no such "
          "top-level member)";
    }
    return known;
  }

 private:
  // A known member must have its type (the lists are arrays, the single records objects);
  // false with *why set when it has not. Unknown members are fine.
  static bool HasExpectedType(std::string_view key, simdjson::dom::element value,
                              std::string* why) {
    std::string_view expected;
    if (key == "incidents" || key == kLogEntries || key == kCustomFields) {
      expected = value.is_array() ? "" : "an array";
    } else if (key == "incident" || key == "log_entry") {
      expected = value.is_object() ? "" : "an object";
    }
    if (expected.empty()) {
      return true;
    }
    *why = "member '";
    *why += key;
    *why += "' is ";
    *why += exportjson::JsonTypeName(value);
    *why += ", expected ";
    *why += expected;
    return false;
  }

  void Reject(const JsonFile& file, const std::string& json_path, std::string_view code,
              std::string reason) {
    parsed_->issues.push_back(
        exportjson::MakeIssue(*file.file, json_path, code, std::move(reason)));
    ++parsed_->rejected;
  }

  void AddIncident(const JsonFile& file, simdjson::dom::element incident, std::string json_path) {
    if (!incident.is_object()) {
      std::string reason = "an incident must be an object, got ";
      reason += exportjson::JsonTypeName(incident);
      Reject(file, json_path, "bad_record", std::move(reason));
      return;
    }
    simdjson::dom::element id_element;
    std::string id;
    if (incident["id"].get(id_element) == simdjson::SUCCESS) {
      id = exportjson::IdText(id_element);
    }
    if (id.empty()) {
      Reject(file, json_path, "missing_field", "incident has no 'id'");
      return;
    }
    Candidate candidate;
    candidate.element = incident;
    candidate.file = &file;
    candidate.json_path = std::move(json_path);
    candidate.version.updated = TimeMember(incident, "updated_at");
    if (!candidate.version.updated) {
      candidate.version.updated = TimeMember(incident, "last_status_change_at");
    }
    candidate.version.file_order = file.order;
    candidate.version.position = out_->positions++;
    auto [it, inserted] = out_->incidents.try_emplace(id, candidate);
    if (!inserted && it->second.version < candidate.version) {
      it->second = candidate;
    }
    out_->versions[id].push_back(std::move(candidate));
  }

  void AddLooseLogEntry(const JsonFile& file, simdjson::dom::element entry, std::string json_path) {
    if (!entry.is_object()) {
      std::string reason = "a log entry must be an object, got ";
      reason += exportjson::JsonTypeName(entry);
      Reject(file, json_path, "bad_record", std::move(reason));
      return;
    }
    LooseChild loose;
    loose.file = &file;
    loose.kind = kLogEntries;
    loose.content_parent = LogEntryParent(entry);
    loose.json_path = std::move(json_path);
    loose.child = MakeLogEntry(entry, file.order, out_->positions++);
    out_->loose.push_back(std::move(loose));
  }

  void AddLooseCustomField(const JsonFile& file, simdjson::dom::element value,
                           std::string json_path) {
    if (!value.is_object()) {
      std::string reason = "a custom-field value must be an object, got ";
      reason += exportjson::JsonTypeName(value);
      Reject(file, json_path, "bad_record", std::move(reason));
      return;
    }
    LooseChild loose;
    loose.file = &file;
    loose.kind = kCustomFields;
    loose.json_path = std::move(json_path);
    loose.child = MakeCustomField(value, file.order, out_->positions++);
    out_->loose.push_back(std::move(loose));
  }

  Collected* out_;
  ParsedRecords* parsed_;
};

// Children embedded in one version of an incident.
void AddEmbeddedChildren(const Candidate& version, size_t* positions, Children* children) {
  simdjson::dom::array array;
  if (version.element[kLogEntries].get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element entry : array) {
      if (entry.is_object()) {
        children->log_entries.push_back(MakeLogEntry(entry, version.file->order, (*positions)++));
      }
    }
  }
  // `include[]=first_trigger_log_entries` expands the reference into the full entry.
  simdjson::dom::element first;
  if (version.element["first_trigger_log_entry"].get(first) == simdjson::SUCCESS &&
      exportjson::StringMember(first, "type").value_or("") == "trigger_log_entry") {
    children->log_entries.push_back(MakeLogEntry(first, version.file->order, (*positions)++));
  }
  if (version.element[kCustomFields].get(array) == simdjson::SUCCESS) {
    for (simdjson::dom::element value : array) {
      if (value.is_object()) {
        children->custom_fields.push_back(
            MakeCustomField(value, version.file->order, (*positions)++));
      }
    }
  }
}

// Children of one kind, deduplicated (the later file's copy of a key wins) and ordered by
// (created, key), so the file order does not change the result.
std::vector<simdjson::dom::element> Normalize(std::vector<Child> children) {
  std::sort(children.begin(), children.end(), [](const Child& a, const Child& b) {
    return std::tie(a.file_order, a.position) < std::tie(b.file_order, b.position);
  });
  std::vector<Child> kept;
  std::map<std::string, size_t, std::less<>> by_key;
  for (Child& child : children) {
    if (!child.key.empty()) {
      auto [it, inserted] = by_key.try_emplace(child.key, kept.size());
      if (!inserted) {
        kept[it->second] = std::move(child);
        continue;
      }
    }
    kept.push_back(std::move(child));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Child& a, const Child& b) {
    // Entries without a time sort last.
    const bool a_has = a.created.has_value();
    const bool b_has = b.created.has_value();
    if (a_has != b_has) {
      return a_has;
    }
    if (a_has && *a.created != *b.created) {
      return *a.created < *b.created;
    }
    return a.key < b.key;
  });
  std::vector<simdjson::dom::element> elements;
  elements.reserve(kept.size());
  for (const Child& child : kept) {
    elements.push_back(child.element);
  }
  return elements;
}

struct OrphanGroup {
  const JsonFile* file = nullptr;
  std::string_view kind;
  std::string parent;  // "" = none found
  std::string how;     // where the parent came from
  std::string first_path;
  int64_t count = 0;
};

std::string OrphanReason(const OrphanGroup& group, const AdapterOptions& options) {
  std::string what = std::to_string(group.count);
  what += group.kind == kLogEntries
              ? (group.count == 1 ? " log entry" : " log entries")
              : (group.count == 1 ? " custom-field value" : " custom-field values");
  if (group.parent.empty()) {
    what +=
        " without a parent incident: no incident.id in the content, no incident id in "
        "the file name (<id>[-pN].json) and no --parent";
    return what;
  }
  what += " for incident ";
  what += core::QuoteForMessage(group.parent);
  what += " (from ";
  what += group.how;
  what += "), which is in none of the files";
  if (options.parent.empty() && group.how != "--parent") {
    what += "; give the incident's file too, or --parent";
  }
  return what;
}

// Attaches loose children to their incidents; the rest become orphan issues.
void AttachLooseChildren(const Collected& collected, const AdapterOptions& options,
                         std::map<std::string, Children, std::less<>>* children,
                         ParsedRecords* parsed) {
  std::vector<OrphanGroup> orphans;  // in order of their first child
  // (file order, kind, parent) → index in `orphans`.
  std::map<std::tuple<size_t, std::string_view, std::string>, size_t> orphan_index;
  for (const LooseChild& loose : collected.loose) {
    std::string parent = loose.content_parent;
    std::string how = "incident.id";
    if (parent.empty()) {
      // The file name's id when it names an incident; else --parent; else the file name's id
      // (if any) for the orphan report.
      parent = exportjson::ParentIdFromFileName(loose.file->file->name);
      how = "the file name";
      if (collected.incidents.count(parent) == 0 && !options.parent.empty()) {
        parent = options.parent;
        how = "--parent";
      }
    }
    if (!parent.empty() && collected.incidents.count(parent) != 0) {
      Children& own = (*children)[parent];
      (loose.kind == kLogEntries ? own.log_entries : own.custom_fields).push_back(loose.child);
      continue;
    }
    auto [it, inserted] = orphan_index.try_emplace(
        std::make_tuple(loose.file->order, loose.kind, parent), orphans.size());
    if (inserted) {
      orphans.push_back(OrphanGroup{loose.file, loose.kind, parent, how, loose.json_path, 0});
    }
    ++orphans[it->second].count;
  }
  for (const OrphanGroup& group : orphans) {
    parsed->issues.push_back(exportjson::MakeIssue(*group.file->file, group.first_path, "orphan",
                                                   OrphanReason(group, options)));
    parsed->rejected += group.count;
  }
}

// Maps one merged incident; false when it is rejected (issues appended either way).
bool MapIncident(const RecordMapper& mapper, const Candidate& winner, const Children* children,
                 model::Incident* out, std::vector<RecordIssue>* issues) {
  RecordView view;
  view.record = winner.element;
  if (children != nullptr) {
    if (!children->log_entries.empty()) {
      view.children.emplace(std::string(kLogEntries), Normalize(children->log_entries));
    }
    if (!children->custom_fields.empty()) {
      view.children.emplace(std::string(kCustomFields), Normalize(children->custom_fields));
    }
  }
  FieldReader read(mapper, view, *winner.file->file, winner.json_path);
  model::Incident& incident = *out;
  incident.source = std::string(model::kSourcePagerduty);
  incident.id = read.Text("id");
  if (incident.id.empty()) {
    read.Reject("missing_field", "incident has no id (mapped field 'id' yields nothing)");
  }
  const std::optional<core::Timestamp> created =
      read.Time("created_at", FieldReader::TimeUse::kFirst, /*required=*/true);
  if (!created && !read.rejected()) {
    read.Reject("missing_field", "incident has no created_at");
  }
  incident.resolved_at = read.Time("resolved_at", FieldReader::TimeUse::kLatest, true);
  incident.started_at = read.Time("started_at", FieldReader::TimeUse::kFirst, false);
  incident.detected_at = read.Time("detected_at", FieldReader::TimeUse::kFirst, false);
  if (read.rejected()) {
    *issues = std::move(read.issues());
    return false;
  }
  incident.created_at = *created;
  incident.number = read.Text("number");
  incident.url = read.Text("url");
  incident.title = read.Text("title");
  incident.status = read.Text("status");
  incident.service = read.Text("service");
  incident.journey = read.Text("journey");
  incident.area = read.Text("area");
  incident.team = read.Text("team");
  incident.environment = read.Text("environment");
  incident.cause_service = read.Text("cause_service");
  incident.cause_version = read.Text("cause_version");
  incident.cause = read.Text("cause");
  incident.paths = read.All("paths");
  incident.alerts = read.All("alerts");
  incident.merged = read.Flag("merged");
  incident.severity =
      read.Enumerated<model::Severity>("severity", model::ParseSeverity, "severity");
  incident.detection_source = read.Enumerated<model::DetectionSource>(
      "detection_source", model::ParseDetectionSource, "detection source");
  incident.escape_phase =
      read.Enumerated<model::EscapePhase>("escape_phase", model::ParseEscapePhase, "escape phase");
  *issues = std::move(read.issues());
  return true;
}

// Reads one file into `collected`, all or nothing: a file whose shape is wrong adds no record
// (false, *why set); a good one adds its incidents, loose children and record issues.
bool CollectFile(const JsonFile& file, Collected* collected, ParsedRecords* parsed,
                 std::string* why) {
  Collected scratch;
  scratch.positions = collected->positions;
  ParsedRecords scratch_parsed;
  Collector collector(&scratch, &scratch_parsed);
  if (!collector.Read(file, why)) {
    return false;
  }
  collected->positions = scratch.positions;
  for (RecordIssue& issue : scratch_parsed.issues) {
    parsed->issues.push_back(std::move(issue));
  }
  parsed->rejected += scratch_parsed.rejected;
  for (auto& [id, versions] : scratch.versions) {
    for (Candidate& candidate : versions) {
      auto [it, inserted] = collected->incidents.try_emplace(id, candidate);
      if (!inserted && it->second.version < candidate.version) {
        it->second = candidate;
      }
      collected->versions[id].push_back(std::move(candidate));
    }
  }
  for (LooseChild& loose : scratch.loose) {
    collected->loose.push_back(std::move(loose));
  }
  return true;
}

// Maps one merged incident and applies ValidateIncident; appends its issues (a rejected
// incident: exactly one). False when it is rejected.
bool MapAndValidate(const RecordMapper& mapper, const Candidate& winner, const Children* children,
                    model::Incident* incident, std::vector<RecordIssue>* out) {
  std::vector<RecordIssue> issues;
  bool ok = MapIncident(mapper, winner, children, incident, &issues);
  if (ok) {
    RecordIssue validation;
    ok = ValidateIncident(incident, &validation);
    if (!validation.code.empty()) {
      validation.file = winner.file->file->name;
      validation.json_path = winner.json_path;
      if (!ok) {
        issues.clear();  // The rejection replaces the warnings, as FieldReader does.
      }
      issues.push_back(std::move(validation));
    }
  }
  for (RecordIssue& issue : issues) {
    out->push_back(std::move(issue));
  }
  return ok;
}

// Parsed once per process; immutable after.
const Result<config::SourceMappings>& Defaults() {
  static const Result<config::SourceMappings> defaults = exportjson::ParseDefaults(
      kDefaultMappings, model::kSourcePagerduty, model::RecordKind::kIncident);
  return defaults;
}

}  // namespace

std::string_view PagerdutyDefaultMappings() {
  return kDefaultMappings;
}

bool LooksLikePagerdutyExport(std::string_view data) {
  return exportjson::ScanTopLevelMembers(data, [](std::string_view key, char value_start) {
    if (key == "incidents" || key == kLogEntries || key == kCustomFields) {
      return value_start == '[';
    }
    return (key == "incident" || key == "log_entry") && value_start == '{';
  });
}

Result<ParsedRecords> ParsePagerdutyExports(std::span<const RecordFile> files,
                                            const AdapterOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(
      const RecordMapper mapper,
      exportjson::MakeMapper(Defaults(), model::kSourcePagerduty, model::RecordKind::kIncident,
                             options.user_mappings));
  ParsedRecords parsed;
  simdjson::dom::parser parser;
  std::vector<std::unique_ptr<JsonFile>> loaded;  // owns what `collected` points into
  Collected collected;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string why;
    std::unique_ptr<JsonFile> file = exportjson::LoadJsonFile(files[i], i, &parser, &why);
    if (file == nullptr) {
      parsed.issues.push_back(exportjson::MakeIssue(files[i], "", "bad_json", std::move(why)));
      ++parsed.rejected;
      continue;
    }
    if (!CollectFile(*file, &collected, &parsed, &why)) {
      parsed.issues.push_back(exportjson::MakeIssue(files[i], "", "unknown_shape", std::move(why)));
      ++parsed.rejected;
      continue;
    }
    loaded.push_back(std::move(file));
  }

  std::map<std::string, Children, std::less<>> children;
  for (const auto& [id, versions] : collected.versions) {
    for (const Candidate& version : versions) {
      AddEmbeddedChildren(version, &collected.positions, &children[id]);
    }
  }
  AttachLooseChildren(collected, options, &children, &parsed);

  for (const auto& [id, winner] : collected.incidents) {
    auto own = children.find(id);
    model::Incident incident;
    if (MapAndValidate(mapper, winner, own == children.end() ? nullptr : &own->second, &incident,
                       &parsed.issues)) {
      parsed.batch.incidents.push_back(std::move(incident));
    } else {
      ++parsed.rejected;
    }
  }
  // Merged by the export's `id`; a user mapping may give another id, so sort by the record's.
  std::stable_sort(parsed.batch.incidents.begin(), parsed.batch.incidents.end(),
                   [](const model::Incident& a, const model::Incident& b) { return a.id < b.id; });
  return parsed;
}

}  // namespace vigil::ingest
