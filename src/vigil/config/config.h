// vigil.yaml: services, journeys (method + route pattern), their SLOs, the ingest and store
// settings, areas, ownership, the `mappings:` of tool exports (mappings.h) and the release and
// incident settings, loaded and validated into plain structs (DESIGN §2, §4, §6).
//
// Owns: the YAML schema, its defaults, its validation and the text `vigil init` writes.
// Does not own: what the settings mean (journey matching is ingest's, retention is the
// store's, SLO arithmetic is metrics'). yaml-cpp is wrapped here; no exception leaves the
// module. The reference is docs/configuration.md. Functions are thread-safe; a Config is a
// plain value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config/mappings.h"
#include "vigil/core/status.h"
#include "vigil/core/time.h"
#include "vigil/model/records.h"

namespace vigil::config {

// "99% of requests take at most 800 ms" → {LatencyUs 800000, 0.99}.
struct LatencyObjective {
  core::LatencyUs threshold;  // > 0, at most 1 h.
  double target = 0;          // In (0, 1).
  bool operator==(const LatencyObjective&) const = default;
};

// The objectives of one journey; an absent `slo` has none.
struct Slo {
  std::optional<double> availability;     // In (0, 1), e.g. 0.999 (written 99.9% or 0.999).
  std::vector<LatencyObjective> latency;  // Distinct thresholds, in file order.
  core::Duration window = core::Duration::Days(28);  // Rolling; > 0, at most store.retention.
  bool operator==(const Slo&) const = default;
};

struct Journey {
  std::string name;                  // Unique within its service.
  std::vector<std::string> methods;  // Upper-cased HTTP tokens; empty = any method.
  // Literal segments; ":x", "{x}" and "*" match one segment, "**" the rest (last only).
  std::string route;
  Slo slo;
  bool operator==(const Journey&) const = default;
};

struct Service {
  std::string name;               // As telemetry sends it (OTLP service.name); unique.
  std::string environment;        // Optional, "" when not given.
  std::vector<Journey> journeys;  // In file order: a request matches the first that fits.
  bool operator==(const Service&) const = default;
};

struct IngestSettings {
  core::Duration reorder_horizon = core::Duration::Minutes(5);  // In [0, 1d].
  int route_cap = 500;  // Automatic routes per service, in [0, 1000000].
  bool operator==(const IngestSettings&) const = default;
};

struct StoreSettings {
  // "" → ./vigil.db; "sqlite:///path", a plain path, or "postgres://…" (postgresql:// too).
  std::string url;
  double sketch_relative_accuracy = 0.01;  // In [0.0001, 0.5]; fixed when the store is created.
  core::Duration retention = core::Duration::Days(400);              // > 0.
  core::Duration sketch_downsample_after = core::Duration::Days(8);  // In [1h, retention].
  bool operator==(const StoreSettings&) const = default;
};

// A feature area: the files whose repository-relative path matches one of `paths` (PathPattern
// syntax, path_pattern.h). A file belongs to the first area, in file order, with a match.
struct Area {
  std::string name;                // Unique.
  std::vector<std::string> paths;  // Valid patterns, in file order; at least one.
  bool operator==(const Area&) const = default;
};

struct OwnershipSettings {
  // The CODEOWNERS file, relative to the config file's folder (or absolute). "" = the first of
  // .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS found there (GitHub's order).
  std::string codeowners;
  bool gitlab = false;  // `syntax: gitlab`: GitLab's sections and escapes (codeowners.h).
  bool operator==(const OwnershipSettings&) const = default;
};

// `releases:` — how release failure is judged (DESIGN §2 "Failed release").
struct ReleaseSettings {
  // A rollback or hotfix within this long after a release's deploy fails it. > 0, ≤ 365d.
  core::Duration failure_window = core::Duration::Hours(48);
  // Any patch release of the same service inside the window counts as a hotfix too.
  bool patch_is_hotfix = false;
  // Deployments to these environments are production deployments (make releases). Non-empty,
  // distinct, in file order; compared with deployments' environment ignoring ASCII case.
  std::vector<std::string> production_environments = {"production", "prod"};
  bool operator==(const ReleaseSettings&) const = default;
};

// `incidents:` — which incidents count and how alerts link to them (DESIGN §2).
struct IncidentSettings {
  // An alert on an incident's service links to it when it starts at most this long before
  // the incident's own detection time (and before it resolves). In [0, 7d].
  core::Duration alert_link_before = core::Duration::Minutes(30);
  // Incidents whose cause is one of these (compared ignoring ASCII case) are shown as
  // excluded instead of counting as escapes, e.g. {"external"}. Distinct, in file order.
  std::vector<std::string> excluded_causes;
  // Infer an incident's causing release when no mapping gives one (off by default).
  bool infer_cause = false;
  // The Alertmanager label (or annotation) naming an alert's incident, and its service.
  // Prometheus label names ([a-zA-Z_][a-zA-Z0-9_]*); "" = none.
  std::string alert_incident_label = "incident";
  std::string alert_service_label = "service";
  bool operator==(const IncidentSettings&) const = default;
};

struct Config {
  std::string source;           // The file it was read from; "" for built-in defaults.
  std::string default_service;  // For input without a service name; may be "".
  std::vector<Service> services;
  IngestSettings ingest;
  StoreSettings store;
  std::vector<Area> areas;  // In file order.
  OwnershipSettings ownership;
  // `mappings:`, one entry per <source>.<kind> block, in file order (docs/mappings.md). The
  // adapters merge each with their built-in defaults (ingest/record_mapping.h).
  std::vector<SourceMappings> mappings;
  ReleaseSettings releases;
  IncidentSettings incidents;

  // The user's mappings for `source_name` ("pagerduty", ...) and `kind`, or nullptr when vigil.yaml
  // has none. The pointer lives as long as this Config is neither changed nor destroyed.
  const SourceMappings* FindMappings(std::string_view source_name, model::RecordKind kind) const;

  // The service named `name`, or nullptr. The pointer lives as long as this Config is
  // neither changed nor destroyed.
  const Service* FindService(std::string_view name) const;
  // Every distinct latency threshold of the service's journeys, sorted ascending (the
  // rollup builder counts requests over each exactly); empty for an unknown service.
  std::vector<core::LatencyUs> LatencyThresholds(std::string_view service) const;

  bool operator==(const Config&) const = default;
};

// Parses and validates vigil.yaml text. `source_name` names the text in messages and
// becomes Config::source. An empty text or one with only comments gives DefaultConfig().
// Errors: kInvalidArgument with one line per problem (at most 20 shown), sorted by line,
// each "<source>:<line>: <key path>: <reason>", e.g.
// "vigil.yaml:12: services[0].journeys[1].slo.availability: must be in (0, 1), got 1.5".
// Unknown keys are errors naming the closest known key. Texts over 1 MiB or nested deeper
// than 32 levels are rejected before yaml-cpp sees them.
Result<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name);

// Reads and parses the file at `path` (Config::source = path). kNotFound when it does not
// exist (every verb works without a config: the caller decides); kFailedPrecondition when
// it cannot be read; else as ParseConfig.
Result<Config> LoadConfig(const std::string& path);

// The built-in defaults: no services, every setting at its default, source "".
Config DefaultConfig();

// The text `vigil init` writes to ./vigil.yaml: every setting at its default with a
// comment, and an example service with journeys and SLOs commented out. Parsing it gives
// DefaultConfig() (apart from source).
std::string InitConfigText();

// Checks a journey route pattern: starts with '/'; segments are literals, ":name",
// "{name}", "*" or "**" (last only); no empty segment (a lone "/" is the root); no query,
// fragment, whitespace or control characters. Error: kInvalidArgument with the reason.
Status ValidateRoutePattern(std::string_view pattern);

}  // namespace vigil::config
