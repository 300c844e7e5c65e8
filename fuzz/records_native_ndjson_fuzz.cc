// Fuzzes the native NDJSON record parser: the input is parsed as each of the five record kinds
// from an exact-size copy (so reading past the end is caught by ASan), with the checks of
// records_native_fuzz_check.h.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "records_native_fuzz_check.h"

#include "vigil/ingest/records_native.h"
#include "vigil/model/records.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::unique_ptr<char[]> exact(new char[size + 1]);
  std::copy(data, data + size, exact.get());
  const std::string_view text(exact.get(), size);
  for (vigil::model::RecordKind kind :
       {vigil::model::RecordKind::kDeployment, vigil::model::RecordKind::kRelease,
        vigil::model::RecordKind::kIncident, vigil::model::RecordKind::kDefect,
        vigil::model::RecordKind::kAlert}) {
    vigil::fuzz::ParseAndCheck(kind, text, vigil::ingest::RecordInputFormat::kNdjson);
  }
  return 0;
}
