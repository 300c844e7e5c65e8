// Internal helpers shared by the JSON export adapters (records_pagerduty.cc,
// records_jira.cc): loading whole response files, a cheap top-level member scan for routing,
// export time formats, parent ids from file names, version ordering for merges by id, and
// reading mapped fields with their issues. Not a front door: adapters only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/config/mappings.h"
#include "vigil/core/status.h"
#include "vigil/core/time.h"
#include "vigil/ingest/record_input.h"
#include "vigil/ingest/record_mapping.h"
#include "vigil/model/records.h"

namespace vigil::ingest::exportjson {

// Calls `on_member(key, first byte of the value)` for each member of the top-level JSON
// object in `data`, in order, until it returns true; returns whether it did. Keys are the raw
// bytes between the quotes (escapes not decoded). No allocation; stops at the first syntax
// it cannot follow (not a validator: the adapters parse properly later).
bool ScanTopLevelMembers(
    std::string_view data,
    const std::function<bool(std::string_view key, char value_start)>& on_member);

// One response file parsed into its own document, so elements stay valid for the whole call.
struct JsonFile {
  const RecordFile* file = nullptr;
  size_t order = 0;  // position among the invocation's files
  std::unique_ptr<simdjson::dom::document> doc;
  simdjson::dom::element root;
};

// Parses `file` with `parser` into a new document. On bad JSON, nullptr and *error set to
// the reason ("not valid JSON: <simdjson's message>").
std::unique_ptr<JsonFile> LoadJsonFile(const RecordFile& file, size_t order,
                                       simdjson::dom::parser* parser, std::string* error);

// The string member `key` of `object`, or nullopt (absent, null or not a string).
std::optional<std::string_view> StringMember(simdjson::dom::element object, std::string_view key);
// A string, or an integer's decimal text (ids that some exports write as numbers); else "".
std::string IdText(simdjson::dom::element value);

// "an object", "an array", "a string", "a number", "a boolean", "null".
std::string_view JsonTypeName(simdjson::dom::element value);

// RFC 3339 (`2024-06-10T08:16:01Z`, `+00:00`), and Jira's form with a colon-less offset
// (`2024-06-10T08:16:01.000+0200`). Error: kInvalidArgument with the reason.
Result<core::Timestamp> ParseExportTime(std::string_view text);

// The parent id a child file's name carries: `<dir>/<parent id>[-pN].json[.gz]` → parent id.
// "" when the name does not have that form (the id must be letters, digits, '_', '-', '.').
std::string ParentIdFromFileName(std::string_view name);

// `member[i]`, a record's json_path.
std::string IndexedPath(std::string_view member, size_t i);

// An issue about a whole file or one record of it.
RecordIssue MakeIssue(const RecordFile& file, std::string_view json_path, std::string_view code,
                      std::string reason);

// ASCII lower-case copy.
std::string AsciiLowerCopy(std::string_view text);

// One version of a record seen in some file; the merge keeps the greatest by
// (has a version time, version time, file order, position in the file): the later update
// wins, else the later file.
struct VersionKey {
  std::optional<core::Timestamp> updated;
  size_t file_order = 0;
  size_t position = 0;
  bool operator<(const VersionKey& other) const;
};

// An adapter's built-in mappings parsed from `defaults_yaml` (the adapter keeps the result in a
// function-local static: parsed once per process, immutable after).
Result<config::SourceMappings> ParseDefaults(std::string_view defaults_yaml,
                                             std::string_view source, model::RecordKind kind);

// The mapper of `defaults` (ParseDefaults) overridden by `user`. kInvalidArgument when the
// defaults or the user's block do not compile, or the user's block is for another source or
// kind.
Result<RecordMapper> MakeMapper(const Result<config::SourceMappings>& defaults,
                                std::string_view source, model::RecordKind kind,
                                const config::SourceMappings* user);

// Reads mapped fields of one record and collects what is wrong with them.
class FieldReader {
 public:
  FieldReader(const RecordMapper& mapper, const RecordView& view, const RecordFile& file,
              std::string json_path)
      : mapper_(mapper), view_(view), file_(file), json_path_(std::move(json_path)) {}

  // The first value of `field`, or "".
  std::string Text(std::string_view field) const;
  std::vector<std::string> All(std::string_view field) const;
  // "true", "yes", "1" (case-folded) → true.
  bool Flag(std::string_view field) const;

  enum class TimeUse { kFirst, kLatest };
  // A time field: nullopt when unmapped or no value. A value that is not a time: when
  // `required`, a rejection issue (see rejected()); else a warning and the field dropped.
  std::optional<core::Timestamp> Time(std::string_view field, TimeUse use, bool required);
  // An enumerated field parsed with `parse`; a value the parser maps to unknown (and that is
  // not "unknown" itself) is a warning.
  template <typename Enum, typename Parse>
  Enum Enumerated(std::string_view field, Parse parse, std::string_view what) {
    const std::string text = Text(field);
    const Enum value = parse(text);
    if (value == Enum{} && !text.empty() && AsciiLowerCopy(text) != "unknown") {
      Warn("unknown_value", field, text, std::string("is not a known ").append(what),
           "read as unknown");
    }
    return value;
  }
  // Rejects the record with `code` and reason. Only the first rejection is kept, and it
  // replaces any warnings: a rejected record has exactly one issue.
  void Reject(std::string_view code, std::string reason);

  bool rejected() const { return rejected_; }
  // Issues so far (the caller moves them out).
  std::vector<RecordIssue>& issues() { return issues_; }

 private:
  // "<field> '<value>' <why>; <consequence>".
  void Warn(std::string_view code, std::string_view field, std::string_view value,
            std::string_view why, std::string_view consequence = "field left empty");
  RecordIssue MakeIssue(std::string_view code, std::string reason, bool warning) const;

  const RecordMapper& mapper_;
  const RecordView& view_;
  const RecordFile& file_;
  std::string json_path_;
  std::vector<RecordIssue> issues_;
  bool rejected_ = false;
};

}  // namespace vigil::ingest::exportjson
