// Fuzzes the native CSV record parser: the input is parsed as each of the five record kinds,
// once as it is (its first record is the header) and once after a header naming every column
// of that kind (so the rows meet a usable header), each from an exact-size copy (reading past
// the end is caught by ASan), with the checks of records_native_fuzz_check.h.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "records_native_fuzz_check.h"

#include "vigil/ingest/records_native.h"
#include "vigil/model/records.h"

namespace {

std::string_view FullHeader(vigil::model::RecordKind kind) {
  switch (kind) {
    case vigil::model::RecordKind::kDeployment:
      return "id,service,version,deployed_at,environment,commit,ref,status,status_at,url\n";
    case vigil::model::RecordKind::kRelease:
      return "service,version,tag,commit,name,notes,team,areas,type,prerelease,hotfix,"
             "hotfix_for,deployed_at,created_at,environment,url\n";
    case vigil::model::RecordKind::kIncident:
      return "id,number,url,title,severity,service,journey,area,team,environment,started_at,"
             "impact_start,created_at,triggered_at,detected_at,resolved_at,detection_source,"
             "cause_service,cause_version,cause_release,cause,escape_phase,paths,alerts,merged,"
             "status\n";
    case vigil::model::RecordKind::kDefect:
      return "id,number,url,title,reporter,customer_reported,severity,service,area,team,"
             "found_at,created_at,resolved_at,release,incident,escape_phase,status\n";
    case vigil::model::RecordKind::kAlert:
      break;
  }
  return "fingerprint,starts_at,ends_at,rule,alertname,service,labels,annotations,incident,"
         "generator_url\n";
}

void ParseExact(vigil::model::RecordKind kind, std::string_view prefix, std::string_view body) {
  const size_t size = prefix.size() + body.size();
  const std::unique_ptr<char[]> exact(new char[size + 1]);
  std::copy(prefix.begin(), prefix.end(), exact.get());
  std::copy(body.begin(), body.end(), exact.get() + prefix.size());
  vigil::fuzz::ParseAndCheck(kind, std::string_view(exact.get(), size),
                             vigil::ingest::RecordInputFormat::kCsv);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (vigil::model::RecordKind kind :
       {vigil::model::RecordKind::kDeployment, vigil::model::RecordKind::kRelease,
        vigil::model::RecordKind::kIncident, vigil::model::RecordKind::kDefect,
        vigil::model::RecordKind::kAlert}) {
    ParseExact(kind, "", text);
    ParseExact(kind, FullHeader(kind), text);
  }
  return 0;
}
