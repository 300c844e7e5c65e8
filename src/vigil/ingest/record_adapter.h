// What every tool adapter (GitHub, Alertmanager, PagerDuty, Jira) shares: the options one
// invocation passes per record kind, and small helpers for turning mapped text into model
// values. Pure; the functions are thread-safe, a MappedRecord belongs to one thread.
#pragma once

#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/config/mappings.h"
#include "vigil/core/status.h"
#include "vigil/core/time.h"
#include "vigil/ingest/record_mapping.h"
#include "vigil/ingest/records_adapter.h"
#include "vigil/model/records.h"

namespace vigil::ingest {

// AdapterOptions (the user's mappings for one source and kind, and `--parent`) is defined in
// records_adapter.h, which the PagerDuty adapter created first; included here so that both
// headers name one struct.

// The mapper of one adapter kind: the adapter's built-in rules (`defaults_yaml`, a `<kind>:`
// block's body in the mapping language) with the user's block over them (`user`, may be null).
// Errors: kInternal when the defaults do not parse (a bug in the adapter), else
// RecordMapper::Create's kInvalidArgument for a user rule that does not compile.
Result<RecordMapper> MakeAdapterMapper(std::string_view defaults_yaml, std::string_view source,
                                       model::RecordKind kind, const config::SourceMappings* user);

// Mapped text as a boolean: "true"/"yes"/"1" → true, "false"/"no"/"0" → false (ASCII case
// folded, surrounding blanks ignored); anything else → nullopt.
std::optional<bool> ParseMappedBool(std::string_view text);

// The base name of a path without its directory and without trailing ".gz" and ".json"
// extensions: "exports/77-p2.json.gz" → "77-p2".
std::string_view FileStem(std::string_view path);

// Whether a JSON export's mapped time is unset: "", or Go's zero time "0001-01-01T00:00:00Z"
// (any fraction or offset), which Alertmanager and others write for "no time".
bool IsUnsetTime(std::string_view text);

// `data` without a leading UTF-8 byte order mark (some tools write one; JSON parsers reject it).
std::string_view StripByteOrderMark(std::string_view data);

// The string member `key` of a JSON object, or nullopt (not an object, no such member, or not
// a string). The view lives as long as the parsed document.
std::optional<std::string_view> JsonStringMember(simdjson::dom::element value,
                                                 std::string_view key);

// Reads one record's mapped fields as model values. The first problem that rejects the record
// is kept (code, field, reason "<field>: <why>"); later problems are not, so a rejection names
// one cause. Values that are read anyway (a non-boolean read as false) add warnings.
// Holds references: `mapper` and `view` must outlive it.
class MappedRecord {
 public:
  MappedRecord(const RecordMapper& mapper, const RecordView& view) : mapper_(mapper), view_(view) {}

  // The field's first value, or "".
  std::string Text(std::string_view field) const;
  // Every value of the field.
  std::vector<std::string> Texts(std::string_view field) const;
  // The first value; a rejection ("missing_field") when there is none or it is "".
  std::string Required(std::string_view field);
  // An RFC 3339 time; nullopt when unmapped or unset (IsUnsetTime), which rejects the record
  // when `required` ("missing_field"); a rejection ("bad_time") when it does not parse.
  std::optional<core::Timestamp> Time(std::string_view field, bool required);
  // A boolean (ParseMappedBool); false when unmapped, and false with a warning when the value
  // is not a boolean.
  bool Bool(std::string_view field);
  // One of vigil's words (model::Parse*: Severity, ReporterKind, ...); kUnknown when unmapped,
  // and kUnknown with a warning when the value is not a word vigil knows.
  template <typename Enum>
  Enum Word(std::string_view field, Enum (*parse)(std::string_view)) {
    const std::string text = Text(field);
    const Enum value = parse(text);
    if (value == Enum::kUnknown && !text.empty() && !IsUnknownWord(text)) {
      Warn(field, text);
    }
    return value;
  }

  // Rejects the record (unless it is already rejected).
  void Fail(std::string_view code, std::string_view field, std::string_view why);
  bool failed() const { return !code_.empty(); }
  const std::string& code() const { return code_; }
  const std::string& reason() const { return reason_; }
  // (field, why) of each warning.
  const std::vector<std::pair<std::string, std::string>>& warnings() const { return warnings_; }

 private:
  static bool IsUnknownWord(std::string_view text);
  // A warning that `text` is not one of vigil's words for `field`.
  void Warn(std::string_view field, std::string_view text);

  const RecordMapper& mapper_;
  const RecordView& view_;
  std::string code_;
  std::string reason_;
  std::vector<std::pair<std::string, std::string>> warnings_;
};

}  // namespace vigil::ingest
