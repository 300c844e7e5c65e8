// vigil's main(): parses flags, builds the objects a verb needs and calls the modules. The
// verbs' logic lives in the modules (STYLE §1); output rendering lives in output.cc.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "vigil/cli/output.h"
#include "vigil/cli/records_output.h"
#include "vigil/config/areas.h"
#include "vigil/config/codeowners.h"
#include "vigil/config/config.h"
#include "vigil/core/clock.h"
#include "vigil/core/status.h"
#include "vigil/core/time.h"
#include "vigil/demo/access_log_gen.h"
#include "vigil/importer/coverage_import.h"
#include "vigil/importer/importer.h"
#include "vigil/importer/records_import.h"
#include "vigil/metrics/coverage.h"
#include "vigil/metrics/latency.h"
#include "vigil/metrics/timeline.h"
#include "vigil/model/records.h"
#include "vigil/store/store.h"

namespace vigil::cli {
namespace {

constexpr const char* kDefaultConfigPath = "vigil.yaml";

// Flags every store-using verb shares (DESIGN §5: one meaning per flag).
struct CommonFlags {
  std::string store_url;
  std::string config_path;
};

void AddCommonFlags(CLI::App* cmd, CommonFlags* flags) {
  cmd->add_option(
      "--store", flags->store_url,
      "store URL: a path, sqlite://PATH or postgres://... (default: the config's store.url, else "
      "./vigil.db)");
  cmd->add_option("--config", flags->config_path, "config file (default: ./vigil.yaml if present)");
}

// The config named by --config (must exist), else ./vigil.yaml when present, else defaults.
Result<config::Config> LoadConfig(const CommonFlags& flags) {
  if (!flags.config_path.empty()) {
    return config::LoadConfig(flags.config_path);
  }
  std::error_code ec;
  if (std::filesystem::exists(kDefaultConfigPath, ec)) {
    return config::LoadConfig(kDefaultConfigPath);
  }
  return config::DefaultConfig();
}

Result<std::unique_ptr<store::Store>> OpenStore(const CommonFlags& flags,
                                                const config::Config& config,
                                                bool create_if_missing) {
  std::string url = !flags.store_url.empty() ? flags.store_url : config.store.url;
  store::OpenOptions options;
  options.create_if_missing = create_if_missing;
  options.sketch_relative_accuracy = config.store.sketch_relative_accuracy;
  return store::OpenStore(url, options);
}

// --- init --------------------------------------------------------------------------------

struct InitFlags {
  CommonFlags common;
  bool force = false;
};

int RunInit(const InitFlags& flags) {
  std::string path =
      flags.common.config_path.empty() ? kDefaultConfigPath : flags.common.config_path;
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !flags.force) {
    fmt::print("{} exists; kept as it is (--force rewrites it)\n", path);
  } else {
    std::ofstream out(path, std::ios::trunc);
    out << config::InitConfigText();
    if (!out) {
      return Fail(InvalidArgumentError("cannot write " + path));
    }
    fmt::print("wrote {}\n", path);
  }
  CommonFlags common = flags.common;
  common.config_path = path;
  Result<config::Config> config = LoadConfig(common);
  if (!config.ok()) {
    return Fail(config.status());
  }
  Result<std::unique_ptr<store::Store>> store = OpenStore(common, *config, true);
  if (!store.ok()) {
    return Fail(store.status());
  }
  fmt::print("store {} ready (schema {}, sketch relative accuracy {})\n", (*store)->info().url,
             (*store)->info().schema_version, (*store)->info().sketch_relative_accuracy);
  return 0;
}

// --- ingest ------------------------------------------------------------------------------

struct IngestFlags {
  CommonFlags common;
  importer::ImportOptions options;
  std::string format = "table";
  bool quiet = false;
};

int RunIngest(IngestFlags& flags) {
  Result<config::Config> config = LoadConfig(flags.common);
  if (!config.ok()) {
    return Fail(config.status());
  }
  Result<std::unique_ptr<store::Store>> store = OpenStore(flags.common, *config, true);
  if (!store.ok()) {
    return Fail(store.status());
  }
  core::SystemClock clock;
  importer::ImportEnv env;
  env.store = store->get();
  env.config = &*config;
  env.clock = &clock;
  ProgressBar progress(isatty(STDERR_FILENO) != 0 && !flags.quiet);
  env.progress = [&progress](int64_t done, int64_t total) { progress.Update(done, total); };
  env.notice = [&flags](const std::string& msg) {
    if (!flags.quiet) {
      std::fprintf(stderr, "%s\n", msg.c_str());
    }
  };
  Result<importer::ImportSummary> summary = importer::RunImport(env, flags.options);
  progress.Finish();
  if (!summary.ok()) {
    return Fail(summary.status());
  }
  PrintImportSummary(*summary, flags.format);
  return summary->committed ? 0 : kExitImportFailed;
}

// --- latency -----------------------------------------------------------------------------

struct LatencyFlags {
  CommonFlags common;
  std::string service, journey, from, to, last, by;
  std::string format = "table";
};

int RunLatency(const LatencyFlags& flags) {
  Result<config::Config> config = LoadConfig(flags.common);
  if (!config.ok()) {
    return Fail(config.status());
  }
  core::SystemClock clock;
  Result<TimeWindow> window = ParseTimeWindow(flags.from, flags.to, flags.last, clock.Now());
  if (!window.ok()) {
    return Fail(window.status());
  }
  Result<std::unique_ptr<store::Store>> store = OpenStore(flags.common, *config, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  metrics::LatencyQuery q;
  if (!flags.service.empty()) {
    q.service = flags.service;
  }
  if (!flags.journey.empty()) {
    q.journey = flags.journey;
  }
  q.from = window->from;
  q.to = window->to;
  q.by_version = flags.by == "version";
  Result<std::vector<metrics::LatencyRow>> rows = metrics::LatencyTable(**store, q);
  if (!rows.ok()) {
    return Fail(rows.status());
  }
  PrintLatencyTable(*rows, *window, q.by_version, flags.format);
  return 0;
}

// --- coverage ----------------------------------------------------------------------------

struct CoverageIngestFlags {
  CommonFlags common;
  importer::CoverageImportOptions options;
  std::string taken_at;
  std::string format = "table";
};

int RunIngestCoverage(CoverageIngestFlags& flags) {
  Result<config::Config> config = LoadConfig(flags.common);
  if (!config.ok()) {
    return Fail(config.status());
  }
  if (!flags.taken_at.empty()) {
    Result<core::Timestamp> t = core::ParseRfc3339(flags.taken_at);
    if (!t.ok()) {
      return Fail(t.status().WithPrefix("--taken-at"));
    }
    flags.options.taken_at = *t;
  }
  Result<std::unique_ptr<store::Store>> store = OpenStore(flags.common, *config, true);
  if (!store.ok()) {
    return Fail(store.status());
  }
  core::SystemClock clock;
  importer::ImportEnv env;
  env.store = store->get();
  env.config = &*config;
  env.clock = &clock;
  Result<importer::CoverageImportSummary> summary = importer::RunCoverageImport(env, flags.options);
  if (!summary.ok()) {
    return Fail(summary.status());
  }
  PrintCoverageImportSummary(*summary, flags.format);
  return summary->committed ? 0 : kExitImportFailed;
}

struct CoverageFlags {
  CommonFlags common;
  std::string by = "file";
  std::vector<std::string> names;
  std::string codeowners;
  std::string format = "table";
};

// The CODEOWNERS file: --codeowners, else the config's ownership.codeowners (relative to the
// config file's folder), else the first of GitHub's three places in that folder (the current
// one without a config file). "" when there is none.
Result<std::string> FindCodeowners(const CoverageFlags& flags, const config::Config& config) {
  namespace fs = std::filesystem;
  if (!flags.codeowners.empty()) {
    return flags.codeowners;
  }
  const fs::path base =
      config.source.empty() ? fs::path(".") : fs::path(config.source).parent_path();
  if (!config.ownership.codeowners.empty()) {
    fs::path p(config.ownership.codeowners);
    return (p.is_absolute() ? p : base / p).string();
  }
  for (const char* candidate : {".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}) {
    std::error_code ec;
    if (fs::is_regular_file(base / candidate, ec)) {
      return (base / candidate).string();
    }
  }
  return std::string();
}

int RunCoverage(const CoverageFlags& flags) {
  Result<config::Config> config = LoadConfig(flags.common);
  if (!config.ok()) {
    return Fail(config.status());
  }
  Result<config::AreaMap> areas = config::AreaMap::Build(config->areas);
  if (!areas.ok()) {
    return Fail(areas.status());
  }
  Result<std::string> owners_path = FindCodeowners(flags, *config);
  if (!owners_path.ok()) {
    return Fail(owners_path.status());
  }
  std::optional<config::Codeowners> owners;
  if (!owners_path->empty()) {
    std::ifstream in(*owners_path, std::ios::binary);
    if (!in) {
      return Fail(NotFoundError("CODEOWNERS file " + *owners_path + " cannot be read"));
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Result<config::Codeowners> parsed = config::Codeowners::Parse(
        text, config->ownership.gitlab ? config::CodeownersSyntax::kGitlab
                                       : config::CodeownersSyntax::kGithub);
    if (!parsed.ok()) {
      return Fail(parsed.status().WithPrefix(*owners_path));
    }
    for (const config::CodeownersIssue& issue : parsed->issues()) {
      std::fprintf(stderr, "%s:%lld: skipped: %s\n", owners_path->c_str(),
                   static_cast<long long>(issue.line), issue.reason.c_str());
    }
    owners = std::move(parsed).value();
  }
  Result<std::unique_ptr<store::Store>> store = OpenStore(flags.common, *config, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  metrics::CoverageQuery q;
  q.by = flags.by == "area"   ? metrics::CoverageBy::kArea
         : flags.by == "team" ? metrics::CoverageBy::kTeam
                              : metrics::CoverageBy::kFile;
  q.names = flags.names;
  Result<metrics::CoverageTable> table =
      metrics::BuildCoverageTable(**store, q, *areas, owners ? &*owners : nullptr);
  if (!table.ok()) {
    return Fail(table.status());
  }
  PrintCoverageTable(*table, q.by, flags.format);
  return 0;
}

// --- records -----------------------------------------------------------------------------

struct RecordIngestFlags {
  CommonFlags common;
  importer::RecordImportOptions options;
  std::string format = "table";
};

int RunIngestRecords(RecordIngestFlags& flags) {
  Result<config::Config> config = LoadConfig(flags.common);
  if (!config.ok()) {
    return Fail(config.status());
  }
  Result<std::unique_ptr<store::Store>> store = OpenStore(flags.common, *config, true);
  if (!store.ok()) {
    return Fail(store.status());
  }
  core::SystemClock clock;
  importer::ImportEnv env;
  env.store = store->get();
  env.config = &*config;
  env.clock = &clock;
  Result<importer::RecordImportSummary> summary = importer::RunRecordImport(env, flags.options);
  if (!summary.ok()) {
    return Fail(summary.status());
  }
  PrintRecordImportSummary(*summary, flags.options.kind, flags.format);
  return summary->committed ? 0 : kExitImportFailed;
}

struct ListFlags {
  CommonFlags common;
  std::string kind;
  std::string service, team, from, to, last, as_of;
  bool infer_cause = false;
  std::string format = "table";
};

int RunList(const ListFlags& flags) {
  std::optional<model::RecordKind> kind = model::ParseRecordKind(flags.kind);
  if (!kind) {
    return Fail(InvalidArgumentError("vigil list " + flags.kind +
                                     ": expected deployments, releases, incidents, defects or "
                                     "alerts"));
  }
  Result<config::Config> config = LoadConfig(flags.common);
  if (!config.ok()) {
    return Fail(config.status());
  }
  core::SystemClock clock;
  core::Timestamp as_of = clock.Now();
  if (!flags.as_of.empty()) {
    Result<core::Timestamp> t = core::ParseRfc3339(flags.as_of);
    if (!t.ok()) {
      return Fail(t.status().WithPrefix("--as-of"));
    }
    as_of = *t;
  }
  Result<TimeWindow> window = ParseTimeWindow(flags.from, flags.to, flags.last, as_of);
  if (!window.ok()) {
    return Fail(window.status());
  }
  Result<std::unique_ptr<store::Store>> store = OpenStore(flags.common, *config, false);
  if (!store.ok()) {
    return Fail(store.status());
  }
  Result<model::RecordBatch> records = (*store)->LoadRecords();
  if (!records.ok()) {
    return Fail(records.status());
  }
  metrics::TimelineOptions o;
  o.failure_window = config->releases.failure_window;
  o.patch_is_hotfix = config->releases.patch_is_hotfix;
  o.production_environments = config->releases.production_environments;
  o.alert_link_before = config->incidents.alert_link_before;
  o.excluded_causes = config->incidents.excluded_causes;
  o.infer_cause = flags.infer_cause || config->incidents.infer_cause;
  o.as_of = as_of;
  const metrics::Timeline timeline = metrics::BuildTimeline(*records, o);
  ListFilter filter;
  filter.service = flags.service;
  filter.team = flags.team;
  filter.from = window->from;
  filter.to = window->to;
  PrintRecordList(timeline, *kind, filter, as_of, flags.format);
  return 0;
}

// --- demo --------------------------------------------------------------------------------

struct DemoFlags {
  std::string out = "-";
  int64_t lines = 200'000;
  std::string span = "3d";
  uint64_t seed = 1;
  bool no_request_time = false;
  std::string utc_offset = "+0000";
};

int RunDemoAccessLog(const DemoFlags& flags) {
  Result<core::Duration> span = core::ParseDuration(flags.span);
  if (!span.ok()) {
    return Fail(span.status().WithPrefix("--span"));
  }
  if (flags.lines < 0) {
    return Fail(InvalidArgumentError("--lines must be >= 0"));
  }
  demo::AccessLogOptions options;
  options.seed = flags.seed;
  options.lines = flags.lines;
  options.span = *span;
  options.request_time = !flags.no_request_time;
  options.utc_offset = flags.utc_offset;
  Status st = demo::WriteSampleAccessLog(options, flags.out);
  if (!st.ok()) {
    return Fail(st);
  }
  if (flags.out != "-") {
    std::fprintf(stderr, "wrote %lld lines to %s\n", static_cast<long long>(flags.lines),
                 flags.out.c_str());
  }
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app{"vigil: production monitoring as a quality instrument"};
  app.set_version_flag("--version", "vigil 0.1.0");
  app.require_subcommand(1);
  const std::vector<std::string> kFormats = {"table", "json", "csv"};

  InitFlags init;
  CLI::App* init_cmd = app.add_subcommand(
      "init", "write ./vigil.yaml (examples commented out) and create the store");
  AddCommonFlags(init_cmd, &init.common);
  init_cmd->add_flag("--force", init.force, "rewrite an existing config file");

  IngestFlags ingest;
  CLI::App* ingest_cmd = app.add_subcommand("ingest", "import telemetry into the store");
  ingest_cmd->require_subcommand(1);
  CLI::App* access_cmd =
      ingest_cmd->add_subcommand("access-log", "import nginx/Apache/GoAccess-style access logs");
  AddCommonFlags(access_cmd, &ingest.common);
  access_cmd->add_option("files", ingest.options.paths, "log files (plain or .gz)")->required();
  access_cmd
      ->add_option("--log-format", ingest.options.log_format,
                   "auto | nginx | apache | a GoAccess format name | a format string")
      ->default_val("auto");
  access_cmd->add_option("--date-format", ingest.options.date_format,
                         "strftime date format for %d (GoAccess style)");
  access_cmd->add_option("--time-format", ingest.options.time_format,
                         "strftime time format for %t (GoAccess style)");
  access_cmd->add_option("--datetime-format", ingest.options.datetime_format,
                         "strftime format for %x (GoAccess style)");
  access_cmd->add_option("--service", ingest.options.service,
                         "service of every request (default: a format field, else the "
                         "config's default_service)");
  access_cmd->add_flag("--strict", ingest.options.strict,
                       "any rejected line fails the import and stores nothing");
  access_cmd->add_flag("--force", ingest.options.force,
                       "read files again from the start (their lines count again)");
  access_cmd
      ->add_option(
          "--threads", ingest.options.threads,
          "scanning threads: chunks of a large plain log, or files at once (default: one per core)")
      ->check(CLI::Range(1, 64));
  access_cmd->add_option("--format", ingest.format, "summary format")
      ->check(CLI::IsMember({"table", "json"}));
  access_cmd->add_flag("--quiet", ingest.quiet, "no progress bar or notices");

  CLI::App* events_cmd = ingest_cmd->add_subcommand(
      "events", "import request events (NDJSON or CSV; schema in docs/inputs.md)");
  AddCommonFlags(events_cmd, &ingest.common);
  events_cmd->add_option("files", ingest.options.paths, "event files (plain or .gz)")->required();
  events_cmd->add_option("--input-format", ingest.options.input_format, "auto | ndjson | csv")
      ->check(CLI::IsMember({"auto", "ndjson", "csv"}))
      ->default_val("auto");
  events_cmd->add_option("--service", ingest.options.service,
                         "service of every event (default: the event's, else the config's "
                         "default_service)");
  events_cmd->add_flag("--strict", ingest.options.strict,
                       "any rejected line fails the import and stores nothing");
  events_cmd->add_flag("--force", ingest.options.force,
                       "read files again from the start (their events count again)");
  events_cmd->add_option("--format", ingest.format, "summary format")
      ->check(CLI::IsMember({"table", "json"}));
  events_cmd->add_flag("--quiet", ingest.quiet, "no progress bar or notices");

  RecordIngestFlags records;
  std::vector<std::pair<model::RecordKind, CLI::App*>> record_cmds;
  for (model::RecordKind kind :
       {model::RecordKind::kDeployment, model::RecordKind::kRelease, model::RecordKind::kIncident,
        model::RecordKind::kDefect, model::RecordKind::kAlert}) {
    const std::string name(model::RecordKindName(kind));
    CLI::App* cmd = ingest_cmd->add_subcommand(
        name, "import " + name + " from native NDJSON/CSV or a tool's export (files, directories)");
    AddCommonFlags(cmd, &records.common);
    cmd->add_option("files", records.options.paths, "files and directories (plain or .gz)")
        ->required();
    cmd->add_option("--source", records.options.source,
                    "auto | native | github | pagerduty | jira | alertmanager")
        ->check(CLI::IsMember({"auto", "native", "github", "pagerduty", "jira", "alertmanager"}));
    cmd->add_option("--input-format", records.options.input_format,
                    "native files: auto | ndjson | csv")
        ->check(CLI::IsMember({"auto", "ndjson", "csv"}));
    cmd->add_option("--parent", records.options.parent,
                    "parent id for child files whose parent is found nowhere else");
    cmd->add_flag("--strict", records.options.strict,
                  "any rejected record fails the whole invocation; nothing is stored");
    cmd->add_option("--format", records.format, "summary format")
        ->check(CLI::IsMember({"table", "json"}));
    record_cmds.emplace_back(kind, cmd);
  }

  CoverageIngestFlags cov_ingest;
  CLI::App* cov_ingest_cmd = ingest_cmd->add_subcommand(
      "coverage", "import coverage reports (LCOV, Cobertura, JaCoCo, Go) as one snapshot");
  AddCommonFlags(cov_ingest_cmd, &cov_ingest.common);
  cov_ingest_cmd->add_option("files", cov_ingest.options.paths, "report files (plain or .gz)")
      ->required();
  cov_ingest_cmd
      ->add_option("--input-format", cov_ingest.options.input_format,
                   "auto | lcov | cobertura | jacoco | go")
      ->check(CLI::IsMember({"auto", "lcov", "cobertura", "jacoco", "go"}))
      ->default_val("auto");
  cov_ingest_cmd
      ->add_option("--name", cov_ingest.options.name,
                   "snapshot name, like a Codecov flag (unit, integration...)")
      ->default_val("default");
  cov_ingest_cmd->add_option("--commit", cov_ingest.options.commit, "commit the reports are of");
  cov_ingest_cmd->add_option("--taken-at", cov_ingest.taken_at,
                             "when the coverage was taken, RFC 3339 (default: the report's own "
                             "time, else now)");
  cov_ingest_cmd->add_option("--root", cov_ingest.options.root,
                             "repository root: paths are made relative to it and matched "
                             "against its files");
  cov_ingest_cmd->add_option("--strip-prefix", cov_ingest.options.strip_prefixes,
                             "remove this prefix from report paths (repeatable)");
  cov_ingest_cmd->add_flag("--strict", cov_ingest.options.strict,
                           "a malformed record fails the import and stores nothing");
  cov_ingest_cmd->add_option("--format", cov_ingest.format, "summary format")
      ->check(CLI::IsMember({"table", "json"}));

  CoverageFlags coverage;
  CLI::App* coverage_cmd = app.add_subcommand(
      "coverage", "line and branch coverage by file, feature area or team (latest snapshots)");
  AddCommonFlags(coverage_cmd, &coverage.common);
  coverage_cmd->add_option("--by", coverage.by, "file | area | team")
      ->check(CLI::IsMember({"file", "area", "team"}));
  coverage_cmd->add_option("--name", coverage.names, "only these snapshot names (repeatable)");
  coverage_cmd->add_option("--codeowners", coverage.codeowners,
                           "CODEOWNERS file (default: the config's ownership.codeowners, else "
                           ".github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS)");
  coverage_cmd->add_option("--format", coverage.format, "output format")
      ->check(CLI::IsMember(kFormats));

  ListFlags list;
  CLI::App* list_cmd = app.add_subcommand(
      "list", "list deployments, releases, incidents, defects or alerts as the timeline sees them");
  AddCommonFlags(list_cmd, &list.common);
  list_cmd->add_option("kind", list.kind, "deployments | releases | incidents | defects | alerts")
      ->required();
  list_cmd->add_option("--service", list.service, "only this service");
  list_cmd->add_option("--team", list.team, "only this team");
  list_cmd->add_option("--from", list.from, "window start, RFC 3339 (inclusive)");
  list_cmd->add_option("--to", list.to, "window end, RFC 3339 (exclusive)");
  list_cmd->add_option("--last", list.last, "the window of this length ending at --as-of");
  list_cmd->add_option("--as-of", list.as_of, "the data's cut-off, RFC 3339 (default: now)");
  list_cmd->add_flag("--infer-cause", list.infer_cause,
                     "infer an incident's causing release (the live one) when not given");
  list_cmd->add_option("--format", list.format, "output format")->check(CLI::IsMember(kFormats));

  LatencyFlags latency;
  CLI::App* latency_cmd = app.add_subcommand(
      "latency", "per journey and route: counts, errors, p50/p95/p99/p99.9 latency");
  AddCommonFlags(latency_cmd, &latency.common);
  latency_cmd->add_option("--service", latency.service, "only this service");
  latency_cmd->add_option("--journey", latency.journey, "only this journey or route");
  latency_cmd->add_option("--from", latency.from, "window start, RFC 3339 (inclusive)");
  latency_cmd->add_option("--to", latency.to, "window end, RFC 3339 (exclusive)");
  latency_cmd->add_option("--last", latency.last, "window of this length ending now, e.g. 24h");
  latency_cmd->add_option("--by", latency.by, "split rows by: version")
      ->check(CLI::IsMember({"version"}));
  latency_cmd->add_option("--format", latency.format, "output format")
      ->check(CLI::IsMember(kFormats));

  DemoFlags demo_flags;
  CLI::App* demo_cmd = app.add_subcommand("demo", "generate sample data");
  demo_cmd->require_subcommand(1);
  CLI::App* demo_log = demo_cmd->add_subcommand(
      "access-log", "write a deterministic sample nginx access log (combined + $request_time)");
  demo_log->add_option("--out", demo_flags.out, "output file, - for stdout");
  demo_log->add_option("--lines", demo_flags.lines, "number of lines");
  demo_log->add_option("--span", demo_flags.span, "time span the lines cover, e.g. 3d");
  demo_log->add_option("--seed", demo_flags.seed, "random seed");
  demo_log->add_option("--utc-offset", demo_flags.utc_offset, "offset written in $time_local");
  demo_log->add_flag("--no-request-time", demo_flags.no_request_time,
                     "plain combined format, without $request_time");

  CLI11_PARSE(app, argc, argv);

  if (init_cmd->parsed()) {
    return RunInit(init);
  }
  if (access_cmd->parsed()) {
    ingest.options.kind = importer::InputKind::kAccessLog;
    return RunIngest(ingest);
  }
  if (events_cmd->parsed()) {
    ingest.options.kind = importer::InputKind::kEvents;
    return RunIngest(ingest);
  }
  for (const auto& [kind, cmd] : record_cmds) {
    if (cmd->parsed()) {
      records.options.kind = kind;
      return RunIngestRecords(records);
    }
  }
  if (list_cmd->parsed()) {
    return RunList(list);
  }
  if (cov_ingest_cmd->parsed()) {
    return RunIngestCoverage(cov_ingest);
  }
  if (coverage_cmd->parsed()) {
    return RunCoverage(coverage);
  }
  if (latency_cmd->parsed()) {
    return RunLatency(latency);
  }
  if (demo_log->parsed()) {
    return RunDemoAccessLog(demo_flags);
  }
  std::fputs(app.help().c_str(), stdout);
  return 0;
}

}  // namespace
}  // namespace vigil::cli

int main(int argc, char** argv) {
  try {
    return vigil::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigil: internal error: %s\n", e.what());
    return vigil::cli::kExitInternal;
  }
}
