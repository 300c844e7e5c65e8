// Fuzzes ParseSourceMappings (config/mappings.h) on arbitrary YAML, as each adapter's
// (source, kind) block: any bytes must give mappings or an error naming the origin, never a
// crash. Mappings that parse must hold what the parser promises — known fields, each at most
// once, every rule with exactly one of `from` and `value`, regexes RE2 compiles (so
// RecordMapper::Create succeeds) — and evaluate on a fixed record without crashing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <set>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/config/mappings.h"
#include "vigil/ingest/record_mapping.h"
#include "vigil/model/records.h"

namespace {

using vigil::model::RecordKind;

constexpr std::string_view kRecord = R"({
  "id": "PT4KHLK", "title": "checkout 5xx", "urgency": "high", "priority": {"summary": "P1"},
  "service": {"summary": "Checkout API"}, "labels": ["bug", "customer-reported"],
  "body": "Notes\nHotfix-For: v2.4.1\nAreas: checkout, payments\n", "number": 42,
  "custom_fields": [{"name": "causing_release", "value": "checkout@v2.4.1"}]
})";

struct Fixture {
  simdjson::dom::parser parser;
  vigil::ingest::RecordView view;
  Fixture() {
    simdjson::padded_string record(kRecord);
    if (parser.parse(record).get(view.record) != simdjson::SUCCESS) {
      std::abort();
    }
  }
};

void Check(std::string_view text, std::string_view source, RecordKind kind,
           const Fixture& fixture) {
  vigil::Result<vigil::config::SourceMappings> parsed =
      vigil::config::ParseSourceMappings(text, source, kind, "fuzz");
  if (!parsed.ok()) {
    if (parsed.status().message().rfind("fuzz", 0) != 0) {
      std::abort();
    }
    return;
  }
  const std::vector<std::string_view> known = vigil::config::MappingFields(kind);
  std::set<std::string> seen;
  for (const vigil::config::FieldMapping& field : parsed->fields) {
    if (std::find(known.begin(), known.end(), field.field) == known.end() ||
        !seen.insert(field.field).second || parsed->Find(field.field) != &field) {
      std::abort();
    }
    for (const vigil::config::MappingRule& rule : field.rules) {
      if (rule.from.empty() == !rule.value.has_value()) {
        std::abort();
      }
      if (rule.line < 1) {
        std::abort();
      }
    }
  }
  vigil::Result<vigil::ingest::RecordMapper> mapper =
      vigil::ingest::RecordMapper::Create(*parsed, nullptr);
  if (!mapper.ok()) {
    std::abort();
  }
  for (const vigil::config::FieldMapping& field : parsed->fields) {
    const std::vector<std::string> values = mapper->Values(field.field, fixture.view);
    if (mapper->Value(field.field, fixture.view) !=
        (values.empty() ? std::nullopt : std::optional<std::string>(values.front()))) {
      std::abort();
    }
    if (!values.empty() && !mapper->Has(field.field)) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Every adapter's blocks: the same rules are valid for one kind and not for another.
  const std::pair<std::string_view, RecordKind> blocks[] = {
      {"pagerduty", RecordKind::kIncident}, {"jira", RecordKind::kDefect},
      {"github", RecordKind::kRelease},     {"github", RecordKind::kDeployment},
      {"alertmanager", RecordKind::kAlert},
  };
  for (const auto& [source, kind] : blocks) {
    Check(text, source, kind, *fixture);
  }
  return 0;
}
