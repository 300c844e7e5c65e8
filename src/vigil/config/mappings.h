// The `mappings:` language of vigil.yaml (DESIGN §4; reference: docs/mappings.md): how the
// fields of a tool's export (PagerDuty, Jira, GitHub, Alertmanager) become vigil's record
// fields. Parsed and validated here into plain structs; evaluated against a JSON record by
// ingest/record_mapping.h. Each adapter's built-in defaults are written in this same language
// (ParseSourceMappings on the adapter's own YAML text), and a field the user maps replaces
// that field's default rules as a whole.
//
//   mappings:
//     pagerduty:                       # source: pagerduty | jira | github | alertmanager
//       incidents:                     # record kind the source produces
//         service:                     # a vigil field of that kind (MappingFields)
//           from: service.summary      # a path into the source record
//           values: {"Checkout API": checkout}   # table, keys compared case-folded
//         severity:                    # a list: the first rule that yields a value wins
//           - from: priority.summary
//             values: {P1: critical, P2: significant, P3: minor, P4: minor, P5: minor}
//             unmatched: drop
//           - from: urgency
//             values: {high: significant, low: minor}
//         cause_version:
//           from: 'custom_fields[name=causing_release].value'
//           regex: '@?v?([0-9][0-9A-Za-z.+-]*)$'   # capture group 1 (or the whole match)
//       ...
//     jira:
//       defects:
//         reporter:
//           - when: {any: [{path: fields.customfield_10050.value, equals: Customer},
//                          {path: fields.labels, equals: customer-reported}]}
//             value: customer
//           - value: internal
//
// Rule keys: `from` (a path or a list of paths; values of all, in order) or `value` (a
// literal); `when` (a predicate: the rule applies only when it holds); `regex` (RE2; a value
// that does not match is dropped, one that does becomes capture group 1, or the whole match
// when the pattern has no group); `split` (a separator: each value split, items trimmed,
// empty items dropped); `values` (a table, keys compared after trimming and ASCII case
// folding); `unmatched: keep|drop` (a value the table lacks: kept as is (default) or dropped).
// Steps apply in that order: from → regex → split → values. Values that are empty (or only
// spaces) at the end are dropped, so such a rule yields nothing.
// Predicates: {path: P, equals: V} (some value of P equals V, case-folded), {path, contains: V}
// (some value contains V, case-folded), {path, matches: RE}, {path, exists: true|false}
// (the path reaches anything but null, objects included), {any: [...]}, {all: [...]},
// {not: P}.
// Paths: `a.b.c`; `a[0]` (an element); `a[*]` (every element); `a[name=impact_start]` (the
// elements that are objects whose member `name` equals `impact_start`, case-folded);
// `a["key with.dots"]` (a member whose name needs quoting). A path reaching an array of
// scalars yields each element; strings yield themselves, numbers their JSON text, booleans
// "true"/"false"; null, objects and missing members yield nothing. A member step on an
// array applies to each element (`labels.name` = `labels[*].name`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/model/records.h"

namespace vigil::config {

// One step of a path.
struct PathStep {
  enum class Kind {
    kMember,  // .name or ["name"]
    kIndex,   // [3]
    kAll,     // [*]
    kSelect,  // [key=value]
  };
  Kind kind = Kind::kMember;
  std::string name;   // kMember: the member; kSelect: the key
  std::string value;  // kSelect: the value (compared case-folded)
  int64_t index = 0;  // kIndex
  bool operator==(const PathStep&) const = default;
};

struct MappingPath {
  std::string text;  // as written, for messages
  std::vector<PathStep> steps;
  bool operator==(const MappingPath&) const = default;
};

// Parses a path (syntax above). kInvalidArgument with the offending column.
Result<MappingPath> ParseMappingPath(std::string_view text);

struct MappingPredicate {
  enum class Op { kEquals, kContains, kMatches, kExists, kAny, kAll, kNot };
  Op op = Op::kEquals;
  MappingPath path;                        // kEquals..kExists
  std::string operand;                     // kEquals, kContains: the text; kMatches: the regex
  bool exists = true;                      // kExists
  std::vector<MappingPredicate> children;  // kAny, kAll (≥ 1); kNot (exactly 1)
  bool operator==(const MappingPredicate&) const = default;
};

struct MappingRule {
  std::vector<MappingPath> from;     // empty when `value` is set
  std::optional<std::string> value;  // a literal
  std::optional<MappingPredicate> when;
  std::string regex;  // "" = none; validated with RE2 at parse time
  std::string split;  // "" = none
  std::vector<std::pair<std::string, std::string>> values;  // table, in file order
  bool drop_unmatched = false;                              // `unmatched: drop`
  int line = 0;                                             // where the rule starts, for messages
  bool operator==(const MappingRule&) const = default;
};

// The rules of one vigil field; the first rule that yields at least one value wins.
struct FieldMapping {
  std::string field;
  std::vector<MappingRule> rules;
  bool operator==(const FieldMapping&) const = default;
};

// `mappings.<source>.<kind>`.
struct SourceMappings {
  std::string source;  // "pagerduty", "jira", "github", "alertmanager"
  model::RecordKind kind = model::RecordKind::kIncident;
  std::vector<FieldMapping> fields;  // in file order, at most one per field
  const FieldMapping* Find(std::string_view field) const;
  bool operator==(const SourceMappings&) const = default;
};

// The vigil fields a mapping may set for records of `kind` (the model struct's field names,
// e.g. incidents: id, number, url, title, severity, service, journey, area, team,
// environment, started_at, created_at, detected_at, resolved_at, detection_source,
// cause_service, cause_version, cause, escape_phase, paths, alerts, merged, status; defects:
// id, number, url, title, reporter, severity, service, area, team, found_at, resolved_at,
// release, incident, escape_phase, status and `is_bug` (a record whose is_bug yields "false"
// is not a bug and is skipped); the others in docs/mappings.md). Sorted.
std::vector<std::string_view> MappingFields(model::RecordKind kind);

// The sources that have adapters, and the kinds each produces:
// github → deployments, releases, defects; pagerduty → incidents; jira → defects;
// alertmanager → alerts.
std::vector<model::RecordKind> SourceKinds(std::string_view source);

// Parses one `<kind>:` block's YAML text (a map of field → rule or list of rules) for an
// adapter's built-in defaults. `origin` names the text in messages ("pagerduty defaults").
// Errors: kInvalidArgument, "<origin>:<line>: <field>: <reason>" per problem (unknown field,
// bad path, bad regex, `from` and `value` both or neither, unknown rule key, ...).
Result<SourceMappings> ParseSourceMappings(std::string_view yaml_text, std::string_view source,
                                           model::RecordKind kind, std::string_view origin);

}  // namespace vigil::config
