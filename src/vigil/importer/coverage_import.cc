#include "vigil/importer/coverage_import.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <system_error>
#include <utility>

#include "vigil/importer/identity.h"
#include "vigil/importer/input_file.h"
#include "vigil/ingest/coverage.h"
#include "vigil/ingest/coverage_paths.h"

namespace vigil::importer {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxIndexedFiles = 2'000'000;

Result<std::string> ReadWhole(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, InputFile::Open(path));
  std::string out;
  std::vector<char> buf(1 << 20);
  for (;;) {
    VIGIL_ASSIGN_OR_RETURN(size_t n, file->Read(buf.data(), buf.size()));
    if (n == 0) {
      break;
    }
    out.append(buf.data(), n);
  }
  return out;
}

// The repository's files (relative, '/'-separated) and its Go modules, skipping .git.
struct RepoIndex {
  std::vector<std::string> files;
  std::vector<std::pair<std::string, std::string>> go_modules;  // module path → folder
};

Result<RepoIndex> IndexRoot(const std::string& root) {
  RepoIndex index;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return InvalidArgumentError("--root " + root + ": not a directory");
  }
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    return InvalidArgumentError("--root " + root + ": " + ec.message());
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      return InvalidArgumentError("--root " + root + ": " + ec.message());
    }
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(ec) && entry.path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(ec)) {
      continue;
    }
    std::string rel = entry.path().lexically_relative(root).generic_string();
    if (entry.path().filename() == "go.mod") {
      Result<std::string> text = ReadWhole(entry.path().string());
      if (text.ok()) {
        std::string module = ingest::GoModulePath(*text);
        if (!module.empty()) {
          std::string dir = fs::path(rel).parent_path().generic_string();
          index.go_modules.emplace_back(std::move(module), std::move(dir));
        }
      }
    }
    index.files.push_back(std::move(rel));
    if (index.files.size() > kMaxIndexedFiles) {
      return InvalidArgumentError("--root " + root + ": more than " +
                                  std::to_string(kMaxIndexedFiles) + " files; pick a smaller root");
    }
  }
  return index;
}

// The hash that identifies a snapshot's content: its formats and merged per-file records.
std::string ContentHash(const std::string& formats, const std::vector<model::FileCoverage>& files) {
  std::string text = formats;
  text += '\n';
  for (const model::FileCoverage& f : files) {
    text += f.path;
    text += '\t';
    text += std::to_string(f.lines_found);
    text += '\t';
    text += std::to_string(f.lines_hit);
    text += '\t';
    text += f.branches_found ? std::to_string(*f.branches_found) : "-";
    text += '\t';
    text += f.branches_hit ? std::to_string(*f.branches_hit) : "-";
    text += f.partial ? "\tpartial\n" : "\n";
  }
  return Sha256Hex(text);
}

}  // namespace

Result<CoverageImportSummary> RunCoverageImport(const ImportEnv& env,
                                                const CoverageImportOptions& options) {
  VIGIL_CHECK(env.store != nullptr && env.clock != nullptr, "ImportEnv needs a store and a clock");
  if (options.paths.empty()) {
    return InvalidArgumentError("no coverage reports given");
  }
  std::optional<ingest::CoverageFormat> forced;
  if (options.input_format != "auto") {
    forced = ingest::ParseCoverageFormatName(options.input_format);
    if (!forced) {
      return InvalidArgumentError("--input-format " + options.input_format +
                                  ": use auto, lcov, cobertura, jacoco or go");
    }
  }
  if (options.name.empty()) {
    return InvalidArgumentError("--name must not be empty");
  }

  ingest::CoveragePathOptions path_options;
  path_options.strip_prefixes = options.strip_prefixes;
  CoverageImportSummary summary;
  std::error_code ec;
  if (!options.root.empty()) {
    fs::path root = fs::absolute(options.root, ec);
    if (ec) {
      return InvalidArgumentError("--root " + options.root + ": " + ec.message());
    }
    path_options.root = root.lexically_normal().generic_string();
    VIGIL_ASSIGN_OR_RETURN(RepoIndex index, IndexRoot(path_options.root));
    summary.repo_files_indexed = static_cast<int64_t>(index.files.size());
    path_options.repo_files = std::move(index.files);
    path_options.go_modules = std::move(index.go_modules);
  } else {
    path_options.root = fs::current_path(ec).generic_string();
  }
  const std::string root_for_exists = path_options.root;
  path_options.exists = [root_for_exists](const std::string& p) {
    std::error_code e;
    if (fs::exists(p, e)) {
      return true;
    }
    return !fs::path(p).is_absolute() && fs::exists(fs::path(root_for_exists) / p, e);
  };

  ingest::CoverageMerger merger(std::move(path_options));
  std::set<std::string> formats;
  std::optional<core::Timestamp> report_time;
  for (const std::string& path : options.paths) {
    VIGIL_ASSIGN_OR_RETURN(std::string content, ReadWhole(path));
    std::optional<ingest::CoverageFormat> format = forced;
    if (!format) {
      format = ingest::DetectCoverageFormat(std::string_view(content).substr(0, 64 * 1024));
      if (!format) {
        return InvalidArgumentError(
            path +
            ": not a coverage report vigil reads (LCOV, Cobertura XML, "
            "JaCoCo XML, Go coverprofile); give --input-format to force one");
      }
    }
    Result<ingest::ParsedCoverage> parsed = ingest::ParseCoverage(*format, content);
    if (!parsed.ok()) {
      return parsed.status().WithPrefix(path);
    }
    const std::string_view format_name = ingest::CoverageFormatName(*format);
    formats.insert(std::string(format_name));
    CoverageReportSummary report;
    report.path = path;
    report.format = std::string(format_name);
    report.files = static_cast<int64_t>(parsed->files.size());
    report.issues = parsed->issue_count;
    for (const ingest::CoverageIssue& issue : parsed->issues) {
      if (summary.first_issues.size() < options.max_listed_issues) {
        summary.first_issues.push_back(LineReport{path, issue.line, "malformed", issue.reason});
      }
    }
    summary.issues += report.issues;
    if (parsed->timestamp && (!report_time || *parsed->timestamp > *report_time)) {
      report_time = parsed->timestamp;
    }
    merger.Add(*parsed);
    summary.reports.push_back(std::move(report));
  }

  model::CoverageSnapshot& snap = summary.snapshot;
  snap.name = options.name;
  snap.commit = options.commit;
  for (const std::string& f : formats) {
    snap.format += snap.format.empty() ? f : "," + f;
  }
  snap.files = merger.Files();
  snap.file_count = static_cast<int64_t>(snap.files.size());
  snap.content_hash = ContentHash(snap.format, snap.files);
  snap.imported_at = env.clock->Now();
  snap.taken_at = options.taken_at ? *options.taken_at : report_time.value_or(snap.imported_at);
  summary.suffix_matched = merger.suffix_matched();
  summary.unresolved = merger.unresolved_count();
  summary.unresolved_examples = merger.unresolved_examples();

  if (options.strict && summary.issues > 0) {
    summary.failure =
        "--strict: " + std::to_string(summary.issues) + " malformed record(s); nothing was stored";
    return summary;
  }
  const std::string holder = RandomHolder();
  VIGIL_ASSIGN_OR_RETURN(int node, env.store->LeaseNode(holder, env.clock->Now(), kLeaseTtl));
  Status st = [&]() -> Status {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> tx,
                           env.store->Begin(node, holder, env.clock->Now(), kLeaseTtl));
    VIGIL_ASSIGN_OR_RETURN(store::CoverageSave saved, tx->SaveCoverageSnapshot(snap));
    VIGIL_RETURN_IF_ERROR(tx->Commit());
    snap.id = saved.id;
    summary.created = saved.created;
    return OkStatus();
  }();
  (void)env.store->ReleaseNode(node, holder);
  VIGIL_RETURN_IF_ERROR(st);
  summary.committed = true;
  return summary;
}

}  // namespace vigil::importer
