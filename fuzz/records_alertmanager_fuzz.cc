// Fuzzes ParseAlertmanagerPayloads (src/vigil/ingest/records_alertmanager.cc). The input is
// split into files at each "\n----\n". Checks: no crash; no error (the built-in mappings always
// compile); alerts are "alertmanager", sorted and unique by (fingerprint, starts_at), with a
// fingerprint and an end (when known) not before the start; every rejection is one issue with
// a code, a reason and a known file; parsing is deterministic; and reversing the files keeps
// the alerts' keys and ends (the latest resolved end does not depend on the order).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/ingest/records_alertmanager.h"

namespace {

using vigil::Result;
using vigil::ingest::AdapterOptions;
using vigil::ingest::ParsedRecords;
using vigil::ingest::RecordFile;
using vigil::ingest::RecordIssue;

constexpr std::string_view kSeparator = "\n----\n";

std::vector<RecordFile> Split(std::string_view text) {
  std::vector<RecordFile> files;
  size_t start = 0;
  while (files.size() < 16) {
    const size_t end = text.find(kSeparator, start);
    const std::string_view chunk =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    std::string name = "f";
    name += std::to_string(files.size());
    name += ".json";
    files.push_back(RecordFile{std::move(name), chunk});
    if (end == std::string_view::npos) {
      break;
    }
    start = end + kSeparator.size();
  }
  return files;
}

using Key = std::tuple<std::string, int64_t, std::optional<int64_t>>;

std::vector<Key> Keys(const ParsedRecords& parsed) {
  std::vector<Key> keys;
  for (const auto& a : parsed.batch.alerts) {
    std::optional<int64_t> end;
    if (a.ends_at) {
      end = a.ends_at->unix_ms();
    }
    keys.emplace_back(a.fingerprint, a.starts_at.unix_ms(), end);
  }
  return keys;
}

void CheckShape(const ParsedRecords& parsed, const std::vector<RecordFile>& files) {
  int64_t rejections = 0;
  for (const RecordIssue& issue : parsed.issues) {
    VIGIL_CHECK(!issue.code.empty() && !issue.reason.empty(), "an issue without code or reason");
    VIGIL_CHECK(std::any_of(files.begin(), files.end(),
                            [&](const RecordFile& f) { return f.name == issue.file; }),
                "an issue names an unknown file");
    rejections += issue.warning ? 0 : 1;
  }
  VIGIL_CHECK(rejections == parsed.rejected, "rejected does not count the rejection issues");
  VIGIL_CHECK(parsed.batch.size() == parsed.batch.alerts.size(), "only alerts");
  const auto& alerts = parsed.batch.alerts;
  for (size_t i = 0; i < alerts.size(); ++i) {
    const auto& a = alerts[i];
    VIGIL_CHECK(a.source == "alertmanager" && !a.fingerprint.empty(), "alert source/fingerprint");
    VIGIL_CHECK(!a.ends_at || *a.ends_at >= a.starts_at, "an alert ends before it starts");
    if (i > 0) {
      const auto& b = alerts[i - 1];
      VIGIL_CHECK(std::tie(b.fingerprint, b.starts_at) < std::tie(a.fingerprint, a.starts_at),
                  "alerts not sorted and unique by (fingerprint, starts_at)");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<RecordFile> files = Split(text);
  for (const RecordFile& file : files) {
    (void)vigil::ingest::LooksLikeAlertmanagerPayload(file.data);
  }
  const AdapterOptions options;
  const Result<ParsedRecords> first = vigil::ingest::ParseAlertmanagerPayloads(files, options);
  VIGIL_CHECK(first.ok(), "the defaults failed");
  CheckShape(*first, files);

  const Result<ParsedRecords> again = vigil::ingest::ParseAlertmanagerPayloads(files, options);
  VIGIL_CHECK(again.ok() && again->batch.alerts == first->batch.alerts &&
                  again->rejected == first->rejected,
              "parsing is not deterministic");

  std::reverse(files.begin(), files.end());
  const Result<ParsedRecords> reversed = vigil::ingest::ParseAlertmanagerPayloads(files, options);
  VIGIL_CHECK(reversed.ok(), "the defaults failed");
  CheckShape(*reversed, files);
  VIGIL_CHECK(Keys(*reversed) == Keys(*first) && reversed->rejected == first->rejected,
              "file order changes the alerts' keys or ends");
  return 0;
}
