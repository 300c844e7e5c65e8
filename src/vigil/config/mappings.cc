#include "vigil/config/mappings.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <map>
#include <span>
#include <utility>

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include "vigil/config/yaml_support.h"

namespace vigil::config {
namespace {

using internal::Closest;
using internal::Quote;
using internal::YamlIssue;

constexpr size_t kMaxPathBytes = 1024;
constexpr size_t kMaxPathSteps = 64;
constexpr int kMaxPredicateDepth = 16;
constexpr size_t kMaxIssuesShown = 20;

// ---------------------------------------------------------------------------------------
// Field and source tables.

// Sorted: MappingFields promises it.
constexpr std::string_view kDeploymentFields[] = {
    "commit", "deployed_at", "environment", "id", "ref", "service", "status", "url", "version"};
constexpr std::string_view kReleaseFields[] = {
    "areas",      "commit", "created_at", "deployed_at", "environment", "hotfix",
    "hotfix_for", "name",   "notes",      "prerelease",  "service",     "tag",
    "team",       "type",   "url",        "version"};
constexpr std::string_view kIncidentFields[] = {
    "alerts",        "area",         "cause",       "cause_service",
    "cause_version", "created_at",   "detected_at", "detection_source",
    "environment",   "escape_phase", "id",          "journey",
    "merged",        "number",       "paths",       "resolved_at",
    "service",       "severity",     "started_at",  "status",
    "team",          "title",        "url"};
constexpr std::string_view kDefectFields[] = {
    "area",     "escape_phase", "found_at", "id",       "incident", "is_bug", "number", "release",
    "reporter", "resolved_at",  "service",  "severity", "status",   "team",   "title",  "url"};
constexpr std::string_view kAlertFields[] = {"ends_at", "fingerprint", "generator_url", "incident",
                                             "rule",    "service",     "starts_at"};

constexpr std::string_view kSources[] = {"github", "pagerduty", "jira", "alertmanager"};
constexpr model::RecordKind kAllKinds[] = {
    model::RecordKind::kDeployment, model::RecordKind::kRelease, model::RecordKind::kIncident,
    model::RecordKind::kDefect, model::RecordKind::kAlert};

std::span<const std::string_view> FieldsOf(model::RecordKind kind) {
  switch (kind) {
    case model::RecordKind::kDeployment:
      return kDeploymentFields;
    case model::RecordKind::kRelease:
      return kReleaseFields;
    case model::RecordKind::kIncident:
      return kIncidentFields;
    case model::RecordKind::kDefect:
      return kDefectFields;
    case model::RecordKind::kAlert:
      return kAlertFields;
  }
  return {};
}

std::string Join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) {
      out += ", ";
    }
    out += w;
  }
  return out;
}

std::string KindNames(const std::vector<model::RecordKind>& kinds) {
  std::string out;
  for (model::RecordKind k : kinds) {
    if (!out.empty()) {
      out += ", ";
    }
    out += model::RecordKindName(k);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Paths.

// A byte that may appear in an unquoted member name.
bool IsNameByte(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c > 0x20 && c != 0x7f && ch != '.' && ch != '[' && ch != ']' && ch != '"' && ch != '\'';
}

class PathParser {
 public:
  explicit PathParser(std::string_view text) : text_(text) {}

  Result<MappingPath> Parse() {
    MappingPath path;
    path.text = std::string(text_);
    if (text_.empty()) {
      return Fail(0, "empty path");
    }
    if (text_.size() > kMaxPathBytes) {
      return Fail(kMaxPathBytes, "longer than " + std::to_string(kMaxPathBytes) + " bytes");
    }
    bool first = true;
    while (pos_ < text_.size()) {
      if (path.steps.size() == kMaxPathSteps) {
        return Fail(pos_, "more than " + std::to_string(kMaxPathSteps) + " steps");
      }
      const char c = text_[pos_];
      Result<PathStep> step = PathStep{};
      if (c == '[') {
        step = Bracket();
      } else if (first) {
        step = Member();
      } else if (c == '.') {
        ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '[') {
          return Fail(pos_, "'[' follows a name directly: write a[0], not a.[0]");
        }
        step = Member();
      } else {
        return Fail(pos_, "expected '.' or '[', got " + Quote(text_.substr(pos_, 1)));
      }
      if (!step.ok()) {
        return step.status();
      }
      path.steps.push_back(*std::move(step));
      first = false;
    }
    return path;
  }

 private:
  Status Fail(size_t pos, std::string_view reason) const {
    std::string message = "column " + std::to_string(pos + 1) + ": ";
    message += reason;
    return InvalidArgumentError(std::move(message));
  }

  Result<PathStep> Member() {
    const size_t start = pos_;
    while (pos_ < text_.size() && IsNameByte(text_[pos_])) {
      ++pos_;
    }
    if (pos_ == start) {
      if (pos_ == text_.size()) {
        return Fail(pos_, "expected a member name at the end");
      }
      const char c = text_[pos_];
      if (c == '.') {
        return Fail(pos_, "expected a member name, got '.' (an empty name)");
      }
      if (c == '"' || c == '\'') {
        return Fail(pos_, "quoted names go in brackets: a[\"b c\"]");
      }
      return Fail(pos_, "expected a member name, got " + Quote(text_.substr(pos_, 1)) +
                            " (names with spaces or brackets go in quotes: a[\"b c\"])");
    }
    std::string_view name = text_.substr(start, pos_ - start);
    if (name == "*") {
      return Fail(start, "'*' is not a member name: write [*] for every element");
    }
    PathStep step;
    step.kind = PathStep::Kind::kMember;
    step.name = std::string(name);
    return step;
  }

  // At '['.
  Result<PathStep> Bracket() {
    const size_t open = pos_;
    ++pos_;
    if (text_.find(']', pos_) == std::string_view::npos) {
      return Fail(open, "unclosed '['");
    }
    PathStep step;
    const char c = text_[pos_];
    if (c == '*') {
      ++pos_;
      step.kind = PathStep::Kind::kAll;
    } else if (c >= '0' && c <= '9') {
      step.kind = PathStep::Kind::kIndex;
      const size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        const int64_t digit = text_[pos_] - '0';
        if (step.index > (INT64_MAX - digit) / 10) {
          return Fail(start, "index too large");
        }
        step.index = step.index * 10 + digit;
        ++pos_;
      }
    } else if (c == '-') {
      return Fail(pos_, "an index must be 0 or more");
    } else if (c == '"' || c == '\'') {
      Result<std::string> name = Quoted();
      if (!name.ok()) {
        return name.status();
      }
      step.kind = PathStep::Kind::kMember;
      step.name = *std::move(name);
    } else {
      VIGIL_RETURN_IF_ERROR(Select(&step));
    }
    if (pos_ == text_.size()) {
      return Fail(open, "unclosed '['");
    }
    if (text_[pos_] != ']') {
      return Fail(pos_, "expected ']', got " + Quote(text_.substr(pos_, 1)));
    }
    ++pos_;
    return step;
  }

  // `key=value` inside brackets; the value is quoted or runs to the ']'.
  Status Select(PathStep* step) {
    const size_t start = pos_;
    while (pos_ < text_.size() && IsNameByte(text_[pos_]) && text_[pos_] != '=') {
      ++pos_;
    }
    if (pos_ == start || pos_ == text_.size() || text_[pos_] != '=') {
      return Fail(start, "expected an index, *, a quoted name or key=value inside '[...]'");
    }
    step->kind = PathStep::Kind::kSelect;
    step->name = std::string(text_.substr(start, pos_ - start));
    ++pos_;  // '='
    if (pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\'')) {
      Result<std::string> value = Quoted();
      if (!value.ok()) {
        return value.status();
      }
      step->value = *std::move(value);
      return OkStatus();
    }
    const size_t value_start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ']' && text_[pos_] != '[') {
      ++pos_;
    }
    if (pos_ == value_start) {
      return Fail(pos_, "expected a value after '=' (write \"\" for an empty one)");
    }
    step->value = std::string(text_.substr(value_start, pos_ - value_start));
    return OkStatus();
  }

  // At a quote: the text up to the matching quote; a backslash takes the next byte as is.
  Result<std::string> Quoted() {
    const size_t open = pos_;
    const char quote = text_[pos_++];
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        ++pos_;
      }
      out += text_[pos_++];
    }
    if (pos_ == text_.size()) {
      return Fail(open, "unterminated quoted name");
    }
    ++pos_;
    return out;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------
// YAML.

int LineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

// One entry of a YAML mapping.
struct Entry {
  std::string name;
  YAML::Node key;
  YAML::Node value;
  std::string path;
  int KeyLine() const { return LineOf(key); }
  // yaml-cpp marks an empty value at the next token, so use the key's line for one.
  int ValueLine() const { return value.IsNull() ? KeyLine() : LineOf(value); }
};

struct Entries {
  std::vector<Entry> items;
  bool had_errors = false;
  const Entry* Find(std::string_view name) const {
    for (const Entry& e : items) {
      if (e.name == name) {
        return &e;
      }
    }
    return nullptr;
  }
};

std::string JoinPath(std::string_view path, std::string_view key) {
  std::string out(path);
  if (!out.empty()) {
    out += '.';
  }
  out += key;
  return out;
}

std::string IndexPath(std::string_view path, size_t index) {
  std::string out(path);
  out += '[';
  out += std::to_string(index);
  out += ']';
  return out;
}

std::string Fold(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) {
    return "";
  }
  s = s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// The reason for an unknown key: "unknown key "x"; did you mean "y"?" or the known list.
std::string UnknownReason(std::string_view what, std::string_view name,
                          std::span<const std::string_view> known) {
  std::string reason = "unknown ";
  reason += what;
  reason += ' ';
  reason += Quote(name);
  const std::string closest = Closest(name, known);
  if (!closest.empty()) {
    reason += "; did you mean " + Quote(closest) + "?";
  } else {
    reason += " (known: " + Join(known) + ")";
  }
  return reason;
}

constexpr std::string_view kRuleKeys[] = {"from",  "value",  "when",     "regex",
                                          "split", "values", "unmatched"};
constexpr std::string_view kPredicateKeys[] = {"path",   "equals", "contains", "matches",
                                               "exists", "any",    "all",      "not"};
constexpr std::string_view kRuleExample = "e.g. {from: service.summary} or {value: internal}";

class MappingsParser {
 public:
  explicit MappingsParser(std::vector<YamlIssue>* issues) : issues_(issues) {}

  std::vector<SourceMappings> Section(const YAML::Node& node, int line, std::string_view path) {
    std::vector<SourceMappings> out;
    if (node.IsNull()) {
      return out;
    }
    if (!node.IsMap()) {
      Error(line, path, "must be a mapping of sources (" + Join(kSources) + ") to record kinds");
      return out;
    }
    Entries sources = Read(node, path, [](std::string_view name) {
      return SourceKinds(name).empty() ? UnknownReason("source", name, kSources) : "";
    });
    for (const Entry& source : sources.items) {
      const std::vector<model::RecordKind> kinds = SourceKinds(source.name);
      if (source.value.IsNull()) {
        continue;
      }
      if (!source.value.IsMap()) {
        Error(source.ValueLine(), source.path,
              "must be a mapping of record kinds (" + KindNames(kinds) + ") to fields");
        continue;
      }
      Entries blocks = Read(source.value, source.path, [&](std::string_view name) {
        return KindProblem(source.name, name, kinds);
      });
      for (const Entry& block : blocks.items) {
        const model::RecordKind kind = *model::ParseRecordKind(block.name);
        out.push_back(Kind(block.value, block.ValueLine(), block.path, source.name, kind));
      }
    }
    return out;
  }

  SourceMappings Kind(const YAML::Node& node, int line, std::string_view path,
                      std::string_view source, model::RecordKind kind) {
    SourceMappings out;
    out.source = std::string(source);
    out.kind = kind;
    if (node.IsNull()) {
      return out;
    }
    const std::span<const std::string_view> fields = FieldsOf(kind);
    const std::string kind_name(model::RecordKindName(kind));
    if (!node.IsMap()) {
      Error(line, path,
            "must be a mapping of " + kind_name + " fields to rules (" + Join(fields) + ")");
      return out;
    }
    Entries entries = Read(node, path, [&](std::string_view name) -> std::string {
      if (std::find(fields.begin(), fields.end(), name) != fields.end()) {
        return "";
      }
      return UnknownReason(kind_name + " field", name, fields);
    });
    for (const Entry& entry : entries.items) {
      out.fields.push_back(Field(entry));
    }
    return out;
  }

 private:
  void Error(int line, std::string_view path, std::string reason) {
    if (over_budget_) {
      return;
    }
    issues_->push_back(YamlIssue{line, std::string(path), std::move(reason)});
  }

  // Counts one visited value; false (once reported) past the budget, which bounds what
  // anchors and aliases can expand to.
  bool Charge(int line) {
    if (over_budget_) {
      return false;
    }
    if (++visited_ > internal::kMaxVisitedValues) {
      // This error alone is reported: the others may only be the expansion's echoes.
      issues_->clear();
      Error(line, "",
            "more than " + std::to_string(internal::kMaxVisitedValues) +
                " values (do anchors and aliases expand too far?)");
      over_budget_ = true;
      return false;
    }
    return true;
  }

  // The entries of a mapping whose keys `problem` accepts (it returns "" for a good key, else
  // the reason); reports non-scalar, rejected and repeated keys.
  template <typename Problem>
  Entries Read(const YAML::Node& node, std::string_view path, Problem problem) {
    Entries out;
    for (auto it = node.begin(); it != node.end(); ++it) {
      // By value: the iterator hands out a temporary pair.
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!Charge(LineOf(key))) {
        out.had_errors = true;
        return out;
      }
      if (!key.IsScalar()) {
        Error(LineOf(key), path, "keys must be plain words");
        out.had_errors = true;
        continue;
      }
      const std::string& name = key.Scalar();
      if (std::string reason = problem(name); !reason.empty()) {
        Error(LineOf(key), JoinPath(path, name), std::move(reason));
        out.had_errors = true;
        continue;
      }
      if (const Entry* first = out.Find(name)) {
        Error(LineOf(key), JoinPath(path, name),
              "duplicate key (first at line " + std::to_string(first->KeyLine()) + ")");
        out.had_errors = true;
        continue;
      }
      out.items.push_back(Entry{name, key, value, JoinPath(path, name)});
    }
    return out;
  }

  static std::string KindProblem(std::string_view source, std::string_view name,
                                 const std::vector<model::RecordKind>& kinds) {
    for (model::RecordKind k : kinds) {
      if (model::RecordKindName(k) == name) {
        return "";
      }
    }
    std::string reason;
    const std::optional<model::RecordKind> kind = model::ParseRecordKind(name);
    if (kind && model::RecordKindName(*kind) == name) {
      reason = std::string(source) + " does not produce " + std::string(name);
    } else {
      std::vector<std::string_view> all;
      for (model::RecordKind k : kAllKinds) {
        all.push_back(model::RecordKindName(k));
      }
      reason = "unknown record kind " + Quote(name);
      const std::string closest = Closest(name, all);
      if (!closest.empty()) {
        reason += " (did you mean " + Quote(closest) + "?)";
      }
    }
    reason += "; ";
    reason += source;
    reason += " produces ";
    reason += KindNames(kinds);
    return reason;
  }

  FieldMapping Field(const Entry& entry) {
    FieldMapping out;
    out.field = entry.name;
    const YAML::Node& node = entry.value;
    if (node.IsNull()) {
      Error(entry.KeyLine(), entry.path,
            "needs a rule (" + std::string(kRuleExample) + "), a list of rules, or [] for none");
    } else if (node.IsMap()) {
      if (std::optional<MappingRule> rule = Rule(node, entry.path)) {
        out.rules.push_back(*std::move(rule));
      }
    } else if (node.IsSequence()) {
      size_t index = 0;
      for (auto it = node.begin(); it != node.end(); ++it, ++index) {
        const YAML::Node item = *it;
        if (!Charge(LineOf(item))) {
          break;
        }
        const std::string path = IndexPath(entry.path, index);
        if (!item.IsMap()) {
          Error(item.IsNull() ? entry.KeyLine() : LineOf(item), path,
                "must be a rule (" + std::string(kRuleExample) + ")");
          continue;
        }
        if (std::optional<MappingRule> rule = Rule(item, path)) {
          out.rules.push_back(*std::move(rule));
        }
      }
    } else {
      Error(entry.ValueLine(), entry.path,
            "must be a rule or a list of rules: write {from: " + Quote(node.Scalar()) +
                "} to read a path, or {value: " + Quote(node.Scalar()) + "} for a literal");
    }
    return out;
  }

  // The scalar text of an entry, or nullopt after reporting it (null, list, mapping; empty
  // when !may_be_empty).
  std::optional<std::string> Scalar(const Entry& e, std::string_view what, bool may_be_empty) {
    if (e.value.IsNull() || !e.value.IsScalar()) {
      Error(e.ValueLine(), e.path, "must be " + std::string(what));
      return std::nullopt;
    }
    if (!may_be_empty && e.value.Scalar().empty()) {
      Error(e.ValueLine(), e.path, "must not be empty");
      return std::nullopt;
    }
    return e.value.Scalar();
  }

  std::optional<MappingPath> Path(const YAML::Node& node, int line, std::string_view path) {
    if (node.IsNull() || !node.IsScalar()) {
      Error(line, path, "must be a path, e.g. service.summary");
      return std::nullopt;
    }
    Result<MappingPath> parsed = ParseMappingPath(node.Scalar());
    if (!parsed.ok()) {
      Error(line, path, "bad path " + Quote(node.Scalar()) + ": " + parsed.status().message());
      return std::nullopt;
    }
    return *std::move(parsed);
  }

  // Reports a pattern RE2 does not compile; true when it does.
  bool CheckRegex(const Entry& e, const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false);
    const RE2 re(pattern, options);
    if (!re.ok()) {
      Error(e.ValueLine(), e.path, "bad regex " + Quote(pattern) + ": " + re.error());
      return false;
    }
    return true;
  }

  std::optional<MappingRule> Rule(const YAML::Node& node, const std::string& path) {
    const int line = LineOf(node);
    Entries entries = Read(node, path, [](std::string_view name) -> std::string {
      if (std::find(std::begin(kRuleKeys), std::end(kRuleKeys), name) != std::end(kRuleKeys)) {
        return "";
      }
      return UnknownReason("rule key", name, kRuleKeys);
    });
    const size_t issues_before = issues_->size();
    MappingRule rule;
    rule.line = line;
    const Entry* from = entries.Find("from");
    const Entry* value = entries.Find("value");
    if (from != nullptr) {
      ReadFrom(*from, &rule.from);
    }
    if (value != nullptr) {
      rule.value = Scalar(*value, "a literal value", /*may_be_empty=*/false);
    }
    if (from != nullptr && value != nullptr) {
      Error(line, path, "give either from (a path) or value (a literal), not both");
    } else if (from == nullptr && value == nullptr && !entries.had_errors) {
      Error(line, path, "needs from (a path) or value (a literal), " + std::string(kRuleExample));
    }
    if (const Entry* when = entries.Find("when")) {
      rule.when = Predicate(when->value, when->ValueLine(), when->path, 1);
    }
    if (const Entry* regex = entries.Find("regex")) {
      if (std::optional<std::string> pattern = Scalar(*regex, "a regular expression", false)) {
        if (CheckRegex(*regex, *pattern)) {
          rule.regex = *pattern;
        }
      }
    }
    if (const Entry* split = entries.Find("split")) {
      if (std::optional<std::string> separator = Scalar(*split, "a separator, e.g. \",\"", false)) {
        rule.split = *separator;
      }
    }
    const Entry* values = entries.Find("values");
    if (values != nullptr) {
      ReadTable(*values, &rule.values);
    }
    if (const Entry* unmatched = entries.Find("unmatched")) {
      if (std::optional<std::string> text = Scalar(*unmatched, "keep or drop", false)) {
        if (*text == "drop" || *text == "keep") {
          rule.drop_unmatched = *text == "drop";
        } else {
          Error(unmatched->ValueLine(), unmatched->path,
                "must be keep or drop, got " + Quote(*text));
        }
        if (values == nullptr) {
          Error(unmatched->KeyLine(), unmatched->path,
                "says what to do with a value the values table lacks, but the rule has no "
                "values table");
        }
      }
    }
    if (entries.had_errors || issues_->size() != issues_before) {
      return std::nullopt;
    }
    return rule;
  }

  void ReadFrom(const Entry& e, std::vector<MappingPath>* out) {
    if (e.value.IsSequence()) {
      if (e.value.size() == 0) {
        Error(e.ValueLine(), e.path, "must name at least one path");
        return;
      }
      size_t index = 0;
      for (auto it = e.value.begin(); it != e.value.end(); ++it, ++index) {
        const YAML::Node item = *it;
        if (!Charge(LineOf(item))) {
          return;
        }
        if (std::optional<MappingPath> p =
                Path(item, item.IsNull() ? e.KeyLine() : LineOf(item), IndexPath(e.path, index))) {
          out->push_back(*std::move(p));
        }
      }
      return;
    }
    if (std::optional<MappingPath> p = Path(e.value, e.ValueLine(), e.path)) {
      out->push_back(*std::move(p));
    }
  }

  void ReadTable(const Entry& e, std::vector<std::pair<std::string, std::string>>* out) {
    if (!e.value.IsMap()) {
      Error(e.ValueLine(), e.path,
            "must be a table of {source value: vigil value}, e.g. {P1: critical, P2: significant}");
      return;
    }
    std::map<std::string, int> folded_lines;
    for (auto it = e.value.begin(); it != e.value.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      const int key_line = LineOf(key);
      if (!Charge(key_line)) {
        return;
      }
      if (!key.IsScalar()) {
        Error(key_line, e.path, "keys must be single values, not lists or mappings");
        continue;
      }
      const std::string path = JoinPath(e.path, key.Scalar());
      if (value.IsNull() || !value.IsScalar()) {
        Error(value.IsNull() ? key_line : LineOf(value), path,
              "must be a single value (write \"\" to map it to nothing)");
        continue;
      }
      auto [first, inserted] = folded_lines.try_emplace(Fold(key.Scalar()), key_line);
      if (!inserted) {
        Error(key_line, path,
              "duplicate key (keys are compared ignoring case and surrounding spaces; first at "
              "line " +
                  std::to_string(first->second) + ")");
        continue;
      }
      out->emplace_back(key.Scalar(), value.Scalar());
    }
  }

  std::optional<MappingPredicate> Predicate(const YAML::Node& node, int line,
                                            const std::string& path, int depth) {
    if (depth > kMaxPredicateDepth) {
      Error(line, path,
            "predicates nested deeper than " + std::to_string(kMaxPredicateDepth) + " levels");
      return std::nullopt;
    }
    if (!node.IsMap()) {
      Error(line, path,
            "must be a predicate: {path: P, equals|contains|matches|exists: ...} or "
            "{any: [...]}, {all: [...]}, {not: {...}}");
      return std::nullopt;
    }
    Entries entries = Read(node, path, [](std::string_view name) -> std::string {
      if (std::find(std::begin(kPredicateKeys), std::end(kPredicateKeys), name) !=
          std::end(kPredicateKeys)) {
        return "";
      }
      return UnknownReason("predicate key", name, kPredicateKeys);
    });
    if (entries.had_errors) {
      return std::nullopt;
    }
    const size_t issues_before = issues_->size();
    MappingPredicate out;
    std::vector<const Entry*> combinators;
    std::vector<const Entry*> tests;
    for (std::string_view name : {"any", "all", "not"}) {
      if (const Entry* e = entries.Find(name)) {
        combinators.push_back(e);
      }
    }
    for (std::string_view name : {"equals", "contains", "matches", "exists"}) {
      if (const Entry* e = entries.Find(name)) {
        tests.push_back(e);
      }
    }
    const Entry* path_entry = entries.Find("path");
    if (!combinators.empty()) {
      if (combinators.size() > 1 || !tests.empty() || path_entry != nullptr) {
        Error(line, path,
              "any, all and not each stand alone: nest them, e.g. {all: [{any: [...]}, {not: "
              "...}]}");
        return std::nullopt;
      }
      const Entry& c = *combinators.front();
      if (c.name == "not") {
        out.op = MappingPredicate::Op::kNot;
        YAML::Node child = c.value;
        if (child.IsSequence()) {
          if (child.size() != 1) {
            Error(c.ValueLine(), c.path,
                  "takes exactly one predicate, got " + std::to_string(child.size()));
            return std::nullopt;
          }
          child = child[0];
        }
        if (std::optional<MappingPredicate> p =
                Predicate(child, child.IsNull() ? c.KeyLine() : LineOf(child), c.path, depth + 1)) {
          out.children.push_back(*std::move(p));
        }
      } else {
        out.op = c.name == "any" ? MappingPredicate::Op::kAny : MappingPredicate::Op::kAll;
        if (!c.value.IsSequence() || c.value.size() == 0) {
          Error(c.ValueLine(), c.path, "must be a non-empty list of predicates");
          return std::nullopt;
        }
        size_t index = 0;
        for (auto it = c.value.begin(); it != c.value.end(); ++it, ++index) {
          const YAML::Node item = *it;
          if (!Charge(LineOf(item))) {
            return std::nullopt;
          }
          if (std::optional<MappingPredicate> p =
                  Predicate(item, item.IsNull() ? c.KeyLine() : LineOf(item),
                            IndexPath(c.path, index), depth + 1)) {
            out.children.push_back(*std::move(p));
          }
        }
      }
    } else {
      if (path_entry == nullptr || tests.size() != 1) {
        Error(line, path,
              path_entry == nullptr
                  ? "needs path and one of equals, contains, matches, exists (or any/all/not)"
                  : "give exactly one of equals, contains, matches or exists with path");
        return std::nullopt;
      }
      if (std::optional<MappingPath> p =
              Path(path_entry->value, path_entry->ValueLine(), path_entry->path)) {
        out.path = *std::move(p);
      }
      const Entry& t = *tests.front();
      if (t.name == "equals") {
        out.op = MappingPredicate::Op::kEquals;
        out.operand = Scalar(t, "a single value (write \"\" for an empty one)", true).value_or("");
      } else if (t.name == "contains") {
        out.op = MappingPredicate::Op::kContains;
        out.operand = Scalar(t, "a text to look for", false).value_or("");
      } else if (t.name == "matches") {
        out.op = MappingPredicate::Op::kMatches;
        if (std::optional<std::string> pattern = Scalar(t, "a regular expression", false)) {
          if (CheckRegex(t, *pattern)) {
            out.operand = *pattern;
          }
        }
      } else {
        out.op = MappingPredicate::Op::kExists;
        if (std::optional<std::string> text = Scalar(t, "true or false", false)) {
          const std::string folded = Fold(*text);
          if (folded == "true" || folded == "false") {
            out.exists = folded == "true";
          } else {
            Error(t.ValueLine(), t.path, "must be true or false, got " + Quote(*text));
          }
        }
      }
    }
    if (issues_->size() != issues_before) {
      return std::nullopt;
    }
    return out;
  }

  std::vector<YamlIssue>* issues_;
  int visited_ = 0;
  bool over_budget_ = false;
};

std::string FormatIssues(std::vector<YamlIssue> issues, std::string_view origin) {
  std::stable_sort(issues.begin(), issues.end(),
                   [](const YamlIssue& a, const YamlIssue& b) { return a.line < b.line; });
  std::string message;
  size_t shown = 0;
  for (const YamlIssue& issue : issues) {
    if (shown == kMaxIssuesShown) {
      message += "\n";
      message += origin;
      message += ": ... and " + std::to_string(issues.size() - shown) + " more";
      break;
    }
    if (!message.empty()) {
      message += '\n';
    }
    message += origin;
    if (issue.line > 0) {
      message += ":" + std::to_string(issue.line);
    }
    message += ": ";
    if (!issue.path.empty()) {
      message += issue.path;
      message += ": ";
    }
    message += issue.reason;
    ++shown;
  }
  return message;
}

}  // namespace

// -----------------------------------------------------------------------------------------
// Public API.

Result<MappingPath> ParseMappingPath(std::string_view text) {
  return PathParser(text).Parse();
}

const FieldMapping* SourceMappings::Find(std::string_view field) const {
  for (const FieldMapping& f : fields) {
    if (f.field == field) {
      return &f;
    }
  }
  return nullptr;
}

std::vector<std::string_view> MappingFields(model::RecordKind kind) {
  const std::span<const std::string_view> fields = FieldsOf(kind);
  return std::vector<std::string_view>(fields.begin(), fields.end());
}

std::vector<model::RecordKind> SourceKinds(std::string_view source) {
  using model::RecordKind;
  if (source == "github") {
    return {RecordKind::kDeployment, RecordKind::kRelease, RecordKind::kDefect};
  }
  if (source == "pagerduty") {
    return {RecordKind::kIncident};
  }
  if (source == "jira") {
    return {RecordKind::kDefect};
  }
  if (source == "alertmanager") {
    return {RecordKind::kAlert};
  }
  return {};
}

Result<SourceMappings> ParseSourceMappings(std::string_view yaml_text, std::string_view source,
                                           model::RecordKind kind, std::string_view origin) {
  std::vector<YamlIssue> issues;
  const std::vector<model::RecordKind> kinds = SourceKinds(source);
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    issues.push_back(YamlIssue{0, "",
                               kinds.empty() ? "unknown source " + Quote(source)
                                             : std::string(source) + " does not produce " +
                                                   std::string(model::RecordKindName(kind))});
    return InvalidArgumentError(FormatIssues(std::move(issues), origin));
  }
  YamlIssue issue;
  YAML::Node root;
  if (!internal::CheckYamlBounds(yaml_text, &issue) ||
      !internal::LoadSingleDocument(yaml_text, &root, &issue)) {
    issues.push_back(std::move(issue));
    return InvalidArgumentError(FormatIssues(std::move(issues), origin));
  }
  SourceMappings out;
  try {
    MappingsParser parser(&issues);
    out = parser.Kind(root, 1, "", source, kind);
  } catch (const std::exception& e) {
    issues.push_back(YamlIssue{0, "", std::string("reading YAML: ") + e.what()});
  }
  if (!issues.empty()) {
    return InvalidArgumentError(FormatIssues(std::move(issues), origin));
  }
  return out;
}

namespace internal {

std::vector<SourceMappings> ParseMappingsSection(const YAML::Node& node, int line,
                                                 std::string_view path,
                                                 std::vector<YamlIssue>* issues) {
  try {
    MappingsParser parser(issues);
    return parser.Section(node, line, path);
  } catch (const std::exception& e) {
    issues->push_back(YamlIssue{line, std::string(path), std::string("reading YAML: ") + e.what()});
    return {};
  }
}

}  // namespace internal
}  // namespace vigil::config
