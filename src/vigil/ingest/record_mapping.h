// Evaluates the mapping language (config/mappings.h) against one record of a tool's export,
// parsed with simdjson's DOM. Pure; RE2 for regexes (linear time: hostile patterns or inputs
// cannot blow up). Thread-compatible: a RecordMapper is immutable after Create and may be
// shared by threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config/mappings.h"
#include "vigil/core/status.h"

namespace vigil::ingest {

// One record as the mapper sees it: the record's JSON object, plus children an adapter found
// in other files (PagerDuty custom-field values or log entries, GitHub deployment statuses),
// named by the member they would have had if embedded. A path whose first step names a child
// collection reads the children (every element, as if `name[*]`), else the record's member.
struct RecordView {
  simdjson::dom::element record;
  std::map<std::string, std::vector<simdjson::dom::element>, std::less<>> children;
  // Member aliases for objects the record holds, e.g. Jira's `names` ("Customer Impact" →
  // "customfield_10050"), keys case-folded: a member step that finds no member named so
  // tries the alias. May be null.
  const std::map<std::string, std::string, std::less<>>* aliases = nullptr;
};

class RecordMapper {
 public:
  // `defaults`: the adapter's built-in rules; `user`: vigil.yaml's block for the same source
  // and kind, or null. A field in `user` replaces that field's default rules. Regexes are
  // compiled here (kInvalidArgument naming the field and rule line if one does not compile).
  static Result<RecordMapper> Create(const config::SourceMappings& defaults,
                                     const config::SourceMappings* user);

  // Every value the first yielding rule of `field` gives (empty: no rule yields, or no rule).
  std::vector<std::string> Values(std::string_view field, const RecordView& view) const;
  // The first of Values(), or nullopt.
  std::optional<std::string> Value(std::string_view field, const RecordView& view) const;
  // Whether any rule (default or user) exists for `field`.
  bool Has(std::string_view field) const;

  struct Compiled;  // Internal, defined in record_mapping.cc.

 private:
  explicit RecordMapper(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

// Values a path yields on `view` (the path rules of config/mappings.h). Exposed for tests and
// for adapters that read a member directly.
std::vector<std::string> EvaluatePath(const config::MappingPath& path, const RecordView& view);

}  // namespace vigil::ingest
