#include "vigil/ingest/record_adapter.h"

#include <string>
#include <utility>

#include "vigil/core/text.h"

namespace vigil::ingest {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         core::EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

}  // namespace

Result<RecordMapper> MakeAdapterMapper(std::string_view defaults_yaml, std::string_view source,
                                       model::RecordKind kind, const config::SourceMappings* user) {
  std::string origin(source);
  origin += ' ';
  origin += model::RecordKindName(kind);
  origin += " defaults";
  Result<config::SourceMappings> defaults =
      config::ParseSourceMappings(defaults_yaml, source, kind, origin);
  if (!defaults.ok()) {
    // The defaults are ours: failing to parse them is a bug, not the user's input.
    return InternalError(defaults.status().message());
  }
  return RecordMapper::Create(*defaults, user);
}

std::optional<bool> ParseMappedBool(std::string_view text) {
  text = Trim(text);
  for (std::string_view yes : {"true", "yes", "1"}) {
    if (core::EqualsIgnoreCase(text, yes)) {
      return true;
    }
  }
  for (std::string_view no : {"false", "no", "0"}) {
    if (core::EqualsIgnoreCase(text, no)) {
      return false;
    }
  }
  return std::nullopt;
}

std::string_view FileStem(std::string_view path) {
  const size_t slash = path.find_last_of("/\\");
  if (slash != std::string_view::npos) {
    path.remove_prefix(slash + 1);
  }
  if (EndsWithIgnoreCase(path, ".gz")) {
    path.remove_suffix(3);
  }
  if (EndsWithIgnoreCase(path, ".json")) {
    path.remove_suffix(5);
  }
  return path;
}

bool IsUnsetTime(std::string_view text) {
  text = Trim(text);
  // Go's zero time.Time; written in UTC by every tool we read, but accept any offset or
  // fraction after the clock.
  return text.empty() || text.substr(0, 19) == "0001-01-01T00:00:00";
}

std::string_view StripByteOrderMark(std::string_view data) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") {
    data.remove_prefix(3);
  }
  return data;
}

std::optional<std::string_view> JsonStringMember(simdjson::dom::element value,
                                                 std::string_view key) {
  simdjson::dom::object object;
  std::string_view s;
  if (value.get_object().get(object) != simdjson::SUCCESS ||
      object.at_key(key).get(s) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return s;
}

std::string MappedRecord::Text(std::string_view field) const {
  return mapper_.Value(field, view_).value_or("");
}

std::vector<std::string> MappedRecord::Texts(std::string_view field) const {
  return mapper_.Values(field, view_);
}

std::string MappedRecord::Required(std::string_view field) {
  std::string value = Text(field);
  if (value.empty()) {
    Fail("missing_field", field, "maps to nothing (required)");
  }
  return value;
}

std::optional<core::Timestamp> MappedRecord::Time(std::string_view field, bool required) {
  const std::string text = Text(field);
  if (IsUnsetTime(text)) {
    if (required) {
      Fail("missing_field", field, "maps to nothing (required)");
    }
    return std::nullopt;
  }
  Result<core::Timestamp> t = core::ParseRfc3339(text);
  if (!t.ok()) {
    std::string why = core::QuoteForMessage(text);
    why += " is not an RFC 3339 time: ";
    why += t.status().message();
    Fail("bad_time", field, why);
    return std::nullopt;
  }
  return *t;
}

bool MappedRecord::Bool(std::string_view field) {
  const std::string text = Text(field);
  if (text.empty()) {
    return false;
  }
  std::optional<bool> b = ParseMappedBool(text);
  if (!b) {
    std::string why = core::QuoteForMessage(text);
    why += " is not a boolean, read as false";
    warnings_.emplace_back(std::string(field), std::move(why));
    return false;
  }
  return *b;
}

bool MappedRecord::IsUnknownWord(std::string_view text) {
  return core::EqualsIgnoreCase(Trim(text), "unknown");
}

void MappedRecord::Warn(std::string_view field, std::string_view text) {
  std::string why = core::QuoteForMessage(text);
  why += " is not a value vigil knows, read as unknown";
  warnings_.emplace_back(std::string(field), std::move(why));
}

void MappedRecord::Fail(std::string_view code, std::string_view field, std::string_view why) {
  if (failed()) {
    return;
  }
  code_ = std::string(code);
  reason_ = std::string(field);
  reason_ += ": ";
  reason_ += why;
}

}  // namespace vigil::ingest
