#include "vigil/ingest/records_alertmanager.h"

#include <cstdint>
#include <map>
#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/text.h"
#include "vigil/core/time.h"
#include "vigil/ingest/record_mapping.h"
#include "vigil/model/records.h"

namespace vigil::ingest {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// Paths are into one element of a payload's `alerts`.
constexpr std::string_view kAlertDefaults = R"yaml(
fingerprint:
  from: fingerprint
starts_at:
  from: startsAt
ends_at:
  from: endsAt
rule:
  from: labels.alertname
service:
  from: labels.service
incident:
  - from: labels.incident
  - from: annotations.incident
generator_url:
  from: generatorURL
)yaml";

// Whether an object is a webhook payload rather than something else that is JSON.
bool IsPayload(element value) {
  object o;
  if (value.get_object().get(o) != simdjson::SUCCESS) {
    return false;
  }
  simdjson::dom::array alerts;
  if (o.at_key("alerts").get(alerts) != simdjson::SUCCESS) {
    return false;
  }
  return o.at_key("version").error() == simdjson::SUCCESS ||
         o.at_key("groupKey").error() == simdjson::SUCCESS ||
         o.at_key("receiver").error() == simdjson::SUCCESS;
}

std::string MemberPath(std::string_view base, std::string_view member) {
  std::string out(base);
  if (!out.empty()) {
    out += '.';
  }
  out += member;
  return out;
}

std::string IndexPath(std::string_view base, size_t index) {
  std::string out(base);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

// The first line that is not blank, and its 1-based number; ("", 0) when there is none.
std::pair<std::string_view, int64_t> FirstLine(std::string_view data) {
  int64_t number = 0;
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string_view::npos) {
      end = data.size();
    }
    ++number;
    const std::string_view line = data.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      return {line, number};
    }
    start = end + 1;
  }
  return {{}, 0};
}

// Where a notification was read, for messages.
struct Origin {
  size_t file = 0;
  int64_t line = 0;  // NDJSON line, else 0
};

// One alert as one notification told it.
struct Notification {
  model::Alert alert;  // ends_at unset
  bool resolved = false;
  core::Timestamp ends_at;  // resolved only
};

class AlertmanagerParser {
 public:
  AlertmanagerParser(std::span<const RecordFile> files, const RecordMapper& mapper)
      : files_(files), mapper_(mapper) {}

  ParsedRecords Run();

 private:
  void LoadFile(size_t file);
  // NDJSON: one payload per line. False when the first line is not a JSON object (then the
  // file is not NDJSON).
  bool LoadLines(size_t file, std::string_view data);
  void ParsePayload(element payload, const Origin& origin, std::string_view path);
  void ParseAlert(element value, const Origin& origin, const std::string& path);
  // Copies a string→string object member; false (and *why) when it is not one.
  static bool CopyStringMap(element alert, std::string_view key,
                            std::map<std::string, std::string>* out, std::string* why);
  void EmitAlerts();

  void Reject(const Origin& origin, std::string path, std::string_view code, std::string reason);

  std::span<const RecordFile> files_;
  const RecordMapper& mapper_;
  ParsedRecords out_;
  std::map<std::pair<std::string, int64_t>, std::vector<Notification>> alerts_;
};

void AlertmanagerParser::Reject(const Origin& origin, std::string path, std::string_view code,
                                std::string reason) {
  RecordIssue issue;
  issue.file = files_[origin.file].name;
  issue.line = origin.line;
  issue.json_path = std::move(path);
  issue.code = std::string(code);
  issue.reason = std::move(reason);
  out_.issues.push_back(std::move(issue));
  ++out_.rejected;
}

void AlertmanagerParser::LoadFile(size_t file) {
  const std::string_view data = StripByteOrderMark(files_[file].data);
  simdjson::dom::parser parser;
  element root;
  const Origin origin{file, 0};
  if (const simdjson::error_code err =
          parser.parse(data.data(), data.size(), /*realloc_if_needed=*/true).get(root);
      err != simdjson::SUCCESS) {
    if (!LoadLines(file, data)) {
      std::string reason = "not JSON: ";
      reason += simdjson::error_message(err);
      Reject(origin, "", "bad_json", std::move(reason));
    }
    return;
  }
  simdjson::dom::array array;
  if (root.get_array().get(array) == simdjson::SUCCESS) {
    bool any = array.size() == 0;  // an empty array is an empty list, not a wrong shape
    for (element e : array) {
      any = any || IsPayload(e);
    }
    if (!any) {
      Reject(origin, "", "unknown_shape", "not Alertmanager webhook payloads");
      return;
    }
    size_t index = 0;
    for (element e : array) {
      const std::string path = IndexPath("", index++);
      if (!IsPayload(e)) {
        Reject(origin, path, "unknown_shape", "not an Alertmanager webhook payload");
        continue;
      }
      ParsePayload(e, origin, path);
    }
    return;
  }
  if (!IsPayload(root)) {
    Reject(origin, "", "unknown_shape",
           "not an Alertmanager webhook payload (an object with 'alerts' and 'version')");
    return;
  }
  ParsePayload(root, origin, "");
}

bool AlertmanagerParser::LoadLines(size_t file, std::string_view data) {
  simdjson::dom::parser parser;
  element first;
  const auto [first_line, first_number] = FirstLine(data);
  if (first_number == 0 ||
      parser.parse(first_line.data(), first_line.size(), true).get(first) != simdjson::SUCCESS ||
      !first.is_object()) {
    return false;
  }
  int64_t number = 0;
  size_t start = 0;
  while (start < data.size()) {
    size_t end = data.find('\n', start);
    if (end == std::string_view::npos) {
      end = data.size();
    }
    ++number;
    const std::string_view line = data.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    const Origin origin{file, number};
    element payload;
    if (const simdjson::error_code err =
            parser.parse(line.data(), line.size(), /*realloc_if_needed=*/true).get(payload);
        err != simdjson::SUCCESS) {
      std::string reason = "not JSON: ";
      reason += simdjson::error_message(err);
      Reject(origin, "", "bad_json", std::move(reason));
      continue;
    }
    if (!IsPayload(payload)) {
      Reject(origin, "", "unknown_shape", "not an Alertmanager webhook payload");
      continue;
    }
    ParsePayload(payload, origin, "");
  }
  return true;
}

void AlertmanagerParser::ParsePayload(element payload, const Origin& origin,
                                      std::string_view path) {
  const std::optional<std::string_view> version = JsonStringMember(payload, "version");
  if (version != "4") {
    std::string reason;
    if (version) {
      reason = "payload version ";
      reason += core::QuoteForMessage(*version);
    } else {
      reason = "payload without a 'version' string";
    }
    reason += ": only version \"4\" is read (its fields are the ones documented)";
    Reject(origin, MemberPath(path, "version"), "unsupported_version", std::move(reason));
    return;
  }
  simdjson::dom::array alerts;
  if (payload.at_key("alerts").get(alerts) != simdjson::SUCCESS) {
    Reject(origin, MemberPath(path, "alerts"), "missing_field", "no 'alerts' array");
    return;
  }
  size_t index = 0;
  for (element alert : alerts) {
    ParseAlert(alert, origin, IndexPath(MemberPath(path, "alerts"), index++));
  }
}

bool AlertmanagerParser::CopyStringMap(element alert, std::string_view key,
                                       std::map<std::string, std::string>* out, std::string* why) {
  element value;
  if (alert.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) {
    return true;  // absent: no labels
  }
  object map;
  if (value.get_object().get(map) != simdjson::SUCCESS) {
    *why = "must be an object of strings";
    return false;
  }
  for (simdjson::dom::key_value_pair field : map) {
    std::string_view text;
    if (field.value.get(text) != simdjson::SUCCESS) {
      *why = "value of ";
      *why += core::QuoteForMessage(field.key);
      *why += " is not a string";
      return false;
    }
    (*out)[std::string(field.key)] = std::string(text);
  }
  return true;
}

void AlertmanagerParser::ParseAlert(element value, const Origin& origin, const std::string& path) {
  if (!value.is_object()) {
    Reject(origin, path, "wrong_type", "an alert must be an object");
    return;
  }
  Notification n;
  // The status is read as Alertmanager defines it: it says whether endsAt is an end.
  const std::optional<std::string_view> status = JsonStringMember(value, "status");
  if (!status) {
    Reject(origin, MemberPath(path, "status"), "missing_field", "no 'status' string");
    return;
  }
  if (core::EqualsIgnoreCase(*status, "resolved")) {
    n.resolved = true;
  } else if (!core::EqualsIgnoreCase(*status, "firing")) {
    std::string reason = "status ";
    reason += core::QuoteForMessage(*status);
    reason += " is neither 'firing' nor 'resolved'";
    Reject(origin, MemberPath(path, "status"), "bad_value", std::move(reason));
    return;
  }
  RecordView view;
  view.record = value;
  const MappedRecord mapped(mapper_, view);
  const std::string fingerprint = mapped.Text("fingerprint");
  if (fingerprint.empty()) {
    Reject(origin, MemberPath(path, "fingerprint"), "missing_field",
           "fingerprint: maps to nothing");
    return;
  }
  n.alert.source = std::string(model::kSourceAlertmanager);
  n.alert.fingerprint = fingerprint;
  // The two times are the alert's key and its end; a firing notification's endsAt is not an
  // end, so it is not read.
  for (const bool starts : {true, false}) {
    if (!starts && !n.resolved) {
      break;
    }
    const std::string_view field = starts ? "starts_at" : "ends_at";
    const std::string_view member = starts ? "startsAt" : "endsAt";
    const std::string text = mapped.Text(field);
    if (IsUnsetTime(text)) {
      std::string reason(field);
      reason += starts ? ": maps to nothing (required)"
                       : ": maps to nothing (required on a resolved alert)";
      Reject(origin, MemberPath(path, member), "missing_field", std::move(reason));
      return;
    }
    Result<core::Timestamp> t = core::ParseRfc3339(text);
    if (!t.ok()) {
      std::string reason(field);
      reason += ": ";
      reason += core::QuoteForMessage(text);
      reason += " is not an RFC 3339 time: ";
      reason += t.status().message();
      Reject(origin, MemberPath(path, member), "bad_time", std::move(reason));
      return;
    }
    (starts ? n.alert.starts_at : n.ends_at) = *t;
  }
  if (n.resolved && n.ends_at < n.alert.starts_at) {
    std::string reason = "endsAt ";
    reason += core::FormatRfc3339(n.ends_at);
    reason += " is before startsAt ";
    reason += core::FormatRfc3339(n.alert.starts_at);
    Reject(origin, MemberPath(path, "endsAt"), "ends_before_start", std::move(reason));
    return;
  }
  for (const auto& [key, map] :
       {std::pair{"labels", &n.alert.labels}, std::pair{"annotations", &n.alert.annotations}}) {
    std::string why;
    if (!CopyStringMap(value, key, map, &why)) {
      std::string reason(key);
      reason += ": ";
      reason += why;
      Reject(origin, MemberPath(path, key), "wrong_type", std::move(reason));
      return;
    }
  }
  n.alert.rule = mapped.Text("rule");
  n.alert.service = mapped.Text("service");
  n.alert.incident = mapped.Text("incident");
  n.alert.generator_url = mapped.Text("generator_url");
  const int64_t start_ms = n.alert.starts_at.unix_ms();
  alerts_[{n.alert.fingerprint, start_ms}].push_back(std::move(n));
}

void AlertmanagerParser::EmitAlerts() {
  for (const auto& entry : alerts_) {
    const std::vector<Notification>& notes = entry.second;
    // The notification that speaks for the alert: the resolved one with the latest end, else
    // the last one read. Notifications are in input order, so a later one wins ties.
    const Notification* best = &notes.front();
    for (const Notification& n : notes) {
      const bool better =
          n.resolved != best->resolved ? n.resolved : !n.resolved || n.ends_at >= best->ends_at;
      if (better) {
        best = &n;
      }
    }
    model::Alert alert = best->alert;
    if (best->resolved) {
      alert.ends_at = best->ends_at;
    }
    out_.batch.alerts.push_back(std::move(alert));
  }
}

ParsedRecords AlertmanagerParser::Run() {
  for (size_t i = 0; i < files_.size(); ++i) {
    LoadFile(i);
  }
  EmitAlerts();
  return std::move(out_);
}

// Without a user block the mapper is built once and shared (it is immutable; building it
// costs more than parsing a typical payload).
Result<RecordMapper> AlertMapper(const config::SourceMappings* user) {
  const auto make = [&] {
    return MakeAdapterMapper(kAlertDefaults, model::kSourceAlertmanager, model::RecordKind::kAlert,
                             user);
  };
  if (user != nullptr) {
    return make();
  }
  static const Result<RecordMapper> defaults = make();
  return defaults;
}

}  // namespace

std::string_view AlertmanagerDefaultMappings() {
  return kAlertDefaults;
}

bool LooksLikeAlertmanagerPayload(std::string_view data) {
  data = StripByteOrderMark(data);
  if (data.find("\"alerts\"") == std::string_view::npos) {
    return false;  // cheap refusal for the other formats
  }
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(data.data(), data.size(), true).get(root) != simdjson::SUCCESS) {
    const std::string_view first = FirstLine(data).first;
    return parser.parse(first.data(), first.size(), true).get(root) == simdjson::SUCCESS &&
           IsPayload(root);
  }
  simdjson::dom::array array;
  if (root.get_array().get(array) == simdjson::SUCCESS) {
    element first;
    return array.at(0).get(first) == simdjson::SUCCESS && IsPayload(first);
  }
  return IsPayload(root);
}

Result<ParsedRecords> ParseAlertmanagerPayloads(std::span<const RecordFile> files,
                                                const AdapterOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(const RecordMapper mapper, AlertMapper(options.user_mappings));
  AlertmanagerParser parser(files, mapper);
  return parser.Run();
}

}  // namespace vigil::ingest
