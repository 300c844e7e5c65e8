#include "vigil/importer/records_import.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <span>
#include <string_view>
#include <utility>

#include "vigil/core/text.h"
#include "vigil/importer/identity.h"
#include "vigil/importer/input_file.h"
#include "vigil/ingest/records_alertmanager.h"
#include "vigil/ingest/records_github.h"
#include "vigil/ingest/records_jira.h"
#include "vigil/ingest/records_native.h"
#include "vigil/ingest/records_pagerduty.h"

namespace vigil::importer {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSources[] = {model::kSourceNative, model::kSourceGithub,
                                         model::kSourcePagerduty, model::kSourceJira,
                                         model::kSourceAlertmanager};

// Files of the invocation: plain paths as given, directories walked recursively (sorted, hidden
// entries skipped).
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      return NotFoundError(p + ": no such file or directory");
    }
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
    if (ec) {
      return InvalidArgumentError(p + ": cannot read the directory: " + ec.message());
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        return InvalidArgumentError(p + ": cannot read the directory: " + ec.message());
      }
      const std::string name = it->path().filename().string();
      if (!name.empty() && name.front() == '.') {
        if (it->is_directory(ec)) {
          it.disable_recursion_pending();
        }
        continue;
      }
      if (it->is_regular_file(ec)) {
        found.push_back(it->path().string());
      }
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

Result<std::string> ReadWhole(const std::string& path) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, InputFile::Open(path));
  // Read straight into the string, sized for a plain file at once (gzip grows it).
  std::string data;
  size_t have = 0;
  data.resize(static_cast<size_t>(std::max<int64_t>(file->compressed_size(), 1 << 16)) + 1);
  for (;;) {
    if (have == data.size()) {
      data.resize(data.size() * 2);
    }
    VIGIL_ASSIGN_OR_RETURN(size_t got, file->Read(data.data() + have, data.size() - have));
    if (got == 0) {
      break;
    }
    have += got;
  }
  data.resize(have);
  return data;
}

bool HasNativeExtension(std::string_view name) {
  if (name.ends_with(".gz")) {
    name.remove_suffix(3);
  }
  return name.ends_with(".csv") || name.ends_with(".ndjson") || name.ends_with(".jsonl");
}

// The adapter a file's content belongs to, or "" when none recognises it.
std::string_view DetectSource(const std::string& name, std::string_view data) {
  if (HasNativeExtension(name)) {
    return model::kSourceNative;
  }
  if (ingest::LooksLikePagerdutyExport(data)) {
    return model::kSourcePagerduty;
  }
  if (ingest::LooksLikeJiraExport(data)) {
    return model::kSourceJira;
  }
  if (ingest::LooksLikeAlertmanagerPayload(data)) {
    return model::kSourceAlertmanager;
  }
  if (ingest::LooksLikeGithubExport(data)) {
    return model::kSourceGithub;
  }
  // One JSON object per line, or a CSV header (the native parser says what is off with it); a
  // JSON array no adapter knows is nobody's.
  const size_t first = data.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && data[first] == '[') {
    return {};
  }
  return model::kSourceNative;
}

bool Produces(std::string_view source, model::RecordKind kind) {
  if (source == model::kSourceNative) {
    return true;
  }
  const std::vector<model::RecordKind> kinds = config::SourceKinds(source);
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

std::string KindsOf(std::string_view source) {
  std::string out;
  for (model::RecordKind k : config::SourceKinds(source)) {
    if (!out.empty()) {
      out += ", ";
    }
    out += model::RecordKindName(k);
  }
  return out;
}

// Keeps only the records of `kind`; the others count as skipped.
int64_t KeepOnly(model::RecordKind kind, model::RecordBatch* batch) {
  int64_t dropped = 0;
  auto drop = [&](auto& records, model::RecordKind of) {
    if (of != kind) {
      dropped += static_cast<int64_t>(records.size());
      records.clear();
    }
  };
  drop(batch->deployments, model::RecordKind::kDeployment);
  drop(batch->releases, model::RecordKind::kRelease);
  drop(batch->incidents, model::RecordKind::kIncident);
  drop(batch->defects, model::RecordKind::kDefect);
  drop(batch->alerts, model::RecordKind::kAlert);
  return dropped;
}

const store::RecordCounts& CountsOf(model::RecordKind kind, const store::RecordUpsertSummary& s) {
  switch (kind) {
    case model::RecordKind::kDeployment:
      return s.deployments;
    case model::RecordKind::kRelease:
      return s.releases;
    case model::RecordKind::kIncident:
      return s.incidents;
    case model::RecordKind::kDefect:
      return s.defects;
    case model::RecordKind::kAlert:
      return s.alerts;
  }
  return s.incidents;
}

class RecordImport {
 public:
  RecordImport(const ImportEnv& env, const RecordImportOptions& options)
      : env_(env), options_(options) {}

  Result<RecordImportSummary> Run();

 private:
  struct LoadedFile {
    std::string name;
    std::string data;
  };
  // Parses one group (one native file, or all files of one adapter).
  Result<ingest::ParsedRecords> Parse(std::string_view source,
                                      const std::vector<const LoadedFile*>& files);
  // Applies the import's own checks (hash ids, --strict service names) and counts the issues.
  void Check(ingest::ParsedRecords* parsed);
  // Upserts a parsed group in the open transaction.
  Status Store(ingest::ParsedRecords* parsed, store::RecordCounts* counts);
  Status Begin() {
    if (tx_ == nullptr) {
      VIGIL_ASSIGN_OR_RETURN(tx_, env_.store->Begin(node_, holder_, env_.clock->Now(), kLeaseTtl));
    }
    return OkStatus();
  }
  void Issue(ingest::RecordIssue issue) {
    ++summary_.issues_by_code[issue.code];
    if (summary_.first_issues.size() < options_.max_listed_issues) {
      summary_.first_issues.push_back(std::move(issue));
    }
  }

  const ImportEnv& env_;
  const RecordImportOptions& options_;
  std::string holder_ = RandomHolder();
  int node_ = 0;
  std::unique_ptr<store::Transaction> tx_;
  RecordImportSummary summary_;
};

Result<ingest::ParsedRecords> RecordImport::Parse(std::string_view source,
                                                  const std::vector<const LoadedFile*>& files) {
  std::vector<ingest::RecordFile> inputs;
  inputs.reserve(files.size());
  for (const LoadedFile* f : files) {
    inputs.push_back(ingest::RecordFile{f->name, f->data});
  }
  const config::Config& config = *env_.config;
  auto adapter = [&](model::RecordKind kind) {
    ingest::AdapterOptions o;
    o.user_mappings = config.FindMappings(source, kind);
    o.parent = options_.parent;
    return o;
  };
  if (source == model::kSourceNative) {
    VIGIL_ASSIGN_OR_RETURN(ingest::RecordInputFormat format,
                           ingest::ParseRecordInputFormat(options_.input_format));
    if (format == ingest::RecordInputFormat::kAuto) {
      format = ingest::DetectRecordInputFormat(inputs.front());
    }
    return ingest::ParseNativeRecords(options_.kind, inputs.front(), format);
  }
  if (source == model::kSourcePagerduty) {
    return ingest::ParsePagerdutyExports(inputs, adapter(model::RecordKind::kIncident));
  }
  if (source == model::kSourceJira) {
    return ingest::ParseJiraExports(inputs, adapter(model::RecordKind::kDefect));
  }
  if (source == model::kSourceAlertmanager) {
    return ingest::ParseAlertmanagerPayloads(inputs, adapter(model::RecordKind::kAlert));
  }
  ingest::GithubOptions gh;
  gh.deployments = adapter(model::RecordKind::kDeployment);
  gh.releases = adapter(model::RecordKind::kRelease);
  gh.defects = adapter(model::RecordKind::kDefect);
  return ingest::ParseGithubExports(inputs, gh);
}

void RecordImport::Check(ingest::ParsedRecords* parsed) {
  for (model::Deployment& d : parsed->batch.deployments) {
    if (d.id.empty()) {
      d.id = DeploymentHashId(d);
    }
  }
  // --strict: records must name configured services (when the config names any).
  const config::Config& config = *env_.config;
  if (options_.strict && !config.services.empty()) {
    auto check = [&](const auto& records, std::string_view what) {
      for (const auto& r : records) {
        if (!r.service.empty() && config.FindService(r.service) == nullptr) {
          ingest::RecordIssue issue;
          issue.code = "unknown_service";
          issue.reason = std::string(what) + " names service " + core::QuoteForMessage(r.service) +
                         ", which vigil.yaml does not declare";
          parsed->issues.push_back(std::move(issue));
          ++parsed->rejected;
        }
      }
    };
    check(parsed->batch.deployments, "a deployment");
    check(parsed->batch.releases, "a release");
    check(parsed->batch.incidents, "an incident");
    check(parsed->batch.defects, "a defect");
    check(parsed->batch.alerts, "an alert");
  }
  for (ingest::RecordIssue& issue : parsed->issues) {
    if (issue.warning) {
      ++summary_.warnings;
    }
    Issue(std::move(issue));
  }
  parsed->issues.clear();
  summary_.rejected += parsed->rejected;
  summary_.skipped += parsed->skipped + KeepOnly(options_.kind, &parsed->batch);
  summary_.parsed += static_cast<int64_t>(parsed->batch.size());
}

Status RecordImport::Store(ingest::ParsedRecords* parsed, store::RecordCounts* counts) {
  VIGIL_RETURN_IF_ERROR(Begin());
  if (parsed->batch.size() > 0) {
    VIGIL_ASSIGN_OR_RETURN(store::RecordUpsertSummary upserted, tx_->UpsertRecords(parsed->batch));
    const store::RecordCounts& c = CountsOf(options_.kind, upserted);
    counts->created += c.created;
    counts->updated += c.updated;
    counts->unchanged += c.unchanged;
  }
  if (options_.kind != model::RecordKind::kDeployment) {
    return OkStatus();
  }
  // Statuses whose deployment was in none of the files: attach them to a stored one.
  for (const ingest::ParsedRecords::DetachedStatuses& d : parsed->detached_statuses) {
    Result<store::UpsertOutcome> added =
        tx_->AddDeploymentStatuses(model::kSourceGithub, d.deployment_id, d.statuses);
    if (added.ok()) {
      summary_.statuses_attached += *added == store::UpsertOutcome::kUpdated ? 1 : 0;
      continue;
    }
    if (added.status().code() != StatusCode::kNotFound) {
      return added.status();
    }
    ingest::RecordIssue issue;
    issue.file = d.file;
    issue.code = "orphan";
    issue.reason = "deployment statuses of deployment " + core::QuoteForMessage(d.deployment_id) +
                   ", which is in none of the files and not stored";
    Issue(std::move(issue));
    summary_.rejected += static_cast<int64_t>(d.statuses.size());
  }
  return OkStatus();
}

Result<RecordImportSummary> RecordImport::Run() {
  if (options_.paths.empty()) {
    return InvalidArgumentError("no input files");
  }
  if (options_.source != "auto" &&
      std::find(std::begin(kSources), std::end(kSources), options_.source) == std::end(kSources)) {
    return InvalidArgumentError("--source " + core::QuoteForMessage(options_.source) +
                                ": expected auto, native, github, pagerduty, jira or alertmanager");
  }
  VIGIL_RETURN_IF_ERROR(ingest::ParseRecordInputFormat(options_.input_format).status());
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> paths, ExpandPaths(options_.paths));

  // Read and route every file first: a file of no known source stops the import before anything
  // is stored.
  std::vector<LoadedFile> files;
  files.reserve(paths.size());
  std::map<std::string, std::vector<const LoadedFile*>> by_source;
  for (const std::string& path : paths) {
    VIGIL_ASSIGN_OR_RETURN(std::string data, ReadWhole(path));
    files.push_back(LoadedFile{path, std::move(data)});
  }
  for (const LoadedFile& f : files) {
    std::string_view source = options_.source == "auto" ? DetectSource(f.name, f.data)
                                                        : std::string_view(options_.source);
    if (source.empty()) {
      return InvalidArgumentError(f.name +
                                  ": cannot tell which tool exported it (no GitHub, PagerDuty, "
                                  "Jira or Alertmanager shape); pass --source");
    }
    if (!Produces(source, options_.kind)) {
      return InvalidArgumentError(f.name + ": a " + std::string(source) + " export holds " +
                                  KindsOf(source) + ", not " +
                                  std::string(model::RecordKindName(options_.kind)));
    }
    by_source[std::string(source)].push_back(&f);
    ++summary_.files_by_source[std::string(source)];
  }
  summary_.files = static_cast<int64_t>(files.size());

  // Parse every group before storing anything (a bad mapping fails the whole import).
  std::vector<ingest::ParsedRecords> groups;
  for (const auto& [source, group] : by_source) {
    if (source == model::kSourceNative) {
      for (const LoadedFile* f : group) {
        VIGIL_ASSIGN_OR_RETURN(ingest::ParsedRecords parsed, Parse(source, {f}));
        Check(&parsed);
        groups.push_back(std::move(parsed));
      }
    } else {
      VIGIL_ASSIGN_OR_RETURN(ingest::ParsedRecords parsed, Parse(source, group));
      Check(&parsed);
      groups.push_back(std::move(parsed));
    }
  }
  if (options_.strict && summary_.rejected > 0) {
    summary_.failure = "--strict: " + std::to_string(summary_.rejected) +
                       " rejected record(s); nothing was stored";
    return summary_;
  }

  VIGIL_ASSIGN_OR_RETURN(node_, env_.store->LeaseNode(holder_, env_.clock->Now(), kLeaseTtl));
  Status st = [&]() -> Status {
    for (ingest::ParsedRecords& parsed : groups) {
      store::RecordCounts counts;
      VIGIL_RETURN_IF_ERROR(Store(&parsed, &counts));
      if (!options_.strict) {  // one transaction per group
        VIGIL_RETURN_IF_ERROR(tx_->Commit());
        tx_.reset();
      }
      summary_.counts.created += counts.created;
      summary_.counts.updated += counts.updated;
      summary_.counts.unchanged += counts.unchanged;
    }
    if (options_.strict) {
      if (summary_.rejected > 0) {  // orphans found while storing
        tx_.reset();
        summary_.counts = {};
        summary_.failure = "--strict: " + std::to_string(summary_.rejected) +
                           " rejected record(s); nothing was stored";
        return OkStatus();
      }
      if (tx_ != nullptr) {
        VIGIL_RETURN_IF_ERROR(tx_->Commit());
        tx_.reset();
      }
    }
    return OkStatus();
  }();
  tx_.reset();
  (void)env_.store->ReleaseNode(node_, holder_);
  VIGIL_RETURN_IF_ERROR(st);
  summary_.committed = summary_.failure.empty();
  return summary_;
}

}  // namespace

std::string DeploymentHashId(const model::Deployment& d) {
  std::string text = d.service;
  text += '\x1f';
  text += d.environment;
  text += '\x1f';
  text += d.version;
  text += '\x1f';
  text += std::to_string(d.deployed_at.unix_ms());
  std::string id(model::kDeploymentHashPrefix);
  id += Sha256Hex(text).substr(0, 32);
  return id;
}

Result<RecordImportSummary> RunRecordImport(const ImportEnv& env,
                                            const RecordImportOptions& options) {
  VIGIL_CHECK(env.store != nullptr && env.config != nullptr && env.clock != nullptr,
              "ImportEnv needs a store, a config and a clock");
  RecordImport import(env, options);
  return import.Run();
}

}  // namespace vigil::importer
