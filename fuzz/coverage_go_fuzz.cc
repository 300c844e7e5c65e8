// Fuzzes ParseGoCoverprofile (src/vigil/ingest/coverage_go.cc) with the whole input as a
// profile. Checks: no crash; an error names a line; files sorted and unique by path; lines
// sorted, unique and 1-based; lines_found == number of lines; lines_hit == lines with hits > 0
// ≤ found; no branch data; issues have a reason and a line within the input, in input order;
// no issue means no partial file; parsing is deterministic; and a clean profile concatenated
// with itself (as `-coverpkg` runs repeat blocks) gives the same lines with hits doubled
// (saturating) in count/atomic mode and unchanged in set mode (OR).
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
using vigil::ingest::ParsedCoverage;
using vigil::ingest::ParsedFileCoverage;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

uint64_t Doubled(uint64_t v) {
  return v > std::numeric_limits<uint64_t>::max() / 2 ? std::numeric_limits<uint64_t>::max()
                                                      : 2 * v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Result<ParsedCoverage> first = vigil::ingest::ParseGoCoverprofile(text);
  if (!first.ok()) {
    VIGIL_CHECK(first.status().message().starts_with("line "), "an error without its line");
    return 0;
  }
  vigil::fuzz::CheckCoverageShape(*first, vigil::fuzz::CountInputLines(text),
                                  {.issues_in_input_order = true, .branches_never = true});
  const std::string copy(text);
  const Result<ParsedCoverage> again = vigil::ingest::ParseGoCoverprofile(copy);
  VIGIL_CHECK(again.ok() && vigil::fuzz::SameCoverage(*first, *again),
              "parsing is not deterministic");

  if (!first->issues.empty()) {
    return 0;
  }
  std::string twice(text);
  if (!twice.empty() && twice.back() != '\n') {
    twice.push_back('\n');
  }
  twice.append(text.starts_with(kBom) ? text.substr(kBom.size()) : text);
  const Result<ParsedCoverage> doubled = vigil::ingest::ParseGoCoverprofile(twice);
  VIGIL_CHECK(doubled.ok() && doubled->issues.empty(), "a clean profile twice over is not clean");
  VIGIL_CHECK(doubled->files.size() == first->files.size(), "twice over changes the files");
  // The mode is the first "mode: " line's; set mode ORs (x|x = x), the others sum.
  const size_t mode_at = text.find("mode: ");
  const bool set_mode = text.substr(mode_at + 6).starts_with("set");
  for (size_t i = 0; i < first->files.size(); ++i) {
    const ParsedFileCoverage& x = first->files[i];
    const ParsedFileCoverage& y = doubled->files[i];
    VIGIL_CHECK(x.path == y.path && x.lines.size() == y.lines.size() &&
                    x.lines_hit == y.lines_hit && !y.partial,
                "twice over changes a file's lines");
    for (size_t k = 0; k < x.lines.size(); ++k) {
      const uint64_t want = set_mode ? x.lines[k].hits : Doubled(x.lines[k].hits);
      VIGIL_CHECK(x.lines[k].line == y.lines[k].line && y.lines[k].hits == want,
                  "twice over does not merge the counts by the mode's rule");
    }
  }
  return 0;
}
