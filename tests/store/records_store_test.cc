// The quality records in the Store (UpsertRecords, AddDeploymentStatuses, LoadRecords) against
// both backends (TEST_P over Backend, fresh SQLite file or PostgreSQL database per test).
// Expected counts and contents are worked out by hand in the comments.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "postgres_test_db.h"
#include "test_util.h"
#include <sqlite3.h>

#include "vigil/store/store.h"

namespace vigil::store {

// Readable failures.
void PrintTo(const RecordCounts& c, std::ostream* os) {
  *os << "{created " << c.created << ", updated " << c.updated << ", unchanged " << c.unchanged
      << "}";
}

}  // namespace vigil::store

namespace vigil::model {

void PrintTo(const Deployment& d, std::ostream* os) {
  *os << "deployment(" << d.source << ", " << d.id << ", url " << d.url << ", statuses [";
  for (const DeploymentStatus& s : d.statuses) {
    *os << DeploymentStateName(s.state) << "@" << s.at.unix_ms() << " '" << s.description << "' ";
  }
  *os << "])";
}
void PrintTo(const Release& r, std::ostream* os) {
  *os << "release(" << r.service << ", " << r.version << ")";
}
void PrintTo(const Incident& i, std::ostream* os) {
  *os << "incident(" << i.source << ", " << i.id << ", title " << i.title << ")";
}
void PrintTo(const Defect& d, std::ostream* os) {
  *os << "defect(" << d.source << ", " << d.id << ")";
}
void PrintTo(const Alert& a, std::ostream* os) {
  *os << "alert(" << a.fingerprint << ", " << a.starts_at.unix_ms() << ")";
}

}  // namespace vigil::model

namespace vigil::store {
namespace {

using core::Duration;
using core::Timestamp;
using model::DeploymentState;
using testing::Backend;
using testing::BackendName;

constexpr int64_t kT0 = 1793613600000;  // 2026-11-02T10:00:00Z
const Timestamp kNow = Timestamp::FromUnixMillis(kT0);
constexpr Duration kTtl = Duration::Hours(1);

Timestamp At(int64_t minutes) {
  return Timestamp::FromUnixMillis(kT0 + minutes * 60'000);
}

// prefix + decimal k (built with += : g++ 12 warns falsely on "literal" + std::string).
std::string Numbered(std::string_view prefix, int k) {
  std::string out(prefix);
  out += std::to_string(k);
  return out;
}

RecordCounts Counts(int64_t created, int64_t updated, int64_t unchanged) {
  return RecordCounts{created, updated, unchanged};
}

model::DeploymentStatus MakeStatus(DeploymentState state, int64_t minutes,
                                   std::string description = "") {
  return model::DeploymentStatus{state, At(minutes), std::move(description)};
}

model::Deployment MakeDeployment(std::string source, std::string id,
                                 std::vector<model::DeploymentStatus> statuses = {}) {
  model::Deployment d;
  d.source = std::move(source);
  d.id = std::move(id);
  d.service = "shop";
  d.environment = "production";
  d.version = "v2.4.1";
  d.commit = "4f2a9c1";
  d.ref = "refs/tags/v2.4.1";
  d.deployed_at = At(0);
  d.statuses = std::move(statuses);
  d.url = "https://api.github.com/repos/acme/shop/deployments/" + d.id;
  return d;
}

model::Release FullRelease() {
  model::Release r;
  r.source = "github";
  r.service = "shop";
  r.version = "2.4.1";
  r.tag = "v2.4.1";
  r.commit = "4f2a9c1";
  r.name = "Shop 2.4.1";
  r.notes = "Fixes:\n- checkout: \"quoted\" 'single'\n\tindented";
  r.team = "payments";
  r.areas = {"checkout", "", "a:b", "12:34"};
  r.type = model::ReleaseType::kPatch;
  r.prerelease = true;
  r.hotfix = true;
  r.hotfix_for = "2.4.0";
  r.deployed_at = At(5);
  r.created_at = At(-60);
  r.environment = "eu-production";
  r.url = "https://github.com/acme/shop/releases/tag/v2.4.1";
  return r;
}

model::Incident FullIncident(std::string id) {
  model::Incident i;
  i.source = "pagerduty";
  i.id = std::move(id);
  i.number = "1234";
  i.url = "https://acme.pagerduty.com/incidents/" + i.id;
  i.title = "Checkout 5xx after deploy";
  i.severity = model::Severity::kCritical;
  i.service = "shop";
  i.journey = "checkout";
  i.area = "payments";
  i.team = "payments-team";
  i.environment = "eu-production";
  i.started_at = At(1);
  i.started_at_dropped = true;
  i.created_at = At(3);
  i.detected_at = At(2);
  i.resolved_at = At(40);
  i.detection_source = model::DetectionSource::kSynthetic;
  i.cause_service = "gateway";
  i.cause_version = "v2.4.1";
  i.cause = "config";
  i.escape_phase = model::EscapePhase::kProductionOnly;
  i.paths = {"src/checkout/pay.cc", "src/x:y.cc"};
  i.alerts = {"fp-1", "fp-2"};
  i.merged = true;
  i.status = "resolved";
  return i;
}

model::Incident MinimalIncident(std::string source, std::string id) {
  model::Incident i;
  i.source = std::move(source);
  i.id = std::move(id);
  i.created_at = At(0);
  return i;
}

model::Defect FullDefect(std::string id) {
  model::Defect d;
  d.source = "jira";
  d.id = std::move(id);
  d.number = "PROJ-7";
  d.url = "https://acme.atlassian.net/browse/PROJ-7";
  d.title = "Refund button does nothing";
  d.reporter = model::ReporterKind::kCustomer;
  d.severity = model::Severity::kSignificant;
  d.service = "shop";
  d.area = "refunds";
  d.team = "payments";
  d.found_at = At(10);
  d.resolved_at = At(100);
  d.release = "2.4.1";
  d.incident = "P1";
  d.escape_phase = model::EscapePhase::kIntegration;
  d.status = "Done";
  return d;
}

model::Defect MinimalDefect(std::string source, std::string id) {
  model::Defect d;
  d.source = std::move(source);
  d.id = std::move(id);
  d.found_at = At(0);
  return d;
}

model::Alert FullAlert(std::string fingerprint, int64_t minutes) {
  model::Alert a;
  a.source = "alertmanager";
  a.fingerprint = std::move(fingerprint);
  a.starts_at = At(minutes);
  a.ends_at = At(minutes + 7);
  a.rule = "HighErrorRate";
  a.service = "shop";
  a.labels = {{"alertname", "HighErrorRate"}, {"severity", "page"}, {"", ""}, {"a:1", "2:b"}};
  a.annotations = {{"summary", "5xx > 2%\nfor 5m"}};
  a.incident = "P1";
  a.generator_url = "http://prometheus:9090/graph?g0.expr=up";
  return a;
}

model::Alert MinimalAlert(std::string fingerprint, int64_t minutes) {
  model::Alert a;
  a.fingerprint = std::move(fingerprint);
  a.starts_at = At(minutes);
  return a;
}

class RecordsStoreTest : public testing::BackendTest {
 protected:
  std::unique_ptr<Store> OpenOrDie() {
    auto s = OpenStore(url_, OpenOptions{});
    EXPECT_OK(s);
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // Upserts `batch` in one committed transaction.
  static Result<RecordUpsertSummary> Upsert(Store& store, const model::RecordBatch& batch) {
    VIGIL_ASSIGN_OR_RETURN(int node, store.LeaseNode("records", kNow, kTtl));
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> tx,
                           store.Begin(node, "records", kNow, kTtl));
    VIGIL_ASSIGN_OR_RETURN(RecordUpsertSummary summary, tx->UpsertRecords(batch));
    VIGIL_RETURN_IF_ERROR(tx->Commit());
    VIGIL_RETURN_IF_ERROR(store.ReleaseNode(node, "records"));
    return summary;
  }

  static Result<UpsertOutcome> AddStatuses(Store& store, std::string_view source,
                                           std::string_view id,
                                           const std::vector<model::DeploymentStatus>& statuses) {
    VIGIL_ASSIGN_OR_RETURN(int node, store.LeaseNode("records", kNow, kTtl));
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Transaction> tx,
                           store.Begin(node, "records", kNow, kTtl));
    VIGIL_ASSIGN_OR_RETURN(UpsertOutcome outcome, tx->AddDeploymentStatuses(source, id, statuses));
    VIGIL_RETURN_IF_ERROR(tx->Commit());
    VIGIL_RETURN_IF_ERROR(store.ReleaseNode(node, "records"));
    return outcome;
  }

  // Runs SQL on the store's database behind its back (a second connection): "" or the error.
  std::string RawExec(const std::string& sql) {
    if (GetParam() == Backend::kPostgres) {
      return testing::RunAdminStatement(url_, sql);
    }
    sqlite3* db = nullptr;
    std::string err;
    if (sqlite3_open(url_.c_str(), &db) != SQLITE_OK) {
      err = sqlite3_errmsg(db);
    } else {
      char* msg = nullptr;
      if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
        err = msg != nullptr ? msg : "sqlite3_exec failed";
        sqlite3_free(msg);
      }
    }
    sqlite3_close(db);
    return err;
  }

  // The first column of the first row of `sql` as text ("<NULL>" for NULL), on a second
  // connection.
  std::string RawScalar(const std::string& sql) {
    std::string out = "<no row>";
    if (GetParam() == Backend::kPostgres) {
      PGconn* conn = PQconnectdb(url_.c_str());
      PGresult* res = PQexec(conn, sql.c_str());
      if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        out = std::string("<error: ") + PQresultErrorMessage(res) + ">";
      } else if (PQntuples(res) > 0) {
        out = PQgetisnull(res, 0, 0) != 0
                  ? "<NULL>"
                  : std::string(PQgetvalue(res, 0, 0), static_cast<size_t>(PQgetlength(res, 0, 0)));
      }
      PQclear(res);
      PQfinish(conn);
      return out;
    }
    sqlite3* db = nullptr;
    sqlite3_open(url_.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      out = std::string("<error: ") + sqlite3_errmsg(db) + ">";
    } else if (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      out = text == nullptr ? "<NULL>"
                            : std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }
};

// Every kind: created, then unchanged on a second identical upsert (idempotence, content
// identical), then created/updated/unchanged by which record changed.
TEST_P(RecordsStoreTest, CountsCreatedUpdatedAndUnchanged) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::RecordBatch batch;
  batch.deployments = {MakeDeployment("github", "101", {MakeStatus(DeploymentState::kSuccess, 0)})};
  batch.releases = {FullRelease()};
  batch.incidents = {FullIncident("P1"), FullIncident("P2")};
  batch.defects = {FullDefect("10001")};
  // Same fingerprint, new start: a new firing, so two alerts.
  batch.alerts = {FullAlert("abc", 0), FullAlert("abc", 60)};

  auto first = Upsert(*store, batch);
  ASSERT_OK(first);
  EXPECT_EQ(first->deployments, Counts(1, 0, 0));
  EXPECT_EQ(first->releases, Counts(1, 0, 0));
  EXPECT_EQ(first->incidents, Counts(2, 0, 0));
  EXPECT_EQ(first->defects, Counts(1, 0, 0));
  EXPECT_EQ(first->alerts, Counts(2, 0, 0));
  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);

  auto again = Upsert(*store, batch);
  ASSERT_OK(again);
  EXPECT_EQ(again->deployments, Counts(0, 0, 1));
  EXPECT_EQ(again->releases, Counts(0, 0, 1));
  EXPECT_EQ(again->incidents, Counts(0, 0, 2));
  EXPECT_EQ(again->defects, Counts(0, 0, 1));
  EXPECT_EQ(again->alerts, Counts(0, 0, 2));
  auto reloaded = store->LoadRecords();
  ASSERT_OK(reloaded);
  EXPECT_EQ(reloaded->deployments, loaded->deployments);
  EXPECT_EQ(reloaded->releases, loaded->releases);
  EXPECT_EQ(reloaded->incidents, loaded->incidents);
  EXPECT_EQ(reloaded->defects, loaded->defects);
  EXPECT_EQ(reloaded->alerts, loaded->alerts);

  // One field each: deployment url, release notes, P2's title (P1 as before, P3 new), the
  // defect's resolved_at (present → absent), the second alert's ends_at (absent from now on).
  batch.deployments[0].url = "https://example.com/other";
  batch.releases[0].notes = "rewritten";
  batch.incidents[1].title = "Checkout 5xx (root cause: config)";
  batch.incidents.push_back(MinimalIncident("pagerduty", "P3"));
  batch.defects[0].resolved_at.reset();
  batch.alerts[1].ends_at.reset();
  auto third = Upsert(*store, batch);
  ASSERT_OK(third);
  EXPECT_EQ(third->deployments, Counts(0, 1, 0));
  EXPECT_EQ(third->releases, Counts(0, 1, 0));
  EXPECT_EQ(third->incidents, Counts(1, 1, 1));  // P3 created, P2 updated, P1 unchanged
  EXPECT_EQ(third->defects, Counts(0, 1, 0));
  EXPECT_EQ(third->alerts, Counts(0, 1, 1));

  auto after = store->LoadRecords();
  ASSERT_OK(after);
  EXPECT_EQ(after->deployments, batch.deployments);
  EXPECT_EQ(after->releases, batch.releases);
  EXPECT_EQ(after->incidents, batch.incidents);  // P1, P2, P3: already in key order
  EXPECT_EQ(after->defects, batch.defects);
  EXPECT_EQ(after->alerts, batch.alerts);
}

// Every field of every kind, present and absent; every enum value; empty lists and list items
// that look like the encoding ("12:34", "", "a:b").
TEST_P(RecordsStoreTest, RoundTripsEveryFieldOfEveryKind) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::RecordBatch batch;
  // Statuses given out of order come back sorted by (at, state).
  model::Deployment full = MakeDeployment(
      "github", "101",
      {MakeStatus(DeploymentState::kSuccess, 5, "Deployed \"v2.4.1\""),
       MakeStatus(DeploymentState::kPending, 0), MakeStatus(DeploymentState::kInProgress, 2, "")});
  // Nothing derived: a deployment without statuses stays without (no implied success).
  model::Deployment bare;
  bare.source = "native";
  bare.id = "sha256:0123456789abcdef0123456789abcdef";
  bare.deployed_at = At(-5);
  batch.deployments = {full, bare};
  // Every state once, all at one instant: sorted by enum order.
  model::Deployment states = MakeDeployment("github", "102");
  for (int s = 0; s <= static_cast<int>(DeploymentState::kInactive); ++s) {
    states.statuses.push_back(MakeStatus(static_cast<DeploymentState>(s), 9, std::to_string(s)));
  }
  batch.deployments.push_back(states);

  model::Release minimal_release;
  minimal_release.service = "shop";
  minimal_release.version = "2.5.0";
  minimal_release.hotfix = true;  // hotfix_for "" stays "" (inference is the timeline's job)
  batch.releases = {FullRelease(), minimal_release};
  for (int t = 0; t <= static_cast<int>(model::ReleaseType::kPatch); ++t) {
    model::Release r = minimal_release;
    r.version = Numbered("3.", t);
    r.type = static_cast<model::ReleaseType>(t);
    batch.releases.push_back(r);
  }

  batch.incidents = {FullIncident("P1"), MinimalIncident("native", "INC-1")};
  // Eight incidents cover every severity (0..3), detection source (0..7), escape phase (0..5).
  for (int k = 0; k < 8; ++k) {
    model::Incident i = MinimalIncident("native", Numbered("enum-", k));
    i.severity = static_cast<model::Severity>(k % 4);
    i.detection_source = static_cast<model::DetectionSource>(k);
    i.escape_phase = static_cast<model::EscapePhase>(k % 6);
    i.paths = {"12:34", ""};
    batch.incidents.push_back(i);
  }

  batch.defects = {FullDefect("10001"), MinimalDefect("github", "7")};
  for (int k = 0; k < 3; ++k) {
    model::Defect d = MinimalDefect("native", Numbered("enum-", k));
    d.reporter = static_cast<model::ReporterKind>(k);
    batch.defects.push_back(d);
  }

  batch.alerts = {FullAlert("abc", 0), MinimalAlert("def", 0)};

  auto sum = Upsert(*store, batch);
  ASSERT_OK(sum);
  EXPECT_EQ(sum->deployments, Counts(3, 0, 0));
  EXPECT_EQ(sum->releases, Counts(6, 0, 0));  // full, minimal, 4 types
  EXPECT_EQ(sum->incidents, Counts(10, 0, 0));
  EXPECT_EQ(sum->defects, Counts(5, 0, 0));
  EXPECT_EQ(sum->alerts, Counts(2, 0, 0));

  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  // Expected: the records in key order. Deployments: (github,101) < (github,102) < (native,…).
  model::Deployment full_sorted = full;
  full_sorted.statuses = {MakeStatus(DeploymentState::kPending, 0),
                          MakeStatus(DeploymentState::kInProgress, 2, ""),
                          MakeStatus(DeploymentState::kSuccess, 5, "Deployed \"v2.4.1\"")};
  EXPECT_EQ(loaded->deployments, (std::vector<model::Deployment>{full_sorted, states, bare}));
  // Releases: (shop, "2.4.1") < (shop, "2.5.0") < (shop, "3.0") … (shop, "3.3").
  EXPECT_EQ(loaded->releases, batch.releases);
  // Incidents: (native, INC-1) < (native, enum-0..7) < (pagerduty, P1).
  std::vector<model::Incident> incidents(batch.incidents.begin() + 1, batch.incidents.end());
  incidents.push_back(batch.incidents[0]);
  EXPECT_EQ(loaded->incidents, incidents);
  // Defects: (github, 7) < (jira, 10001) < (native, enum-0..2).
  EXPECT_EQ(loaded->defects,
            (std::vector<model::Defect>{batch.defects[1], batch.defects[0], batch.defects[2],
                                        batch.defects[3], batch.defects[4]}));
  EXPECT_EQ(loaded->alerts, batch.alerts);
}

// Within one batch, the last record with a key wins; deployments unite their statuses.
TEST_P(RecordsStoreTest, LaterRecordsWithTheSameKeyWinWithinABatch) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::RecordBatch batch;
  model::Incident a = MinimalIncident("pagerduty", "P1");
  a.title = "first";
  model::Incident b = a;
  b.title = "second";
  batch.incidents = {a, MinimalIncident("pagerduty", "P2"), b};
  model::Deployment d1 =
      MakeDeployment("github", "1", {MakeStatus(DeploymentState::kPending, 0, "queued")});
  model::Deployment d2 = MakeDeployment("github", "1",
                                        {MakeStatus(DeploymentState::kSuccess, 5, "ok"),
                                         MakeStatus(DeploymentState::kPending, 0, "waiting")});
  d2.url = "https://example.com/later";
  batch.deployments = {d1, d2};
  auto sum = Upsert(*store, batch);
  ASSERT_OK(sum);
  EXPECT_EQ(sum->incidents, Counts(2, 0, 0));  // one per key
  EXPECT_EQ(sum->deployments, Counts(1, 0, 0));
  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  ASSERT_EQ(loaded->incidents.size(), 2u);
  EXPECT_EQ(loaded->incidents[0].title, "second");
  ASSERT_EQ(loaded->deployments.size(), 1u);
  EXPECT_EQ(loaded->deployments[0].url, "https://example.com/later");
  // pending@0 from both (the later description), success@5 from the second.
  EXPECT_EQ(
      loaded->deployments[0].statuses,
      (std::vector<model::DeploymentStatus>{MakeStatus(DeploymentState::kPending, 0, "waiting"),
                                            MakeStatus(DeploymentState::kSuccess, 5, "ok")}));

  // Stored title "second"; the batch's last P1 says "second" again: unchanged.
  model::Incident c = a;
  c.title = "third";
  batch.incidents = {c, b};
  batch.deployments.clear();
  auto again = Upsert(*store, batch);
  ASSERT_OK(again);
  EXPECT_EQ(again->incidents, Counts(0, 0, 1));
}

TEST_P(RecordsStoreTest, DeploymentStatusesAreTheUnionOfStoredAndNew) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::RecordBatch batch;
  batch.deployments = {MakeDeployment("github", "7",
                                      {MakeStatus(DeploymentState::kPending, 0, "queued up"),
                                       MakeStatus(DeploymentState::kSuccess, 10, "ok")})};
  auto first = Upsert(*store, batch);
  ASSERT_OK(first);
  EXPECT_EQ(first->deployments, Counts(1, 0, 0));

  // A new status and a new description for success@10: updated, nothing dropped.
  batch.deployments[0].statuses = {MakeStatus(DeploymentState::kFailure, 5, "boom"),
                                   MakeStatus(DeploymentState::kSuccess, 10, "deployed")};
  auto second = Upsert(*store, batch);
  ASSERT_OK(second);
  EXPECT_EQ(second->deployments, Counts(0, 1, 0));

  // A subset of what is stored, then none at all: unchanged.
  batch.deployments[0].statuses = {MakeStatus(DeploymentState::kPending, 0, "queued up")};
  auto subset = Upsert(*store, batch);
  ASSERT_OK(subset);
  EXPECT_EQ(subset->deployments, Counts(0, 0, 1));
  batch.deployments[0].statuses.clear();
  auto none = Upsert(*store, batch);
  ASSERT_OK(none);
  EXPECT_EQ(none->deployments, Counts(0, 0, 1));

  // Two states at one instant (success is ordered before pending: enum order).
  batch.deployments[0].statuses = {MakeStatus(DeploymentState::kPending, 20),
                                   MakeStatus(DeploymentState::kSuccess, 20)};
  auto same_at = Upsert(*store, batch);
  ASSERT_OK(same_at);
  EXPECT_EQ(same_at->deployments, Counts(0, 1, 0));

  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  ASSERT_EQ(loaded->deployments.size(), 1u);
  EXPECT_EQ(
      loaded->deployments[0].statuses,
      (std::vector<model::DeploymentStatus>{MakeStatus(DeploymentState::kPending, 0, "queued up"),
                                            MakeStatus(DeploymentState::kFailure, 5, "boom"),
                                            MakeStatus(DeploymentState::kSuccess, 10, "deployed"),
                                            MakeStatus(DeploymentState::kSuccess, 20),
                                            MakeStatus(DeploymentState::kPending, 20)}));
}

TEST_P(RecordsStoreTest, AddDeploymentStatusesUnitesWithTheStoredOnes) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  const std::vector<model::DeploymentStatus> ok = {MakeStatus(DeploymentState::kSuccess, 10, "ok")};
  auto missing = AddStatuses(*store, "github", "7", ok);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();

  model::RecordBatch batch;
  batch.deployments = {MakeDeployment("github", "7", {MakeStatus(DeploymentState::kPending, 0)})};
  ASSERT_OK(Upsert(*store, batch));
  // Another deployment's key is still not found (source differs).
  EXPECT_EQ(AddStatuses(*store, "native", "7", ok).status().code(), StatusCode::kNotFound);

  auto added = AddStatuses(*store, "github", "7", ok);
  ASSERT_OK(added);
  EXPECT_EQ(*added, UpsertOutcome::kUpdated);
  auto same = AddStatuses(*store, "github", "7", ok);
  ASSERT_OK(same);
  EXPECT_EQ(*same, UpsertOutcome::kUnchanged);
  auto none = AddStatuses(*store, "github", "7", {});
  ASSERT_OK(none);
  EXPECT_EQ(*none, UpsertOutcome::kUnchanged);
  auto described =
      AddStatuses(*store, "github", "7", {MakeStatus(DeploymentState::kSuccess, 10, "finally")});
  ASSERT_OK(described);
  EXPECT_EQ(*described, UpsertOutcome::kUpdated);
  // Two descriptions of one (state, at) in one call: the later one is kept.
  auto twice = AddStatuses(*store, "github", "7",
                           {MakeStatus(DeploymentState::kFailure, 3, "a"),
                            MakeStatus(DeploymentState::kFailure, 3, "b")});
  ASSERT_OK(twice);
  EXPECT_EQ(*twice, UpsertOutcome::kUpdated);

  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  ASSERT_EQ(loaded->deployments.size(), 1u);
  EXPECT_EQ(
      loaded->deployments[0].statuses,
      (std::vector<model::DeploymentStatus>{MakeStatus(DeploymentState::kPending, 0),
                                            MakeStatus(DeploymentState::kFailure, 3, "b"),
                                            MakeStatus(DeploymentState::kSuccess, 10, "finally")}));
}

TEST_P(RecordsStoreTest, ARolledBackTransactionLeavesNothing) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::RecordBatch batch;
  batch.deployments = {MakeDeployment("github", "1", {MakeStatus(DeploymentState::kPending, 0)})};
  batch.releases = {FullRelease()};
  batch.incidents = {FullIncident("P1")};
  batch.defects = {FullDefect("1")};
  batch.alerts = {FullAlert("abc", 0)};
  auto node = store->LeaseNode("w", kNow, kTtl);
  ASSERT_OK(node);
  {
    auto tx = store->Begin(*node, "w", kNow, kTtl);
    ASSERT_OK(tx);
    auto sum = (*tx)->UpsertRecords(batch);
    ASSERT_OK(sum);
    EXPECT_EQ(sum->incidents, Counts(1, 0, 0));
    // Not committed: destroyed, so rolled back.
  }
  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->size(), 0u);

  // A stored deployment keeps its statuses when adding to it is rolled back.
  batch.deployments[0].statuses = {MakeStatus(DeploymentState::kPending, 0)};
  ASSERT_OK(Upsert(*store, batch));
  {
    auto tx = store->Begin(*node, "w", kNow, kTtl);
    ASSERT_OK(tx);
    std::vector<model::DeploymentStatus> more = {MakeStatus(DeploymentState::kSuccess, 1)};
    auto added = (*tx)->AddDeploymentStatuses("github", "1", more);
    ASSERT_OK(added);
    EXPECT_EQ(*added, UpsertOutcome::kUpdated);
  }
  loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  ASSERT_EQ(loaded->deployments.size(), 1u);
  EXPECT_EQ(loaded->deployments[0].statuses,
            std::vector<model::DeploymentStatus>{MakeStatus(DeploymentState::kPending, 0)});
  EXPECT_EQ(loaded->size(), 5u);
}

// Keys sort bytewise ("B" 0x42 < "a" 0x61 < "b" < "é" 0xC3 0xA9; "10" < "9"), timestamps
// numerically (9000 ms before 10000 ms, although "10000" < "9000" as text), whatever the order
// of the upserts.
TEST_P(RecordsStoreTest, LoadRecordsSortsEachKindByItsKey) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::RecordBatch first, second;
  first.incidents = {MinimalIncident("pagerduty", "b"), MinimalIncident("jira", "z")};
  second.incidents = {MinimalIncident("pagerduty", "\xC3\xA9"), MinimalIncident("pagerduty", "B"),
                      MinimalIncident("pagerduty", "a")};
  first.deployments = {MakeDeployment("github", "9")};
  second.deployments = {MakeDeployment("github", "10"), MakeDeployment("Github", "99")};
  model::Release r9, r10;
  r9.service = r10.service = "shop";
  r9.version = "2.9.0";
  r10.version = "2.10.0";
  first.releases = {r9};
  second.releases = {r10};
  first.defects = {MinimalDefect("jira", "PROJ-2")};
  second.defects = {MinimalDefect("jira", "PROJ-10")};
  model::Alert late = MinimalAlert("fp", 0), early = MinimalAlert("fp", 0), other = late;
  late.starts_at = Timestamp::FromUnixMillis(10'000);
  early.starts_at = Timestamp::FromUnixMillis(9'000);
  other.fingerprint = "FP";
  other.starts_at = Timestamp::FromUnixMillis(99'000);
  first.alerts = {late};
  second.alerts = {other, early};
  ASSERT_OK(Upsert(*store, first));
  ASSERT_OK(Upsert(*store, second));

  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  std::vector<std::string> ids;
  for (const auto& i : loaded->incidents) {
    ids.push_back(i.source + "/" + i.id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"jira/z", "pagerduty/B", "pagerduty/a", "pagerduty/b",
                                           "pagerduty/\xC3\xA9"}));
  ids.clear();
  for (const auto& d : loaded->deployments) {
    ids.push_back(d.source + "/" + d.id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"Github/99", "github/10", "github/9"}));
  ASSERT_EQ(loaded->releases.size(), 2u);
  EXPECT_EQ(loaded->releases[0].version, "2.10.0");
  ASSERT_EQ(loaded->defects.size(), 2u);
  EXPECT_EQ(loaded->defects[0].id, "PROJ-10");
  ASSERT_EQ(loaded->alerts.size(), 3u);
  EXPECT_EQ(loaded->alerts[0].fingerprint, "FP");
  EXPECT_EQ(loaded->alerts[1].starts_at.unix_ms(), 9'000);
  EXPECT_EQ(loaded->alerts[2].starts_at.unix_ms(), 10'000);
}

// Labels, lists and key text with bytes that are not UTF-8 text (NUL, 0xFF): SQLite stores
// them verbatim; PostgreSQL text cannot hold them, so the upsert is refused naming the record
// and the field.
TEST_P(RecordsStoreTest, OddBytesAreStoredBySqliteAndRefusedByPostgres) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::Alert alert = FullAlert("fp", 0);
  alert.labels = {
      {std::string("nul\0key", 7), "\xFF\xFE"}, {"k", std::string("\0", 1)}, {"3:", "x"}};
  model::Incident incident = MinimalIncident("native", std::string("id\0\x01", 4));
  incident.paths = {std::string("a\0b", 3), "\x80"};
  incident.title = "caf\xE9";  // Latin-1, not UTF-8

  model::RecordBatch alerts;
  alerts.alerts = {alert};
  model::RecordBatch incidents;
  incidents.incidents = {incident};
  auto a = Upsert(*store, alerts);
  auto i = Upsert(*store, incidents);
  if (GetParam() == Backend::kPostgres) {
    ASSERT_EQ(a.status().code(), StatusCode::kInvalidArgument) << a.status().ToString();
    EXPECT_NE(a.status().message().find("alert ('fp', "), std::string::npos)
        << a.status().ToString();
    EXPECT_NE(a.status().message().find("labels"), std::string::npos) << a.status().ToString();
    EXPECT_NE(a.status().message().find("UTF-8"), std::string::npos) << a.status().ToString();
    ASSERT_EQ(i.status().code(), StatusCode::kInvalidArgument) << i.status().ToString();
    EXPECT_NE(i.status().message().find("incident ("), std::string::npos) << i.status().ToString();
    auto loaded = store->LoadRecords();
    ASSERT_OK(loaded);
    EXPECT_EQ(loaded->size(), 0u);
    return;
  }
  ASSERT_OK(a);
  ASSERT_OK(i);
  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->alerts, std::vector<model::Alert>{alert});
  EXPECT_EQ(loaded->incidents, std::vector<model::Incident>{incident});
  // And they compare equal to themselves: a second upsert changes nothing.
  auto again = Upsert(*store, alerts);
  ASSERT_OK(again);
  EXPECT_EQ(again->alerts, Counts(0, 0, 1));
  auto again_i = Upsert(*store, incidents);
  ASSERT_OK(again_i);
  EXPECT_EQ(again_i->incidents, Counts(0, 0, 1));
}

// The database is readable without vigil: enums by name, NULL for absent times, lists and maps
// length-prefixed ("<bytes>:<item>" concatenated; docs/store-schema.md).
TEST_P(RecordsStoreTest, ColumnsUseTheDocumentedEncodings) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::RecordBatch batch;
  batch.incidents = {FullIncident("P1")};
  batch.incidents[0].paths = {"a", "bc", ""};
  batch.incidents[0].resolved_at.reset();
  batch.alerts = {FullAlert("fp", 0)};
  batch.alerts[0].labels = {{"env", "prod"}, {"a", ""}};
  batch.deployments = {
      MakeDeployment("github", "1", {MakeStatus(DeploymentState::kInProgress, 0)})};
  model::Release r;
  r.service = "shop";
  r.version = "1.0";
  batch.releases = {r};
  ASSERT_OK(Upsert(*store, batch));

  EXPECT_EQ(RawScalar("SELECT severity FROM incidents"), "critical");
  EXPECT_EQ(RawScalar("SELECT escape_phase FROM incidents"), "production-only");
  EXPECT_EQ(RawScalar("SELECT detection_source FROM incidents"), "synthetic");
  EXPECT_EQ(RawScalar("SELECT paths FROM incidents"), "1:a2:bc0:");
  EXPECT_EQ(RawScalar("SELECT alerts FROM incidents"), "4:fp-14:fp-2");
  EXPECT_EQ(RawScalar("SELECT resolved_at_ms FROM incidents"), "<NULL>");
  // 2026-11-02T10:03:00Z = 1793613600000 + 3 × 60000.
  EXPECT_EQ(RawScalar("SELECT created_at_ms FROM incidents"), "1793613780000");
  // Keys in order: "a" → "", "env" → "prod".
  EXPECT_EQ(RawScalar("SELECT labels FROM alerts"), "1:a0:3:env4:prod");
  EXPECT_EQ(RawScalar("SELECT state FROM deployment_statuses"), "in_progress");
  EXPECT_EQ(RawScalar("SELECT areas FROM releases"), "");
  EXPECT_EQ(RawScalar("SELECT type FROM releases"), "unknown");
  EXPECT_EQ(RawScalar("SELECT created_at_ms FROM releases"), "<NULL>");
}

// A row vigil cannot read back is data loss naming the column, not a crash or a silent default.
TEST_P(RecordsStoreTest, AnUnreadableRowIsDataLoss) {
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  model::RecordBatch batch;
  batch.incidents = {FullIncident("P1")};
  ASSERT_OK(Upsert(*store, batch));
  ASSERT_EQ(RawExec("UPDATE incidents SET paths = '5:ab'"), "");  // 5 bytes announced, 2 there
  auto bad_list = store->LoadRecords();
  EXPECT_EQ(bad_list.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad_list.status().message().find("incidents.paths"), std::string::npos)
      << bad_list.status().ToString();
  ASSERT_EQ(RawExec("UPDATE incidents SET paths = '', severity = 'sev1'"), "");
  auto bad_enum = store->LoadRecords();
  EXPECT_EQ(bad_enum.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(bad_enum.status().message().find("incidents.severity"), std::string::npos)
      << bad_enum.status().ToString();
}

// A store of schema version 2 (rollups, coverage; no record tables) is upgraded when opened: the
// v2 store is made by removing what migration 3 adds from a fresh store.
TEST_P(RecordsStoreTest, OpeningAVersion2StoreMigratesIt) {
  {
    auto store = OpenOrDie();
    ASSERT_NE(store, nullptr);
    auto node = store->LeaseNode("w", kNow, kTtl);
    ASSERT_OK(node);
    auto tx = store->Begin(*node, "w", kNow, kTtl);
    ASSERT_OK(tx);
    model::Rollup r;
    r.series = model::SeriesKey{"shop", "prod", model::SeriesKind::kRoute, "GET /a", ""};
    r.bucket_start = kNow;
    r.count = 3;
    ASSERT_OK((*tx)->MergeRollups(std::vector<model::Rollup>{r}));
    ASSERT_OK((*tx)->Commit());
  }
  ASSERT_EQ(RawExec("DROP TABLE deployment_statuses; DROP TABLE deployments; DROP TABLE releases; "
                    "DROP TABLE incidents; DROP TABLE defects; DROP TABLE alerts; DROP INDEX "
                    "rollups_minute_sketches; UPDATE meta SET value = '2' WHERE key = "
                    "'schema_version'"),
            "");
  ASSERT_EQ(RawScalar("SELECT value FROM meta WHERE key = 'schema_version'"), "2");

  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->info().schema_version, 4);
  EXPECT_EQ(RawScalar("SELECT value FROM meta WHERE key = 'schema_version'"), "4");
  int64_t rows = 0;
  ASSERT_OK(store->ScanRollups({}, [&rows](model::Rollup&& r) {
    rows += r.count;
    return OkStatus();
  }));
  EXPECT_EQ(rows, 3);  // the v2 data is still there
  model::RecordBatch batch;
  batch.incidents = {FullIncident("P1")};
  auto sum = Upsert(*store, batch);
  ASSERT_OK(sum);
  EXPECT_EQ(sum->incidents, Counts(1, 0, 0));
}

// Two writers (two Store objects, as two processes) upsert the same keys at once: neither fails
// on a unique key; each key is created once (200 incidents: created 200 + unchanged 200 in
// total), and each deployment ends with both writers' statuses (50 created + 50 updated).
TEST_P(RecordsStoreTest, ConcurrentWritersOfTheSameKeysNeverConflict) {
  ASSERT_NE(OpenOrDie(), nullptr);  // create the schema once
  std::atomic<int64_t> created{0}, unchanged{0}, deploy_created{0}, deploy_updated{0};
  auto writer = [&](const std::string& holder, DeploymentState state) {
    auto s = OpenStore(url_, OpenOptions{});
    ASSERT_OK(s);
    model::RecordBatch batch;
    for (int k = 0; k < 200; ++k) {
      batch.incidents.push_back(FullIncident(Numbered("P", k)));
    }
    for (int k = 0; k < 50; ++k) {
      batch.deployments.push_back(
          MakeDeployment("github", std::to_string(k), {MakeStatus(state, 1, holder)}));
    }
    auto node = (*s)->LeaseNode(holder, kNow, kTtl);
    ASSERT_OK(node);
    auto tx = (*s)->Begin(*node, holder, kNow, kTtl);
    ASSERT_OK(tx);
    auto sum = (*tx)->UpsertRecords(batch);
    ASSERT_OK(sum);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // overlap the other writer
    ASSERT_OK((*tx)->Commit());
    created += sum->incidents.created;
    unchanged += sum->incidents.unchanged;
    deploy_created += sum->deployments.created;
    deploy_updated += sum->deployments.updated;
  };
  std::thread a(writer, "a", DeploymentState::kSuccess);
  std::thread b(writer, "b", DeploymentState::kFailure);
  a.join();
  b.join();
  EXPECT_EQ(created.load(), 200);
  EXPECT_EQ(unchanged.load(), 200);
  EXPECT_EQ(deploy_created.load(), 50);
  EXPECT_EQ(deploy_updated.load(), 50);
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  auto loaded = store->LoadRecords();
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->incidents.size(), 200u);
  ASSERT_EQ(loaded->deployments.size(), 50u);
  for (const model::Deployment& d : loaded->deployments) {
    // success (1) before failure (2) at the same instant.
    EXPECT_EQ(d.statuses,
              (std::vector<model::DeploymentStatus>{MakeStatus(DeploymentState::kSuccess, 1, "a"),
                                                    MakeStatus(DeploymentState::kFailure, 1, "b")}))
        << d.id;
  }
}

// The import-sized batch of the performance target: 100k incidents + 100k defects + 50k
// deployments (one status each) in one transaction, then the same again (all unchanged). Not a
// timed assertion: the times are printed (docs/store-schema.md quotes them). The suite runs a
// tenth of it to stay quick; VIGIL_RECORDS_BENCH_SCALE=N runs 1/N (1: the full 250k records).
TEST_P(RecordsStoreTest, UpsertsAnImportSizedBatch) {
  int scale = 10;
  if (const char* env = std::getenv("VIGIL_RECORDS_BENCH_SCALE"); env != nullptr) {
    scale = std::max(1, std::atoi(env));
  }
  const int n_incidents = 100'000 / scale, n_defects = 100'000 / scale,
            n_deployments = 50'000 / scale;
  model::RecordBatch batch;
  for (int k = 0; k < n_incidents; ++k) {
    model::Incident i = FullIncident(Numbered("Q", k));
    i.created_at = At(k);
    batch.incidents.push_back(std::move(i));
  }
  for (int k = 0; k < n_defects; ++k) {
    model::Defect d = FullDefect(Numbered("PROJ-", k));
    d.found_at = At(k);
    batch.defects.push_back(std::move(d));
  }
  for (int k = 0; k < n_deployments; ++k) {
    model::Deployment d = MakeDeployment("github", std::to_string(k),
                                         {MakeStatus(DeploymentState::kSuccess, k, "ok")});
    d.deployed_at = At(k);
    batch.deployments.push_back(std::move(d));
  }
  auto store = OpenOrDie();
  ASSERT_NE(store, nullptr);
  // Wall and CPU time of this process (the CPU time leaves out other load on a shared machine;
  // for PostgreSQL it leaves out the server's work).
  struct Lap {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    std::clock_t cpu = std::clock();
  };
  auto ms = [](const Lap& a, const Lap& b) {
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(b.wall - a.wall);
    const auto cpu =
        static_cast<long long>(1000.0 * static_cast<double>(b.cpu - a.cpu) / CLOCKS_PER_SEC);
    return std::to_string(wall.count()) + " ms (cpu " + std::to_string(cpu) + " ms)";
  };
  const Lap t0;
  auto first = Upsert(*store, batch);
  const Lap t1;
  ASSERT_OK(first);
  auto second = Upsert(*store, batch);
  const Lap t2;
  ASSERT_OK(second);
  auto loaded = store->LoadRecords();
  const Lap t3;
  ASSERT_OK(loaded);
  EXPECT_EQ(first->incidents, Counts(n_incidents, 0, 0));
  EXPECT_EQ(first->defects, Counts(n_defects, 0, 0));
  EXPECT_EQ(first->deployments, Counts(n_deployments, 0, 0));
  EXPECT_EQ(second->incidents, Counts(0, 0, n_incidents));
  EXPECT_EQ(second->defects, Counts(0, 0, n_defects));
  EXPECT_EQ(second->deployments, Counts(0, 0, n_deployments));
  EXPECT_EQ(loaded->size(), batch.size());
  std::cout << "[records bench] " << (GetParam() == Backend::kSqlite ? "sqlite" : "postgres")
            << ": " << batch.size() << " records: upsert (all created) " << ms(t0, t1)
            << ", again (all unchanged) " << ms(t1, t2) << ", load " << ms(t2, t3) << "\n";
}

INSTANTIATE_TEST_SUITE_P(Backends, RecordsStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

}  // namespace
}  // namespace vigil::store
