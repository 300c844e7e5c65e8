// Fuzzes the mapping language's paths (config/mappings.h): any bytes must parse to a path or
// fail with "column N: ..." inside the text, never crash; a path that parses keeps its text,
// parses the same way again, and evaluates on a fixed record (with child collections and
// aliases) without crashing, yielding at most as many values as the record has scalars.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config/mappings.h"
#include "vigil/ingest/record_mapping.h"

namespace {

constexpr std::string_view kRecord = R"({
  "id": "PT4KHLK", "incident_number": 1234, "ratio": 1.5, "open": true, "resolved_at": null,
  "service": {"id": "PSVC9", "summary": "Checkout API"},
  "priority": {"summary": "P1"}, "labels": ["bug", "customer-reported", 3],
  "teams": [{"summary": "payments"}, {"summary": "web"}],
  "fields": {"customfield_10050": {"value": "Customer"}, "key with.dots": "x"},
  "nested": [[1, 2], [3, [4]]], "custom_fields": [{"name": "embedded", "value": "y"}]
})";
constexpr std::string_view kChildren = R"([
  {"id": "PT2VX4C", "name": "impact_start", "value": "2024-06-10T08:05:00Z"},
  {"name": "causing_release", "value": {"value": "checkout@v2.4.1"}}, "odd", null
])";
// Every scalar of kRecord and kChildren, counted by hand: record 4 + 2 + 1 + 3 + 2 + 2 + 4 + 2,
// children 3 + 2 + 1 = 26. A path yields each at most once per way of reaching it; [*] and
// member steps never duplicate an element, so no path yields more.
constexpr size_t kMaxValues = 26;

struct Fixture {
  simdjson::dom::parser record_parser;
  simdjson::dom::parser children_parser;
  vigil::ingest::RecordView view;
  std::map<std::string, std::string, std::less<>> aliases = {
      {"customer impact", "customfield_10050"}, {"team", "teams"}};

  Fixture() {
    simdjson::padded_string record(kRecord);
    simdjson::padded_string children(kChildren);
    simdjson::dom::element root;
    simdjson::dom::element list;
    if (record_parser.parse(record).get(root) != simdjson::SUCCESS ||
        children_parser.parse(children).get(list) != simdjson::SUCCESS) {
      std::abort();
    }
    view.record = root;
    simdjson::dom::array array;
    if (list.get_array().get(array) != simdjson::SUCCESS) {
      std::abort();
    }
    std::vector<simdjson::dom::element> elements;
    for (simdjson::dom::element e : array) {
      elements.push_back(e);
    }
    view.children.emplace("custom_fields", std::move(elements));
    view.aliases = &aliases;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::Result<vigil::config::MappingPath> path = vigil::config::ParseMappingPath(text);
  if (!path.ok()) {
    const vigil::Status status = path.status();  // by value: message() refers into it
    const std::string& message = status.message();
    if (message.rfind("column ", 0) != 0) {
      std::abort();
    }
    const unsigned long column = std::strtoul(message.c_str() + 7, nullptr, 10);
    if (column < 1 || column > size + 1) {
      std::abort();
    }
    return 0;
  }
  if (path->text != text || path->steps.empty()) {
    std::abort();
  }
  vigil::Result<vigil::config::MappingPath> again = vigil::config::ParseMappingPath(text);
  if (!again.ok() || !(*again == *path)) {
    std::abort();
  }
  for (const vigil::config::PathStep& step : path->steps) {
    if (step.kind == vigil::config::PathStep::Kind::kIndex && step.index < 0) {
      std::abort();
    }
  }
  const std::vector<std::string> values = vigil::ingest::EvaluatePath(*path, fixture->view);
  if (values.size() > kMaxValues) {
    std::abort();
  }
  return 0;
}
