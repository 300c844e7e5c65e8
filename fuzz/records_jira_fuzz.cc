// Fuzzes the Jira adapter with one file per input. Checks: no crash; the built-in mappings
// compile; every issue names the file, has a known code and a reason; every rejection has an
// issue and every non-warning issue a rejection; a file rejected whole gives no record and
// skips none; defects come out with source "jira", an id, sorted by id; a second parse gives
// the same result.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/ingest/records_jira.h"

namespace {

bool KnownCode(std::string_view code) {
  constexpr std::string_view kCodes[] = {"bad_json",      "unknown_shape", "bad_record",
                                         "missing_field", "bad_time",      "unknown_value"};
  for (std::string_view c : kCodes) {
    if (code == c) {
      return true;
    }
  }
  return false;
}

constexpr std::string_view kName = "exports/jira-p1.json";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string copy(reinterpret_cast<const char*>(data), size);
  const vigil::ingest::RecordFile files[] = {{std::string(kName), copy}};
  vigil::Result<vigil::ingest::ParsedRecords> parsed =
      vigil::ingest::ParseJiraExports(files, vigil::ingest::AdapterOptions{});
  VIGIL_CHECK(parsed.ok(), "the built-in mappings did not compile");
  (void)vigil::ingest::LooksLikeJiraExport(copy);

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
  const std::vector<vigil::model::Defect>& defects = parsed->batch.defects;
  VIGIL_CHECK(!whole_file || (defects.empty() && parsed->skipped == 0),
              "a rejected file gave records");
  for (size_t i = 0; i < defects.size(); ++i) {
    VIGIL_CHECK(defects[i].source == "jira", "wrong source");
    VIGIL_CHECK(!defects[i].id.empty(), "a defect without an id");
    VIGIL_CHECK(i == 0 || defects[i - 1].id <= defects[i].id, "defects not sorted by id");
  }

  vigil::Result<vigil::ingest::ParsedRecords> again =
      vigil::ingest::ParseJiraExports(files, vigil::ingest::AdapterOptions{});
  VIGIL_CHECK(again.ok() && again->batch.defects == defects &&
                  again->rejected == parsed->rejected && again->skipped == parsed->skipped &&
                  again->issues.size() == parsed->issues.size(),
              "a second parse differs");
  return 0;
}
