// What both native-record fuzz targets (records_native_ndjson_fuzz.cc, records_native_csv_fuzz.cc)
// check of one parse: accepted + rejected records never exceed the physical lines; every issue
// names the file, a line in 1..lines, a known code and a reason, and only a dropped impact start
// is a warning; every record holds its required fields, source "native", and the rules DESIGN §2
// sets (an incident resolved no earlier than its detection, an impact start not after it, an
// alert not ending before it starts, a deployment with exactly one status); the same input
// parses to the same result twice. Violations abort.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/core/check.h"
#include "vigil/ingest/record_input.h"
#include "vigil/ingest/records_native.h"
#include "vigil/model/records.h"

namespace vigil::fuzz {

inline bool KnownNativeCode(std::string_view code) {
  constexpr std::string_view kCodes[] = {"bad_json",
                                         "duplicate_field",
                                         "missing_field",
                                         "conflicting_fields",
                                         "wrong_type",
                                         "bad_time",
                                         "bad_bool",
                                         "bad_map",
                                         "resolved_before_detection",
                                         "ends_before_start",
                                         "missing_column",
                                         "duplicate_column",
                                         "field_count",
                                         "unterminated_quote",
                                         "bad_quote",
                                         "impact_after_detection"};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}

inline void CheckRecords(const model::RecordBatch& b) {
  for (const model::Deployment& d : b.deployments) {
    VIGIL_CHECK(d.source == "native", "deployment source");
    VIGIL_CHECK(!d.service.empty() && !d.version.empty(), "deployment without service/version");
    VIGIL_CHECK(!d.environment.empty(), "deployment without environment");
    VIGIL_CHECK(d.statuses.size() == 1, "a native deployment has one status");
  }
  for (const model::Release& r : b.releases) {
    VIGIL_CHECK(r.source == "native", "release source");
    VIGIL_CHECK(!r.service.empty() && !r.version.empty(), "release without service/version");
    for (const std::string& area : r.areas) {
      VIGIL_CHECK(!area.empty(), "empty area");
    }
  }
  for (const model::Incident& i : b.incidents) {
    VIGIL_CHECK(i.source == "native" && !i.id.empty(), "incident source/id");
    const core::Timestamp detection = i.detected_at.value_or(i.created_at);
    VIGIL_CHECK(!i.resolved_at || *i.resolved_at >= detection, "resolved before detection");
    VIGIL_CHECK(!i.started_at || *i.started_at <= detection, "impact start after detection");
    VIGIL_CHECK(!(i.started_at_dropped && i.started_at), "dropped start still set");
  }
  for (const model::Defect& d : b.defects) {
    VIGIL_CHECK(d.source == "native" && !d.id.empty(), "defect source/id");
  }
  for (const model::Alert& a : b.alerts) {
    VIGIL_CHECK(a.source == "native", "alert source");
    VIGIL_CHECK(!a.fingerprint.empty() && !a.rule.empty(), "alert without fingerprint/rule");
    VIGIL_CHECK(!a.ends_at || *a.ends_at >= a.starts_at, "alert ends before it starts");
  }
}

// Parses `data` as `kind` in `format` twice and checks the result.
inline void ParseAndCheck(model::RecordKind kind, std::string_view data,
                          ingest::RecordInputFormat format) {
  const ingest::RecordFile file{"fuzz", data};
  const ingest::ParsedRecords got = ingest::ParseNativeRecords(kind, file, format);
  const auto lines = static_cast<int64_t>(std::count(data.begin(), data.end(), '\n')) + 1;
  const auto accepted = static_cast<int64_t>(got.batch.size());
  VIGIL_CHECK(got.rejected >= 0 && accepted + got.rejected <= lines, "more records than lines");
  const size_t of_kind = kind == model::RecordKind::kDeployment ? got.batch.deployments.size()
                         : kind == model::RecordKind::kRelease  ? got.batch.releases.size()
                         : kind == model::RecordKind::kIncident ? got.batch.incidents.size()
                         : kind == model::RecordKind::kDefect   ? got.batch.defects.size()
                                                                : got.batch.alerts.size();
  VIGIL_CHECK(of_kind == got.batch.size(), "records of another kind");
  VIGIL_CHECK(got.skipped == 0 && got.detached_statuses.empty(), "native records skip nothing");
  int64_t errors = 0;
  for (const ingest::RecordIssue& issue : got.issues) {
    VIGIL_CHECK(issue.file == "fuzz" && issue.json_path.empty(), "issue file/path");
    VIGIL_CHECK(issue.line >= 1 && issue.line <= lines, "issue line out of range");
    VIGIL_CHECK(KnownNativeCode(issue.code) && !issue.reason.empty(), "issue code/reason");
    VIGIL_CHECK(issue.warning == (issue.code == "impact_after_detection"), "warning flag");
    errors += issue.warning ? 0 : 1;
  }
  VIGIL_CHECK(errors <= got.rejected, "an error issue without a rejection");
  VIGIL_CHECK(got.rejected == 0 || errors > 0, "a rejection without an issue");
  CheckRecords(got.batch);

  const ingest::ParsedRecords again = ingest::ParseNativeRecords(kind, file, format);
  VIGIL_CHECK(again.rejected == got.rejected && again.issues.size() == got.issues.size(),
              "a second parse differs");
  VIGIL_CHECK(again.batch.deployments == got.batch.deployments &&
                  again.batch.releases == got.batch.releases &&
                  again.batch.incidents == got.batch.incidents &&
                  again.batch.defects == got.batch.defects &&
                  again.batch.alerts == got.batch.alerts,
              "a second parse gives other records");
}

}  // namespace vigil::fuzz
