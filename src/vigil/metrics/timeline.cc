#include "vigil/metrics/timeline.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <map>
#include <utility>

#include "vigil/core/text.h"

namespace vigil::metrics {
namespace {

constexpr size_t kNoIndex = std::numeric_limits<size_t>::max();

std::string Fold(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = core::AsciiLower(c);
  }
  return out;
}

bool InFoldedList(std::string_view text, const std::vector<std::string>& list) {
  return std::any_of(list.begin(), list.end(),
                     [&](const std::string& item) { return core::EqualsIgnoreCase(text, item); });
}

bool IsProduction(std::string_view environment, const TimelineOptions& options) {
  return environment.empty() || InFoldedList(environment, options.production_environments);
}

// "v1.2.0" and "1.2.0" name one version: a leading 'v'/'V' before a digit is ignored.
std::string_view StripV(std::string_view version) {
  if (version.size() >= 2 && (version[0] == 'v' || version[0] == 'V') &&
      core::IsDigit(version[1])) {
    version.remove_prefix(1);
  }
  return version;
}

bool SameVersion(std::string_view a, std::string_view b) {
  return StripV(a) == StripV(b);
}

void FillIfEmpty(std::string& target, const std::string& value) {
  if (target.empty()) {
    target = value;
  }
}

// Total orders over the records (time, key, then every other field), so that sorting the
// input first makes everything after it independent of the input's order.
bool StatusesLess(const std::vector<model::DeploymentStatus>& a,
                  const std::vector<model::DeploymentStatus>& b) {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const model::DeploymentStatus& x, const model::DeploymentStatus& y) {
        return std::tie(x.at, x.state, x.description) < std::tie(y.at, y.state, y.description);
      });
}

void SortStatuses(std::vector<model::DeploymentStatus>& statuses) {
  std::sort(statuses.begin(), statuses.end(),
            [](const model::DeploymentStatus& x, const model::DeploymentStatus& y) {
              return std::tie(x.at, x.state, x.description) <
                     std::tie(y.at, y.state, y.description);
            });
}

bool DeploymentLess(const model::Deployment& a, const model::Deployment& b) {
  const auto ta = std::tie(a.deployed_at, a.source, a.id, a.service, a.environment, a.version,
                           a.commit, a.ref, a.url);
  const auto tb = std::tie(b.deployed_at, b.source, b.id, b.service, b.environment, b.version,
                           b.commit, b.ref, b.url);
  if (ta != tb) {
    return ta < tb;
  }
  return StatusesLess(a.statuses, b.statuses);
}

bool ReleaseRecordLess(const model::Release& a, const model::Release& b) {
  return std::tie(a.service, a.version, a.source, a.tag, a.commit, a.name, a.notes, a.team, a.areas,
                  a.type, a.prerelease, a.hotfix, a.hotfix_for, a.deployed_at, a.created_at,
                  a.environment, a.url) <
         std::tie(b.service, b.version, b.source, b.tag, b.commit, b.name, b.notes, b.team, b.areas,
                  b.type, b.prerelease, b.hotfix, b.hotfix_for, b.deployed_at, b.created_at,
                  b.environment, b.url);
}

bool IncidentLess(const model::Incident& a, const model::Incident& b) {
  return std::tie(a.created_at, a.source, a.id, a.number, a.url, a.title, a.severity, a.service,
                  a.journey, a.area, a.team, a.environment, a.started_at, a.started_at_dropped,
                  a.detected_at, a.resolved_at, a.detection_source, a.cause_service,
                  a.cause_version, a.cause, a.escape_phase, a.paths, a.alerts, a.merged, a.status) <
         std::tie(b.created_at, b.source, b.id, b.number, b.url, b.title, b.severity, b.service,
                  b.journey, b.area, b.team, b.environment, b.started_at, b.started_at_dropped,
                  b.detected_at, b.resolved_at, b.detection_source, b.cause_service,
                  b.cause_version, b.cause, b.escape_phase, b.paths, b.alerts, b.merged, b.status);
}

bool DefectLess(const model::Defect& a, const model::Defect& b) {
  return std::tie(a.found_at, a.source, a.id, a.number, a.url, a.title, a.reporter, a.severity,
                  a.service, a.area, a.team, a.resolved_at, a.release, a.incident, a.escape_phase,
                  a.status) < std::tie(b.found_at, b.source, b.id, b.number, b.url, b.title,
                                       b.reporter, b.severity, b.service, b.area, b.team,
                                       b.resolved_at, b.release, b.incident, b.escape_phase,
                                       b.status);
}

bool AlertLess(const model::Alert& a, const model::Alert& b) {
  return std::tie(a.starts_at, a.fingerprint, a.source, a.ends_at, a.rule, a.service, a.labels,
                  a.annotations, a.incident, a.generator_url) <
         std::tie(b.starts_at, b.fingerprint, b.source, b.ends_at, b.rule, b.service, b.labels,
                  b.annotations, b.incident, b.generator_url);
}

template <typename T, typename Less>
std::vector<T> Sorted(std::vector<T> items, Less less) {
  std::sort(items.begin(), items.end(), less);
  return items;
}

DerivedDeployment DeriveDeployment(const model::Deployment& d, const TimelineOptions& options) {
  DerivedDeployment out;
  out.deployment = d;
  out.is_production = IsProduction(d.environment, options);
  bool failed = false;
  for (const model::DeploymentStatus& s : d.statuses) {
    if (s.state == model::DeploymentState::kSuccess) {
      if (!out.succeeded_at || s.at < *out.succeeded_at) {
        out.succeeded_at = s.at;
      }
    } else if (s.state == model::DeploymentState::kFailure ||
               s.state == model::DeploymentState::kError) {
      failed = true;
    }
  }
  // The importer gives a native record without status one success at deployed_at; a batch
  // built elsewhere may not have, so the rule is applied here too.
  if (d.statuses.empty() && (d.source.empty() || d.source == model::kSourceNative)) {
    out.succeeded_at = d.deployed_at;
  }
  if (out.succeeded_at) {
    out.outcome = DeploymentOutcome::kSuccess;
  } else if (failed) {
    out.outcome = DeploymentOutcome::kFailed;
  }
  return out;
}

// A successful production deployment, or a Release record standing for one.
struct DeployEvent {
  std::string service, version;
  core::Timestamp at;
  bool from_release_record = false;
  RecordKey key;            // the deployment's, or {record source, ""}
  std::string ref, commit;  // for joining Release records
  size_t origin = 0;        // index of the deployment or the Release record
  size_t release = kNoIndex;
  bool makes_release = false;
};

bool EventLess(const DeployEvent& a, const DeployEvent& b) {
  return std::tie(a.service, a.at, a.from_release_record, a.key, a.version, a.origin) <
         std::tie(b.service, b.at, b.from_release_record, b.key, b.version, b.origin);
}

std::optional<uint64_t> ParseComponent(std::string_view digits) {
  if (digits.empty() || digits.size() > 18 || !core::AllDigits(digits)) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : digits) {
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

bool IsIdentifierText(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return core::IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
           c == '-';
  });
}

// x.0.0 → major, x.y.0 → minor, else patch.
model::ReleaseType TypeFromComponents(const SemVer& v) {
  if (v.patch != 0) {
    return model::ReleaseType::kPatch;
  }
  return v.minor != 0 ? model::ReleaseType::kMinor : model::ReleaseType::kMajor;
}

// Against the previous release when this one is higher; from its own components otherwise
// (first release, previous not SemVer, or a lower/equal version such as a backport).
model::ReleaseType InferType(const SemVer& v, const std::optional<SemVer>& previous) {
  if (!previous || std::tie(v.major, v.minor, v.patch) <=
                       std::tie(previous->major, previous->minor, previous->patch)) {
    return TypeFromComponents(v);
  }
  if (v.major != previous->major) {
    return model::ReleaseType::kMajor;
  }
  return v.minor != previous->minor ? model::ReleaseType::kMinor : model::ReleaseType::kPatch;
}

void MergeMetadata(const model::Release& record, DerivedRelease& release) {
  FillIfEmpty(release.team, record.team);
  FillIfEmpty(release.commit, record.commit);
  FillIfEmpty(release.tag, record.tag);
  FillIfEmpty(release.name, record.name);
  FillIfEmpty(release.notes, record.notes);
  FillIfEmpty(release.url, record.url);
  FillIfEmpty(release.hotfix_for, record.hotfix_for);
  if (release.areas.empty()) {
    release.areas = record.areas;
  }
  release.prerelease = release.prerelease || record.prerelease;
  // DESIGN §2: a hotfix is marked by the mapping (label, release type or hotfix_for).
  release.hotfix = release.hotfix || record.hotfix || !record.hotfix_for.empty();
  if (release.type == model::ReleaseType::kUnknown) {
    release.type = record.type;
  }
}

std::string_view StripHash(std::string_view s) {
  if (!s.empty() && s.front() == '#') {
    s.remove_prefix(1);
  }
  return s;
}

std::string_view StripSlash(std::string_view s) {
  if (!s.empty() && s.back() == '/') {
    s.remove_suffix(1);
  }
  return s;
}

int64_t AbsMs(core::Duration d) {
  return d.ms() < 0 ? -d.ms() : d.ms();
}

class TimelineBuilder {
 public:
  TimelineBuilder(const model::RecordBatch& records, const TimelineOptions& options)
      : options_(options),
        records_(Sorted(records.releases, ReleaseRecordLess)),
        record_used_(records_.size(), false),
        incidents_in_(Sorted(records.incidents, IncidentLess)),
        defects_in_(Sorted(records.defects, DefectLess)),
        alerts_in_(Sorted(records.alerts, AlertLess)) {
    std::vector<model::Deployment> deployments = records.deployments;
    for (model::Deployment& d : deployments) {
      SortStatuses(d.statuses);  // records.h orders them; a batch built elsewhere may not
    }
    for (const model::Deployment& d : Sorted(std::move(deployments), DeploymentLess)) {
      out_.deployments.push_back(DeriveDeployment(d, options_));
    }
  }

  Timeline Build() {
    IndexRecords();
    AddReleasesFromDeployments();
    AddReleasesFromRecords();
    IndexEvents();
    AddNotDeployedReleases();
    InferTypes();
    FindRollbacks();
    FindHotfixes();
    JudgeReleases();
    DeriveIncidents();
    LinkAlerts();
    LinkDefects();
    SetEffectiveDetection();
    SortReleases();
    return std::move(out_);
  }

 private:
  using ReleaseId = std::pair<std::string, std::string>;  // (service, version without 'v')

  static ReleaseId IdOf(std::string_view service, std::string_view version) {
    return {std::string(service), std::string(StripV(version))};
  }

  size_t LookupRelease(std::string_view service, std::string_view version) const {
    auto it = release_index_.find(IdOf(service, version));
    return it == release_index_.end() ? kNoIndex : it->second;
  }

  void AddReleasesFromDeployments() {
    std::vector<DeployEvent> events;
    for (size_t i = 0; i < out_.deployments.size(); ++i) {
      const DerivedDeployment& d = out_.deployments[i];
      if (d.outcome != DeploymentOutcome::kSuccess || !d.is_production ||
          d.deployment.version.empty()) {
        continue;
      }
      const model::Deployment& dep = d.deployment;
      events.push_back(DeployEvent{dep.service, dep.version, dep.deployed_at, false,
                                   RecordKey{dep.source, dep.id}, dep.ref, dep.commit, i});
    }
    AddReleases(std::move(events));
    for (const DeployEvent& e : events_) {
      if (e.makes_release) {
        out_.deployments[e.origin].made_release = true;
      }
    }
  }

  // Release records with deployed_at in production that joined no release from a deployment.
  void AddReleasesFromRecords() {
    std::vector<DeployEvent> events;
    for (size_t j = 0; j < records_.size(); ++j) {
      const model::Release& r = records_[j];
      if (record_used_[j] || !r.deployed_at || !IsProduction(r.environment, options_) ||
          r.version.empty()) {
        continue;
      }
      events.push_back(DeployEvent{r.service, r.version, *r.deployed_at, true,
                                   RecordKey{r.source, ""}, r.tag, r.commit, j});
    }
    AddReleases(std::move(events));
  }

  // Creates a release at the first event of each (service, version) and joins its metadata.
  void AddReleases(std::vector<DeployEvent> events) {
    std::sort(events.begin(), events.end(), EventLess);
    std::vector<size_t> created;
    for (DeployEvent& e : events) {
      const ReleaseId id = IdOf(e.service, e.version);
      auto it = release_index_.find(id);
      if (it == release_index_.end()) {
        it = release_index_.emplace(id, out_.releases.size()).first;
        out_.releases.push_back(NewRelease(e));
        e.makes_release = true;
        created.push_back(events_.size());
      }
      e.release = it->second;
      events_.push_back(std::move(e));
    }
    for (size_t i : created) {
      JoinMetadata(events_[i]);
    }
  }

  DerivedRelease NewRelease(const DeployEvent& e) const {
    DerivedRelease r;
    r.service = e.service;
    r.version = e.version;
    r.deployed = true;
    r.deployed_at = e.at;
    r.window_end = e.at + options_.failure_window;
    r.deployment = e.key;
    r.deployed_by_release_record = e.from_release_record;
    r.commit = e.commit;  // the deployment's own commit wins over the records'
    return r;
  }

  std::optional<JoinBasis> MatchBasis(const model::Release& record, const DeployEvent& e) const {
    if (record.service == e.service && SameVersion(record.version, e.version)) {
      return JoinBasis::kVersion;
    }
    if (!record.service.empty() && record.service != e.service) {
      return std::nullopt;
    }
    if (!record.tag.empty() && (record.tag == e.ref || SameVersion(record.tag, e.version))) {
      return JoinBasis::kTag;
    }
    if (!record.commit.empty() && record.commit == e.commit) {
      return JoinBasis::kCommit;
    }
    return std::nullopt;
  }

  // Release records by what they can be joined on, so joining is not releases × records.
  void IndexRecords() {
    for (size_t j = 0; j < records_.size(); ++j) {
      const model::Release& r = records_[j];
      records_by_version_[std::string(StripV(r.version))].push_back(j);
      if (!r.tag.empty()) {
        records_by_version_[std::string(StripV(r.tag))].push_back(j);
      }
      if (!r.commit.empty()) {
        records_by_commit_[r.commit].push_back(j);
      }
    }
  }

  // Every record index that may match `e` (a superset; MatchBasis decides), ascending, once.
  std::vector<size_t> JoinCandidates(const DeployEvent& e) const {
    std::vector<size_t> out;
    auto add = [&out](const std::map<std::string, std::vector<size_t>>& index,
                      std::string_view key) {
      if (const std::vector<size_t>* found = Find(index, key)) {
        out.insert(out.end(), found->begin(), found->end());
      }
    };
    add(records_by_version_, StripV(e.version));
    if (!e.ref.empty()) {
      add(records_by_version_, StripV(e.ref));
    }
    if (!e.commit.empty()) {
      add(records_by_commit_, e.commit);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  void JoinMetadata(const DeployEvent& e) {
    std::vector<std::pair<JoinBasis, size_t>> matches;
    for (size_t j : JoinCandidates(e)) {
      if (auto basis = MatchBasis(records_[j], e)) {
        matches.emplace_back(*basis, j);
      }
    }
    std::sort(matches.begin(), matches.end());
    DerivedRelease& release = out_.releases[e.release];
    for (const auto& [basis, j] : matches) {
      const model::Release& record = records_[j];
      record_used_[j] = true;
      release.joined.push_back(JoinedRelease{record.source, record.service, record.version, basis});
      MergeMetadata(record, release);
    }
  }

  // Orders all events; lists each service's events and its releases in deploy order.
  void IndexEvents() {
    std::sort(events_.begin(), events_.end(), EventLess);
    rank_.assign(out_.releases.size(), kNoIndex);
    for (size_t i = 0; i < events_.size(); ++i) {
      const DeployEvent& e = events_[i];
      service_events_[e.service].push_back(i);
      if (e.makes_release) {
        std::vector<size_t>& order = service_releases_[e.service];
        rank_[e.release] = order.size();
        order.push_back(e.release);
      }
    }
  }

  // Release records that joined nothing: one not-deployed release per (service, version).
  void AddNotDeployedReleases() {
    std::map<ReleaseId, size_t> index;
    for (size_t j = 0; j < records_.size(); ++j) {
      if (record_used_[j]) {
        continue;
      }
      const model::Release& record = records_[j];
      auto [it, inserted] = index.emplace(IdOf(record.service, record.version), 0);
      if (inserted) {
        it->second = out_.releases.size();
        DerivedRelease r;
        r.service = record.service;
        r.version = record.version;
        r.state = ReleaseState::kNotDeployed;
        out_.releases.push_back(std::move(r));
      }
      DerivedRelease& r = out_.releases[it->second];
      r.joined.push_back(
          JoinedRelease{record.source, record.service, record.version, JoinBasis::kVersion});
      MergeMetadata(record, r);
    }
  }

  void SetType(DerivedRelease& r, const std::optional<SemVer>& previous) {
    const std::optional<SemVer> v = ParseSemVer(r.version);
    if (v) {
      r.prerelease = r.prerelease || v->prerelease;
    }
    if (r.type != model::ReleaseType::kUnknown || !v) {
      return;  // explicit, or not SemVer: unknown
    }
    r.type = InferType(*v, previous);
    r.type_inferred = true;
  }

  void InferTypes() {
    for (const auto& [service, order] : service_releases_) {
      std::optional<SemVer> previous;
      for (size_t r : order) {
        SetType(out_.releases[r], previous);
        previous = ParseSemVer(out_.releases[r].version);
      }
    }
    for (DerivedRelease& r : out_.releases) {
      if (!r.deployed) {
        SetType(r, std::nullopt);
      }
    }
  }

  // A production deployment of a version first released earlier than the live one rolls back
  // every newer release that is still active (deployed, first or again, and not rolled back
  // since).
  void FindRollbacks() {
    for (const auto& [service, event_indexes] : service_events_) {
      std::vector<size_t> active;
      size_t live = kNoIndex;
      for (size_t i : event_indexes) {
        const DeployEvent& e = events_[i];
        const size_t r = e.release;
        if (!e.makes_release && live != kNoIndex && rank_[r] < rank_[live]) {
          RollBack(active, r, e);
        }
        if (std::find(active.begin(), active.end(), r) == active.end()) {
          active.push_back(r);
        }
        live = r;
      }
    }
  }

  void RollBack(std::vector<size_t>& active, size_t to, const DeployEvent& e) {
    auto newer = [&](size_t a) { return rank_[a] > rank_[to]; };
    for (size_t a : active) {
      if (newer(a)) {
        DerivedRelease& victim = out_.releases[a];
        victim.rollbacks.push_back(
            Rollback{e.at, out_.releases[to].version, e.key, e.at <= victim.window_end});
      }
    }
    active.erase(std::remove_if(active.begin(), active.end(), newer), active.end());
  }

  void FindHotfixes() {
    for (const auto& [service, order] : service_releases_) {
      for (size_t pos = 0; pos < order.size(); ++pos) {
        const size_t previous = pos == 0 ? kNoIndex : order[pos - 1];
        DerivedRelease& h = out_.releases[order[pos]];
        if (h.hotfix) {
          MarkHotfix(order[pos], previous);
        } else if (options_.patch_is_hotfix && h.type == model::ReleaseType::kPatch &&
                   previous != kNoIndex && h.deployed_at <= out_.releases[previous].window_end) {
          CountHotfix(order[pos], previous, HotfixBasis::kPatch);
        }
      }
    }
  }

  void MarkHotfix(size_t h, size_t previous) {
    DerivedRelease& release = out_.releases[h];
    if (release.hotfix_for.empty()) {
      release.hotfix_basis = HotfixBasis::kInferred;
      if (previous != kNoIndex) {
        CountHotfix(h, previous, HotfixBasis::kInferred);
      }
      return;
    }
    release.hotfix_basis = HotfixBasis::kExplicit;
    const size_t target = LookupRelease(release.service, release.hotfix_for);
    if (target != kNoIndex && target != h) {
      CountHotfix(h, target, HotfixBasis::kExplicit);
    }
  }

  void CountHotfix(size_t h, size_t target, HotfixBasis basis) {
    DerivedRelease& hotfix = out_.releases[h];
    DerivedRelease& fixed = out_.releases[target];
    hotfix.hotfix_basis = basis;
    hotfix.hotfix_for = fixed.version;
    hotfix.hotfix_for_found = true;
    const bool within =
        fixed.deployed_at <= hotfix.deployed_at && hotfix.deployed_at <= fixed.window_end;
    fixed.hotfixes.push_back(HotfixShipped{hotfix.version, hotfix.deployed_at, basis, within});
  }

  void JudgeReleases() {
    for (DerivedRelease& r : out_.releases) {
      if (!r.deployed) {
        continue;
      }
      std::sort(r.hotfixes.begin(), r.hotfixes.end(), [](const auto& a, const auto& b) {
        return std::tie(a.at, a.version, a.basis) < std::tie(b.at, b.version, b.basis);
      });
      auto fail = [&r](FailureReason reason, core::Timestamp at) {
        if (std::find(r.failure_reasons.begin(), r.failure_reasons.end(), reason) ==
            r.failure_reasons.end()) {
          r.failure_reasons.push_back(reason);
        }
        if (!r.failed_at || at < *r.failed_at) {
          r.failed_at = at;
        }
      };
      for (const Rollback& rb : r.rollbacks) {
        if (!r.rolled_back_at || rb.at < *r.rolled_back_at) {
          r.rolled_back_at = rb.at;
        }
        if (rb.within_window) {
          fail(FailureReason::kRollback, rb.at);
        }
      }
      for (const HotfixShipped& hf : r.hotfixes) {
        if (hf.within_window) {
          fail(hf.basis == HotfixBasis::kPatch ? FailureReason::kPatch : FailureReason::kHotfix,
               hf.at);
        }
      }
      std::sort(r.failure_reasons.begin(), r.failure_reasons.end());
      if (!r.failure_reasons.empty()) {
        r.state = ReleaseState::kFailed;
      } else {
        // The window [deployed_at, window_end] is closed: an event at window_end still counts,
        // so a release is decided only once as_of is past it.
        r.state = options_.as_of > r.window_end ? ReleaseState::kSucceeded : ReleaseState::kPending;
      }
    }
  }

  void DeriveIncidents() {
    for (size_t i = 0; i < incidents_in_.size(); ++i) {
      DerivedIncident d;
      d.incident = std::move(incidents_in_[i]);
      const model::Incident& in = d.incident;
      d.is_production = IsProduction(in.environment, options_);
      d.own_detected_at = in.detected_at.value_or(in.created_at);
      d.detected_at = d.own_detected_at;
      SetCause(d);
      SetExclusion(d);
      by_id_[in.id].push_back(i);
      if (!StripHash(in.number).empty()) {
        by_number_[std::string(StripHash(in.number))].push_back(i);
      }
      if (!StripSlash(in.url).empty()) {
        by_url_[std::string(StripSlash(in.url))].push_back(i);
      }
      for (const model::RecordRef& fingerprint : in.alerts) {
        by_fingerprint_[fingerprint].push_back(i);
      }
      if (!in.service.empty() && !in.merged) {
        by_service_[in.service].push_back(i);
      }
      out_.incidents.push_back(std::move(d));
    }
  }

  void SetCause(DerivedIncident& d) const {
    const model::Incident& in = d.incident;
    const std::string& service = in.cause_service.empty() ? in.service : in.cause_service;
    size_t release = kNoIndex;
    if (!in.cause_version.empty()) {
      d.cause_basis = CauseBasis::kExplicit;
      d.cause_service = service;
      d.cause_version = in.cause_version;
      release = LookupRelease(service, in.cause_version);
    } else if (options_.infer_cause) {
      release = LiveReleaseAt(service, d.own_detected_at);
      if (release != kNoIndex) {
        d.cause_basis = CauseBasis::kInferred;
        d.cause_service = service;
      }
    }
    if (release == kNoIndex) {
      return;
    }
    d.cause_release_found = true;
    d.cause_version = out_.releases[release].version;
    d.cause_deployed_at = LatestDeployOf(release, d.own_detected_at);
  }

  const std::vector<size_t>* EventsOf(const std::string& service) const {
    auto it = service_events_.find(service);
    return it == service_events_.end() ? nullptr : &it->second;
  }

  // The release of the service's last production deployment at or before `t`.
  // The service's events at or before `t` (a prefix of its event list, which is in time order).
  std::pair<const size_t*, const size_t*> EventsUpTo(const std::string& service,
                                                     core::Timestamp t) const {
    const std::vector<size_t>* events = EventsOf(service);
    if (events == nullptr) {
      return {nullptr, nullptr};
    }
    const size_t* begin = events->data();
    const size_t* end =
        std::upper_bound(begin, begin + events->size(), t,
                         [this](core::Timestamp at, size_t i) { return at < events_[i].at; });
    return {begin, end};
  }

  size_t LiveReleaseAt(const std::string& service, core::Timestamp t) const {
    const auto [begin, end] = EventsUpTo(service, t);
    return begin == end ? kNoIndex : events_[*(end - 1)].release;
  }

  std::optional<core::Timestamp> LatestDeployOf(size_t release, core::Timestamp t) const {
    const auto [begin, end] = EventsUpTo(out_.releases[release].service, t);
    for (const size_t* it = end; it != begin; --it) {
      if (events_[*(it - 1)].release == release) {
        return events_[*(it - 1)].at;
      }
    }
    return std::nullopt;
  }

  void SetExclusion(DerivedIncident& d) const {
    const model::Incident& in = d.incident;
    if (in.merged) {
      d.excluded_reason = "merged";
    } else if (!d.is_production) {
      d.excluded_reason = "environment:";
      d.excluded_reason += Fold(in.environment);
    } else if (!in.cause.empty() && InFoldedList(in.cause, options_.excluded_causes)) {
      d.excluded_reason = "cause:";
      d.excluded_reason += Fold(in.cause);
    }
    d.excluded = !d.excluded_reason.empty();
  }

  size_t SmallestKey(const std::vector<size_t>& candidates) const {
    size_t best = kNoIndex;
    for (size_t i : candidates) {
      if (best == kNoIndex || KeyOf(i) < KeyOf(best)) {
        best = i;
      }
    }
    return best;
  }

  RecordKey KeyOf(size_t incident) const {
    const model::Incident& in = out_.incidents[incident].incident;
    return RecordKey{in.source, in.id};
  }

  static const std::vector<size_t>* Find(const std::map<std::string, std::vector<size_t>>& index,
                                         std::string_view key) {
    auto it = index.find(std::string(key));
    return it == index.end() ? nullptr : &it->second;
  }

  // By id, else number (with or without '#'), else url (ignoring a trailing '/'); several
  // matches of one kind → the smallest key.
  size_t ResolveIncidentRef(std::string_view ref) const {
    if (ref.empty()) {
      return kNoIndex;
    }
    const std::vector<size_t>* found = Find(by_id_, ref);
    if (found == nullptr && !StripHash(ref).empty()) {
      found = Find(by_number_, StripHash(ref));
    }
    if (found == nullptr && !StripSlash(ref).empty()) {
      found = Find(by_url_, StripSlash(ref));
    }
    return found == nullptr ? kNoIndex : SmallestKey(*found);
  }

  core::Timestamp LinkWindowEnd(const DerivedIncident& d) const {
    return d.incident.resolved_at.value_or(options_.as_of);
  }

  // The candidate whose own detection is nearest `t`; ties → the smaller key.
  size_t Nearest(const std::vector<size_t>& candidates, core::Timestamp t) const {
    size_t best = kNoIndex;
    int64_t best_distance = 0;
    for (size_t i : candidates) {
      const int64_t distance = AbsMs(out_.incidents[i].own_detected_at - t);
      if (best == kNoIndex || distance < best_distance ||
          (distance == best_distance && KeyOf(i) < KeyOf(best))) {
        best = i;
        best_distance = distance;
      }
    }
    return best;
  }

  // Incidents listing the alert's fingerprint, when the firing overlaps the incident's link
  // window (a reused fingerprint months later is another firing, not this incident's).
  size_t LinkByIncidentRef(const model::Alert& a) const {
    std::vector<size_t> candidates;
    if (const std::vector<size_t>* listed = Find(by_fingerprint_, a.fingerprint)) {
      for (size_t i : *listed) {
        const DerivedIncident& d = out_.incidents[i];
        const core::Timestamp from = d.own_detected_at - options_.alert_link_before;
        if (a.starts_at <= LinkWindowEnd(d) && (!a.ends_at || *a.ends_at >= from)) {
          candidates.push_back(i);
        }
      }
    }
    return Nearest(candidates, a.starts_at);
  }

  // Non-merged incidents of the alert's service whose window [own detection − before,
  // resolved_at or as_of] holds the alert's start.
  size_t LinkByWindow(const model::Alert& a) const {
    std::vector<size_t> candidates;
    if (const std::vector<size_t>* same_service = Find(by_service_, a.service)) {
      for (size_t i : *same_service) {
        const DerivedIncident& d = out_.incidents[i];
        if (d.own_detected_at - options_.alert_link_before <= a.starts_at &&
            a.starts_at <= LinkWindowEnd(d)) {
          candidates.push_back(i);
        }
      }
    }
    return Nearest(candidates, a.starts_at);
  }

  void LinkAlerts() {
    for (model::Alert& a : alerts_in_) {
      DerivedAlert d;
      size_t incident = ResolveIncidentRef(a.incident);
      if (incident != kNoIndex) {
        d.link = AlertLinkBasis::kAlertRef;
      } else {
        d.incident_ref_unresolved = !a.incident.empty();
        incident = LinkByIncidentRef(a);
        if (incident != kNoIndex) {
          d.link = AlertLinkBasis::kIncidentRef;
        } else if (!d.incident_ref_unresolved && !a.service.empty()) {
          // An alert naming an incident we do not have is not guessed onto another one.
          incident = LinkByWindow(a);
          d.link = incident == kNoIndex ? AlertLinkBasis::kNone : AlertLinkBasis::kWindow;
        }
      }
      if (incident != kNoIndex) {
        d.incident = KeyOf(incident);
        out_.incidents[incident].alerts.push_back(AlertKey{a.fingerprint, a.starts_at});
      }
      d.alert = std::move(a);
      out_.alerts.push_back(std::move(d));
    }
  }

  void LinkDefects() {
    for (model::Defect& defect : defects_in_) {
      DerivedDefect d;
      const size_t incident = ResolveIncidentRef(defect.incident);
      if (incident != kNoIndex) {
        d.incident = KeyOf(incident);
        d.counted_with_incident = !out_.incidents[incident].incident.merged;
        out_.incidents[incident].defects.push_back(RecordKey{defect.source, defect.id});
      } else {
        d.incident_ref_unresolved = !defect.incident.empty();
      }
      d.defect = std::move(defect);
      out_.defects.push_back(std::move(d));
    }
    for (DerivedIncident& d : out_.incidents) {
      std::sort(d.defects.begin(), d.defects.end());
    }
  }

  // Linked alerts arrive in (starts_at, fingerprint) order, so the first that qualifies is the
  // earliest.
  void SetEffectiveDetection() {
    for (DerivedIncident& d : out_.incidents) {
      for (const AlertKey& a : d.alerts) {
        if (a.starts_at >= d.own_detected_at) {
          break;
        }
        if (!d.cause_deployed_at || a.starts_at >= *d.cause_deployed_at) {
          d.detected_at = a.starts_at;
          d.detected_by = DetectionBasis::kAlert;
          d.detecting_alert = a;
          break;
        }
      }
    }
  }

  void SortReleases() {
    std::sort(out_.releases.begin(), out_.releases.end(),
              [](const DerivedRelease& a, const DerivedRelease& b) {
                if (a.deployed != b.deployed) {
                  return a.deployed;
                }
                if (a.deployed) {
                  return std::tie(a.deployed_at, a.service, a.version) <
                         std::tie(b.deployed_at, b.service, b.version);
                }
                return std::tie(a.service, a.version) < std::tie(b.service, b.version);
              });
  }

  const TimelineOptions& options_;
  const std::vector<model::Release> records_;  // sorted
  std::vector<bool> record_used_;              // joined to a deployed release
  // Records by version and by tag (both without 'v'), and by commit.
  std::map<std::string, std::vector<size_t>> records_by_version_, records_by_commit_;
  // Sorted; moved into out_ as they are derived.
  std::vector<model::Incident> incidents_in_;
  std::vector<model::Defect> defects_in_;
  std::vector<model::Alert> alerts_in_;
  Timeline out_;

  std::vector<DeployEvent> events_;            // sorted by EventLess after IndexEvents()
  std::map<ReleaseId, size_t> release_index_;  // deployed releases
  std::vector<size_t> rank_;  // per release: its position in its service's deploy order
  std::map<std::string, std::vector<size_t>> service_events_;    // into events_
  std::map<std::string, std::vector<size_t>> service_releases_;  // in deploy order

  // Incident indexes (into out_.incidents) for resolving references.
  std::map<std::string, std::vector<size_t>> by_id_, by_number_, by_url_, by_fingerprint_,
      by_service_;
};

}  // namespace

Timeline BuildTimeline(const model::RecordBatch& records, const TimelineOptions& options) {
  return TimelineBuilder(records, options).Build();
}

const DerivedRelease* FindRelease(const Timeline& timeline, std::string_view service,
                                  std::string_view version) {
  for (const DerivedRelease& r : timeline.releases) {
    if (r.service == service && r.version == version) {
      return &r;
    }
  }
  return nullptr;
}

const DerivedIncident* FindIncident(const Timeline& timeline, const RecordKey& key) {
  for (const DerivedIncident& d : timeline.incidents) {
    if (d.incident.source == key.source && d.incident.id == key.id) {
      return &d;
    }
  }
  return nullptr;
}

std::optional<SemVer> ParseSemVer(std::string_view version) {
  std::string_view s = StripV(version);
  if (const size_t plus = s.find('+'); plus != std::string_view::npos) {
    if (!IsIdentifierText(s.substr(plus + 1))) {
      return std::nullopt;
    }
    s = s.substr(0, plus);
  }
  SemVer v;
  if (const size_t dash = s.find('-'); dash != std::string_view::npos) {
    if (!IsIdentifierText(s.substr(dash + 1))) {
      return std::nullopt;
    }
    v.prerelease = true;
    s = s.substr(0, dash);
  }
  const size_t dot1 = s.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : s.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) {
    return std::nullopt;
  }
  const auto major = ParseComponent(s.substr(0, dot1));
  const auto minor = ParseComponent(s.substr(dot1 + 1, dot2 - dot1 - 1));
  const auto patch = ParseComponent(s.substr(dot2 + 1));
  if (!major || !minor || !patch) {
    return std::nullopt;
  }
  v.major = *major;
  v.minor = *minor;
  v.patch = *patch;
  return v;
}

std::string_view DeploymentOutcomeName(DeploymentOutcome v) {
  switch (v) {
    case DeploymentOutcome::kSuccess:
      return "success";
    case DeploymentOutcome::kFailed:
      return "failed";
    case DeploymentOutcome::kPending:
      break;
  }
  return "pending";
}

std::string_view ReleaseStateName(ReleaseState v) {
  switch (v) {
    case ReleaseState::kSucceeded:
      return "succeeded";
    case ReleaseState::kFailed:
      return "failed";
    case ReleaseState::kNotDeployed:
      return "not-deployed";
    case ReleaseState::kPending:
      break;
  }
  return "pending";
}

std::string_view FailureReasonName(FailureReason v) {
  switch (v) {
    case FailureReason::kHotfix:
      return "hotfix";
    case FailureReason::kPatch:
      return "patch";
    case FailureReason::kRollback:
      break;
  }
  return "rollback";
}

std::string_view HotfixBasisName(HotfixBasis v) {
  switch (v) {
    case HotfixBasis::kExplicit:
      return "explicit";
    case HotfixBasis::kInferred:
      return "inferred";
    case HotfixBasis::kPatch:
      return "patch";
    case HotfixBasis::kNone:
      break;
  }
  return "none";
}

std::string_view CauseBasisName(CauseBasis v) {
  switch (v) {
    case CauseBasis::kExplicit:
      return "explicit";
    case CauseBasis::kInferred:
      return "inferred";
    case CauseBasis::kNone:
      break;
  }
  return "none";
}

std::string_view DetectionBasisName(DetectionBasis v) {
  return v == DetectionBasis::kAlert ? "alert" : "own";
}

std::string_view AlertLinkBasisName(AlertLinkBasis v) {
  switch (v) {
    case AlertLinkBasis::kAlertRef:
      return "alert-ref";
    case AlertLinkBasis::kIncidentRef:
      return "incident-ref";
    case AlertLinkBasis::kWindow:
      return "window";
    case AlertLinkBasis::kNone:
      break;
  }
  return "none";
}

std::string_view JoinBasisName(JoinBasis v) {
  switch (v) {
    case JoinBasis::kTag:
      return "tag";
    case JoinBasis::kCommit:
      return "commit";
    case JoinBasis::kVersion:
      break;
  }
  return "version";
}

}  // namespace vigil::metrics
