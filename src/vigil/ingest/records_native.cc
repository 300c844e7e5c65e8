#include "vigil/ingest/records_native.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <simdjson.h>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/core/text.h"
#include "vigil/core/time.h"
#include "vigil/ingest/events.h"

namespace vigil::ingest {
namespace {

using core::Timestamp;

constexpr size_t kNpos = std::string_view::npos;
constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool IsBlank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsBlank(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Quote(std::string_view s) {
  return core::QuoteForMessage(s);
}

// Case-insensitive, ignoring '-', '_' and ' ' (as model::Parse* compare enum names).
bool FoldedEquals(std::string_view text, std::string_view lower_name) {
  size_t j = 0;
  for (char c : text) {
    if (c == '-' || c == '_' || c == ' ') {
      continue;
    }
    if (j == lower_name.size() || core::AsciiLower(c) != lower_name[j]) {
      return false;
    }
    ++j;
  }
  return j == lower_name.size();
}

// ---- Schemas ----------------------------------------------------------------------------
// Each kind's fields, one slot per accepted name (an alias has its own slot, so a record
// giving both names can be told apart from one giving either). docs/inputs.md lists them.

enum class Type : uint8_t {
  kText,  // a JSON string; CSV text
  kId,    // kText, or a JSON integer (written in decimal): ids and numbers are often numeric
  kTime,  // an RFC 3339 string with any offset
  kBool,  // JSON true/false; CSV true/false/yes/no/1/0
  kList,  // a JSON array of strings or a comma-separated string; CSV ';'- or ','-separated
  kMap,   // a JSON object of strings; CSV "k=v;k=v"
};

struct FieldSpec {
  std::string_view name;
  Type type = Type::kText;
};

// A field a record must have, under its name or `alias` (-1: none). `reason`, when not empty,
// replaces the generic "missing required field" reason.
struct Required {
  int slot = 0;
  int alias = -1;
  std::string_view reason;
};

constexpr Required Need(int slot, int alias = -1, std::string_view reason = {}) {
  Required r;
  r.slot = slot;
  r.alias = alias;
  r.reason = reason;
  return r;
}

struct Schema {
  std::span<const FieldSpec> fields;
  std::span<const Required> required;
};

// The most slots a kind has (incidents: 26); at most 64 (the NDJSON duplicate-field mask).
constexpr size_t kMaxFields = 32;
static_assert(kMaxFields <= 64);

template <size_t N>
constexpr bool AllNamed(const std::array<FieldSpec, N>& fields) {
  for (const FieldSpec& f : fields) {
    if (f.name.empty()) {
      return false;
    }
  }
  return N <= kMaxFields;
}

namespace deployment_fields {
enum Slot : int {
  kId,
  kService,
  kVersion,
  kDeployedAt,
  kEnvironment,
  kCommit,
  kRef,
  kStatus,
  kStatusAt,
  kUrl,
  kCount
};
constexpr auto kFields = [] {
  std::array<FieldSpec, kCount> f{};
  f[kId] = {"id", Type::kId};
  f[kService] = {"service", Type::kText};
  f[kVersion] = {"version", Type::kText};
  f[kDeployedAt] = {"deployed_at", Type::kTime};
  f[kEnvironment] = {"environment", Type::kText};
  f[kCommit] = {"commit", Type::kText};
  f[kRef] = {"ref", Type::kText};
  f[kStatus] = {"status", Type::kText};
  f[kStatusAt] = {"status_at", Type::kTime};
  f[kUrl] = {"url", Type::kText};
  return f;
}();
static_assert(AllNamed(kFields));
constexpr std::array<Required, 3> kRequired{{Need(kService), Need(kVersion), Need(kDeployedAt)}};
}  // namespace deployment_fields

namespace release_fields {
enum Slot : int {
  kService,
  kVersion,
  kTag,
  kCommit,
  kName,
  kNotes,
  kTeam,
  kAreas,
  kType,
  kPrerelease,
  kHotfix,
  kHotfixFor,
  kDeployedAt,
  kCreatedAt,
  kEnvironment,
  kUrl,
  kCount
};
constexpr auto kFields = [] {
  std::array<FieldSpec, kCount> f{};
  f[kService] = {"service", Type::kText};
  f[kVersion] = {"version", Type::kText};
  f[kTag] = {"tag", Type::kText};
  f[kCommit] = {"commit", Type::kText};
  f[kName] = {"name", Type::kText};
  f[kNotes] = {"notes", Type::kText};
  f[kTeam] = {"team", Type::kText};
  f[kAreas] = {"areas", Type::kList};
  f[kType] = {"type", Type::kText};
  f[kPrerelease] = {"prerelease", Type::kBool};
  f[kHotfix] = {"hotfix", Type::kBool};
  f[kHotfixFor] = {"hotfix_for", Type::kText};
  f[kDeployedAt] = {"deployed_at", Type::kTime};
  f[kCreatedAt] = {"created_at", Type::kTime};
  f[kEnvironment] = {"environment", Type::kText};
  f[kUrl] = {"url", Type::kText};
  return f;
}();
static_assert(AllNamed(kFields));
constexpr std::array<Required, 2> kRequired{{Need(kService), Need(kVersion)}};
}  // namespace release_fields

namespace incident_fields {
enum Slot : int {
  kId,
  kNumber,
  kUrl,
  kTitle,
  kSeverity,
  kService,
  kJourney,
  kArea,
  kTeam,
  kEnvironment,
  kStartedAt,
  kImpactStart,  // alias of started_at
  kCreatedAt,
  kTriggeredAt,  // alias of created_at
  kDetectedAt,
  kResolvedAt,
  kDetectionSource,
  kCauseService,
  kCauseVersion,
  kCauseRelease,  // "service@version" or "version"
  kCause,
  kEscapePhase,
  kPaths,
  kAlerts,
  kMerged,
  kStatus,
  kCount
};
constexpr auto kFields = [] {
  std::array<FieldSpec, kCount> f{};
  f[kId] = {"id", Type::kId};
  f[kNumber] = {"number", Type::kId};
  f[kUrl] = {"url", Type::kText};
  f[kTitle] = {"title", Type::kText};
  f[kSeverity] = {"severity", Type::kText};
  f[kService] = {"service", Type::kText};
  f[kJourney] = {"journey", Type::kText};
  f[kArea] = {"area", Type::kText};
  f[kTeam] = {"team", Type::kText};
  f[kEnvironment] = {"environment", Type::kText};
  f[kStartedAt] = {"started_at", Type::kTime};
  f[kImpactStart] = {"impact_start", Type::kTime};
  f[kCreatedAt] = {"created_at", Type::kTime};
  f[kTriggeredAt] = {"triggered_at", Type::kTime};
  f[kDetectedAt] = {"detected_at", Type::kTime};
  f[kResolvedAt] = {"resolved_at", Type::kTime};
  f[kDetectionSource] = {"detection_source", Type::kText};
  f[kCauseService] = {"cause_service", Type::kText};
  f[kCauseVersion] = {"cause_version", Type::kText};
  f[kCauseRelease] = {"cause_release", Type::kText};
  f[kCause] = {"cause", Type::kText};
  f[kEscapePhase] = {"escape_phase", Type::kText};
  f[kPaths] = {"paths", Type::kList};
  f[kAlerts] = {"alerts", Type::kList};
  f[kMerged] = {"merged", Type::kBool};
  f[kStatus] = {"status", Type::kText};
  return f;
}();
static_assert(AllNamed(kFields));
constexpr std::array<Required, 2> kRequired{{
    Need(kId, -1, "missing id (incidents need one: their fields change between exports)"),
    Need(kCreatedAt, kTriggeredAt),
}};
}  // namespace incident_fields

namespace defect_fields {
enum Slot : int {
  kId,
  kNumber,
  kUrl,
  kTitle,
  kReporter,
  kCustomerReported,
  kSeverity,
  kService,
  kArea,
  kTeam,
  kFoundAt,
  kCreatedAt,  // alias of found_at
  kResolvedAt,
  kRelease,
  kIncident,
  kEscapePhase,
  kStatus,
  kCount
};
constexpr auto kFields = [] {
  std::array<FieldSpec, kCount> f{};
  f[kId] = {"id", Type::kId};
  f[kNumber] = {"number", Type::kId};
  f[kUrl] = {"url", Type::kText};
  f[kTitle] = {"title", Type::kText};
  f[kReporter] = {"reporter", Type::kText};
  f[kCustomerReported] = {"customer_reported", Type::kBool};
  f[kSeverity] = {"severity", Type::kText};
  f[kService] = {"service", Type::kText};
  f[kArea] = {"area", Type::kText};
  f[kTeam] = {"team", Type::kText};
  f[kFoundAt] = {"found_at", Type::kTime};
  f[kCreatedAt] = {"created_at", Type::kTime};
  f[kResolvedAt] = {"resolved_at", Type::kTime};
  f[kRelease] = {"release", Type::kText};
  f[kIncident] = {"incident", Type::kId};
  f[kEscapePhase] = {"escape_phase", Type::kText};
  f[kStatus] = {"status", Type::kText};
  return f;
}();
static_assert(AllNamed(kFields));
constexpr std::array<Required, 2> kRequired{{Need(kId), Need(kFoundAt, kCreatedAt)}};
}  // namespace defect_fields

namespace alert_fields {
enum Slot : int {
  kFingerprint,
  kStartsAt,
  kEndsAt,
  kRule,
  kAlertname,  // alias of rule
  kService,
  kLabels,
  kAnnotations,
  kIncident,
  kGeneratorUrl,
  kCount
};
constexpr auto kFields = [] {
  std::array<FieldSpec, kCount> f{};
  f[kFingerprint] = {"fingerprint", Type::kText};
  f[kStartsAt] = {"starts_at", Type::kTime};
  f[kEndsAt] = {"ends_at", Type::kTime};
  f[kRule] = {"rule", Type::kText};
  f[kAlertname] = {"alertname", Type::kText};
  f[kService] = {"service", Type::kText};
  f[kLabels] = {"labels", Type::kMap};
  f[kAnnotations] = {"annotations", Type::kMap};
  f[kIncident] = {"incident", Type::kId};
  f[kGeneratorUrl] = {"generator_url", Type::kText};
  return f;
}();
static_assert(AllNamed(kFields));
constexpr std::array<Required, 3> kRequired{
    {Need(kFingerprint), Need(kStartsAt), Need(kRule, kAlertname)}};
}  // namespace alert_fields

Schema SchemaOf(model::RecordKind kind) {
  switch (kind) {
    case model::RecordKind::kDeployment:
      return {deployment_fields::kFields, deployment_fields::kRequired};
    case model::RecordKind::kRelease:
      return {release_fields::kFields, release_fields::kRequired};
    case model::RecordKind::kIncident:
      return {incident_fields::kFields, incident_fields::kRequired};
    case model::RecordKind::kDefect:
      return {defect_fields::kFields, defect_fields::kRequired};
    case model::RecordKind::kAlert:
      break;
  }
  return {alert_fields::kFields, alert_fields::kRequired};
}

// The slot `key` names, or -1. `fold`: ASCII case-insensitive (CSV headers).
int FindSlot(const Schema& schema, std::string_view key, bool fold) {
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const std::string_view name = schema.fields[i].name;
    if (fold ? core::EqualsIgnoreCase(key, name)
             : key.size() == name.size() && key[0] == name[0] && key == name) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// ---- One record's values ----------------------------------------------------------------

// A field's value as the line gave it. Views point into the file's bytes, the CSV reader's
// scratch or the simdjson document: valid until the next record.
struct Raw {
  enum class Kind : uint8_t {
    kAbsent,  // not there, JSON null, or empty text
    kText,    // a JSON string or a CSV field
    kBool,    // JSON true/false
    kNumber,  // a JSON number
    kArray,
    kObject,
  };
  Kind kind = Kind::kAbsent;
  bool boolean = false;
  std::string_view text;
  simdjson::dom::element element;  // NDJSON: the value itself
};
using Raws = std::array<Raw, kMaxFields>;

Raw TextRaw(std::string_view text) {
  Raw r;
  if (!text.empty()) {
    r.kind = Raw::Kind::kText;
    r.text = text;
  }
  return r;
}

Raw JsonRaw(simdjson::dom::element e) {
  Raw r;
  r.element = e;
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      if (e.get_string().get(r.text) == simdjson::SUCCESS && !r.text.empty()) {
        r.kind = Raw::Kind::kText;
      }
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      break;
    case simdjson::dom::element_type::BOOL:
      if (e.get_bool().get(r.boolean) == simdjson::SUCCESS) {
        r.kind = Raw::Kind::kBool;
      }
      break;
    case simdjson::dom::element_type::ARRAY:
      r.kind = Raw::Kind::kArray;
      break;
    case simdjson::dom::element_type::OBJECT:
      r.kind = Raw::Kind::kObject;
      break;
    default:
      r.kind = Raw::Kind::kNumber;
      break;
  }
  return r;
}

// What a JSON value is, for a reason: "a number (2.4)", "a string 'yes'", "an array".
std::string DescribeJson(simdjson::dom::element e) {
  std::string out;
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view s;
      out = "a string";
      if (e.get_string().get(s) == simdjson::SUCCESS) {
        out += ' ';
        out += Quote(s);
      }
      return out;
    }
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    case simdjson::dom::element_type::BOOL:
      out = "a boolean (";
      break;
    default:
      out = "a number (";
      break;
  }
  std::string text = simdjson::minify(e);
  if (text.size() > 40) {
    text.resize(40);
    text += "...";
  }
  out += text;
  out += ')';
  return out;
}

// Reads one record's values into a model struct, field by field; each reader returns false
// with *issue set when the value cannot be used (an absent value leaves *out as it is).
class FieldReader {
 public:
  FieldReader(const Schema& schema, const Raws& raws, bool csv, RecordIssue* issue)
      : schema_(schema), raws_(raws), csv_(csv), issue_(issue) {}

  bool Present(int slot) const {
    return slot >= 0 && raws_[static_cast<size_t>(slot)].kind != Raw::Kind::kAbsent;
  }
  std::string_view Name(int slot) const { return schema_.fields[static_cast<size_t>(slot)].name; }

  // Every required field is there (under its name or alias), else a missing_field reason
  // naming all that are not.
  bool CheckRequired();
  // The slot holding the value of a field known under two names: `slot` or `alias`, -1 when
  // neither is there; both there → conflicting_fields.
  bool Pick(int slot, int alias, int* chosen);

  bool Text(int slot, std::string* out);
  // For enum names: a view valid while this record's values are.
  bool View(int slot, std::string_view* out);
  bool Time(int slot, std::optional<Timestamp>* out);
  bool Bool(int slot, std::optional<bool>* out);
  bool List(int slot, std::vector<std::string>* out);
  bool Map(int slot, std::map<std::string, std::string>* out);

  template <typename... Parts>
  bool Reject(std::string_view code, const Parts&... parts) {
    issue_->code = code;
    issue_->reason.clear();
    (issue_->reason.append(parts), ...);
    return false;
  }

 private:
  const Raw& At(int slot) const { return raws_[static_cast<size_t>(slot)]; }
  bool WrongType(int slot, std::string_view expected);
  bool ListFromArray(int slot, std::vector<std::string>* out);
  bool MapFromObject(int slot, std::map<std::string, std::string>* out);

  const Schema& schema_;
  const Raws& raws_;
  bool csv_;
  RecordIssue* issue_;
};

bool FieldReader::CheckRequired() {
  std::string missing;
  int count = 0;
  for (const Required& r : schema_.required) {
    if (Present(r.slot) || Present(r.alias)) {
      continue;
    }
    if (!r.reason.empty()) {
      return Reject("missing_field", r.reason);
    }
    if (count++ > 0) {
      missing += ", ";
    }
    missing += '\'';
    missing += Name(r.slot);
    missing += '\'';
    if (r.alias >= 0) {
      missing += " (or '";
      missing += Name(r.alias);
      missing += "')";
    }
  }
  if (count == 0) {
    return true;
  }
  return Reject("missing_field",
                count == 1 ? "missing required field " : "missing required fields ", missing);
}

bool FieldReader::Pick(int slot, int alias, int* chosen) {
  if (Present(slot) && Present(alias)) {
    return Reject("conflicting_fields", "both '", Name(slot), "' and '", Name(alias),
                  "' given (they are the same field: use one)");
  }
  *chosen = Present(slot) ? slot : Present(alias) ? alias : -1;
  return true;
}

bool FieldReader::WrongType(int slot, std::string_view expected) {
  const Raw& v = At(slot);
  const std::string got = csv_ ? Quote(v.text) : DescribeJson(v.element);
  return Reject("wrong_type", "'", Name(slot), "' must be ", expected, ", got ", got);
}

bool FieldReader::Text(int slot, std::string* out) {
  if (!Present(slot)) {
    return true;
  }
  const Raw& v = At(slot);
  if (v.kind == Raw::Kind::kText) {
    out->assign(v.text);
    return true;
  }
  const bool id = schema_.fields[static_cast<size_t>(slot)].type == Type::kId;
  if (id && v.kind == Raw::Kind::kNumber) {
    int64_t i = 0;
    uint64_t u = 0;
    std::array<char, 24> buf{};
    std::to_chars_result written{};
    if (v.element.get_int64().get(i) == simdjson::SUCCESS) {
      written = std::to_chars(buf.data(), buf.data() + buf.size(), i);
    } else if (v.element.get_uint64().get(u) == simdjson::SUCCESS) {
      written = std::to_chars(buf.data(), buf.data() + buf.size(), u);
    } else {
      return WrongType(slot, "a string or an integer");
    }
    out->assign(buf.data(), written.ptr);
    return true;
  }
  return WrongType(slot, id ? "a string or an integer" : "a string");
}

bool FieldReader::View(int slot, std::string_view* out) {
  if (!Present(slot)) {
    return true;
  }
  if (At(slot).kind != Raw::Kind::kText) {
    return WrongType(slot, "a string");
  }
  *out = At(slot).text;
  return true;
}

bool FieldReader::Time(int slot, std::optional<Timestamp>* out) {
  if (!Present(slot)) {
    return true;
  }
  const Raw& v = At(slot);
  if (v.kind != Raw::Kind::kText) {
    return WrongType(slot, "an RFC 3339 time string");
  }
  Result<Timestamp> t = core::ParseRfc3339(Trim(v.text));
  if (!t.ok()) {
    return Reject("bad_time", "bad time in '", Name(slot), "' ", Quote(v.text), ": ",
                  t.status().message());
  }
  *out = *t;
  return true;
}

bool FieldReader::Bool(int slot, std::optional<bool>* out) {
  if (!Present(slot)) {
    return true;
  }
  const Raw& v = At(slot);
  if (v.kind == Raw::Kind::kBool) {
    *out = v.boolean;
    return true;
  }
  if (!csv_ || v.kind != Raw::Kind::kText) {
    return WrongType(slot, "a boolean (true or false)");
  }
  for (std::string_view yes : {"true", "yes", "1"}) {
    if (core::EqualsIgnoreCase(v.text, yes)) {
      *out = true;
      return true;
    }
  }
  for (std::string_view no : {"false", "no", "0"}) {
    if (core::EqualsIgnoreCase(v.text, no)) {
      *out = false;
      return true;
    }
  }
  return Reject("bad_bool", "'", Name(slot), "' must be true or false (or yes/no, 1/0), got ",
                Quote(v.text));
}

// Appends the non-empty, trimmed items of `text` split at any of `separators`.
void SplitList(std::string_view text, std::string_view separators, std::vector<std::string>* out) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(separators, start);
    if (end == kNpos) {
      end = text.size();
    }
    const std::string_view item = Trim(text.substr(start, end - start));
    if (!item.empty()) {
      out->emplace_back(item);
    }
    start = end + 1;
  }
}

bool FieldReader::List(int slot, std::vector<std::string>* out) {
  if (!Present(slot)) {
    return true;
  }
  const Raw& v = At(slot);
  if (v.kind == Raw::Kind::kText) {
    out->clear();
    SplitList(v.text, csv_ ? ";," : ",", out);
    return true;
  }
  if (v.kind == Raw::Kind::kArray) {
    return ListFromArray(slot, out);
  }
  return WrongType(slot, "an array of strings or a comma-separated string");
}

bool FieldReader::ListFromArray(int slot, std::vector<std::string>* out) {
  simdjson::dom::array array;
  if (At(slot).element.get_array().get(array) != simdjson::SUCCESS) {
    return WrongType(slot, "an array of strings");
  }
  out->clear();
  out->reserve(array.size());
  size_t index = 0;
  for (simdjson::dom::element item : array) {
    std::string_view s;
    if (item.get_string().get(s) == simdjson::SUCCESS) {
      s = Trim(s);
      if (!s.empty()) {
        out->emplace_back(s);
      }
    } else if (!item.is_null()) {
      return Reject("wrong_type", "'", Name(slot), "[", std::to_string(index),
                    "]' must be a string, got ", DescribeJson(item));
    }
    ++index;
  }
  return true;
}

bool FieldReader::Map(int slot, std::map<std::string, std::string>* out) {
  if (!Present(slot)) {
    return true;
  }
  const Raw& v = At(slot);
  if (v.kind == Raw::Kind::kObject) {
    return MapFromObject(slot, out);
  }
  if (!csv_ || v.kind != Raw::Kind::kText) {
    return WrongType(slot, "an object of strings");
  }
  out->clear();
  size_t start = 0;
  while (start <= v.text.size()) {
    size_t end = v.text.find(';', start);
    if (end == kNpos) {
      end = v.text.size();
    }
    const std::string_view item = Trim(v.text.substr(start, end - start));
    start = end + 1;
    if (item.empty()) {
      continue;
    }
    const size_t eq = item.find('=');
    if (eq == kNpos) {
      return Reject("bad_map", "'", Name(slot), "' item ", Quote(item),
                    " is not key=value (items are separated by ';')");
    }
    const std::string_view key = Trim(item.substr(0, eq));
    if (key.empty()) {
      return Reject("bad_map", "'", Name(slot), "' item ", Quote(item), " has an empty key");
    }
    (*out)[std::string(key)] = Trim(item.substr(eq + 1));
  }
  return true;
}

bool FieldReader::MapFromObject(int slot, std::map<std::string, std::string>* out) {
  simdjson::dom::object object;
  if (At(slot).element.get_object().get(object) != simdjson::SUCCESS) {
    return WrongType(slot, "an object of strings");
  }
  out->clear();
  for (simdjson::dom::key_value_pair kv : object) {
    std::string_view s;
    if (kv.value.get_string().get(s) == simdjson::SUCCESS) {
      (*out)[std::string(kv.key)] = s;
    } else if (!kv.value.is_null()) {
      return Reject("wrong_type", "'", Name(slot), "' value of key ", Quote(kv.key),
                    " must be a string, got ", DescribeJson(kv.value));
    }
  }
  return true;
}

// ---- Per kind ---------------------------------------------------------------------------

bool AssembleDeployment(FieldReader& r, model::Deployment* d) {
  namespace f = deployment_fields;
  std::optional<Timestamp> deployed_at;
  std::optional<Timestamp> status_at;
  std::string_view status;
  if (!r.Text(f::kId, &d->id) || !r.Text(f::kService, &d->service) ||
      !r.Text(f::kVersion, &d->version) || !r.Time(f::kDeployedAt, &deployed_at) ||
      !r.Text(f::kEnvironment, &d->environment) || !r.Text(f::kCommit, &d->commit) ||
      !r.Text(f::kRef, &d->ref) || !r.View(f::kStatus, &status) ||
      !r.Time(f::kStatusAt, &status_at) || !r.Text(f::kUrl, &d->url)) {
    return false;
  }
  VIGIL_DCHECK(deployed_at.has_value());  // CheckRequired
  if (d->environment.empty()) {
    d->environment = "production";
  }
  d->deployed_at = deployed_at.value_or(Timestamp{});
  // A record without a status is a successful deployment (DESIGN §2); a given status is the
  // one status it reached, at status_at or else at deployed_at.
  model::DeploymentStatus s;
  s.state = status.empty() ? model::DeploymentState::kSuccess : model::ParseDeploymentState(status);
  s.at = status_at.value_or(d->deployed_at);
  d->statuses.push_back(std::move(s));
  return true;
}

bool AssembleRelease(FieldReader& r, model::Release* rel) {
  namespace f = release_fields;
  std::string_view type;
  std::optional<bool> prerelease;
  std::optional<bool> hotfix;
  if (!r.Text(f::kService, &rel->service) || !r.Text(f::kVersion, &rel->version) ||
      !r.Text(f::kTag, &rel->tag) || !r.Text(f::kCommit, &rel->commit) ||
      !r.Text(f::kName, &rel->name) || !r.Text(f::kNotes, &rel->notes) ||
      !r.Text(f::kTeam, &rel->team) || !r.List(f::kAreas, &rel->areas) ||
      !r.View(f::kType, &type) || !r.Bool(f::kPrerelease, &prerelease) ||
      !r.Bool(f::kHotfix, &hotfix) || !r.Text(f::kHotfixFor, &rel->hotfix_for) ||
      !r.Time(f::kDeployedAt, &rel->deployed_at) || !r.Time(f::kCreatedAt, &rel->created_at) ||
      !r.Text(f::kEnvironment, &rel->environment) || !r.Text(f::kUrl, &rel->url)) {
    return false;
  }
  // "hotfix" is not a SemVer level: it marks the release a hotfix and leaves its type to
  // SemVer at query time.
  const bool type_hotfix = FoldedEquals(type, "hotfix");
  if (type_hotfix && hotfix.has_value() && !*hotfix) {
    return r.Reject("conflicting_fields", "'type' is 'hotfix' but 'hotfix' is false");
  }
  rel->type = type_hotfix ? model::ReleaseType::kUnknown : model::ParseReleaseType(type);
  rel->prerelease = prerelease.value_or(false);
  rel->hotfix = type_hotfix || hotfix.value_or(false);
  return true;
}

// cause_release: "service@version" (split at the last '@', so "@scope/pkg@1.2" works) or a
// bare "version"; it must agree with cause_service/cause_version when those are given too.
bool ReadCauseRelease(FieldReader& r, model::Incident* inc) {
  namespace f = incident_fields;
  std::string_view release;
  if (!r.View(f::kCauseRelease, &release) || release.empty()) {
    return true;  // Not there (or the wrong type, already rejected).
  }
  if (r.Present(f::kCauseVersion)) {
    return r.Reject("conflicting_fields",
                    "both 'cause_version' and 'cause_release' given (use one)");
  }
  const size_t at = release.rfind('@');
  const std::string_view service = at == kNpos ? std::string_view() : release.substr(0, at);
  const std::string_view version = at == kNpos ? release : release.substr(at + 1);
  if (!service.empty()) {
    if (!inc->cause_service.empty() && inc->cause_service != service) {
      return r.Reject("conflicting_fields", "'cause_service' ", Quote(inc->cause_service),
                      " disagrees with 'cause_release' ", Quote(release));
    }
    inc->cause_service.assign(service);
  }
  inc->cause_version.assign(version);
  return true;
}

bool AssembleIncident(FieldReader& r, model::Incident* inc, RecordIssue* issue) {
  namespace f = incident_fields;
  std::string_view severity;
  std::string_view detection_source;
  std::string_view escape_phase;
  std::optional<bool> merged;
  std::optional<Timestamp> created_at;
  int started = -1;
  int created = -1;
  if (!r.Text(f::kId, &inc->id) || !r.Text(f::kNumber, &inc->number) ||
      !r.Text(f::kUrl, &inc->url) || !r.Text(f::kTitle, &inc->title) ||
      !r.View(f::kSeverity, &severity) || !r.Text(f::kService, &inc->service) ||
      !r.Text(f::kJourney, &inc->journey) || !r.Text(f::kArea, &inc->area) ||
      !r.Text(f::kTeam, &inc->team) || !r.Text(f::kEnvironment, &inc->environment) ||
      !r.Pick(f::kStartedAt, f::kImpactStart, &started) || !r.Time(started, &inc->started_at) ||
      !r.Pick(f::kCreatedAt, f::kTriggeredAt, &created) || !r.Time(created, &created_at) ||
      !r.Time(f::kDetectedAt, &inc->detected_at) || !r.Time(f::kResolvedAt, &inc->resolved_at) ||
      !r.View(f::kDetectionSource, &detection_source) ||
      !r.Text(f::kCauseService, &inc->cause_service) ||
      !r.Text(f::kCauseVersion, &inc->cause_version) || !ReadCauseRelease(r, inc) ||
      !r.Text(f::kCause, &inc->cause) || !r.View(f::kEscapePhase, &escape_phase) ||
      !r.List(f::kPaths, &inc->paths) || !r.List(f::kAlerts, &inc->alerts) ||
      !r.Bool(f::kMerged, &merged) || !r.Text(f::kStatus, &inc->status)) {
    return false;
  }
  VIGIL_DCHECK(created_at.has_value());  // CheckRequired
  inc->created_at = created_at.value_or(Timestamp{});
  inc->severity = model::ParseSeverity(severity);
  inc->detection_source = model::ParseDetectionSource(detection_source);
  inc->escape_phase = model::ParseEscapePhase(escape_phase);
  inc->merged = merged.value_or(false);
  return ValidateIncident(inc, issue);
}

bool AssembleDefect(FieldReader& r, model::Defect* d) {
  namespace f = defect_fields;
  std::string_view reporter;
  std::string_view severity;
  std::string_view escape_phase;
  std::optional<bool> customer_reported;
  std::optional<Timestamp> found_at;
  int found = -1;
  if (!r.Text(f::kId, &d->id) || !r.Text(f::kNumber, &d->number) || !r.Text(f::kUrl, &d->url) ||
      !r.Text(f::kTitle, &d->title) || !r.View(f::kReporter, &reporter) ||
      !r.Bool(f::kCustomerReported, &customer_reported) || !r.View(f::kSeverity, &severity) ||
      !r.Text(f::kService, &d->service) || !r.Text(f::kArea, &d->area) ||
      !r.Text(f::kTeam, &d->team) || !r.Pick(f::kFoundAt, f::kCreatedAt, &found) ||
      !r.Time(found, &found_at) || !r.Time(f::kResolvedAt, &d->resolved_at) ||
      !r.Text(f::kRelease, &d->release) || !r.Text(f::kIncident, &d->incident) ||
      !r.View(f::kEscapePhase, &escape_phase) || !r.Text(f::kStatus, &d->status)) {
    return false;
  }
  VIGIL_DCHECK(found_at.has_value());  // CheckRequired
  d->found_at = found_at.value_or(Timestamp{});
  d->reporter = model::ParseReporterKind(reporter);
  if (customer_reported.has_value()) {
    // The label-ish shortcut: true → customer, false → internal; it may not contradict an
    // explicit reporter.
    const model::ReporterKind want =
        *customer_reported ? model::ReporterKind::kCustomer : model::ReporterKind::kInternal;
    if (d->reporter != model::ReporterKind::kUnknown && d->reporter != want) {
      return r.Reject("conflicting_fields", "'reporter' ", Quote(reporter),
                      " disagrees with 'customer_reported' ",
                      *customer_reported ? "true" : "false");
    }
    d->reporter = want;
  }
  d->severity = model::ParseSeverity(severity);
  d->escape_phase = model::ParseEscapePhase(escape_phase);
  return true;
}

// Alertmanager writes endsAt 0001-01-01T00:00:00Z for "still firing": read as absent.
constexpr Timestamp kAlertmanagerZeroTime =
    Timestamp::FromUnixMillis(core::DaysFromCivil(1, 1, 1) * 86'400'000);

bool AssembleAlert(FieldReader& r, model::Alert* a) {
  namespace f = alert_fields;
  std::optional<Timestamp> starts_at;
  int rule = -1;
  if (!r.Text(f::kFingerprint, &a->fingerprint) || !r.Time(f::kStartsAt, &starts_at) ||
      !r.Time(f::kEndsAt, &a->ends_at) || !r.Pick(f::kRule, f::kAlertname, &rule) ||
      !r.Text(rule, &a->rule) || !r.Text(f::kService, &a->service) ||
      !r.Map(f::kLabels, &a->labels) || !r.Map(f::kAnnotations, &a->annotations) ||
      !r.Text(f::kIncident, &a->incident) || !r.Text(f::kGeneratorUrl, &a->generator_url)) {
    return false;
  }
  VIGIL_DCHECK(starts_at.has_value());  // CheckRequired
  a->starts_at = starts_at.value_or(Timestamp{});
  if (a->ends_at == kAlertmanagerZeroTime) {
    a->ends_at.reset();
  }
  if (a->ends_at.has_value() && *a->ends_at < a->starts_at) {
    return r.Reject("ends_before_start", "ends_at ", core::FormatRfc3339(*a->ends_at),
                    " is before starts_at ", core::FormatRfc3339(a->starts_at));
  }
  return true;
}

// ---- Records into the batch -------------------------------------------------------------

// Turns each record's values into a model record in `out` or an issue.
class RecordBuilder {
 public:
  RecordBuilder(model::RecordKind kind, std::string_view file, ParsedRecords* out)
      : kind_(kind), schema_(SchemaOf(kind)), file_(file), out_(out) {}

  const Schema& schema() const { return schema_; }

  void Add(const Raws& raws, bool csv, int64_t line);
  // Rejects `records` records (at least one) with one issue at `line`.
  void Reject(int64_t line, std::string_view code, std::string_view reason, int64_t records = 1);

 private:
  template <typename T, typename Assemble>
  bool Build(std::vector<T>* list, Assemble assemble) {
    list->emplace_back();
    list->back().source = model::kSourceNative;
    if (!assemble(&list->back())) {
      list->pop_back();
      return false;
    }
    return true;
  }
  void Report(int64_t line);

  model::RecordKind kind_;
  Schema schema_;
  std::string_view file_;
  ParsedRecords* out_;
  RecordIssue issue_;  // Scratch: copied out only when there is something to say.
};

void RecordBuilder::Add(const Raws& raws, bool csv, int64_t line) {
  issue_.code.clear();
  issue_.reason.clear();
  issue_.warning = false;
  FieldReader r(schema_, raws, csv, &issue_);
  bool ok = r.CheckRequired();
  if (ok) {
    model::RecordBatch& b = out_->batch;
    switch (kind_) {
      case model::RecordKind::kDeployment:
        ok = Build(&b.deployments, [&r](model::Deployment* d) { return AssembleDeployment(r, d); });
        break;
      case model::RecordKind::kRelease:
        ok = Build(&b.releases, [&r](model::Release* rel) { return AssembleRelease(r, rel); });
        break;
      case model::RecordKind::kIncident:
        ok = Build(&b.incidents,
                   [&](model::Incident* inc) { return AssembleIncident(r, inc, &issue_); });
        break;
      case model::RecordKind::kDefect:
        ok = Build(&b.defects, [&r](model::Defect* d) { return AssembleDefect(r, d); });
        break;
      case model::RecordKind::kAlert:
        ok = Build(&b.alerts, [&r](model::Alert* a) { return AssembleAlert(r, a); });
        break;
    }
  }
  if (!ok) {
    ++out_->rejected;
    Report(line);
  } else if (!issue_.code.empty()) {
    Report(line);  // A warning on a kept record.
  }
}

void RecordBuilder::Reject(int64_t line, std::string_view code, std::string_view reason,
                           int64_t records) {
  issue_.code = code;
  issue_.reason = reason;
  issue_.warning = false;
  out_->rejected += std::max<int64_t>(records, 1);
  Report(line);
}

void RecordBuilder::Report(int64_t line) {
  RecordIssue& issue = out_->issues.emplace_back(issue_);
  issue.file = file_;
  issue.line = line;
}

// ---- NDJSON -----------------------------------------------------------------------------

void ParseNdjson(std::string_view data, RecordBuilder* builder) {
  simdjson::dom::parser parser;  // One per file, reused for every line.
  std::string padded;            // The line, then at least SIMDJSON_PADDING spare bytes.
  Raws raws;
  const Schema& schema = builder->schema();
  int64_t line_number = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == kNpos) {
      end = data.size();
    }
    std::string_view line = data.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.starts_with(kBom)) {  // Files saved with one, perhaps concatenated.
      line.remove_prefix(kBom.size());
    }
    if (line.find_first_not_of(" \t\r") == kNpos) {
      continue;
    }
    if (padded.size() < line.size() + simdjson::SIMDJSON_PADDING) {
      padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
    }
    std::memcpy(padded.data(), line.data(), line.size());
    simdjson::dom::element doc;
    if (const simdjson::error_code err =
            parser.parse(padded.data(), line.size(), /*realloc_if_needed=*/false).get(doc);
        err != simdjson::SUCCESS) {
      std::string reason = "bad JSON: ";
      reason += simdjson::error_message(err);
      builder->Reject(line_number, "bad_json", reason);
      continue;
    }
    simdjson::dom::object object;
    if (doc.get_object().get(object) != simdjson::SUCCESS) {
      std::string reason = "expected a JSON object per line, got ";
      reason += DescribeJson(doc);
      builder->Reject(line_number, "bad_json", reason);
      continue;
    }
    raws.fill(Raw{});
    uint64_t seen = 0;  // Bit per slot (kMaxFields <= 64).
    int duplicate = -1;
    for (simdjson::dom::key_value_pair field : object) {
      const int slot = FindSlot(schema, field.key, /*fold=*/false);
      if (slot < 0) {
        continue;  // Unknown fields are ignored: exports carry more than vigil reads.
      }
      const uint64_t bit = uint64_t{1} << slot;
      if ((seen & bit) != 0) {
        duplicate = slot;
        break;
      }
      seen |= bit;
      raws[static_cast<size_t>(slot)] = JsonRaw(field.value);
    }
    if (duplicate >= 0) {
      std::string reason = "field '";
      reason += schema.fields[static_cast<size_t>(duplicate)].name;
      reason += "' given twice";
      builder->Reject(line_number, "duplicate_field", reason);
      continue;
    }
    builder->Add(raws, /*csv=*/false, line_number);
  }
}

// ---- CSV --------------------------------------------------------------------------------

// Reads RFC 4180 records one at a time: fields separated by ',', records by "\n" or "\r\n",
// a field in double quotes may hold ',', line breaks and "" (one quote). Blank lines between
// records are skipped; a UTF-8 BOM at the start of a line is dropped.
class CsvReader {
 public:
  enum class Step { kEnd, kRecord, kError };

  explicit CsvReader(std::string_view data) : data_(data) {}

  // Reads the next record. kError: the record is consumed (to the end of the line where the
  // error is, or of the file for an unclosed quote) and error_code/error_reason say why.
  Step Next();

  int64_t line() const { return record_line_; }  // Where the last record starts.
  std::string_view raw() const { return raw_; }  // Its bytes, without the line break.
  size_t size() const { return fields_.size(); }
  std::string_view field(size_t i) const {
    const Field& f = fields_[i];
    return f.scratch ? std::string_view(scratch_).substr(f.begin, f.size)
                     : data_.substr(f.begin, f.size);
  }
  bool quoted(size_t i) const { return fields_[i].quoted; }
  std::string_view error_code() const { return error_code_; }
  const std::string& error_reason() const { return error_reason_; }

 private:
  struct Field {
    size_t begin = 0;  // In data_, or in scratch_ when `scratch`.
    size_t size = 0;
    bool scratch = false;
    bool quoted = false;
  };

  Step ReadRecord();
  // After the closing quote of a quoted field at data_[pos_ - 1]: another field, the end of
  // the record, or an error.
  enum class After { kNextField, kEnd, kError };
  After AfterQuote(size_t start);
  Step Error(std::string_view code, std::string reason, size_t start, size_t end);
  void CountLines(size_t from, size_t to) {
    line_ += std::count(data_.begin() + static_cast<std::ptrdiff_t>(from),
                        data_.begin() + static_cast<std::ptrdiff_t>(to), '\n');
  }

  std::string_view data_;
  size_t pos_ = 0;
  int64_t line_ = 1;  // The physical line of data_[pos_].
  int64_t record_line_ = 0;
  std::string_view raw_;
  std::vector<Field> fields_;
  std::string scratch_;  // Quoted fields with "" escapes, unescaped.
  std::string_view error_code_;
  std::string error_reason_;
};

CsvReader::Step CsvReader::Next() {
  const size_t n = data_.size();
  for (;;) {
    if (data_.substr(pos_).starts_with(kBom)) {
      pos_ += kBom.size();
    }
    size_t p = pos_;
    while (p < n && IsBlank(data_[p])) {
      ++p;
    }
    if (p < n && data_[p] == '\r' && (p + 1 == n || data_[p + 1] == '\n')) {
      ++p;
    }
    if (p >= n) {
      pos_ = n;
      return Step::kEnd;
    }
    if (data_[p] != '\n') {
      return ReadRecord();
    }
    pos_ = p + 1;  // A blank line.
    ++line_;
  }
}

CsvReader::Step CsvReader::Error(std::string_view code, std::string reason, size_t start,
                                 size_t end) {
  error_code_ = code;
  error_reason_ = std::move(reason);
  raw_ = data_.substr(start, end - start);
  return Step::kError;
}

CsvReader::Step CsvReader::ReadRecord() {
  const size_t n = data_.size();
  const size_t start = pos_;
  fields_.clear();
  scratch_.clear();
  record_line_ = line_;
  for (;;) {
    if (pos_ < n && data_[pos_] == '"') {
      const size_t open = pos_;
      const int64_t open_line = line_;
      size_t close = kNpos;
      bool escapes = false;
      size_t i = open + 1;
      while (close == kNpos) {
        const size_t q = data_.find('"', i);
        if (q == kNpos) {
          CountLines(i, n);
          pos_ = n;
          std::string reason = "field ";
          reason += std::to_string(fields_.size() + 1);
          reason += ": the quote opened on line ";
          reason += std::to_string(open_line);
          reason += " is never closed (the rest of the file is inside it)";
          return Error("unterminated_quote", std::move(reason), start, n);
        }
        CountLines(i, q);
        if (q + 1 < n && data_[q + 1] == '"') {
          escapes = true;
          i = q + 2;
        } else {
          close = q;
        }
      }
      Field f;
      f.quoted = true;
      const std::string_view content = data_.substr(open + 1, close - open - 1);
      if (escapes) {
        f.scratch = true;
        f.begin = scratch_.size();
        for (size_t k = 0; k < content.size(); ++k) {
          scratch_.push_back(content[k]);
          if (content[k] == '"') {
            ++k;  // The second quote of "".
          }
        }
        f.size = scratch_.size() - f.begin;
      } else {
        f.begin = open + 1;
        f.size = content.size();
      }
      fields_.push_back(f);
      pos_ = close + 1;
      switch (AfterQuote(start)) {
        case After::kNextField:
          continue;
        case After::kEnd:
          return Step::kRecord;
        case After::kError:
          return Step::kError;
      }
    }
    size_t end = data_.find_first_of(",\n", pos_);
    if (end == kNpos) {
      end = n;
    }
    const bool last = end == n || data_[end] == '\n';
    size_t field_end = end;
    if (last && field_end > pos_ && data_[field_end - 1] == '\r') {
      --field_end;
    }
    fields_.push_back(Field{pos_, field_end - pos_, false, false});
    if (!last) {
      pos_ = end + 1;
      continue;
    }
    raw_ = data_.substr(start, field_end - start);
    pos_ = end == n ? n : end + 1;
    if (end < n) {
      ++line_;
    }
    return Step::kRecord;
  }
}

CsvReader::After CsvReader::AfterQuote(size_t start) {
  const size_t n = data_.size();
  if (pos_ >= n) {
    raw_ = data_.substr(start);
    return After::kEnd;
  }
  const char c = data_[pos_];
  if (c == ',') {
    ++pos_;
    return After::kNextField;
  }
  if (c == '\n' || (c == '\r' && (pos_ + 1 == n || data_[pos_ + 1] == '\n'))) {
    raw_ = data_.substr(start, pos_ - start);
    pos_ += c == '\r' ? 1 : 0;
    if (pos_ < n) {  // The '\n'.
      ++pos_;
      ++line_;
    }
    return After::kEnd;
  }
  std::string reason = "field ";
  reason += std::to_string(fields_.size());
  reason += ": unexpected ";
  reason += Quote(data_.substr(pos_, 1));
  reason += " after the closing quote on line ";
  reason += std::to_string(line_);
  reason += " (write \"\" for a quote inside quotes)";
  // Skip the rest of the line: the next record starts after it.
  size_t end = data_.find('\n', pos_);
  if (end == kNpos) {
    end = n;
  }
  Error("bad_quote", std::move(reason), start, end);
  pos_ = end == n ? n : end + 1;
  if (end < n) {
    ++line_;
  }
  return After::kError;
}

// Maps the header's columns to slots (-1: ignored). False and *code/*reason set when the
// header is unusable: a column named twice, or a required field without a column.
bool ReadHeader(const CsvReader& reader, const Schema& schema, std::vector<int>* column_slot,
                std::string_view* code, std::string* reason) {
  column_slot->assign(reader.size(), -1);
  std::array<bool, kMaxFields> has{};
  for (size_t k = 0; k < reader.size(); ++k) {
    const int slot = FindSlot(schema, Trim(reader.field(k)), /*fold=*/true);
    if (slot < 0) {
      continue;  // Unknown columns are ignored.
    }
    if (has[static_cast<size_t>(slot)]) {
      *code = "duplicate_column";
      *reason = "column '";
      *reason += schema.fields[static_cast<size_t>(slot)].name;
      *reason += "' appears twice in the header";
      return false;
    }
    has[static_cast<size_t>(slot)] = true;
    (*column_slot)[k] = slot;
  }
  std::string missing;
  int count = 0;
  for (const Required& r : schema.required) {
    if (has[static_cast<size_t>(r.slot)] || (r.alias >= 0 && has[static_cast<size_t>(r.alias)])) {
      continue;
    }
    if (count++ > 0) {
      missing += ", ";
    }
    missing += '\'';
    missing += schema.fields[static_cast<size_t>(r.slot)].name;
    missing += '\'';
    if (r.alias >= 0) {
      missing += " (or '";
      missing += schema.fields[static_cast<size_t>(r.alias)].name;
      missing += "')";
    }
  }
  if (count == 0) {
    return true;
  }
  *code = "missing_column";
  *reason = count == 1 ? "the header lacks required column " : "the header lacks required columns ";
  *reason += missing;
  return false;
}

void ParseCsv(std::string_view data, RecordBuilder* builder) {
  CsvReader reader(data);
  CsvReader::Step step = reader.Next();
  if (step == CsvReader::Step::kEnd) {
    return;
  }
  const int64_t header_line = reader.line();
  const std::string_view header_raw = reader.raw();
  std::vector<int> column_slot;
  std::string_view code;
  std::string reason;
  if (step == CsvReader::Step::kError) {
    code = reader.error_code();
    reason = "the header: ";
    reason += reader.error_reason();
  } else {
    ReadHeader(reader, builder->schema(), &column_slot, &code, &reason);
  }
  if (!code.empty()) {
    // No row can be read without a usable header: one issue, every row counted as rejected.
    int64_t rows = 0;
    while ((step = reader.Next()) != CsvReader::Step::kEnd) {
      if (step == CsvReader::Step::kError || reader.raw() != header_raw) {
        ++rows;
      }
    }
    reason += "; its ";
    reason += std::to_string(rows);
    reason += rows == 1 ? " row is" : " rows are";
    reason += " rejected";
    builder->Reject(header_line, code, reason, rows);
    return;
  }
  Raws raws;
  while ((step = reader.Next()) != CsvReader::Step::kEnd) {
    if (step == CsvReader::Step::kError) {
      builder->Reject(reader.line(), reader.error_code(), reader.error_reason());
      continue;
    }
    if (reader.raw() == header_raw) {
      continue;  // Files concatenated with their headers.
    }
    if (reader.size() != column_slot.size()) {
      std::string count = std::to_string(reader.size());
      count +=
          reader.size() == 1 ? " field where the header has " : " fields where the header has ";
      count += std::to_string(column_slot.size());
      builder->Reject(reader.line(), "field_count", count);
      continue;
    }
    raws.fill(Raw{});
    for (size_t k = 0; k < column_slot.size(); ++k) {
      if (column_slot[k] >= 0) {
        // Spaces around an unquoted value are layout; inside quotes they are data.
        raws[static_cast<size_t>(column_slot[k])] =
            TextRaw(reader.quoted(k) ? reader.field(k) : Trim(reader.field(k)));
      }
    }
    builder->Add(raws, /*csv=*/true, reader.line());
  }
}

// Reserves room for one record per line (a record takes at least one), so a large file does
// not pay for moving every record as the vector grows; capped, so a file of blank lines costs
// no more than a modest reservation.
void ReserveForLines(model::RecordKind kind, std::string_view data, model::RecordBatch* batch) {
  constexpr size_t kMaxReserved = size_t{1} << 17;
  const auto lines = static_cast<size_t>(std::count(data.begin(), data.end(), '\n')) + 1;
  const size_t n = std::min(lines, kMaxReserved);
  switch (kind) {
    case model::RecordKind::kDeployment:
      batch->deployments.reserve(n);
      break;
    case model::RecordKind::kRelease:
      batch->releases.reserve(n);
      break;
    case model::RecordKind::kIncident:
      batch->incidents.reserve(n);
      break;
    case model::RecordKind::kDefect:
      batch->defects.reserve(n);
      break;
    case model::RecordKind::kAlert:
      batch->alerts.reserve(n);
      break;
  }
}

}  // namespace

Result<RecordInputFormat> ParseRecordInputFormat(std::string_view text) {
  if (core::EqualsIgnoreCase(text, "auto")) {
    return RecordInputFormat::kAuto;
  }
  if (core::EqualsIgnoreCase(text, "ndjson")) {
    return RecordInputFormat::kNdjson;
  }
  if (core::EqualsIgnoreCase(text, "csv")) {
    return RecordInputFormat::kCsv;
  }
  std::string message = "unknown record input format ";
  message += Quote(text);
  message += " (expected auto, ndjson or csv)";
  return InvalidArgumentError(std::move(message));
}

RecordInputFormat DetectRecordInputFormat(const RecordFile& file) {
  // The same rules as request events (events.h): one convention for every native file.
  return DetectEventFormat(file.name, file.data) == "ndjson" ? RecordInputFormat::kNdjson
                                                             : RecordInputFormat::kCsv;
}

ParsedRecords ParseNativeRecords(model::RecordKind kind, const RecordFile& file,
                                 RecordInputFormat format) {
  ParsedRecords out;
  if (format == RecordInputFormat::kAuto) {
    format = DetectRecordInputFormat(file);
  }
  ReserveForLines(kind, file.data, &out.batch);
  RecordBuilder builder(kind, file.name, &out);
  if (format == RecordInputFormat::kNdjson) {
    ParseNdjson(file.data, &builder);
  } else {
    ParseCsv(file.data, &builder);
  }
  return out;
}

}  // namespace vigil::ingest
