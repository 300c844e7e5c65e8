// Fuzzes the JaCoCo parser (ParseJacoco). The first byte picks how the rest is used: as a
// whole document, or spliced into a report skeleton as the content of one <sourcefile> (so
// mutations reach the line and counter rules), or as a group tree between sessioninfo and the
// report's counters. Checks: no crash; an error names a 1-based line no later than the
// input's last; a report holds files sorted and unique by path, each with lines sorted and
// unique (numbers >= 1) whose hits are 0 or 1, 0 <= lines hit <= lines found, branches both
// present or both absent with 0 <= hit <= found; a partial file only with an issue; issues
// with a line in range and a reason; no source roots; parsing is deterministic (again, on a
// copy).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "coverage_fuzz_check.h"

#include "vigil/core/check.h"
#include "vigil/ingest/coverage.h"

namespace {

using vigil::Result;
using vigil::ingest::CoverageLine;
using vigil::ingest::ParsedCoverage;
using vigil::ingest::ParsedFileCoverage;

void Check(const Result<ParsedCoverage>& r, std::string_view doc) {
  const int64_t last_line = 1 + std::count(doc.begin(), doc.end(), '\n');
  if (!r.ok()) {
    vigil::fuzz::CheckErrorLine(r.status(), last_line);
    return;
  }
  const ParsedCoverage& c = *r;
  VIGIL_CHECK(c.format == vigil::ingest::CoverageFormat::kJacoco, "format");
  VIGIL_CHECK(c.source_roots.empty(), "JaCoCo names no source roots");
  for (const ParsedFileCoverage& f : c.files) {
    for (const CoverageLine& l : f.lines) {
      VIGIL_CHECK(l.hits <= 1, "JaCoCo line hits are 0 or 1");
    }
  }
  vigil::fuzz::CheckCoverageShape(c, last_line, {.found_is_line_count = false});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    Check(vigil::ingest::ParseJacoco(""), "");
    return 0;
  }
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string doc;
  switch (data[0] % 3) {
    case 0:
      doc = rest;
      break;
    case 1:
      doc =
          "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<report name=\"r\">\n"
          "<sessioninfo id=\"s\" start=\"1\" dump=\"1700000000000\"/>\n"
          "<package name=\"com/acme\"><sourcefile name=\"A.java\">\n" +
          std::string(rest) +
          "\n</sourcefile></package>\n<group name=\"m\"><package name=\"com/acme\">"
          "<sourcefile name=\"A.java\"><line nr=\"3\" ci=\"1\"/>"
          "<counter type=\"LINE\" covered=\"1\"/></sourcefile></package></group>\n</report>\n";
      break;
    default:
      doc = "<report name=\"r\"><sessioninfo id=\"s\" start=\"1\" dump=\"2\"/>\n" +
            std::string(rest) + "\n<counter type=\"LINE\" missed=\"1\" covered=\"1\"/></report>";
      break;
  }
  const Result<ParsedCoverage> first = vigil::ingest::ParseJacoco(doc);
  Check(first, doc);
  vigil::fuzz::CheckDeterministic(vigil::ingest::ParseJacoco, doc, first);
  return 0;
}
