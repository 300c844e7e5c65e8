// Fuzzes the PagerDuty adapter with one file per input, named like a child file
// (`PFUZZ01-p2.json`) and with a --parent, so every way of finding a parent is exercised.
// Checks: no crash; the built-in mappings compile; every issue names the file, has a known
// code and a reason; every rejection has an issue and every non-warning issue at least one
// rejection (an orphan issue stands for all the children it names); a
// file rejected whole gives no record; incidents come out with source "pagerduty", unique
// ids in order, and pass validation (resolved no earlier than detection, no impact start after
// it); a second parse gives the same result.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/ingest/records_pagerduty.h"

namespace {

bool KnownCode(std::string_view code) {
  constexpr std::string_view kCodes[] = {"bad_json",
                                         "unknown_shape",
                                         "bad_record",
                                         "missing_field",
                                         "bad_time",
                                         "unknown_value",
                                         "orphan",
                                         "resolved_before_detection",
                                         "impact_after_detection"};
  for (std::string_view c : kCodes) {
    if (code == c) {
      return true;
    }
  }
  return false;
}

constexpr std::string_view kName = "exports/PFUZZ01-p2.json";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string copy(reinterpret_cast<const char*>(data), size);
  const vigil::ingest::RecordFile files[] = {{std::string(kName), copy}};
  vigil::ingest::AdapterOptions options;
  options.parent = "PFUZZ02";
  vigil::Result<vigil::ingest::ParsedRecords> parsed =
      vigil::ingest::ParsePagerdutyExports(files, options);
  VIGIL_CHECK(parsed.ok(), "the built-in mappings did not compile");
  (void)vigil::ingest::LooksLikePagerdutyExport(copy);

  int64_t rejections = 0;
  bool whole_file = false;
  for (const vigil::ingest::RecordIssue& issue : parsed->issues) {
    VIGIL_CHECK(issue.file == kName, "an issue names another file");
    VIGIL_CHECK(KnownCode(issue.code), "unknown issue code");
    VIGIL_CHECK(!issue.reason.empty(), "an issue without a reason");
    if (!issue.warning) {
      ++rejections;
    }
    whole_file = whole_file || issue.code == "bad_json" || issue.code == "unknown_shape";
  }
  VIGIL_CHECK(rejections <= parsed->rejected, "a rejection issue was not counted");
  VIGIL_CHECK((rejections == 0) == (parsed->rejected == 0), "a rejection without an issue");
  VIGIL_CHECK(parsed->skipped == 0, "PagerDuty skips nothing");
  const std::vector<vigil::model::Incident>& incidents = parsed->batch.incidents;
  VIGIL_CHECK(!whole_file || incidents.empty(), "a rejected file gave records");
  for (size_t i = 0; i < incidents.size(); ++i) {
    const vigil::model::Incident& incident = incidents[i];
    VIGIL_CHECK(incident.source == "pagerduty", "wrong source");
    VIGIL_CHECK(!incident.id.empty(), "an incident without an id");
    VIGIL_CHECK(i == 0 || incidents[i - 1].id < incident.id, "ids not unique and sorted");
    const vigil::core::Timestamp detection = incident.detected_at.value_or(incident.created_at);
    VIGIL_CHECK(!incident.resolved_at || *incident.resolved_at >= detection,
                "resolved before detection");
    VIGIL_CHECK(!incident.started_at || *incident.started_at <= detection,
                "impact start after detection");
  }

  vigil::Result<vigil::ingest::ParsedRecords> again =
      vigil::ingest::ParsePagerdutyExports(files, options);
  VIGIL_CHECK(again.ok() && again->batch.incidents == incidents &&
                  again->rejected == parsed->rejected &&
                  again->issues.size() == parsed->issues.size(),
              "a second parse differs");
  return 0;
}
