// The timeline (DESIGN §2 "Rules that hold for every metric" and "Decisions on edge cases",
// §3 "Records"): what the stored records mean, derived at query time from the records as
// given — deployment outcomes, which deployment made a release, release metadata, SemVer
// release types, rollbacks, hotfixes (explicit and inferred), failed/pending/succeeded
// releases, causing releases of incidents, alert ↔ incident and defect ↔ incident links,
// effective detection times and which incidents are excluded from escapes.
//
// BuildTimeline is a pure function: no store, no clock (`as_of` is handed in), no config
// (TimelineOptions is filled by the caller). Its output does not depend on the order of the
// records in the input vectors: every list is sorted by the keys named below, ties broken by
// the records' remaining fields. Every fact that was inferred rather than given says so (an
// enum or a `*_found` flag), so `vigil list` can mark it. The rules, with examples, are in
// docs/timeline.md ("Timeline rules"). Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "vigil/core/time.h"
#include "vigil/model/records.h"

namespace vigil::metrics {

struct TimelineOptions {
  core::Duration failure_window = core::Duration::Hours(48);
  bool patch_is_hotfix = false;
  // Compared ASCII case-folded; an empty environment ("" = unset) always counts as production.
  std::vector<std::string> production_environments = {"production", "prod"};
  core::Duration alert_link_before = core::Duration::Minutes(30);
  bool infer_cause = false;  // an incident without an explicit cause → the live release
  std::vector<std::string> excluded_causes;  // incident causes excluded from escapes (folded)
  core::Timestamp as_of;  // the data's cut-off ("now"); judges windows, never filters records
};

// A record's key (source, id): deployments, incidents, defects.
struct RecordKey {
  std::string source;
  std::string id;
  friend bool operator==(const RecordKey&, const RecordKey&) = default;
  friend bool operator<(const RecordKey& a, const RecordKey& b) {
    return std::tie(a.source, a.id) < std::tie(b.source, b.id);
  }
};

// An alert's key (fingerprint, starts_at).
struct AlertKey {
  std::string fingerprint;
  core::Timestamp starts_at;
  friend bool operator==(const AlertKey&, const AlertKey&) = default;
};

// kSuccess: has a `success` status (its time: the earliest one); kFailed: `failure`/`error` and
// never `success`; otherwise kPending. No statuses at all: kSuccess at deployed_at for a native
// (or source-less) record, kPending for any other source.
enum class DeploymentOutcome : uint8_t { kPending, kSuccess, kFailed };

struct DerivedDeployment {
  model::Deployment deployment;  // as given, statuses sorted by (at, state, description)
  DeploymentOutcome outcome = DeploymentOutcome::kPending;
  std::optional<core::Timestamp> succeeded_at;  // the earliest success; set iff kSuccess
  bool is_production = false;
  bool made_release = false;  // the first successful production deployment of its version
  friend bool operator==(const DerivedDeployment&, const DerivedDeployment&) = default;
};

enum class ReleaseState : uint8_t { kPending, kSucceeded, kFailed, kNotDeployed };
enum class FailureReason : uint8_t { kRollback, kHotfix, kPatch };
// How a Release record was joined to a release: same (service, version); its tag equals the
// deployment's ref or the version; its commit equals the deployment's commit.
enum class JoinBasis : uint8_t { kVersion, kTag, kCommit };
// Why a release counts as a hotfix for another: marked hotfix with `hotfix_for` (kExplicit),
// marked hotfix without it → the service's previous release (kInferred), or a patch release
// inside the previous release's window under patch_is_hotfix (kPatch, also inferred).
enum class HotfixBasis : uint8_t { kNone, kExplicit, kInferred, kPatch };

struct JoinedRelease {  // one Release record whose metadata a release carries
  std::string source, service, version;
  JoinBasis basis = JoinBasis::kVersion;
  friend bool operator==(const JoinedRelease&, const JoinedRelease&) = default;
};

struct Rollback {      // a production deployment of an older version that rolled this release back
  core::Timestamp at;  // that deployment's deployed_at
  std::string to_version;  // the version it went back to
  RecordKey deployment;    // that deployment ({release source, ""} for a Release record)
  bool within_window = false;
  friend bool operator==(const Rollback&, const Rollback&) = default;
};

struct HotfixShipped {  // a release that counts as a hotfix for this one
  std::string version;
  core::Timestamp at;  // its deployed_at
  HotfixBasis basis = HotfixBasis::kExplicit;
  bool within_window = false;
  friend bool operator==(const HotfixShipped&, const HotfixShipped&) = default;
};

// One per (service, version) with a successful production deployment (deployed), and one per
// (service, version) of Release records that joined no deployed release (not deployed:
// state kNotDeployed, counted nowhere). Versions are compared ignoring a leading 'v' before a
// digit ("v1.4.0" = "1.4.0"); `version` is spelled as the first deployment spelled it. A
// deployment without a version makes no release.
struct DerivedRelease {
  std::string service, version;
  bool deployed = false;
  // The first successful production deployment's deployed_at (not its success time), or the
  // deployed_at of a Release record standing for it; window_end = deployed_at + window.
  core::Timestamp deployed_at, window_end;
  RecordKey deployment;                     // the deployment that made it
  bool deployed_by_release_record = false;  // deployment = {that record's source, ""}
  // Metadata: the first non-empty value over the joined records (by basis, then record order);
  // commit prefers the deployment's own.
  std::string team, commit, tag, name, notes, url;
  std::vector<std::string> areas;
  bool prerelease = false;  // a record says so, or the version has a SemVer pre-release part
  std::vector<JoinedRelease> joined;
  model::ReleaseType type = model::ReleaseType::kUnknown;
  bool type_inferred = false;  // from SemVer, not a record
  // As a hotfix: hotfix = a joined record marks it; hotfix_for = the release it counts against
  // (found: that release's version; not found: as given, nothing counted).
  bool hotfix = false;
  std::string hotfix_for;
  HotfixBasis hotfix_basis = HotfixBasis::kNone;
  bool hotfix_for_found = false;
  // Against it, in time order; only events within [deployed_at, window_end] fail it.
  std::vector<Rollback> rollbacks;
  std::optional<core::Timestamp> rolled_back_at;  // the earliest rollback
  std::vector<HotfixShipped> hotfixes;
  std::vector<FailureReason> failure_reasons;       // ascending, each once
  std::optional<core::Timestamp> failed_at;         // the earliest event within the window
  ReleaseState state = ReleaseState::kNotDeployed;  // as of options.as_of
  friend bool operator==(const DerivedRelease&, const DerivedRelease&) = default;
};

enum class DetectionBasis : uint8_t { kOwn, kAlert };
enum class CauseBasis : uint8_t { kNone, kExplicit, kInferred };

struct DerivedIncident {
  model::Incident incident;  // as given
  bool is_production = false;
  core::Timestamp own_detected_at;  // detected_at, else created_at
  // Effective: the earliest of own detection and the linked alerts that started before it and
  // at or after the causing deployment (any linked alert when there is none).
  core::Timestamp detected_at;
  DetectionBasis detected_by = DetectionBasis::kOwn;
  std::optional<AlertKey> detecting_alert;  // set iff detected_by == kAlert
  // The causing release: explicit (service "" = the incident's) or, with infer_cause, the
  // service's live release at own detection. Found: cause_version is that release's version.
  CauseBasis cause_basis = CauseBasis::kNone;
  std::string cause_service, cause_version;
  bool cause_release_found = false;
  // Latest production deployment of the causing version at or before own detection.
  std::optional<core::Timestamp> cause_deployed_at;
  // "merged", "environment:<env>" (not production) or "cause:<cause>"; "" = counts.
  bool excluded = false;
  std::string excluded_reason;
  std::vector<AlertKey> alerts;    // linked alerts, by (starts_at, fingerprint)
  std::vector<RecordKey> defects;  // linked defects, by key
  friend bool operator==(const DerivedIncident&, const DerivedIncident&) = default;
};

struct DerivedDefect {
  model::Defect defect;                  // as given
  std::optional<RecordKey> incident;     // the resolved `incident` ref
  bool incident_ref_unresolved = false;  // `incident` given but names no known incident
  // Linked to a non-merged incident: one escape with it, not one of its own.
  bool counted_with_incident = false;
  friend bool operator==(const DerivedDefect&, const DerivedDefect&) = default;
};

// kAlertRef: the alert's `incident` names it; kIncidentRef: the incident lists the alert's
// fingerprint (and this firing overlaps its link window); kWindow: inferred from service and
// time, never onto a merged incident, and never for an alert whose own ref is unresolved.
// Several candidates: own detection nearest the alert's start, then the smaller key.
enum class AlertLinkBasis : uint8_t { kNone, kAlertRef, kIncidentRef, kWindow };

struct DerivedAlert {
  model::Alert alert;  // as given
  std::optional<RecordKey> incident;
  AlertLinkBasis link = AlertLinkBasis::kNone;
  bool incident_ref_unresolved = false;  // `incident` given but names no known incident
  friend bool operator==(const DerivedAlert&, const DerivedAlert&) = default;
};

struct Timeline {
  std::vector<DerivedDeployment> deployments;  // by (deployed_at, source, id)
  // Deployed by (deployed_at, service, version), then not deployed by (service, version).
  std::vector<DerivedRelease> releases;
  std::vector<DerivedIncident> incidents;  // by (created_at, source, id)
  std::vector<DerivedDefect> defects;      // by (found_at, source, id)
  std::vector<DerivedAlert> alerts;        // by (starts_at, fingerprint)
  friend bool operator==(const Timeline&, const Timeline&) = default;
};

Timeline BuildTimeline(const model::RecordBatch& records, const TimelineOptions& options);

// The release of exactly (service, version) (deployed or not), or null. Points into `timeline`.
const DerivedRelease* FindRelease(const Timeline& timeline, std::string_view service,
                                  std::string_view version);
// The incident keyed (source, id), or null. Points into `timeline`.
const DerivedIncident* FindIncident(const Timeline& timeline, const RecordKey& key);

// SemVer 2.0 `MAJOR.MINOR.PATCH[-pre][+build]`, with an optional leading 'v'/'V'; components
// are digit strings (at most 18 digits). Anything else: nullopt.
struct SemVer {
  uint64_t major = 0, minor = 0, patch = 0;
  bool prerelease = false;
};
std::optional<SemVer> ParseSemVer(std::string_view version);

// Lowercase names for output: "pending", "success", "failed"; "succeeded", "not-deployed";
// "rollback", "hotfix", "patch"; "none", "explicit", "inferred"; "own", "alert"; "alert-ref",
// "incident-ref", "window"; "version", "tag", "commit".
std::string_view DeploymentOutcomeName(DeploymentOutcome v);
std::string_view ReleaseStateName(ReleaseState v);
std::string_view FailureReasonName(FailureReason v);
std::string_view HotfixBasisName(HotfixBasis v);
std::string_view CauseBasisName(CauseBasis v);
std::string_view DetectionBasisName(DetectionBasis v);
std::string_view AlertLinkBasisName(AlertLinkBasis v);
std::string_view JoinBasisName(JoinBasis v);

}  // namespace vigil::metrics
