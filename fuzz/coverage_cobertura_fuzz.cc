// Fuzzes the Cobertura parser (ParseCobertura). The first byte picks how the rest is used: as a
// whole document, or spliced into a report skeleton as the content of one <class>'s <lines>
// (so mutations reach the line rules instead of dying in the XML prolog), or as attributes of
// one <line>. Checks: no crash; an error names a 1-based line no later than the input's last;
// a report holds files sorted and unique by path, each with lines sorted and unique (numbers
// >= 1), lines found = distinct lines and lines hit = lines with hits > 0 (the Cobertura
// rule), 0 <= hit <= found, branches both present or both absent with 0 <= hit <= found; a
// partial file only with an issue; issues with a line in range and a reason; source roots
// non-empty and trimmed; and parsing is deterministic (again, on a copy).
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
using vigil::ingest::ParsedCoverage;
using vigil::ingest::ParsedFileCoverage;

bool IsXmlSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void Check(const Result<ParsedCoverage>& r, std::string_view doc) {
  const int64_t last_line = 1 + std::count(doc.begin(), doc.end(), '\n');
  if (!r.ok()) {
    vigil::fuzz::CheckErrorLine(r.status(), last_line);
    return;
  }
  const ParsedCoverage& c = *r;
  VIGIL_CHECK(c.format == vigil::ingest::CoverageFormat::kCobertura, "format");
  for (const std::string& root : c.source_roots) {
    VIGIL_CHECK(!root.empty() && !IsXmlSpace(root.front()) && !IsXmlSpace(root.back()),
                "a source root empty or untrimmed");
  }
  vigil::fuzz::CheckCoverageShape(c, last_line, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    Check(vigil::ingest::ParseCobertura(""), "");
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
          "<?xml version=\"1.0\"?>\n<coverage timestamp=\"1700000000\">\n<sources><source>/s"
          "</source></sources>\n<packages><package name=\"p\"><classes>\n"
          "<class name=\"a\" filename=\"a.c\"><lines>\n" +
          std::string(rest) +
          "\n</lines></class>\n<class name=\"b\" filename=\"a.c\"><lines>"
          "<line number=\"2\" hits=\"1\" branch=\"true\" condition-coverage=\"50% (1/2)\"/>"
          "</lines></class>\n</classes></package></packages>\n</coverage>\n";
      break;
    default:
      doc = "<coverage><packages><package><classes><class filename=\"f.py\"><lines>\n<line " +
            std::string(rest) + "/>\n</lines></class></classes></package></packages></coverage>";
      break;
  }
  const Result<ParsedCoverage> first = vigil::ingest::ParseCobertura(doc);
  Check(first, doc);
  vigil::fuzz::CheckDeterministic(vigil::ingest::ParseCobertura, doc, first);
  return 0;
}
