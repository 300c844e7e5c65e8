// Fuzzes ParseLcov (src/vigil/ingest/coverage_lcov.cc) with the whole input as a tracefile.
// Checks: no crash; an error names a line and only happens when no line starts with "SF:";
// files sorted and unique by path; lines sorted, unique and 1-based; lines_found == number of
// lines; lines_hit == lines with hits > 0 ≤ found; branches both present or both absent, and
// then 1 ≤ found, hit ≤ found; issues have a reason and a line within the input, in input
// order; no issue means no partial file; parsing is deterministic; and a clean report parsed
// twice over (concatenated) gives the same files and counts with every hit doubled
// (saturating), as repeated SF sections are summed.
#include <cstddef>
#include <cstdint>
#include <limits>
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

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool HasSfLine(std::string_view text) {
  if (text.starts_with(kBom)) {
    text.remove_prefix(kBom.size());
  }
  if (text.starts_with("SF:")) {
    return true;
  }
  return text.find("\nSF:") != std::string_view::npos;
}

uint64_t Doubled(uint64_t v) {
  return v > std::numeric_limits<uint64_t>::max() / 2 ? std::numeric_limits<uint64_t>::max()
                                                      : 2 * v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Result<ParsedCoverage> first = vigil::ingest::ParseLcov(text);
  if (!first.ok()) {
    VIGIL_CHECK(first.status().message().starts_with("line "), "an error without its line");
    VIGIL_CHECK(!HasSfLine(text), "an error for a report with an SF record");
    return 0;
  }
  vigil::fuzz::CheckCoverageShape(*first, vigil::fuzz::CountInputLines(text),
                                  {.issues_in_input_order = true});
  const std::string copy(text);
  const Result<ParsedCoverage> again = vigil::ingest::ParseLcov(copy);
  VIGIL_CHECK(again.ok() && vigil::fuzz::SameCoverage(*first, *again),
              "parsing is not deterministic");

  if (!first->issues.empty()) {
    return 0;
  }
  // A clean report twice over: the second copy's sections merge into the first's.
  std::string twice(text);
  if (!twice.empty() && twice.back() != '\n') {
    twice.push_back('\n');
  }
  twice.append(text.starts_with(kBom) ? text.substr(kBom.size()) : text);
  const Result<ParsedCoverage> doubled = vigil::ingest::ParseLcov(twice);
  VIGIL_CHECK(doubled.ok() && doubled->issues.empty(), "a clean report twice over is not clean");
  VIGIL_CHECK(doubled->files.size() == first->files.size(), "twice over changes the files");
  for (size_t i = 0; i < first->files.size(); ++i) {
    const ParsedFileCoverage& x = first->files[i];
    const ParsedFileCoverage& y = doubled->files[i];
    VIGIL_CHECK(x.path == y.path && x.lines_found == y.lines_found && x.lines_hit == y.lines_hit &&
                    x.branches_found == y.branches_found && x.branches_hit == y.branches_hit &&
                    !y.partial,
                "twice over changes a file's counts");
    for (size_t k = 0; k < x.lines.size(); ++k) {
      const CoverageLine& a = x.lines[k];
      const CoverageLine& b = y.lines[k];
      VIGIL_CHECK(a.line == b.line && Doubled(a.hits) == b.hits,
                  "twice over does not double the hits");
    }
  }
  return 0;
}
