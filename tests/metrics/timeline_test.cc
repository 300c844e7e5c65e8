#include "vigil/metrics/timeline.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace vigil::metrics {
namespace {

using core::Duration;
using core::Timestamp;
using model::DeploymentState;
using model::ReleaseType;

// 2024-06-10T00:00:00Z. Every time below is written as hours/minutes after it.
constexpr Timestamp kT0 = Timestamp::FromUnixSeconds(1'717'977'600);

Timestamp H(int64_t hours) {
  return kT0 + Duration::Hours(hours);
}
Timestamp HM(int64_t hours, int64_t minutes) {
  return kT0 + Duration::Hours(hours) + Duration::Minutes(minutes);
}

model::DeploymentStatus St(DeploymentState state, Timestamp at) {
  model::DeploymentStatus s;
  s.state = state;
  s.at = at;
  return s;
}

model::Deployment Dep(std::string id, std::string service, std::string version, Timestamp at,
                      std::vector<model::DeploymentStatus> statuses,
                      std::string environment = "production") {
  model::Deployment d;
  d.source = "github";
  d.id = std::move(id);
  d.service = std::move(service);
  d.version = std::move(version);
  d.environment = std::move(environment);
  d.deployed_at = at;
  d.statuses = std::move(statuses);
  return d;
}

// A production deployment that succeeded two minutes after it started.
model::Deployment Ok(std::string id, std::string service, std::string version, Timestamp at) {
  return Dep(std::move(id), std::move(service), std::move(version), at,
             {St(DeploymentState::kSuccess, at + Duration::Minutes(2))});
}

model::Release Rel(std::string source, std::string service, std::string version) {
  model::Release r;
  r.source = std::move(source);
  r.service = std::move(service);
  r.version = std::move(version);
  return r;
}

model::Incident Inc(std::string id, std::string service, Timestamp created_at) {
  model::Incident in;
  in.source = "pagerduty";
  in.id = std::move(id);
  in.service = std::move(service);
  in.created_at = created_at;
  return in;
}

model::Alert Al(std::string fingerprint, std::string service, Timestamp starts_at) {
  model::Alert a;
  a.source = "alertmanager";
  a.fingerprint = std::move(fingerprint);
  a.service = std::move(service);
  a.starts_at = starts_at;
  return a;
}

model::Defect Def(std::string id, std::string incident) {
  model::Defect d;
  d.source = "jira";
  d.id = std::move(id);
  d.incident = std::move(incident);
  d.reporter = model::ReporterKind::kCustomer;
  d.found_at = H(50);
  return d;
}

TimelineOptions Opts(Timestamp as_of) {
  TimelineOptions o;
  o.as_of = as_of;
  return o;
}

const DerivedDeployment& DeploymentById(const Timeline& t, const std::string& id) {
  for (const DerivedDeployment& d : t.deployments) {
    if (d.deployment.id == id) {
      return d;
    }
  }
  ADD_FAILURE() << "no deployment " << id;
  return t.deployments.front();
}

const DerivedRelease& R(const Timeline& t, const std::string& service, const std::string& version) {
  const DerivedRelease* r = FindRelease(t, service, version);
  if (r == nullptr) {
    ADD_FAILURE() << "no release " << service << " " << version;
    static const DerivedRelease empty;
    return empty;
  }
  return *r;
}

const DerivedIncident& I(const Timeline& t, const std::string& id) {
  const DerivedIncident* d = FindIncident(t, RecordKey{"pagerduty", id});
  if (d == nullptr) {
    ADD_FAILURE() << "no incident " << id;
    static const DerivedIncident empty;
    return empty;
  }
  return *d;
}

const DerivedAlert& A(const Timeline& t, const std::string& fingerprint) {
  for (const DerivedAlert& a : t.alerts) {
    if (a.alert.fingerprint == fingerprint) {
      return a;
    }
  }
  ADD_FAILURE() << "no alert " << fingerprint;
  static const DerivedAlert empty;
  return empty;
}

size_t CountReleases(const Timeline& t, const std::string& service) {
  return static_cast<size_t>(std::count_if(t.releases.begin(), t.releases.end(),
                                           [&](const auto& r) { return r.service == service; }));
}

// --- Scenarios (each a batch on its own services, so the shuffle test can join them) ---

model::RecordBatch OutcomeBatch() {
  model::RecordBatch b;
  // success, then failure: still a success, at the success time H1.
  b.deployments.push_back(
      Dep("d-succ-fail", "out", "1.0.0", H(0),
          {St(DeploymentState::kSuccess, H(1)), St(DeploymentState::kFailure, H(2))}));
  b.deployments.push_back(
      Dep("d-fail", "out", "2.0.0", H(3), {St(DeploymentState::kFailure, H(3))}));
  b.deployments.push_back(
      Dep("d-error", "out", "2.0.1", H(4), {St(DeploymentState::kError, H(4))}));
  b.deployments.push_back(
      Dep("d-pending", "out", "2.0.2", H(5),
          {St(DeploymentState::kPending, H(5)), St(DeploymentState::kInProgress, H(5))}));
  // Two successes (given out of order): the earliest, H7, is the success time.
  b.deployments.push_back(
      Dep("d-two-succ", "out", "3.0.0", H(6),
          {St(DeploymentState::kSuccess, H(9)), St(DeploymentState::kSuccess, H(7))}));
  // failure then success: success.
  b.deployments.push_back(
      Dep("d-fail-succ", "out", "3.1.0", H(10),
          {St(DeploymentState::kFailure, H(10)), St(DeploymentState::kSuccess, H(11))}));
  b.deployments.push_back(
      Dep("d-inactive", "out", "3.2.0", H(12), {St(DeploymentState::kInactive, H(12))}));
  // No statuses: GitHub → pending; native → success at deployed_at.
  b.deployments.push_back(Dep("d-github-bare", "out", "3.3.0", H(13), {}));
  model::Deployment native = Dep("d-native-bare", "out", "3.4.0", H(14), {});
  native.source = "native";
  b.deployments.push_back(native);
  // Successful but not production: no release. "PROD" and "" are production.
  b.deployments.push_back(
      Dep("d-staging", "out", "4.0.0", H(15), {St(DeploymentState::kSuccess, H(15))}, "staging"));
  b.deployments.push_back(
      Dep("d-prod-upper", "out", "4.1.0", H(16), {St(DeploymentState::kSuccess, H(16))}, "PROD"));
  b.deployments.push_back(
      Dep("d-env-unset", "out", "4.2.0", H(17), {St(DeploymentState::kSuccess, H(17))}, ""));
  return b;
}

TEST(TimelineTest, DeploymentOutcomes) {
  const Timeline t = BuildTimeline(OutcomeBatch(), Opts(H(500)));
  struct Case {
    const char* id;
    DeploymentOutcome outcome;
    std::optional<Timestamp> succeeded_at;
    bool production;
    bool made_release;
  };
  const Case cases[] = {
      {"d-succ-fail", DeploymentOutcome::kSuccess, H(1), true, true},
      {"d-fail", DeploymentOutcome::kFailed, std::nullopt, true, false},
      {"d-error", DeploymentOutcome::kFailed, std::nullopt, true, false},
      {"d-pending", DeploymentOutcome::kPending, std::nullopt, true, false},
      {"d-two-succ", DeploymentOutcome::kSuccess, H(7), true, true},
      {"d-fail-succ", DeploymentOutcome::kSuccess, H(11), true, true},
      {"d-inactive", DeploymentOutcome::kPending, std::nullopt, true, false},
      {"d-github-bare", DeploymentOutcome::kPending, std::nullopt, true, false},
      {"d-native-bare", DeploymentOutcome::kSuccess, H(14), true, true},
      {"d-staging", DeploymentOutcome::kSuccess, H(15), false, false},
      {"d-prod-upper", DeploymentOutcome::kSuccess, H(16), true, true},
      {"d-env-unset", DeploymentOutcome::kSuccess, H(17), true, true},
  };
  ASSERT_EQ(t.deployments.size(), std::size(cases));
  for (const Case& c : cases) {
    const DerivedDeployment& d = DeploymentById(t, c.id);
    EXPECT_EQ(d.outcome, c.outcome) << c.id;
    EXPECT_EQ(d.succeeded_at, c.succeeded_at) << c.id;
    EXPECT_EQ(d.is_production, c.production) << c.id;
    EXPECT_EQ(d.made_release, c.made_release) << c.id;
  }
  // Releases: exactly the six successful production deployments above.
  EXPECT_EQ(CountReleases(t, "out"), 6u);
  EXPECT_EQ(FindRelease(t, "out", "2.0.2"), nullptr);  // pending: not a release
  EXPECT_EQ(FindRelease(t, "out", "4.0.0"), nullptr);  // staging: not a release
  // The release time is the deployment's deployed_at (H6), not its success time (H7).
  EXPECT_EQ(R(t, "out", "3.0.0").deployed_at, H(6));
}

TEST(TimelineTest, FirstSuccessfulProductionDeploymentMakesTheRelease) {
  model::RecordBatch b;
  b.deployments.push_back(
      Dep("stg", "api", "1.0.0", H(0), {St(DeploymentState::kSuccess, H(0))}, "staging"));
  b.deployments.push_back(
      Dep("p-fail", "api", "1.0.0", H(1), {St(DeploymentState::kFailure, H(1))}));
  b.deployments.push_back(Ok("p-ok", "api", "1.0.0", H(2)));
  b.deployments.push_back(Ok("p-again", "api", "1.0.0", H(5)));  // re-deploy: no new release
  const Timeline t = BuildTimeline(b, Opts(H(100)));
  ASSERT_EQ(t.releases.size(), 1u);
  const DerivedRelease& r = t.releases[0];
  EXPECT_TRUE(r.deployed);
  EXPECT_EQ(r.deployed_at, H(2));
  EXPECT_EQ(r.window_end, H(50));  // H2 + 48 h
  EXPECT_EQ(r.deployment, (RecordKey{"github", "p-ok"}));
  EXPECT_FALSE(r.deployed_by_release_record);
  EXPECT_TRUE(r.rollbacks.empty());              // re-deploying the live version rolls nothing back
  EXPECT_EQ(r.state, ReleaseState::kSucceeded);  // as_of H100 > H50, nothing failed it
  EXPECT_TRUE(DeploymentById(t, "p-ok").made_release);
  EXPECT_FALSE(DeploymentById(t, "p-again").made_release);
  EXPECT_FALSE(DeploymentById(t, "p-fail").made_release);
}

model::RecordBatch RollbackBatch() {
  model::RecordBatch b;
  // rb: V1 → V2 → V3 → V1.
  b.deployments.push_back(Ok("rb1", "rb", "1.0.0", H(0)));
  b.deployments.push_back(Ok("rb2", "rb", "1.1.0", H(10)));
  b.deployments.push_back(Ok("rb3", "rb", "1.2.0", H(20)));
  b.deployments.push_back(Ok("rb4", "rb", "1.0.0", H(30)));
  return b;
}

TEST(TimelineTest, RollbackMarksEveryNewerRelease) {
  const Timeline t = BuildTimeline(RollbackBatch(), Opts(H(200)));
  // The V1 re-deploy at H30 rolls back V2 (deployed H10, window to H58) and V3 (H20, to H68),
  // both inside their windows.
  for (const char* v : {"1.1.0", "1.2.0"}) {
    const DerivedRelease& r = R(t, "rb", v);
    ASSERT_EQ(r.rollbacks.size(), 1u) << v;
    EXPECT_EQ(r.rollbacks[0], (Rollback{H(30), "1.0.0", RecordKey{"github", "rb4"}, true})) << v;
    EXPECT_EQ(r.rolled_back_at, H(30)) << v;
    EXPECT_EQ(r.state, ReleaseState::kFailed) << v;
    EXPECT_EQ(r.failure_reasons, std::vector<FailureReason>{FailureReason::kRollback}) << v;
    EXPECT_EQ(r.failed_at, H(30)) << v;
  }
  const DerivedRelease& v1 = R(t, "rb", "1.0.0");
  EXPECT_TRUE(v1.rollbacks.empty());
  EXPECT_EQ(v1.state, ReleaseState::kSucceeded);  // window H0..H48 closed at as_of H200
  EXPECT_EQ(CountReleases(t, "rb"), 3u);          // the V1 re-deploy is no new release
}

TEST(TimelineTest, ReleaseRolledBackTwiceListsBoth) {
  model::RecordBatch b;
  // V1 H0, V2 H10, V1 H12 (rolls back V2), V2 H14 (forward again: no rollback),
  // V1 H16 (rolls back V2 again).
  b.deployments.push_back(Ok("a", "tw", "1.0.0", H(0)));
  b.deployments.push_back(Ok("b", "tw", "2.0.0", H(10)));
  b.deployments.push_back(Ok("c", "tw", "1.0.0", H(12)));
  b.deployments.push_back(Ok("d", "tw", "2.0.0", H(14)));
  b.deployments.push_back(Ok("e", "tw", "1.0.0", H(16)));
  const Timeline t = BuildTimeline(b, Opts(H(200)));
  const DerivedRelease& v2 = R(t, "tw", "2.0.0");
  ASSERT_EQ(v2.rollbacks.size(), 2u);
  EXPECT_EQ(v2.rollbacks[0], (Rollback{H(12), "1.0.0", RecordKey{"github", "c"}, true}));
  EXPECT_EQ(v2.rollbacks[1], (Rollback{H(16), "1.0.0", RecordKey{"github", "e"}, true}));
  EXPECT_EQ(v2.rolled_back_at, H(12));  // the earliest
  EXPECT_EQ(v2.failed_at, H(12));
  EXPECT_TRUE(R(t, "tw", "1.0.0").rollbacks.empty());
}

TEST(TimelineTest, ReleaseAlreadyRolledBackIsNotRolledBackAgain) {
  model::RecordBatch b;
  // V1 H0, V2 H10, V1 H12 (rolls back V2), V3 H14, V1 H16: only V3 is live-and-newer at H16;
  // V2 was rolled back at H12 and not deployed since.
  b.deployments.push_back(Ok("a", "ag", "1.0.0", H(0)));
  b.deployments.push_back(Ok("b", "ag", "2.0.0", H(10)));
  b.deployments.push_back(Ok("c", "ag", "1.0.0", H(12)));
  b.deployments.push_back(Ok("d", "ag", "3.0.0", H(14)));
  b.deployments.push_back(Ok("e", "ag", "1.0.0", H(16)));
  const Timeline t = BuildTimeline(b, Opts(H(200)));
  const DerivedRelease& v2 = R(t, "ag", "2.0.0");
  ASSERT_EQ(v2.rollbacks.size(), 1u);
  EXPECT_EQ(v2.rollbacks[0].at, H(12));
  const DerivedRelease& v3 = R(t, "ag", "3.0.0");
  ASSERT_EQ(v3.rollbacks.size(), 1u);
  EXPECT_EQ(v3.rollbacks[0].at, H(16));
}

TEST(TimelineTest, RollbackAfterTheWindowIsListedButDoesNotFail) {
  model::RecordBatch b;
  // V2 deployed H10, window to H58; the V1 re-deploy at H59 is one hour late.
  b.deployments.push_back(Ok("a", "late", "1.0.0", H(0)));
  b.deployments.push_back(Ok("b", "late", "2.0.0", H(10)));
  b.deployments.push_back(Ok("c", "late", "1.0.0", H(59)));
  const Timeline t = BuildTimeline(b, Opts(H(100)));
  const DerivedRelease& v2 = R(t, "late", "2.0.0");
  ASSERT_EQ(v2.rollbacks.size(), 1u);
  EXPECT_EQ(v2.rollbacks[0], (Rollback{H(59), "1.0.0", RecordKey{"github", "c"}, false}));
  EXPECT_EQ(v2.rolled_back_at, H(59));
  EXPECT_TRUE(v2.failure_reasons.empty());
  EXPECT_EQ(v2.failed_at, std::nullopt);
  EXPECT_EQ(v2.state, ReleaseState::kSucceeded);  // as_of H100 > H58
}

TEST(TimelineTest, WindowEndIsInclusive) {
  model::RecordBatch b;
  // edge: V2 at H10, rollback at exactly H58 = H10 + 48 h → inside.
  b.deployments.push_back(Ok("a", "edge", "1.0.0", H(0)));
  b.deployments.push_back(Ok("b", "edge", "2.0.0", H(10)));
  b.deployments.push_back(Ok("c", "edge", "1.0.0", H(58)));
  // past: the same one millisecond later → outside.
  b.deployments.push_back(Ok("d", "past", "1.0.0", H(0)));
  b.deployments.push_back(Ok("e", "past", "2.0.0", H(10)));
  b.deployments.push_back(Ok("f", "past", "1.0.0", H(58) + Duration::Millis(1)));
  const Timeline t = BuildTimeline(b, Opts(H(100)));
  EXPECT_EQ(R(t, "edge", "2.0.0").state, ReleaseState::kFailed);
  EXPECT_TRUE(R(t, "edge", "2.0.0").rollbacks[0].within_window);
  EXPECT_EQ(R(t, "past", "2.0.0").state, ReleaseState::kSucceeded);
  EXPECT_FALSE(R(t, "past", "2.0.0").rollbacks[0].within_window);
}

TEST(TimelineTest, StateAsOfPendingUntilTheWindowHasPassed) {
  model::RecordBatch b;
  b.deployments.push_back(Ok("a", "asof", "1.0.0", H(0)));  // window H0..H48
  struct Case {
    Timestamp as_of;
    ReleaseState state;
  };
  // H47: open → pending. H48: an event at H48 would still count → pending.
  // H48 + 1 ms: closed, nothing failed it → succeeded.
  const Case cases[] = {{H(47), ReleaseState::kPending},
                        {H(48), ReleaseState::kPending},
                        {H(48) + Duration::Millis(1), ReleaseState::kSucceeded}};
  for (const Case& c : cases) {
    const Timeline t = BuildTimeline(b, Opts(c.as_of));
    EXPECT_EQ(R(t, "asof", "1.0.0").state, c.state) << core::FormatRfc3339(c.as_of);
  }
  // A failure is a failure as soon as it is known, window open or not.
  b.deployments.push_back(Ok("b", "asof", "2.0.0", H(10)));
  b.deployments.push_back(Ok("c", "asof", "1.0.0", H(11)));
  const Timeline t = BuildTimeline(b, Opts(H(12)));
  EXPECT_EQ(R(t, "asof", "2.0.0").state, ReleaseState::kFailed);
  EXPECT_EQ(R(t, "asof", "1.0.0").state, ReleaseState::kPending);  // H12 < H48
}

model::RecordBatch HotfixBatch() {
  model::RecordBatch b;
  // hx: 2.0.0 H0, 2.1.0 H5, 2.0.1 H10 marked hotfix for "v2.0.0" (explicit, with 'v').
  b.deployments.push_back(Ok("hx1", "hx", "2.0.0", H(0)));
  b.deployments.push_back(Ok("hx2", "hx", "2.1.0", H(5)));
  b.deployments.push_back(Ok("hx3", "hx", "2.0.1", H(10)));
  model::Release fix = Rel("native", "hx", "2.0.1");
  fix.hotfix = true;
  fix.hotfix_for = "v2.0.0";
  b.releases.push_back(fix);
  // hi: 3.0.0 H0, 3.0.1 H3 marked hotfix without hotfix_for → inferred: the previous release.
  b.deployments.push_back(Ok("hi1", "hi", "3.0.0", H(0)));
  b.deployments.push_back(Ok("hi2", "hi", "3.0.1", H(3)));
  model::Release inferred = Rel("native", "hi", "3.0.1");
  inferred.hotfix = true;
  b.releases.push_back(inferred);
  // hl: 4.0.0 H0 (window to H48), hotfix 4.0.1 at H49: listed, not failing.
  b.deployments.push_back(Ok("hl1", "hl", "4.0.0", H(0)));
  b.deployments.push_back(Ok("hl2", "hl", "4.0.1", H(49)));
  model::Release late = Rel("native", "hl", "4.0.1");
  late.hotfix_for = "4.0.0";  // hotfix_for alone marks it a hotfix
  b.releases.push_back(late);
  // hn: hotfix for a version never released → kept as given, counted nowhere.
  b.deployments.push_back(Ok("hn1", "hn", "1.0.0", H(0)));
  b.deployments.push_back(Ok("hn2", "hn", "1.0.1", H(1)));
  model::Release unknown = Rel("native", "hn", "1.0.1");
  unknown.hotfix = true;
  unknown.hotfix_for = "9.9.9";
  b.releases.push_back(unknown);
  return b;
}

TEST(TimelineTest, HotfixExplicitInferredAndLate) {
  const Timeline t = BuildTimeline(HotfixBatch(), Opts(H(200)));
  // Explicit: 2.0.1 counts against 2.0.0 (H10 within H0..H48), not against 2.1.0.
  const DerivedRelease& fix = R(t, "hx", "2.0.1");
  EXPECT_TRUE(fix.hotfix);
  EXPECT_EQ(fix.hotfix_basis, HotfixBasis::kExplicit);
  EXPECT_EQ(fix.hotfix_for, "2.0.0");  // the release's own spelling
  EXPECT_TRUE(fix.hotfix_for_found);
  const DerivedRelease& fixed = R(t, "hx", "2.0.0");
  ASSERT_EQ(fixed.hotfixes.size(), 1u);
  EXPECT_EQ(fixed.hotfixes[0], (HotfixShipped{"2.0.1", H(10), HotfixBasis::kExplicit, true}));
  EXPECT_EQ(fixed.state, ReleaseState::kFailed);
  EXPECT_EQ(fixed.failure_reasons, std::vector<FailureReason>{FailureReason::kHotfix});
  EXPECT_EQ(fixed.failed_at, H(10));
  EXPECT_EQ(R(t, "hx", "2.1.0").state, ReleaseState::kSucceeded);
  EXPECT_TRUE(R(t, "hx", "2.1.0").hotfixes.empty());

  // Inferred: 3.0.1's previous release is 3.0.0.
  const DerivedRelease& inferred = R(t, "hi", "3.0.1");
  EXPECT_EQ(inferred.hotfix_basis, HotfixBasis::kInferred);
  EXPECT_EQ(inferred.hotfix_for, "3.0.0");
  EXPECT_TRUE(inferred.hotfix_for_found);
  const DerivedRelease& base = R(t, "hi", "3.0.0");
  ASSERT_EQ(base.hotfixes.size(), 1u);
  EXPECT_EQ(base.hotfixes[0], (HotfixShipped{"3.0.1", H(3), HotfixBasis::kInferred, true}));
  EXPECT_EQ(base.state, ReleaseState::kFailed);

  // Late: H49 > H48: listed, outside the window, 4.0.0 succeeded.
  const DerivedRelease& late_base = R(t, "hl", "4.0.0");
  ASSERT_EQ(late_base.hotfixes.size(), 1u);
  EXPECT_EQ(late_base.hotfixes[0], (HotfixShipped{"4.0.1", H(49), HotfixBasis::kExplicit, false}));
  EXPECT_EQ(late_base.state, ReleaseState::kSucceeded);
  EXPECT_TRUE(R(t, "hl", "4.0.1").hotfix);

  // Not found: as given, nothing counted.
  const DerivedRelease& orphan = R(t, "hn", "1.0.1");
  EXPECT_EQ(orphan.hotfix_basis, HotfixBasis::kExplicit);
  EXPECT_EQ(orphan.hotfix_for, "9.9.9");
  EXPECT_FALSE(orphan.hotfix_for_found);
  EXPECT_TRUE(R(t, "hn", "1.0.0").hotfixes.empty());
  EXPECT_EQ(R(t, "hn", "1.0.0").state, ReleaseState::kSucceeded);
}

model::RecordBatch PatchBatch() {
  model::RecordBatch b;
  // 5.0.0 H0 (window to H48); 5.0.1 H20 (patch, inside); 5.1.0 H30 (minor, window to H78);
  // 5.1.1 H100 (patch, outside 5.1.0's window).
  b.deployments.push_back(Ok("p1", "pt", "5.0.0", H(0)));
  b.deployments.push_back(Ok("p2", "pt", "5.0.1", H(20)));
  b.deployments.push_back(Ok("p3", "pt", "5.1.0", H(30)));
  b.deployments.push_back(Ok("p4", "pt", "5.1.1", H(100)));
  return b;
}

TEST(TimelineTest, PatchIsHotfixOff) {
  const Timeline t = BuildTimeline(PatchBatch(), Opts(H(300)));
  for (const char* v : {"5.0.0", "5.0.1", "5.1.0", "5.1.1"}) {
    EXPECT_EQ(R(t, "pt", v).state, ReleaseState::kSucceeded) << v;
    EXPECT_TRUE(R(t, "pt", v).hotfixes.empty()) << v;
    EXPECT_EQ(R(t, "pt", v).hotfix_basis, HotfixBasis::kNone) << v;
  }
}

TEST(TimelineTest, PatchIsHotfixOn) {
  TimelineOptions o = Opts(H(300));
  o.patch_is_hotfix = true;
  const Timeline t = BuildTimeline(PatchBatch(), o);
  // 5.0.1 is a patch inside 5.0.0's window → counts against it (inferred, "patch").
  const DerivedRelease& base = R(t, "pt", "5.0.0");
  ASSERT_EQ(base.hotfixes.size(), 1u);
  EXPECT_EQ(base.hotfixes[0], (HotfixShipped{"5.0.1", H(20), HotfixBasis::kPatch, true}));
  EXPECT_EQ(base.state, ReleaseState::kFailed);
  EXPECT_EQ(base.failure_reasons, std::vector<FailureReason>{FailureReason::kPatch});
  const DerivedRelease& patch = R(t, "pt", "5.0.1");
  EXPECT_FALSE(patch.hotfix);  // not marked by any record
  EXPECT_EQ(patch.hotfix_basis, HotfixBasis::kPatch);
  EXPECT_EQ(patch.hotfix_for, "5.0.0");
  // 5.1.0 is minor; 5.1.1 at H100 is past 5.1.0's window end H78: no hotfix.
  EXPECT_EQ(R(t, "pt", "5.1.0").state, ReleaseState::kSucceeded);
  EXPECT_EQ(R(t, "pt", "5.1.1").hotfix_basis, HotfixBasis::kNone);
}

model::RecordBatch NativeReleaseBatch() {
  model::RecordBatch b;
  // web 1.0.0: a native release with deployed_at H0 and no deployment stands for one.
  model::Release standing = Rel("native", "web", "1.0.0");
  standing.deployed_at = H(0);
  standing.team = "web-team";
  b.releases.push_back(standing);
  // web 1.1.0: deployed_at H2 in staging: not a production deployment → not deployed.
  model::Release staging = Rel("native", "web", "1.1.0");
  staging.deployed_at = H(2);
  staging.environment = "staging";
  b.releases.push_back(staging);
  // web 1.2.0: the record says H3 but a real deployment exists (H5): the deployment wins.
  model::Release shadowed = Rel("native", "web", "1.2.0");
  shadowed.deployed_at = H(3);
  b.releases.push_back(shadowed);
  b.deployments.push_back(Ok("w12", "web", "1.2.0", H(5)));
  return b;
}

TEST(TimelineTest, NativeReleaseWithDeployedAtStandsForADeployment) {
  const Timeline t = BuildTimeline(NativeReleaseBatch(), Opts(H(100)));
  const DerivedRelease& standing = R(t, "web", "1.0.0");
  EXPECT_TRUE(standing.deployed);
  EXPECT_EQ(standing.deployed_at, H(0));
  EXPECT_TRUE(standing.deployed_by_release_record);
  EXPECT_EQ(standing.deployment, (RecordKey{"native", ""}));
  EXPECT_EQ(standing.team, "web-team");
  EXPECT_EQ(standing.state, ReleaseState::kSucceeded);

  const DerivedRelease& staging = R(t, "web", "1.1.0");
  EXPECT_FALSE(staging.deployed);
  EXPECT_EQ(staging.state, ReleaseState::kNotDeployed);

  const DerivedRelease& shadowed = R(t, "web", "1.2.0");
  EXPECT_EQ(shadowed.deployed_at, H(5));
  EXPECT_FALSE(shadowed.deployed_by_release_record);
  ASSERT_EQ(shadowed.joined.size(), 1u);
  EXPECT_EQ(shadowed.joined[0].basis, JoinBasis::kVersion);
  // Listed: deployed 1.0.0 (H0), deployed 1.2.0 (H5), then not deployed 1.1.0.
  ASSERT_EQ(t.releases.size(), 3u);
  EXPECT_EQ(t.releases[0].version, "1.0.0");
  EXPECT_EQ(t.releases[1].version, "1.2.0");
  EXPECT_EQ(t.releases[2].version, "1.1.0");
}

model::RecordBatch JoinBatch() {
  model::RecordBatch b;
  model::Deployment d14 = Ok("j14", "shop", "1.4.0", H(0));
  d14.ref = "v1.4.0";
  d14.commit = "abc123";
  b.deployments.push_back(d14);
  model::Deployment d15 = Ok("j15", "shop", "1.5.0", H(10));
  d15.ref = "main";
  d15.commit = "def456";
  b.deployments.push_back(d15);
  // Same (service, version): team and areas.
  model::Release native = Rel("native", "shop", "1.4.0");
  native.team = "core";
  native.areas = {"checkout"};
  b.releases.push_back(native);
  // A GitHub release named differently, joined by its tag = the deployment's ref.
  model::Release by_tag = Rel("github", "shop", "Release 1.4");
  by_tag.tag = "v1.4.0";
  by_tag.notes = "notes 1.4";
  by_tag.team = "ignored: native came first";
  b.releases.push_back(by_tag);
  // Joined by commit; it says pre-release.
  model::Release by_commit = Rel("github", "shop", "r15");
  by_commit.tag = "r15";
  by_commit.commit = "def456";
  by_commit.prerelease = true;
  b.releases.push_back(by_commit);
  // Never deployed.
  model::Release never = Rel("github", "shop", "v9.0.0");
  never.tag = "v9.0.0";
  b.releases.push_back(never);
  return b;
}

TEST(TimelineTest, GithubReleaseJoinedByTagAndByCommit) {
  const Timeline t = BuildTimeline(JoinBatch(), Opts(H(100)));
  const DerivedRelease& r14 = R(t, "shop", "1.4.0");
  ASSERT_EQ(r14.joined.size(), 2u);  // version match first, then the tag match
  EXPECT_EQ(r14.joined[0], (JoinedRelease{"native", "shop", "1.4.0", JoinBasis::kVersion}));
  EXPECT_EQ(r14.joined[1], (JoinedRelease{"github", "shop", "Release 1.4", JoinBasis::kTag}));
  EXPECT_EQ(r14.team, "core");
  EXPECT_EQ(r14.areas, std::vector<std::string>{"checkout"});
  EXPECT_EQ(r14.tag, "v1.4.0");
  EXPECT_EQ(r14.notes, "notes 1.4");
  EXPECT_EQ(r14.commit, "abc123");  // the deployment's
  EXPECT_FALSE(r14.prerelease);

  const DerivedRelease& r15 = R(t, "shop", "1.5.0");
  ASSERT_EQ(r15.joined.size(), 1u);
  EXPECT_EQ(r15.joined[0].basis, JoinBasis::kCommit);
  EXPECT_EQ(r15.tag, "r15");
  EXPECT_TRUE(r15.prerelease);

  const DerivedRelease& never = R(t, "shop", "v9.0.0");
  EXPECT_FALSE(never.deployed);
  EXPECT_EQ(never.state, ReleaseState::kNotDeployed);
  EXPECT_TRUE(never.rollbacks.empty());
  EXPECT_EQ(CountReleases(t, "shop"), 3u);
}

TEST(TimelineTest, ParseSemVer) {
  struct Case {
    const char* text;
    bool ok;
    uint64_t major, minor, patch;
    bool prerelease;
  };
  const Case cases[] = {
      {"1.2.3", true, 1, 2, 3, false},
      {"v1.2.3", true, 1, 2, 3, false},
      {"V10.0.0", true, 10, 0, 0, false},
      {"1.2.3-rc.1", true, 1, 2, 3, true},
      {"1.2.3+build.5", true, 1, 2, 3, false},
      {"1.2.3-beta+exp.sha", true, 1, 2, 3, true},
      {"1.2", false, 0, 0, 0, false},
      {"1.2.3.4", false, 0, 0, 0, false},
      {"a.b.c", false, 0, 0, 0, false},
      {"", false, 0, 0, 0, false},
      {"v", false, 0, 0, 0, false},
      {"1.2.3-", false, 0, 0, 0, false},
      {"1.2.3+", false, 0, 0, 0, false},
      {"1..3", false, 0, 0, 0, false},
      {"1.2.3-rc_1", false, 0, 0, 0, false},
      {"1234567890123456789.0.0", false, 0, 0, 0, false},  // 19 digits
      {"release-2024", false, 0, 0, 0, false},
  };
  for (const Case& c : cases) {
    const std::optional<SemVer> v = ParseSemVer(c.text);
    ASSERT_EQ(v.has_value(), c.ok) << c.text;
    if (v) {
      EXPECT_EQ(v->major, c.major) << c.text;
      EXPECT_EQ(v->minor, c.minor) << c.text;
      EXPECT_EQ(v->patch, c.patch) << c.text;
      EXPECT_EQ(v->prerelease, c.prerelease) << c.text;
    }
  }
}

model::RecordBatch TypeBatch() {
  model::RecordBatch b;
  const char* versions[] = {"1.4.2",    "2.0.0", "v2.1.0", "2.1.1", "2.2.0-rc.1",
                            "build-77", "3.0.0", "2.9.9",  "3.0.1"};
  int64_t hour = 0;
  for (const char* v : versions) {
    b.deployments.push_back(Ok(std::string("ty-") + v, "ty", v, H(hour)));
    hour += 10;
  }
  model::Release explicit_type = Rel("native", "ty", "3.0.1");
  explicit_type.type = ReleaseType::kMinor;
  b.releases.push_back(explicit_type);
  return b;
}

TEST(TimelineTest, ReleaseTypesFromSemVer) {
  const Timeline t = BuildTimeline(TypeBatch(), Opts(H(500)));
  struct Case {
    const char* version;
    ReleaseType type;
    bool inferred;
    bool prerelease;
  };
  const Case cases[] = {
      // First release: its own components: 1.4.2 → patch.
      {"1.4.2", ReleaseType::kPatch, true, false},
      // vs 1.4.2: major 1 → 2.
      {"2.0.0", ReleaseType::kMajor, true, false},
      // 'v' stripped; vs 2.0.0: minor 0 → 1.
      {"v2.1.0", ReleaseType::kMinor, true, false},
      // vs 2.1.0: patch.
      {"2.1.1", ReleaseType::kPatch, true, false},
      // vs 2.1.1: minor; pre-release flagged.
      {"2.2.0-rc.1", ReleaseType::kMinor, true, true},
      // not SemVer: unknown, not inferred.
      {"build-77", ReleaseType::kUnknown, false, false},
      // previous is not SemVer → own components: x.0.0 → major.
      {"3.0.0", ReleaseType::kMajor, true, false},
      // lower than 3.0.0 (a backport) → own components: 2.9.9 → patch.
      {"2.9.9", ReleaseType::kPatch, true, false},
      // explicit wins: the record says minor (SemVer vs 2.9.9 would say major: 2 → 3).
      {"3.0.1", ReleaseType::kMinor, false, false},
  };
  for (const Case& c : cases) {
    const DerivedRelease& r = R(t, "ty", c.version);
    EXPECT_EQ(r.type, c.type) << c.version;
    EXPECT_EQ(r.type_inferred, c.inferred) << c.version;
    EXPECT_EQ(r.prerelease, c.prerelease) << c.version;
  }
}

model::RecordBatch CauseBatch() {
  model::RecordBatch b;
  b.deployments.push_back(Ok("c1", "cz", "1.0.0", H(0)));
  b.deployments.push_back(Ok("c2", "cz", "1.1.0", H(10)));
  model::Incident given = Inc("I-GIVEN", "cz", H(12));
  given.cause_version = "v1.1.0";  // matches release 1.1.0 with or without 'v'
  b.incidents.push_back(given);
  model::Incident missing = Inc("I-MISSING", "cz", H(12));
  missing.cause_version = "7.7.7";
  b.incidents.push_back(missing);
  b.incidents.push_back(Inc("I-NONE", "cz", H(5)));          // no cause; live at H5: 1.0.0
  b.incidents.push_back(Inc("I-ELSEWHERE", "quiet", H(5)));  // no deployments on "quiet"
  model::Incident other_service = Inc("I-OTHER", "frontend", H(12));
  other_service.cause_service = "cz";
  other_service.cause_version = "1.0.0";
  b.incidents.push_back(other_service);
  return b;
}

TEST(TimelineTest, IncidentCauseExplicitAndNotFound) {
  const Timeline t = BuildTimeline(CauseBatch(), Opts(H(100)));
  const DerivedIncident& given = I(t, "I-GIVEN");
  EXPECT_EQ(given.cause_basis, CauseBasis::kExplicit);
  EXPECT_TRUE(given.cause_release_found);
  EXPECT_EQ(given.cause_service, "cz");
  EXPECT_EQ(given.cause_version, "1.1.0");
  EXPECT_EQ(given.cause_deployed_at, H(10));

  const DerivedIncident& missing = I(t, "I-MISSING");
  EXPECT_EQ(missing.cause_basis, CauseBasis::kExplicit);
  EXPECT_FALSE(missing.cause_release_found);
  EXPECT_EQ(missing.cause_version, "7.7.7");
  EXPECT_EQ(missing.cause_deployed_at, std::nullopt);

  // Without infer_cause nothing is guessed.
  EXPECT_EQ(I(t, "I-NONE").cause_basis, CauseBasis::kNone);
  EXPECT_EQ(I(t, "I-NONE").cause_version, "");

  const DerivedIncident& other = I(t, "I-OTHER");
  EXPECT_EQ(other.cause_service, "cz");
  EXPECT_EQ(other.cause_version, "1.0.0");
  EXPECT_TRUE(other.cause_release_found);
  // The latest deployment of 1.0.0 at or before H12 is its only one, H0.
  EXPECT_EQ(other.cause_deployed_at, H(0));
}

TEST(TimelineTest, IncidentCauseInferred) {
  TimelineOptions o = Opts(H(100));
  o.infer_cause = true;
  const Timeline t = BuildTimeline(CauseBatch(), o);
  const DerivedIncident& inferred = I(t, "I-NONE");
  EXPECT_EQ(inferred.cause_basis, CauseBasis::kInferred);
  EXPECT_EQ(inferred.cause_version, "1.0.0");  // live at H5: 1.0.0 (1.1.0 came at H10)
  EXPECT_TRUE(inferred.cause_release_found);
  EXPECT_EQ(inferred.cause_deployed_at, H(0));
  EXPECT_EQ(I(t, "I-ELSEWHERE").cause_basis, CauseBasis::kNone);  // nothing deployed there
  EXPECT_EQ(I(t, "I-GIVEN").cause_basis, CauseBasis::kExplicit);  // explicit stays explicit
}

TEST(TimelineTest, MergedAndExcludedIncidents) {
  model::RecordBatch b;
  model::Incident merged = Inc("M", "ex", H(1));
  merged.merged = true;
  merged.cause = "external";  // merged is reported first
  b.incidents.push_back(merged);
  model::Incident external = Inc("E", "ex", H(2));
  external.cause = "External";  // folded
  b.incidents.push_back(external);
  model::Incident staging = Inc("S", "ex", H(3));
  staging.environment = "Staging";
  b.incidents.push_back(staging);
  model::Incident config = Inc("C", "ex", H(4));
  config.cause = "config";
  b.incidents.push_back(config);
  TimelineOptions o = Opts(H(100));
  o.excluded_causes = {"EXTERNAL"};
  const Timeline t = BuildTimeline(b, o);
  EXPECT_EQ(I(t, "M").excluded_reason, "merged");
  EXPECT_TRUE(I(t, "M").excluded);
  EXPECT_EQ(I(t, "E").excluded_reason, "cause:external");
  EXPECT_EQ(I(t, "S").excluded_reason, "environment:staging");
  EXPECT_FALSE(I(t, "S").is_production);
  EXPECT_FALSE(I(t, "C").excluded);
  EXPECT_EQ(I(t, "C").excluded_reason, "");
}

model::RecordBatch AlertBatch() {
  model::RecordBatch b;
  // PA: own detection H10 (created), resolved H12 → window [H9:30, H12].
  model::Incident pa = Inc("PA", "api", H(10));
  pa.number = "101";
  pa.url = "https://pd.example/incidents/PA";
  pa.resolved_at = H(12);
  b.incidents.push_back(pa);
  // PB: detected_at H11 (created H10:45), resolved H13 → window [H10:30, H13]; lists "fp-b".
  model::Incident pb = Inc("PB", "api", HM(10, 45));
  pb.detected_at = H(11);
  pb.resolved_at = H(13);
  pb.alerts = {"fp-b"};
  b.incidents.push_back(pb);
  // PM: merged, same service and time as PA: never a window candidate.
  model::Incident pm = Inc("PM", "api", H(10));
  pm.merged = true;
  pm.resolved_at = H(12);
  b.incidents.push_back(pm);
  // PO: open (no resolved_at) → window [H39:30, as_of].
  b.incidents.push_back(Inc("PO", "api", H(40)));

  model::Alert explicit_number = Al("fp-num", "api", H(11));  // nearer PB, but names PA
  explicit_number.incident = "#101";
  b.alerts.push_back(explicit_number);
  // H10:50: PA |H10 − H10:50| = 50 min, PB |H11 − H10:50| = 10 min → PB.
  b.alerts.push_back(Al("fp-near", "api", HM(10, 50)));
  // H10:30: PA 30 min, PB 30 min → tie → smaller key (pagerduty, PA).
  b.alerts.push_back(Al("fp-tie", "api", HM(10, 30)));
  // H20: in nobody's window (PA to H12, PB to H13, PO from H39:30).
  b.alerts.push_back(Al("fp-none", "api", H(20)));
  // No service: no window link.
  b.alerts.push_back(Al("fp-noservice", "", HM(10, 15)));
  // On another service, but PB lists its fingerprint (firing H10:40, inside PB's window).
  b.alerts.push_back(Al("fp-b", "other", HM(10, 40)));
  // Names an incident we do not have: flagged, not guessed onto PA/PB.
  model::Alert unresolved = Al("fp-unres", "api", HM(10, 45));
  unresolved.incident = "PZZZ";
  b.alerts.push_back(unresolved);
  // By URL with a trailing '/', starting before PA's own detection: PA's detection.
  model::Alert by_url = Al("fp-url", "api", HM(9, 40));
  by_url.incident = "https://pd.example/incidents/PA/";
  b.alerts.push_back(by_url);
  // Open incident: H45 ≤ as_of → PO.
  b.alerts.push_back(Al("fp-open", "api", H(45)));
  // A window link at exactly the lower edge: H39:30 = PO's own detection − 30 min.
  b.alerts.push_back(Al("fp-edge", "api", HM(39, 30)));
  return b;
}

TEST(TimelineTest, AlertLinksExplicitWindowNearestNone) {
  const Timeline t = BuildTimeline(AlertBatch(), Opts(H(100)));
  struct Case {
    const char* fingerprint;
    AlertLinkBasis link;
    std::optional<RecordKey> incident;
    bool unresolved;
  };
  const RecordKey pa{"pagerduty", "PA"}, pb{"pagerduty", "PB"}, po{"pagerduty", "PO"};
  const Case cases[] = {
      {"fp-num", AlertLinkBasis::kAlertRef, pa, false},
      {"fp-near", AlertLinkBasis::kWindow, pb, false},
      {"fp-tie", AlertLinkBasis::kWindow, pa, false},
      {"fp-none", AlertLinkBasis::kNone, std::nullopt, false},
      {"fp-noservice", AlertLinkBasis::kNone, std::nullopt, false},
      {"fp-b", AlertLinkBasis::kIncidentRef, pb, false},
      {"fp-unres", AlertLinkBasis::kNone, std::nullopt, true},
      {"fp-url", AlertLinkBasis::kAlertRef, pa, false},
      {"fp-open", AlertLinkBasis::kWindow, po, false},
      {"fp-edge", AlertLinkBasis::kWindow, po, false},
  };
  for (const Case& c : cases) {
    const DerivedAlert& a = A(t, c.fingerprint);
    EXPECT_EQ(a.link, c.link) << c.fingerprint;
    EXPECT_EQ(a.incident, c.incident) << c.fingerprint;
    EXPECT_EQ(a.incident_ref_unresolved, c.unresolved) << c.fingerprint;
  }
  // PA's alerts by start: fp-url H9:40, fp-tie H10:30, fp-num H11.
  EXPECT_EQ(
      I(t, "PA").alerts,
      (std::vector<AlertKey>{{"fp-url", HM(9, 40)}, {"fp-tie", HM(10, 30)}, {"fp-num", H(11)}}));
  EXPECT_TRUE(I(t, "PM").alerts.empty());
}

TEST(TimelineTest, EffectiveDetectionFromAlerts) {
  const Timeline t = BuildTimeline(AlertBatch(), Opts(H(100)));
  // PA (no cause): own H10; earliest linked alert before it: fp-url H9:40.
  const DerivedIncident& pa = I(t, "PA");
  EXPECT_EQ(pa.own_detected_at, H(10));
  EXPECT_EQ(pa.detected_at, HM(9, 40));
  EXPECT_EQ(pa.detected_by, DetectionBasis::kAlert);
  EXPECT_EQ(pa.detecting_alert, (AlertKey{"fp-url", HM(9, 40)}));
  // PB: own H11; linked fp-b H10:40 and fp-near H10:50 → H10:40.
  EXPECT_EQ(I(t, "PB").detected_at, HM(10, 40));
  // PO: own H40; linked fp-edge H39:30 (before) and fp-open H45 (after) → H39:30.
  EXPECT_EQ(I(t, "PO").detected_at, HM(39, 30));
}

TEST(TimelineTest, AlertsBeforeTheCausingDeploymentDoNotDetect) {
  model::RecordBatch b;
  b.deployments.push_back(Ok("dd1", "dd", "1.0.0", H(0)));
  b.deployments.push_back(Ok("dd2", "dd", "1.1.0", H(10)));
  // Own detection H10:20, caused by 1.1.0 (deployed H10). Window [H9:50, H12].
  model::Incident in = Inc("DD", "dd", HM(10, 20));
  in.cause_version = "1.1.0";
  in.resolved_at = H(12);
  b.incidents.push_back(in);
  // Only an alert before the deployment: linked, but own detection stays.
  model::Incident solo = Inc("DS", "ds", HM(10, 20));
  solo.cause_service = "dd";
  solo.cause_version = "1.1.0";
  solo.resolved_at = H(12);
  b.incidents.push_back(solo);
  b.alerts.push_back(Al("before", "dd", HM(9, 55)));  // before H10: linked, no detection
  b.alerts.push_back(Al("after", "dd", HM(10, 5)));   // after H10, before H10:20: detection
  b.alerts.push_back(Al("solo-before", "ds", HM(9, 55)));
  b.alerts.push_back(Al("later", "dd", HM(11, 0)));  // after own detection: linked only
  const Timeline t = BuildTimeline(b, Opts(H(100)));
  const DerivedIncident& d = I(t, "DD");
  EXPECT_EQ(d.alerts.size(), 3u);
  EXPECT_EQ(d.detected_at, HM(10, 5));
  EXPECT_EQ(d.detected_by, DetectionBasis::kAlert);
  EXPECT_EQ(d.detecting_alert, (AlertKey{"after", HM(10, 5)}));
  const DerivedIncident& s = I(t, "DS");
  EXPECT_EQ(s.alerts.size(), 1u);
  EXPECT_EQ(s.detected_at, HM(10, 20));
  EXPECT_EQ(s.detected_by, DetectionBasis::kOwn);
  EXPECT_EQ(s.detecting_alert, std::nullopt);
}

model::RecordBatch DefectBatch() {
  model::RecordBatch b;
  model::Incident in = Inc("PDEF", "svc", H(1));
  in.number = "7";
  in.url = "https://pd.example/incidents/PDEF";
  b.incidents.push_back(in);
  model::Incident merged = Inc("PMRG", "svc", H(2));
  merged.merged = true;
  b.incidents.push_back(merged);
  b.defects.push_back(Def("BUG-1", "PDEF"));                                // id
  b.defects.push_back(Def("BUG-2", "#7"));                                  // number with '#'
  b.defects.push_back(Def("BUG-3", "7"));                                   // number without
  b.defects.push_back(Def("BUG-4", "https://pd.example/incidents/PDEF/"));  // url, trailing '/'
  b.defects.push_back(Def("BUG-5", "nope"));                                // unresolved
  b.defects.push_back(Def("BUG-6", ""));                                    // no link
  b.defects.push_back(Def("BUG-7", "PMRG"));  // linked to a merged incident: counts alone
  return b;
}

TEST(TimelineTest, DefectLinksByIdNumberAndUrl) {
  const Timeline t = BuildTimeline(DefectBatch(), Opts(H(100)));
  const RecordKey pdef{"pagerduty", "PDEF"};
  struct Case {
    const char* id;
    std::optional<RecordKey> incident;
    bool unresolved;
    bool counted_with_incident;
  };
  const Case cases[] = {
      {"BUG-1", pdef, false, true},
      {"BUG-2", pdef, false, true},
      {"BUG-3", pdef, false, true},
      {"BUG-4", pdef, false, true},
      {"BUG-5", std::nullopt, true, false},
      {"BUG-6", std::nullopt, false, false},
      {"BUG-7", RecordKey{"pagerduty", "PMRG"}, false, false},
  };
  ASSERT_EQ(t.defects.size(), std::size(cases));
  for (const Case& c : cases) {
    const auto it = std::find_if(t.defects.begin(), t.defects.end(),
                                 [&](const DerivedDefect& d) { return d.defect.id == c.id; });
    ASSERT_NE(it, t.defects.end()) << c.id;
    EXPECT_EQ(it->incident, c.incident) << c.id;
    EXPECT_EQ(it->incident_ref_unresolved, c.unresolved) << c.id;
    EXPECT_EQ(it->counted_with_incident, c.counted_with_incident) << c.id;
  }
  EXPECT_EQ(I(t, "PDEF").defects,
            (std::vector<RecordKey>{
                {"jira", "BUG-1"}, {"jira", "BUG-2"}, {"jira", "BUG-3"}, {"jira", "BUG-4"}}));
}

TEST(TimelineTest, EmptyInputGivesEmptyTimeline) {
  const Timeline t = BuildTimeline(model::RecordBatch{}, Opts(H(0)));
  EXPECT_EQ(t, Timeline{});
}

// --- Order invariance ---

void Append(model::RecordBatch& to, const model::RecordBatch& from) {
  to.deployments.insert(to.deployments.end(), from.deployments.begin(), from.deployments.end());
  to.releases.insert(to.releases.end(), from.releases.begin(), from.releases.end());
  to.incidents.insert(to.incidents.end(), from.incidents.begin(), from.incidents.end());
  to.defects.insert(to.defects.end(), from.defects.begin(), from.defects.end());
  to.alerts.insert(to.alerts.end(), from.alerts.begin(), from.alerts.end());
}

model::RecordBatch EverythingBatch() {
  model::RecordBatch b;
  for (const model::RecordBatch& part :
       {OutcomeBatch(), RollbackBatch(), HotfixBatch(), PatchBatch(), NativeReleaseBatch(),
        JoinBatch(), TypeBatch(), CauseBatch(), AlertBatch(), DefectBatch()}) {
    Append(b, part);
  }
  // Ties that only keys can break: two versions deployed in the same millisecond, a GitHub
  // release matching both by commit, and an alert equally near two incidents.
  model::Deployment x = Ok("tie-x", "tie", "1.0.0", H(0));
  x.commit = "same";
  model::Deployment y = Ok("tie-y", "tie", "2.0.0", H(0));
  y.commit = "same";
  b.deployments.push_back(x);
  b.deployments.push_back(y);
  b.deployments.push_back(Ok("tie-z", "tie", "1.0.0", H(1)));
  model::Release shared = Rel("github", "tie", "shared");
  shared.commit = "same";
  shared.team = "tie-team";
  b.releases.push_back(shared);
  b.incidents.push_back(Inc("TA", "tie", H(5)));
  b.incidents.push_back(Inc("TB", "tie", H(5)));
  b.alerts.push_back(Al("tie-alert", "tie", H(5)));
  return b;
}

template <typename T>
void Shuffle(std::vector<T>& v, std::mt19937& rng) {
  std::shuffle(v.begin(), v.end(), rng);
}

TEST(TimelineTest, OutputDoesNotDependOnInputOrder) {
  TimelineOptions o = Opts(H(60));
  o.infer_cause = true;
  o.patch_is_hotfix = true;
  o.excluded_causes = {"external"};
  const model::RecordBatch batch = EverythingBatch();
  const Timeline expected = BuildTimeline(batch, o);
  // The tie cases resolve by key: tie-x (github, tie-x) sorts before tie-y, so 1.0.0 is the
  // first release and 2.0.0 the second; the re-deploy of 1.0.0 at H1 rolls back 2.0.0.
  const DerivedRelease& tie2 = R(expected, "tie", "2.0.0");
  ASSERT_EQ(tie2.rollbacks.size(), 1u);
  EXPECT_EQ(tie2.rollbacks[0].at, H(1));
  // The alert at H5 is 0 from both TA and TB → the smaller key, TA.
  EXPECT_EQ(A(expected, "tie-alert").incident, (RecordKey{"pagerduty", "TA"}));
  for (unsigned seed : {1u, 2u, 3u, 42u, 2024u}) {
    model::RecordBatch shuffled = batch;
    std::mt19937 rng(seed);
    Shuffle(shuffled.deployments, rng);
    Shuffle(shuffled.releases, rng);
    Shuffle(shuffled.incidents, rng);
    Shuffle(shuffled.defects, rng);
    Shuffle(shuffled.alerts, rng);
    for (model::Deployment& d : shuffled.deployments) {
      Shuffle(d.statuses, rng);  // status order inside a deployment does not matter either
    }
    const Timeline got = BuildTimeline(shuffled, o);
    EXPECT_TRUE(got == expected) << "seed " << seed;
    // Narrow down a failure to one list.
    EXPECT_TRUE(got.deployments == expected.deployments) << "seed " << seed;
    EXPECT_TRUE(got.releases == expected.releases) << "seed " << seed;
    EXPECT_TRUE(got.incidents == expected.incidents) << "seed " << seed;
    EXPECT_TRUE(got.alerts == expected.alerts) << "seed " << seed;
    EXPECT_TRUE(got.defects == expected.defects) << "seed " << seed;
  }
}

}  // namespace
}  // namespace vigil::metrics
