// Fuzzes ParseGithubExports (src/vigil/ingest/records_github.cc). The input is split into
// files at each "\n----\n"; the files get names that carry deployment ids ("77.json",
// "78-p2.json") or none, so statuses find parents from content, file name and --parent. Checks:
// no crash; no error (the built-in mappings always compile); every record is "github" and has
// its required fields; deployment ids and defect ids are unique; statuses are sorted by
// (at, state) and unique per (state, at); defects are not resolved before found; every
// rejection is one issue with a code, a reason and a known file; parsing is deterministic; and
// the same holds with the files reversed. (The merged records themselves may change with the
// order: copies of one id with equal updated_at go to the later file, by design.)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/check.h"
#include "vigil/ingest/records_github.h"

namespace {

using vigil::Result;
using vigil::ingest::GithubOptions;
using vigil::ingest::ParsedRecords;
using vigil::ingest::RecordFile;
using vigil::ingest::RecordIssue;

constexpr std::string_view kSeparator = "\n----\n";
constexpr std::string_view kNames[] = {"page.json", "77.json", "78-p2.json", "dir/80.json.gz"};

std::vector<RecordFile> Split(std::string_view text) {
  std::vector<RecordFile> files;
  size_t start = 0;
  while (files.size() < 16) {
    const size_t end = text.find(kSeparator, start);
    const std::string_view chunk =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    files.push_back(RecordFile{std::string(kNames[files.size() % std::size(kNames)]), chunk});
    if (end == std::string_view::npos) {
      break;
    }
    start = end + kSeparator.size();
  }
  return files;
}

bool KnownFile(const std::vector<RecordFile>& files, const std::string& name) {
  return std::any_of(files.begin(), files.end(),
                     [&](const RecordFile& f) { return f.name == name; });
}

void CheckShape(const ParsedRecords& parsed, const std::vector<RecordFile>& files) {
  int64_t rejections = 0;
  for (const RecordIssue& issue : parsed.issues) {
    VIGIL_CHECK(!issue.code.empty() && !issue.reason.empty(), "an issue without code or reason");
    VIGIL_CHECK(KnownFile(files, issue.file), "an issue names an unknown file");
    rejections += issue.warning ? 0 : 1;
  }
  VIGIL_CHECK(rejections == parsed.rejected, "rejected does not count the rejection issues");
  const auto& deployments = parsed.batch.deployments;
  for (const auto& d : deployments) {
    VIGIL_CHECK(d.source == "github", "deployment source");
    VIGIL_CHECK(!d.id.empty() && !d.service.empty() && !d.environment.empty() && !d.version.empty(),
                "a deployment without a required field");
    for (size_t j = 1; j < d.statuses.size(); ++j) {
      const auto& a = d.statuses[j - 1];
      const auto& b = d.statuses[j];
      VIGIL_CHECK(a.at < b.at || (a.at == b.at && a.state < b.state),
                  "statuses not sorted and unique by (at, state)");
    }
  }
  for (const auto& r : parsed.batch.releases) {
    VIGIL_CHECK(r.source == "github" && !r.service.empty() && !r.version.empty(),
                "a release without a required field");
  }
  for (const auto& d : parsed.batch.defects) {
    VIGIL_CHECK(d.source == "github" && !d.id.empty(), "a defect without an id");
    VIGIL_CHECK(!d.resolved_at || *d.resolved_at >= d.found_at, "resolved before found");
  }
  std::vector<std::pair<char, std::string>> ids;
  for (const auto& d : deployments) {
    ids.emplace_back('d', d.id);
  }
  for (const auto& d : parsed.batch.defects) {
    ids.emplace_back('i', d.id);
  }
  std::sort(ids.begin(), ids.end());
  VIGIL_CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end(), "an id twice");
  for (const auto& detached : parsed.detached_statuses) {
    VIGIL_CHECK(!detached.deployment_id.empty() && !detached.statuses.empty(),
                "an empty detached entry");
  }
  VIGIL_CHECK(parsed.batch.incidents.empty() && parsed.batch.alerts.empty(),
              "GitHub makes no incident or alert");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<RecordFile> files = Split(text);
  for (const RecordFile& file : files) {
    (void)vigil::ingest::LooksLikeGithubExport(file.data);
  }
  GithubOptions options;
  if (size % 2 == 1) {
    options.deployments.parent = "76";
  }
  const Result<ParsedRecords> first = vigil::ingest::ParseGithubExports(files, options);
  VIGIL_CHECK(first.ok(), "the defaults failed");
  CheckShape(*first, files);

  const Result<ParsedRecords> again = vigil::ingest::ParseGithubExports(files, options);
  VIGIL_CHECK(again.ok() && again->batch.deployments == first->batch.deployments &&
                  again->batch.releases == first->batch.releases &&
                  again->batch.defects == first->batch.defects &&
                  again->rejected == first->rejected && again->skipped == first->skipped,
              "parsing is not deterministic");

  std::reverse(files.begin(), files.end());
  const Result<ParsedRecords> reversed = vigil::ingest::ParseGithubExports(files, options);
  VIGIL_CHECK(reversed.ok(), "the defaults failed");
  CheckShape(*reversed, files);
  return 0;
}
