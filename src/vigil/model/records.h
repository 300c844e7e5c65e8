// Quality records (DESIGN §3): deployments, releases, incidents, defects and alerts, stored as
// given by their source. Plain values and their enums; no I/O. What is derived from them
// (which deployment is a release, rollbacks, inferred hotfix_for, alert links, effective
// detection and onset) is computed at query time by the metrics timeline, never stored.
//
// Enum names parse case-insensitively (ignoring '-', '_' and spaces); an unknown name maps to
// kUnknown, never an error.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/time.h"

namespace vigil::model {

// One scale everywhere (DESIGN §2).
enum class Severity : uint8_t { kUnknown = 0, kCritical, kSignificant, kMinor };
// From SemVer unless explicit.
enum class ReleaseType : uint8_t { kUnknown = 0, kMajor, kMinor, kPatch };
// Who or what found an incident first. Everything but kCustomer and kUnknown is internal.
enum class DetectionSource : uint8_t {
  kUnknown = 0,
  kMonitoring,  // dashboards, SLO burn, metrics
  kAlert,       // an alerting rule fired
  kSynthetic,   // synthetic checks / probes
  kRum,         // real-user monitoring
  kQa,
  kEngineer,
  kCustomer,
};
enum class ReporterKind : uint8_t { kUnknown = 0, kCustomer, kInternal };
// The phase that should have caught an escape (DESIGN §2, metric 3).
enum class EscapePhase : uint8_t {
  kUnknown = 0,
  kRequirements,
  kUnit,
  kIntegration,
  kStaging,
  kProductionOnly,
};
// A deployment status as GitHub's deployment statuses name them; native records use the same.
enum class DeploymentState : uint8_t {
  kUnknown = 0,
  kSuccess,
  kFailure,
  kError,
  kPending,
  kQueued,
  kInProgress,
  kInactive,
};

// Canonical lowercase names: "critical", "production-only", "in_progress", "qa", ...
std::string_view SeverityName(Severity v);
std::string_view ReleaseTypeName(ReleaseType v);
std::string_view DetectionSourceName(DetectionSource v);
std::string_view ReporterKindName(ReporterKind v);
std::string_view EscapePhaseName(EscapePhase v);
std::string_view DeploymentStateName(DeploymentState v);

// Case-insensitive; '-', '_' and ' ' are ignored ("Production only", "production_only" and
// "PRODUCTION-ONLY" are the same). Unknown or empty text → kUnknown. Accepted synonyms are
// listed in records.cc (e.g. "sev1"/"p1"/"highest"/"blocker" are NOT severities here: mapping
// priorities to severities is the adapters' job, DESIGN §2).
Severity ParseSeverity(std::string_view text);
ReleaseType ParseReleaseType(std::string_view text);
DetectionSource ParseDetectionSource(std::string_view text);
ReporterKind ParseReporterKind(std::string_view text);
EscapePhase ParseEscapePhase(std::string_view text);
DeploymentState ParseDeploymentState(std::string_view text);

// Where a record came from: "native", "github", "pagerduty", "jira", "alertmanager".
inline constexpr std::string_view kSourceNative = "native";
inline constexpr std::string_view kSourceGithub = "github";
inline constexpr std::string_view kSourcePagerduty = "pagerduty";
inline constexpr std::string_view kSourceJira = "jira";
inline constexpr std::string_view kSourceAlertmanager = "alertmanager";

// A reference from one record to another as the source wrote it: an id ("PT4KHLK",
// "PROJ-123"), a number ("#42", "42") or a URL (a PagerDuty incident's html_url). Resolved at
// query time against the target records' id, number and url.
using RecordRef = std::string;

// One status a deployment went through. Identity within its deployment: (state, at).
struct DeploymentStatus {
  DeploymentState state = DeploymentState::kUnknown;
  core::Timestamp at;
  std::string description;  // as given; may be ""
  friend bool operator==(const DeploymentStatus&, const DeploymentStatus&) = default;
};

// Key: (source, id). A native deployment without an id gets the documented hash of service,
// environment, version and deployed_at (DeploymentHashId).
struct Deployment {
  std::string source;
  std::string id;
  std::string service;
  std::string environment;  // "production", "staging", ... as given
  std::string version;      // as given ("v2.4.1", "2.4.1", a commit)
  std::string commit;       // sha when known, else ""
  std::string ref;          // GitHub ref (tag or branch) when known, else ""
  core::Timestamp deployed_at;
  // Every status seen, ordered by (at, state). A native record with no status is one
  // kSuccess at deployed_at. Imports merge statuses (union), never drop one.
  std::vector<DeploymentStatus> statuses;
  std::string url;
  friend bool operator==(const Deployment&, const Deployment&) = default;
};

// DESIGN §3: "sha256:" + the first 32 hex digits of SHA-256 over
// service \x1f environment \x1f version \x1f deployed_at as decimal Unix milliseconds.
// (Computed by the importer, which owns hashing; declared here so the rule has one home.)
inline constexpr std::string_view kDeploymentHashPrefix = "sha256:";

// Key: (service, version). Metadata about a version; which deployment made it a release is
// derived (metrics timeline). A native release with deployed_at stands for its successful
// production deployment.
struct Release {
  std::string source;
  std::string service;
  std::string version;
  std::string tag;     // GitHub tag_name, else ""
  std::string commit;  // target commit when known
  std::string name;    // title as given
  std::string notes;   // body as given (hotfix / area extraction is done by mappings at import)
  std::string team;
  std::vector<std::string> areas;
  ReleaseType type = ReleaseType::kUnknown;  // explicit; kUnknown = from SemVer at query time
  bool prerelease = false;
  bool hotfix = false;     // marked a hotfix or emergency patch by its source or mapping
  std::string hotfix_for;  // explicit version it fixes, "" = infer at query time if hotfix
  std::optional<core::Timestamp> deployed_at;  // native: stands for its production deploy
  std::optional<core::Timestamp> created_at;   // GitHub created_at / published_at
  std::string environment;                     // of deployed_at; "" = production
  std::string url;
  friend bool operator==(const Release&, const Release&) = default;
};

// Key: (source, id).
struct Incident {
  std::string source;
  std::string id;
  std::string number;  // human number when the source has one ("1234"), else ""
  std::string url;     // html_url / browse URL, else ""
  std::string title;
  Severity severity = Severity::kUnknown;
  std::string service;
  std::string journey;  // optional
  std::string area;
  std::string team;
  std::string environment;                    // "" = production
  std::optional<core::Timestamp> started_at;  // recorded impact start
  bool started_at_dropped = false;  // the source's impact start was after detection: dropped
  core::Timestamp created_at;       // trigger / creation time
  std::optional<core::Timestamp> detected_at;  // explicit own detection time, when given
  std::optional<core::Timestamp> resolved_at;  // nullopt = open
  DetectionSource detection_source = DetectionSource::kUnknown;
  // The causing release as given: service may be "" (= the incident's service).
  std::string cause_service;
  std::string cause_version;
  std::string cause;  // cause category as given ("external", "config", ...), for exclusions
  EscapePhase escape_phase = EscapePhase::kUnknown;
  std::vector<std::string> paths;  // code paths involved, when known
  std::vector<RecordRef> alerts;   // explicit alert references (fingerprints), when given
  bool merged = false;             // merged into / duplicate of another incident: excluded
  std::string status;              // as given ("resolved", "triggered", ...)
  friend bool operator==(const Incident&, const Incident&) = default;
};

// Key: (source, id). A bug report.
struct Defect {
  std::string source;
  std::string id;
  std::string number;
  std::string url;
  std::string title;
  ReporterKind reporter = ReporterKind::kUnknown;
  Severity severity = Severity::kUnknown;
  std::string service;
  std::string area;
  std::string team;
  core::Timestamp found_at;  // created
  std::optional<core::Timestamp> resolved_at;
  std::string release;  // affects version as given ("" = unknown)
  RecordRef incident;   // the linked incident as given ("" = none)
  EscapePhase escape_phase = EscapePhase::kUnknown;
  std::string status;  // as given
  friend bool operator==(const Defect&, const Defect&) = default;
};

// Key: (fingerprint, starts_at): a repeated notification is not a new firing; a reused
// fingerprint with a new start is.
struct Alert {
  std::string source;
  std::string fingerprint;
  core::Timestamp starts_at;
  std::optional<core::Timestamp> ends_at;  // nullopt while firing
  std::string rule;                        // alertname
  std::string service;                     // from the mapped label, "" when unknown
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  RecordRef incident;  // explicit link from a label/annotation, "" = none
  std::string generator_url;
  friend bool operator==(const Alert&, const Alert&) = default;
};

// The five record kinds, as `vigil ingest <kind>` and `vigil list <kind>` name them (plural).
enum class RecordKind : uint8_t { kDeployment, kRelease, kIncident, kDefect, kAlert };
std::string_view RecordKindName(RecordKind kind);  // "deployments", "releases", ...
// "deployments"/"deployment" → kDeployment, ...; nullopt for anything else.
std::optional<RecordKind> ParseRecordKind(std::string_view text);

// What one parsed input holds; parsers append, the importer upserts.
struct RecordBatch {
  std::vector<Deployment> deployments;
  std::vector<Release> releases;
  std::vector<Incident> incidents;
  std::vector<Defect> defects;
  std::vector<Alert> alerts;
  size_t size() const {
    return deployments.size() + releases.size() + incidents.size() + defects.size() + alerts.size();
  }
};

}  // namespace vigil::model
