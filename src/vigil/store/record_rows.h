// How quality records (model/records.h) map to rows of the store's record tables, shared by both
// backends (internal to store). One table spec per kind names its columns in order, key columns
// first; RecordRow turns a record into that row's values and Read* turns a row back into a
// record. The column encodings are documented in docs/store-schema.md ("Records"):
// - optional timestamps are NULL when absent; booleans 0/1 (PostgreSQL BOOLEAN);
// - enums are their canonical names (model::SeverityName, ...), so the database is readable;
// - a list of strings is each item as `<byte length>:<bytes>`, concatenated ("" is the empty
//   list): ["a", "bc"] → "1:a2:bc". A map is its keys and values alternating, in key order:
//   {"env": "prod"} → "3:env4:prod". Lossless for any bytes.
// Also: a batch's records sorted by key with one record per key (later ones win) and the union of
// deployment statuses.
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/core/status.h"
#include "vigil/core/text.h"
#include "vigil/core/time.h"
#include "vigil/model/records.h"
#include "vigil/store/store.h"

namespace vigil::store {

// --- list and map encoding -------------------------------------------------------------------

inline void AppendLengthPrefixed(std::string_view item, std::string* out) {
  out->append(std::to_string(item.size()));
  out->push_back(':');
  out->append(item);
}

inline void EncodeList(const std::vector<std::string>& items, std::string* out) {
  out->clear();
  for (const std::string& item : items) {
    AppendLengthPrefixed(item, out);
  }
}

inline void EncodeMap(const std::map<std::string, std::string>& map, std::string* out) {
  out->clear();
  for (const auto& [key, value] : map) {
    AppendLengthPrefixed(key, out);
    AppendLengthPrefixed(value, out);
  }
}

// Splits an encoded list into its items; false when `text` is not one.
inline bool DecodeItems(std::string_view text, std::vector<std::string>* items) {
  items->clear();
  while (!text.empty()) {
    const size_t colon = text.find(':');
    if (colon == 0 || colon == std::string_view::npos) {
      return false;
    }
    size_t len = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + colon, len);
    if (ec != std::errc() || ptr != text.data() + colon || len > text.size() - colon - 1) {
      return false;
    }
    items->emplace_back(text.substr(colon + 1, len));
    text.remove_prefix(colon + 1 + len);
  }
  return true;
}

inline bool DecodeMap(std::string_view text, std::map<std::string, std::string>* map) {
  std::vector<std::string> items;
  if (!DecodeItems(text, &items) || items.size() % 2 != 0) {
    return false;
  }
  map->clear();
  for (size_t i = 0; i < items.size(); i += 2) {
    map->insert_or_assign(std::move(items[i]), std::move(items[i + 1]));
  }
  return true;
}

// --- table specs -----------------------------------------------------------------------------

enum class ColumnType : uint8_t { kText, kInt, kBool };

struct Column {
  std::string_view name;
  ColumnType type = ColumnType::kText;
};

// A record table: its columns in row order, the first `key_columns` of them its primary key.
struct TableSpec {
  std::string_view table;   // "incidents"
  std::string_view record;  // "incident", for messages
  std::span<const Column> columns;
  size_t key_columns = 0;
};

// The columns of each table, in row order (RecordRow and ReadRecord follow it). They must match
// migration 3 of both backends, which creates the tables.
// clang-format off
namespace record_columns {
constexpr ColumnType kT = ColumnType::kText;
constexpr ColumnType kI = ColumnType::kInt;
constexpr ColumnType kB = ColumnType::kBool;
inline constexpr std::array<Column, 9> kDeployments = {{
    {"source", kT}, {"id", kT}, {"service", kT}, {"environment", kT}, {"version", kT},
    {"commit_sha", kT}, {"ref", kT}, {"deployed_at_ms", kI}, {"url", kT},
}};
inline constexpr std::array<Column, 5> kStatuses = {{
    {"source", kT}, {"deployment_id", kT}, {"state", kT}, {"at_ms", kI}, {"description", kT},
}};
inline constexpr std::array<Column, 17> kReleases = {{
    {"service", kT}, {"version", kT}, {"source", kT}, {"tag", kT}, {"commit_sha", kT},
    {"name", kT}, {"notes", kT}, {"team", kT}, {"areas", kT}, {"type", kT}, {"prerelease", kB},
    {"hotfix", kB}, {"hotfix_for", kT}, {"deployed_at_ms", kI}, {"created_at_ms", kI},
    {"environment", kT}, {"url", kT},
}};
inline constexpr std::array<Column, 25> kIncidents = {{
    {"source", kT}, {"id", kT}, {"number", kT}, {"url", kT}, {"title", kT}, {"severity", kT},
    {"service", kT}, {"journey", kT}, {"area", kT}, {"team", kT}, {"environment", kT},
    {"started_at_ms", kI}, {"started_at_dropped", kB}, {"created_at_ms", kI},
    {"detected_at_ms", kI}, {"resolved_at_ms", kI}, {"detection_source", kT},
    {"cause_service", kT}, {"cause_version", kT}, {"cause", kT}, {"escape_phase", kT},
    {"paths", kT}, {"alerts", kT}, {"merged", kB}, {"status", kT},
}};
inline constexpr std::array<Column, 16> kDefects = {{
    {"source", kT}, {"id", kT}, {"number", kT}, {"url", kT}, {"title", kT}, {"reporter", kT},
    {"severity", kT}, {"service", kT}, {"area", kT}, {"team", kT}, {"found_at_ms", kI},
    {"resolved_at_ms", kI}, {"release_version", kT}, {"incident_ref", kT}, {"escape_phase", kT},
    {"status", kT},
}};
inline constexpr std::array<Column, 10> kAlerts = {{
    {"fingerprint", kT}, {"starts_at_ms", kI}, {"source", kT}, {"ends_at_ms", kI}, {"rule", kT},
    {"service", kT}, {"labels", kT}, {"annotations", kT}, {"incident_ref", kT},
    {"generator_url", kT},
}};
// clang-format on
}  // namespace record_columns

inline constexpr TableSpec kDeploymentsTable{"deployments", "deployment",
                                             record_columns::kDeployments, 2};
inline constexpr TableSpec kStatusesTable{"deployment_statuses", "deployment status",
                                          record_columns::kStatuses, 4};
inline constexpr TableSpec kReleasesTable{"releases", "release", record_columns::kReleases, 2};
inline constexpr TableSpec kIncidentsTable{"incidents", "incident", record_columns::kIncidents, 2};
inline constexpr TableSpec kDefectsTable{"defects", "defect", record_columns::kDefects, 2};
inline constexpr TableSpec kAlertsTable{"alerts", "alert", record_columns::kAlerts, 2};

// "a, b, c": the names of `columns`, each prefixed by `prefix` ("" or "cur.").
inline std::string ColumnList(std::span<const Column> columns, std::string_view prefix = "") {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) {
      out += ", ";
    }
    out += prefix;
    out += columns[i].name;
  }
  return out;
}

// --- record → row ----------------------------------------------------------------------------

// One value of a row: NULL, an integer (booleans are 0/1) or text. Text views point into the
// record or into the RowValues' own scratch strings.
struct Value {
  bool is_null = false;
  int64_t i = 0;
  std::string_view text;
};

// The values of one row, in its table's column order. Reusable: Clear() keeps the capacity.
class RowValues {
 public:
  void Clear() {
    values_.clear();
    scratch_used_ = 0;
  }
  void Text(std::string_view v) { values_.push_back(Value{false, 0, v}); }
  void Int(int64_t v) { values_.push_back(Value{false, v, {}}); }
  void Bool(bool v) { Int(v ? 1 : 0); }
  void Time(core::Timestamp t) { Int(t.unix_ms()); }
  void OptTime(const std::optional<core::Timestamp>& t) {
    if (t) {
      Time(*t);
    } else {
      values_.push_back(Value{true, 0, {}});
    }
  }
  void List(const std::vector<std::string>& items) {
    std::string& s = Scratch();
    EncodeList(items, &s);
    Text(s);
  }
  void Map(const std::map<std::string, std::string>& map) {
    std::string& s = Scratch();
    EncodeMap(map, &s);
    Text(s);
  }

  const std::vector<Value>& values() const { return values_; }
  const Value& operator[](size_t i) const { return values_[i]; }

 private:
  std::string& Scratch() {
    VIGIL_CHECK(scratch_used_ < scratch_.size(), "RowValues: too many encoded columns");
    return scratch_[scratch_used_++];
  }

  std::vector<Value> values_;
  std::array<std::string, 2> scratch_;  // two encoded columns at most per row
  size_t scratch_used_ = 0;
};

inline void RecordRow(const model::Deployment& d, RowValues* row) {
  row->Clear();
  row->Text(d.source);
  row->Text(d.id);
  row->Text(d.service);
  row->Text(d.environment);
  row->Text(d.version);
  row->Text(d.commit);
  row->Text(d.ref);
  row->Time(d.deployed_at);
  row->Text(d.url);
}

// A status row of the deployment (source, id).
inline void StatusRow(std::string_view source, std::string_view id,
                      const model::DeploymentStatus& s, RowValues* row) {
  row->Clear();
  row->Text(source);
  row->Text(id);
  row->Text(model::DeploymentStateName(s.state));
  row->Time(s.at);
  row->Text(s.description);
}

inline void RecordRow(const model::Release& r, RowValues* row) {
  row->Clear();
  row->Text(r.service);
  row->Text(r.version);
  row->Text(r.source);
  row->Text(r.tag);
  row->Text(r.commit);
  row->Text(r.name);
  row->Text(r.notes);
  row->Text(r.team);
  row->List(r.areas);
  row->Text(model::ReleaseTypeName(r.type));
  row->Bool(r.prerelease);
  row->Bool(r.hotfix);
  row->Text(r.hotfix_for);
  row->OptTime(r.deployed_at);
  row->OptTime(r.created_at);
  row->Text(r.environment);
  row->Text(r.url);
}

inline void RecordRow(const model::Incident& i, RowValues* row) {
  row->Clear();
  row->Text(i.source);
  row->Text(i.id);
  row->Text(i.number);
  row->Text(i.url);
  row->Text(i.title);
  row->Text(model::SeverityName(i.severity));
  row->Text(i.service);
  row->Text(i.journey);
  row->Text(i.area);
  row->Text(i.team);
  row->Text(i.environment);
  row->OptTime(i.started_at);
  row->Bool(i.started_at_dropped);
  row->Time(i.created_at);
  row->OptTime(i.detected_at);
  row->OptTime(i.resolved_at);
  row->Text(model::DetectionSourceName(i.detection_source));
  row->Text(i.cause_service);
  row->Text(i.cause_version);
  row->Text(i.cause);
  row->Text(model::EscapePhaseName(i.escape_phase));
  row->List(i.paths);
  row->List(i.alerts);
  row->Bool(i.merged);
  row->Text(i.status);
}

inline void RecordRow(const model::Defect& d, RowValues* row) {
  row->Clear();
  row->Text(d.source);
  row->Text(d.id);
  row->Text(d.number);
  row->Text(d.url);
  row->Text(d.title);
  row->Text(model::ReporterKindName(d.reporter));
  row->Text(model::SeverityName(d.severity));
  row->Text(d.service);
  row->Text(d.area);
  row->Text(d.team);
  row->Time(d.found_at);
  row->OptTime(d.resolved_at);
  row->Text(d.release);
  row->Text(d.incident);
  row->Text(model::EscapePhaseName(d.escape_phase));
  row->Text(d.status);
}

inline void RecordRow(const model::Alert& a, RowValues* row) {
  row->Clear();
  row->Text(a.fingerprint);
  row->Time(a.starts_at);
  row->Text(a.source);
  row->OptTime(a.ends_at);
  row->Text(a.rule);
  row->Text(a.service);
  row->Map(a.labels);
  row->Map(a.annotations);
  row->Text(a.incident);
  row->Text(a.generator_url);
}

// "incident ('pagerduty', 'P1')": a row's record and key, for messages.
inline std::string RowForMessage(const TableSpec& spec, const RowValues& row) {
  std::string out(spec.record);
  out += " (";
  for (size_t i = 0; i < spec.key_columns && i < row.values().size(); ++i) {
    if (i > 0) {
      out += ", ";
    }
    if (spec.columns[i].type == ColumnType::kText) {
      out += core::QuoteForMessage(row[i].text);
    } else {
      out += std::to_string(row[i].i);
    }
  }
  out += ')';
  return out;
}

// --- row → record ----------------------------------------------------------------------------

// The enum value whose canonical name is `text`, among values 0..last; nullopt for none.
template <typename Enum>
std::optional<Enum> EnumFromName(std::string_view text, std::string_view (*name)(Enum), int last) {
  for (int v = 0; v <= last; ++v) {
    if (name(static_cast<Enum>(v)) == text) {
      return static_cast<Enum>(v);
    }
  }
  return std::nullopt;
}

// Reads the columns of one row in order. `Row` has Text(col) (bytes), Int(col) and IsNull(col).
// The first bad value (an unknown enum name, a malformed list) is kept as status(): kDataLoss
// naming the table and column.
template <typename Row>
class RowReader {
 public:
  RowReader(const Row& row, const TableSpec& spec) : row_(row), spec_(spec) {}

  std::string Text() { return std::string(row_.Text(col_++)); }
  int64_t Int() { return row_.Int(col_++); }
  bool Bool() { return row_.Int(col_++) != 0; }
  core::Timestamp Time() { return core::Timestamp::FromUnixMillis(row_.Int(col_++)); }
  std::optional<core::Timestamp> OptTime() {
    const int col = col_++;
    if (row_.IsNull(col)) {
      return std::nullopt;
    }
    return core::Timestamp::FromUnixMillis(row_.Int(col));
  }
  std::vector<std::string> List() {
    const int col = col_++;
    std::vector<std::string> items;
    if (!DecodeItems(row_.Text(col), &items)) {
      Fail(col, "not a length-prefixed list");
    }
    return items;
  }
  std::map<std::string, std::string> Map() {
    const int col = col_++;
    std::map<std::string, std::string> map;
    if (!DecodeMap(row_.Text(col), &map)) {
      Fail(col, "not a length-prefixed map");
    }
    return map;
  }
  template <typename Enum>
  Enum EnumOf(std::string_view (*name)(Enum), int last) {
    const int col = col_++;
    std::optional<Enum> v = EnumFromName(row_.Text(col), name, last);
    if (!v) {
      Fail(col, "unknown name");
      return Enum{};
    }
    return *v;
  }

  const Status& status() const { return status_; }

 private:
  void Fail(int col, std::string_view why) {
    if (!status_.ok()) {
      return;
    }
    std::string msg(spec_.table);
    msg += '.';
    msg += spec_.columns[static_cast<size_t>(col)].name;
    msg += ": ";
    msg += why;
    msg += ": ";
    msg += core::QuoteForMessage(row_.Text(col));
    status_ = DataLossError(std::move(msg));
  }

  const Row& row_;
  const TableSpec& spec_;
  int col_ = 0;
  Status status_;
};

// The last enumerator of each record enum (its values are 0..last).
inline constexpr int kLastSeverity = static_cast<int>(model::Severity::kMinor);
inline constexpr int kLastReleaseType = static_cast<int>(model::ReleaseType::kPatch);
inline constexpr int kLastDetectionSource = static_cast<int>(model::DetectionSource::kCustomer);
inline constexpr int kLastReporterKind = static_cast<int>(model::ReporterKind::kInternal);
inline constexpr int kLastEscapePhase = static_cast<int>(model::EscapePhase::kProductionOnly);
inline constexpr int kLastDeploymentState = static_cast<int>(model::DeploymentState::kInactive);

template <typename Row>
Status ReadRecord(const Row& row, model::Deployment* d) {
  RowReader<Row> in(row, kDeploymentsTable);
  d->source = in.Text();
  d->id = in.Text();
  d->service = in.Text();
  d->environment = in.Text();
  d->version = in.Text();
  d->commit = in.Text();
  d->ref = in.Text();
  d->deployed_at = in.Time();
  d->url = in.Text();
  return in.status();
}

// A status row: its deployment's key and the status.
template <typename Row>
Status ReadStatus(const Row& row, std::string* source, std::string* id,
                  model::DeploymentStatus* s) {
  RowReader<Row> in(row, kStatusesTable);
  *source = in.Text();
  *id = in.Text();
  s->state = in.EnumOf(&model::DeploymentStateName, kLastDeploymentState);
  s->at = in.Time();
  s->description = in.Text();
  return in.status();
}

template <typename Row>
Status ReadRecord(const Row& row, model::Release* r) {
  RowReader<Row> in(row, kReleasesTable);
  r->service = in.Text();
  r->version = in.Text();
  r->source = in.Text();
  r->tag = in.Text();
  r->commit = in.Text();
  r->name = in.Text();
  r->notes = in.Text();
  r->team = in.Text();
  r->areas = in.List();
  r->type = in.EnumOf(&model::ReleaseTypeName, kLastReleaseType);
  r->prerelease = in.Bool();
  r->hotfix = in.Bool();
  r->hotfix_for = in.Text();
  r->deployed_at = in.OptTime();
  r->created_at = in.OptTime();
  r->environment = in.Text();
  r->url = in.Text();
  return in.status();
}

template <typename Row>
Status ReadRecord(const Row& row, model::Incident* i) {
  RowReader<Row> in(row, kIncidentsTable);
  i->source = in.Text();
  i->id = in.Text();
  i->number = in.Text();
  i->url = in.Text();
  i->title = in.Text();
  i->severity = in.EnumOf(&model::SeverityName, kLastSeverity);
  i->service = in.Text();
  i->journey = in.Text();
  i->area = in.Text();
  i->team = in.Text();
  i->environment = in.Text();
  i->started_at = in.OptTime();
  i->started_at_dropped = in.Bool();
  i->created_at = in.Time();
  i->detected_at = in.OptTime();
  i->resolved_at = in.OptTime();
  i->detection_source = in.EnumOf(&model::DetectionSourceName, kLastDetectionSource);
  i->cause_service = in.Text();
  i->cause_version = in.Text();
  i->cause = in.Text();
  i->escape_phase = in.EnumOf(&model::EscapePhaseName, kLastEscapePhase);
  i->paths = in.List();
  i->alerts = in.List();
  i->merged = in.Bool();
  i->status = in.Text();
  return in.status();
}

template <typename Row>
Status ReadRecord(const Row& row, model::Defect* d) {
  RowReader<Row> in(row, kDefectsTable);
  d->source = in.Text();
  d->id = in.Text();
  d->number = in.Text();
  d->url = in.Text();
  d->title = in.Text();
  d->reporter = in.EnumOf(&model::ReporterKindName, kLastReporterKind);
  d->severity = in.EnumOf(&model::SeverityName, kLastSeverity);
  d->service = in.Text();
  d->area = in.Text();
  d->team = in.Text();
  d->found_at = in.Time();
  d->resolved_at = in.OptTime();
  d->release = in.Text();
  d->incident = in.Text();
  d->escape_phase = in.EnumOf(&model::EscapePhaseName, kLastEscapePhase);
  d->status = in.Text();
  return in.status();
}

template <typename Row>
Status ReadRecord(const Row& row, model::Alert* a) {
  RowReader<Row> in(row, kAlertsTable);
  a->fingerprint = in.Text();
  a->starts_at = in.Time();
  a->source = in.Text();
  a->ends_at = in.OptTime();
  a->rule = in.Text();
  a->service = in.Text();
  a->labels = in.Map();
  a->annotations = in.Map();
  a->incident = in.Text();
  a->generator_url = in.Text();
  return in.status();
}

// --- batches ---------------------------------------------------------------------------------

inline auto RecordKey(const model::Deployment& d) {
  return std::tie(d.source, d.id);
}
inline auto RecordKey(const model::Release& r) {
  return std::tie(r.service, r.version);
}
inline auto RecordKey(const model::Incident& i) {
  return std::tie(i.source, i.id);
}
inline auto RecordKey(const model::Defect& d) {
  return std::tie(d.source, d.id);
}
inline auto RecordKey(const model::Alert& a) {
  return std::tie(a.fingerprint, a.starts_at);
}

// Sorts by (at, state) and keeps one status per (state, at): the last one given, so a later
// description replaces an earlier one.
inline void NormalizeStatuses(std::vector<model::DeploymentStatus>* statuses) {
  auto less = [](const model::DeploymentStatus& a, const model::DeploymentStatus& b) {
    return std::tie(a.at, a.state) < std::tie(b.at, b.state);
  };
  std::stable_sort(statuses->begin(), statuses->end(), less);
  size_t out = 0;
  for (size_t i = 0; i < statuses->size(); ++i) {
    const bool last_of_run = i + 1 == statuses->size() || less((*statuses)[i], (*statuses)[i + 1]);
    if (last_of_run) {
      if (out != i) {
        (*statuses)[out] = std::move((*statuses)[i]);
      }
      ++out;
    }
  }
  statuses->resize(out);
}

// Records grouped by key, groups in key order: `order` holds record indices sorted by key (batch
// order within one key), and each group is a [begin, end) range of `order`.
struct KeyGroups {
  std::vector<size_t> order;
  std::vector<std::pair<size_t, size_t>> groups;  // [begin, end) into `order`
};

template <typename Record>
KeyGroups GroupByKey(const std::vector<Record>& records) {
  KeyGroups g;
  g.order.resize(records.size());
  std::iota(g.order.begin(), g.order.end(), size_t{0});
  std::stable_sort(g.order.begin(), g.order.end(), [&records](size_t a, size_t b) {
    return RecordKey(records[a]) < RecordKey(records[b]);
  });
  size_t begin = 0;
  for (size_t i = 1; i <= g.order.size(); ++i) {
    if (i == g.order.size() ||
        RecordKey(records[g.order[i - 1]]) < RecordKey(records[g.order[i]])) {
      g.groups.emplace_back(begin, i);
      begin = i;
    }
  }
  return g;
}

// One record per key, in key order: the last one of the batch with that key.
template <typename Record>
std::vector<const Record*> LastPerKey(const std::vector<Record>& records) {
  KeyGroups g = GroupByKey(records);
  std::vector<const Record*> out;
  out.reserve(g.groups.size());
  for (const auto& [begin, end] : g.groups) {
    out.push_back(&records[g.order[end - 1]]);
  }
  return out;
}

// A deployment to upsert: the last record with its key, with the union of the statuses of every
// record with that key (normalised).
struct PendingDeployment {
  const model::Deployment* record = nullptr;
  std::vector<model::DeploymentStatus> statuses;
};

inline std::vector<PendingDeployment> PendingDeployments(
    const std::vector<model::Deployment>& records) {
  KeyGroups g = GroupByKey(records);
  std::vector<PendingDeployment> out;
  out.reserve(g.groups.size());
  for (const auto& [begin, end] : g.groups) {
    PendingDeployment p;
    p.record = &records[g.order[end - 1]];
    for (size_t k = begin; k < end; ++k) {
      const auto& s = records[g.order[k]].statuses;
      p.statuses.insert(p.statuses.end(), s.begin(), s.end());
    }
    NormalizeStatuses(&p.statuses);
    out.push_back(std::move(p));
  }
  return out;
}

// Attaches status rows, read in (source, deployment_id) order, to deployments sorted by
// (source, id); Finish() sorts each deployment's statuses by (at, state).
class StatusAttacher {
 public:
  explicit StatusAttacher(std::vector<model::Deployment>* deployments)
      : deployments_(deployments) {}

  // kDataLoss for a status whose deployment is not there (or that comes out of order).
  Status Add(std::string_view source, std::string_view id, model::DeploymentStatus status) {
    auto& ds = *deployments_;
    while (next_ < ds.size() && std::pair<std::string_view, std::string_view>(
                                    ds[next_].source, ds[next_].id) < std::pair(source, id)) {
      ++next_;
    }
    if (next_ == ds.size() || ds[next_].source != source || ds[next_].id != id) {
      return DataLossError("deployment_statuses: a status of deployment (" +
                           core::QuoteForMessage(source) + ", " + core::QuoteForMessage(id) +
                           "), which is not stored");
    }
    ds[next_].statuses.push_back(std::move(status));
    return OkStatus();
  }
  void Finish() {
    for (model::Deployment& d : *deployments_) {
      NormalizeStatuses(&d.statuses);
    }
  }

 private:
  std::vector<model::Deployment>* deployments_;
  size_t next_ = 0;
};

inline void CountOutcome(UpsertOutcome outcome, RecordCounts* counts) {
  switch (outcome) {
    case UpsertOutcome::kCreated:
      ++counts->created;
      break;
    case UpsertOutcome::kUpdated:
      ++counts->updated;
      break;
    case UpsertOutcome::kUnchanged:
      ++counts->unchanged;
      break;
  }
}

}  // namespace vigil::store
