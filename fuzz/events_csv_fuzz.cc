// Fuzzes the CSV request-event parser. The input is split into lines: the first non-blank one
// is the header. Checks: no crash; a rejection has a known code and a reason; a request holds
// a status in 100..599, a latency in [0, 1e13 µs], an upper-case method token, a route
// starting with '/' and/or a path starting with '/' or http(s)://; parsing is deterministic (a
// second parser fed the same lines agrees); and an accepted row written back as an NDJSON
// object parses to the same request with the NDJSON parser.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events_fuzz_check.h"

#include "vigil/core/check.h"
#include "vigil/core/time.h"
#include "vigil/ingest/events.h"
#include "vigil/ingest/routes.h"

namespace {

using vigil::fuzz::Outcome;
using vigil::fuzz::Request;
using vigil::fuzz::RequestParser;
using vigil::fuzz::Seen;

bool KnownCode(std::string_view code) {
  constexpr std::string_view kCodes[] = {
      "missing_column", "duplicate_column", "bad_header",    "field_count", "unterminated_quote",
      "bad_quote",      "missing_field",    "bad_timestamp", "bad_status",  "bad_duration",
      "bad_method",     "bad_route",        "bad_path",      "wrong_type",  "conflicting_fields"};
  for (std::string_view c : kCodes) {
    if (code == c) {
      return true;
    }
  }
  return false;
}

// `s` as a JSON string.
void AppendJsonString(std::string_view s, std::string* out) {
  constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 0xF]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// Writes an accepted row as an NDJSON object and checks the NDJSON parser reads the same.
void CheckNdjsonAgrees(const Seen& seen) {
  for (const std::string* s :
       {&seen.service, &seen.environment, &seen.version, &seen.method, &seen.target, &seen.route}) {
    if (!simdjson::validate_utf8(s->data(), s->size())) {
      return;  // JSON text is UTF-8; CSV fields are bytes.
    }
  }
  const std::string time =
      vigil::core::FormatRfc3339(vigil::core::Timestamp::FromUnixMillis(seen.time_ms));
  if (time.empty() || time[0] < '0' || time[0] > '9') {
    return;  // Outside 0000..9999: FormatRfc3339 writes what ParseRfc3339 does not read.
  }
  std::string line = "{\"timestamp\":";
  AppendJsonString(time, &line);
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"service", &seen.service}, {"environment", &seen.environment},
      {"version", &seen.version}, {"method", &seen.method},
      {"route", &seen.route},     {"path", &seen.target}};
  for (const auto& [name, value] : fields) {
    line += ",\"";
    line += name;
    line += "\":";
    AppendJsonString(*value, &line);
  }
  line += ",\"status\":";
  line += std::to_string(seen.status);
  if (seen.latency_us >= 0) {
    line += ",\"duration_us\":";
    line += std::to_string(seen.latency_us);
  }
  line += "}";
  std::unique_ptr<RequestParser> ndjson = vigil::ingest::MakeNdjsonEventParser();
  const Seen again = vigil::fuzz::ParseOnce(ndjson.get(), line, KnownCode);
  VIGIL_CHECK(again == seen, "NDJSON reads the row differently");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<RequestParser> parser = vigil::ingest::MakeCsvEventParser();
  std::unique_ptr<RequestParser> twin = vigil::ingest::MakeCsvEventParser();
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const Seen first = vigil::fuzz::ParseOnce(parser.get(), line, KnownCode);
    const std::string copy(line);
    const Seen second = vigil::fuzz::ParseOnce(twin.get(), copy, KnownCode);
    VIGIL_CHECK(first == second, "parsing is not deterministic");
    if (first.outcome == Outcome::kRequest) {
      CheckNdjsonAgrees(first);
    }
  }
  return 0;
}
