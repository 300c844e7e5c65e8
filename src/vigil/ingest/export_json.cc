#include "vigil/ingest/export_json.h"

#include <utility>

#include "vigil/core/text.h"

namespace vigil::ingest::exportjson {
namespace {

constexpr bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsJsonSpace(s[i])) {
    ++i;
  }
  return i;
}

// `s[i]` is '"': the index just past the closing quote, or npos when there is none.
size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;  // The escaped byte cannot close the string.
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// `s[i]` starts a value: the index just past it, or npos on syntax this scan cannot follow.
size_t SkipValue(std::string_view s, size_t i) {
  if (s[i] == '"') {
    return SkipString(s, i);
  }
  if (s[i] != '{' && s[i] != '[') {
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsJsonSpace(s[i])) {
      ++i;
    }
    return i;
  }
  size_t depth = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      i = SkipString(s, i);
      if (i == std::string_view::npos) {
        return i;
      }
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        return i + 1;
      }
    }
    ++i;
  }
  return std::string_view::npos;
}

bool IsIdChar(char c) {
  return core::IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '-' || c == '.';
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         core::EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

bool ScanTopLevelMembers(
    std::string_view data,
    const std::function<bool(std::string_view key, char value_start)>& on_member) {
  size_t i = 0;
  if (data.substr(0, 3) == "\xEF\xBB\xBF") {
    i = 3;
  }
  i = SkipSpace(data, i);
  if (i >= data.size() || data[i] != '{') {
    return false;
  }
  ++i;
  for (;;) {
    i = SkipSpace(data, i);
    if (i >= data.size() || data[i] != '"') {
      return false;  // '}' (the end) or syntax we do not follow.
    }
    const size_t key_end = SkipString(data, i);
    if (key_end == std::string_view::npos) {
      return false;
    }
    const std::string_view key = data.substr(i + 1, key_end - i - 2);
    i = SkipSpace(data, key_end);
    if (i >= data.size() || data[i] != ':') {
      return false;
    }
    i = SkipSpace(data, i + 1);
    if (i >= data.size()) {
      return false;
    }
    if (on_member(key, data[i])) {
      return true;
    }
    i = SkipValue(data, i);
    if (i == std::string_view::npos) {
      return false;
    }
    i = SkipSpace(data, i);
    if (i >= data.size() || data[i] != ',') {
      return false;
    }
    ++i;
  }
}

std::unique_ptr<JsonFile> LoadJsonFile(const RecordFile& file, size_t order,
                                       simdjson::dom::parser* parser, std::string* error) {
  auto loaded = std::make_unique<JsonFile>();
  loaded->file = &file;
  loaded->order = order;
  loaded->doc = std::make_unique<simdjson::dom::document>();
  // realloc_if_needed: the importer's bytes have no SIMDJSON_PADDING to spare, so simdjson
  // copies them; the document then owns everything its elements point to.
  const simdjson::error_code err =
      parser->parse_into_document(*loaded->doc, file.data.data(), file.data.size())
          .get(loaded->root);
  if (err != simdjson::SUCCESS) {
    *error = "not valid JSON: ";
    *error += simdjson::error_message(err);
    return nullptr;
  }
  return loaded;
}

std::optional<std::string_view> StringMember(simdjson::dom::element object, std::string_view key) {
  std::string_view text;
  if (object[key].get(text) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return text;
}

std::string IdText(simdjson::dom::element value) {
  std::string_view text;
  if (value.get(text) == simdjson::SUCCESS) {
    return std::string(text);
  }
  int64_t i = 0;
  if (value.get(i) == simdjson::SUCCESS) {
    return std::to_string(i);
  }
  uint64_t u = 0;
  if (value.get(u) == simdjson::SUCCESS) {
    return std::to_string(u);
  }
  return "";
}

std::string_view JsonTypeName(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::ARRAY:
      return "an array";
    case simdjson::dom::element_type::OBJECT:
      return "an object";
    case simdjson::dom::element_type::STRING:
      return "a string";
    case simdjson::dom::element_type::BOOL:
      return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

Result<core::Timestamp> ParseExportTime(std::string_view text) {
  Result<core::Timestamp> rfc = core::ParseRfc3339(text);
  if (rfc.ok()) {
    return rfc;
  }
  // Jira: `...36.123+0000`. Rewrite a trailing ±hhmm (after a digit) as ±hh:mm.
  const size_t n = text.size();
  if (n >= 6 && (text[n - 5] == '+' || text[n - 5] == '-') && core::IsDigit(text[n - 6]) &&
      core::AllDigits(text.substr(n - 4))) {
    std::string fixed(text.substr(0, n - 2));
    fixed += ':';
    fixed += text.substr(n - 2);
    return core::ParseRfc3339(fixed);
  }
  return rfc;
}

std::string ParentIdFromFileName(std::string_view name) {
  const size_t slash = name.find_last_of("/\\");
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  if (EndsWithIgnoreCase(base, ".gz")) {
    base.remove_suffix(3);
  }
  if (!EndsWithIgnoreCase(base, ".json")) {
    return "";
  }
  base.remove_suffix(5);
  // A page suffix `-p<digits>`.
  const size_t dash = base.rfind("-p");
  if (dash != std::string_view::npos && dash > 0 && core::AllDigits(base.substr(dash + 2))) {
    base = base.substr(0, dash);
  }
  if (base.empty()) {
    return "";
  }
  for (char c : base) {
    if (!IsIdChar(c)) {
      return "";
    }
  }
  return std::string(base);
}

std::string IndexedPath(std::string_view member, size_t i) {
  std::string path(member);
  path += '[';
  path += std::to_string(i);
  path += ']';
  return path;
}

RecordIssue MakeIssue(const RecordFile& file, std::string_view json_path, std::string_view code,
                      std::string reason) {
  RecordIssue issue;
  issue.file = file.name;
  issue.json_path = std::string(json_path);
  issue.code = std::string(code);
  issue.reason = std::move(reason);
  return issue;
}

std::string AsciiLowerCopy(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = core::AsciiLower(c);
  }
  return out;
}

bool VersionKey::operator<(const VersionKey& other) const {
  if (updated.has_value() != other.updated.has_value()) {
    return !updated.has_value();
  }
  if (updated && *updated != *other.updated) {
    return *updated < *other.updated;
  }
  if (file_order != other.file_order) {
    return file_order < other.file_order;
  }
  return position < other.position;
}

Result<config::SourceMappings> ParseDefaults(std::string_view defaults_yaml,
                                             std::string_view source, model::RecordKind kind) {
  std::string origin(source);
  origin += " defaults";
  return config::ParseSourceMappings(defaults_yaml, source, kind, origin);
}

Result<RecordMapper> MakeMapper(const Result<config::SourceMappings>& defaults,
                                std::string_view source, model::RecordKind kind,
                                const config::SourceMappings* user) {
  if (!defaults.ok()) {
    return defaults.status();
  }
  std::string block = "mappings.";
  block += source;
  block += '.';
  block += model::RecordKindName(kind);
  if (user != nullptr && (user->source != source || user->kind != kind)) {
    std::string message = block;
    message += ": got the block for ";
    message += user->source;
    message += '.';
    message += model::RecordKindName(user->kind);
    return InvalidArgumentError(std::move(message));
  }
  Result<RecordMapper> mapper = RecordMapper::Create(*defaults, user);
  if (!mapper.ok()) {
    return mapper.status().WithPrefix(block);
  }
  return mapper;
}

std::string FieldReader::Text(std::string_view field) const {
  std::optional<std::string> value = mapper_.Value(field, view_);
  return value ? std::move(*value) : std::string();
}

std::vector<std::string> FieldReader::All(std::string_view field) const {
  return mapper_.Values(field, view_);
}

bool FieldReader::Flag(std::string_view field) const {
  const std::string text = AsciiLowerCopy(Text(field));
  return text == "true" || text == "yes" || text == "1";
}

std::optional<core::Timestamp> FieldReader::Time(std::string_view field, TimeUse use,
                                                 bool required) {
  const std::vector<std::string> values = mapper_.Values(field, view_);
  std::optional<core::Timestamp> best;
  for (const std::string& text : values) {
    Result<core::Timestamp> t = ParseExportTime(text);
    if (!t.ok()) {
      if (required) {
        std::string reason(field);
        reason += ' ';
        reason += core::QuoteForMessage(text);
        reason += " is not a time: ";
        reason += t.status().message();
        Reject("bad_time", std::move(reason));
      } else {
        std::string why = "is not a time (";
        why += t.status().message();
        why += ')';
        Warn("bad_time", field, text, why);
      }
      return std::nullopt;
    }
    if (!best || *t > *best) {
      best = *t;
    }
    if (use == TimeUse::kFirst) {
      break;
    }
  }
  return best;
}

void FieldReader::Reject(std::string_view code, std::string reason) {
  if (rejected_) {
    return;  // One reason per rejected record; the first found.
  }
  rejected_ = true;
  issues_.clear();  // Warnings about a record that is not kept would only be noise.
  issues_.push_back(MakeIssue(code, std::move(reason), /*warning=*/false));
}

void FieldReader::Warn(std::string_view code, std::string_view field, std::string_view value,
                       std::string_view why, std::string_view consequence) {
  if (rejected_) {
    return;
  }
  std::string reason(field);
  reason += ' ';
  reason += core::QuoteForMessage(value);
  reason += ' ';
  reason += why;
  reason += "; ";
  reason += consequence;
  issues_.push_back(MakeIssue(code, std::move(reason), /*warning=*/true));
}

RecordIssue FieldReader::MakeIssue(std::string_view code, std::string reason, bool warning) const {
  RecordIssue issue = exportjson::MakeIssue(file_, json_path_, code, std::move(reason));
  issue.warning = warning;
  return issue;
}

}  // namespace vigil::ingest::exportjson
