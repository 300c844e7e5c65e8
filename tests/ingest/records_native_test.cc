#include "vigil/ingest/records_native.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <simdjson.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_util.h"

#include "vigil/core/time.h"
#include "vigil/ingest/record_input.h"
#include "vigil/model/records.h"

namespace vigil::ingest {
namespace {

using model::RecordKind;
using ::vigil::testing::TestDataPath;

// Times used by the fixtures, worked out by hand:
// 2024-06-10 is day 19884 after 1970-01-01: 54 years 1970..2023 of which 13 leap (1972..2020)
// → 54·365 + 13 = 19723 days; then Jan 31 + Feb 29 + Mar 31 + Apr 30 + May 31 = 152, + 9 days
// into June = 161 → 19884. Midnight = 19884 · 86 400 000 = 1 717 977 600 000 ms.
// 13:55:36 = 50 136 s → 2024-06-10T13:55:36Z = 1 718 027 736 000 ms, and so are
// 2024-06-10T15:55:36+02:00 (15:55:36 − 2 h) and 2024-06-10T09:25:36-04:30 (09:25:36 + 4:30).
constexpr int64_t kT0 = 1'718'027'736'000;
constexpr int64_t kT0Plus10m250 = kT0 + 600'250;  // 2024-06-10T14:05:36.250Z
constexpr int64_t kT0Plus1h = kT0 + 3'600'000;    // 2024-06-10T14:55:36Z
constexpr int64_t kT0Minus5m = kT0 - 300'000;     // 2024-06-10T13:50:36Z
constexpr int64_t kT0Minus10m = kT0 - 600'000;    // 2024-06-10T13:45:36Z
// 2024-06-11T00:00:00+05:30 = 2024-06-10T18:30:00Z = midnight + 18.5 h (66 600 000 ms).
constexpr int64_t kJune10At1830 = 1'717'977'600'000 + 66'600'000;  // 1 718 044 200 000

core::Timestamp Ms(int64_t ms) {
  return core::Timestamp::FromUnixMillis(ms);
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(TestDataPath("records/native/" + name), std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ParsedRecords ParseFixture(RecordKind kind, const std::string& name,
                           RecordInputFormat format = RecordInputFormat::kAuto) {
  const std::string data = ReadFixture(name);
  return ParseNativeRecords(kind, RecordFile{name, data}, format);
}

ParsedRecords ParseText(RecordKind kind, RecordInputFormat format, std::string_view data) {
  return ParseNativeRecords(kind, RecordFile{"in", data}, format);
}

// ---- Formats ----------------------------------------------------------------------------

TEST(RecordInputFormatTest, ParsesTheThreeNames) {
  struct Case {
    std::string_view text;
    RecordInputFormat want;
  };
  for (const Case& c :
       {Case{"auto", RecordInputFormat::kAuto}, Case{"ndjson", RecordInputFormat::kNdjson},
        Case{"CSV", RecordInputFormat::kCsv}}) {
    const Result<RecordInputFormat> got = ParseRecordInputFormat(c.text);
    ASSERT_OK(got);
    EXPECT_EQ(*got, c.want) << c.text;
  }
  const Result<RecordInputFormat> bad = ParseRecordInputFormat("xml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "unknown record input format 'xml' (expected auto, ndjson or csv)");
}

TEST(RecordInputFormatTest, DetectsFromNameThenContent) {
  struct Case {
    std::string_view name;
    std::string_view data;
    RecordInputFormat want;
  };
  const Case cases[] = {
      {"a.ndjson", "id,created_at", RecordInputFormat::kNdjson},  // The name wins.
      {"dir.csv/a.JSONL", "", RecordInputFormat::kNdjson},
      {"a.json.gz", "", RecordInputFormat::kNdjson},
      {"a.CSV", "{\"id\":1}", RecordInputFormat::kCsv},
      {"a.csv.gz", "", RecordInputFormat::kCsv},
      {"a.txt", "\xEF\xBB\xBF \r\n\t{\"id\":1}", RecordInputFormat::kNdjson},
      {"a.txt", "id,created_at\n", RecordInputFormat::kCsv},
      {"export", "", RecordInputFormat::kCsv},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DetectRecordInputFormat(RecordFile{std::string(c.name), c.data}), c.want) << c.name;
  }
}

// ---- Every field of every kind ----------------------------------------------------------

model::Deployment Dep(std::string id, std::string service, std::string version, int64_t at) {
  model::Deployment d;
  d.source = "native";
  d.id = std::move(id);
  d.service = std::move(service);
  d.environment = "production";
  d.version = std::move(version);
  d.deployed_at = Ms(at);
  return d;
}

model::DeploymentStatus Status(model::DeploymentState state, int64_t at) {
  model::DeploymentStatus s;
  s.state = state;
  s.at = Ms(at);
  return s;
}

std::vector<model::Deployment> WantDeployments() {
  std::vector<model::Deployment> want;
  model::Deployment d = Dep("dep-1", "checkout", "v2.4.1", kT0);  // 15:55:36+02:00
  d.environment = "staging";
  d.commit = "9f8e7d6c5b4a";
  d.ref = "refs/tags/v2.4.1";
  d.statuses = {Status(model::DeploymentState::kFailure, kT0Plus10m250)};
  d.url = "https://deploy.example.com/1";
  want.push_back(d);
  // No id: stays "" (the importer hashes it). No status: one success at deployed_at.
  d = Dep("", "search", "1.0.0", kT0);
  d.statuses = {Status(model::DeploymentState::kSuccess, kT0)};
  want.push_back(d);
  // An integer id; environment null/empty → production; 09:25:36-04:30 = T0.
  d = Dep("42", "search", "1.0.1", kT0);
  d.statuses = {Status(model::DeploymentState::kInProgress, kT0)};
  want.push_back(d);
  // An unknown status name is kept as an unknown state, not an error.
  d = Dep("", "search", "1.0.2", kT0);
  d.statuses = {Status(model::DeploymentState::kUnknown, kT0)};
  want.push_back(d);
  return want;
}

TEST(NativeRecordsTest, DeploymentsEveryField) {
  for (const char* name : {"deployments.ndjson", "deployments.csv"}) {
    SCOPED_TRACE(name);
    const ParsedRecords got = ParseFixture(RecordKind::kDeployment, name);
    EXPECT_EQ(got.batch.deployments, WantDeployments());
    EXPECT_EQ(got.batch.size(), 4U);
    EXPECT_TRUE(got.issues.empty());
    EXPECT_EQ(got.rejected, 0);
    EXPECT_EQ(got.skipped, 0);
  }
}

std::vector<model::Release> WantReleases() {
  std::vector<model::Release> want;
  model::Release r;
  r.source = "native";
  r.service = "checkout";
  r.version = "2.4.1";
  r.tag = "v2.4.1";
  r.commit = "9f8e7d6";
  r.name = "Checkout 2.4.1";
  r.notes = "Fixes the coupon bug.\nSee #42.";
  r.team = "payments";
  r.areas = {"cart", "coupons"};
  r.type = model::ReleaseType::kMinor;
  r.deployed_at = Ms(kT0);         // 15:55:36+02:00
  r.created_at = Ms(kT0Minus10m);  // 13:45:36Z
  r.environment = "production";
  r.url = "https://github.com/acme/checkout/releases/tag/v2.4.1";
  want.push_back(r);

  model::Release base;
  base.source = "native";
  base.service = "checkout";
  // type "hotfix": a hotfix of unknown SemVer level; "a, b,," → two areas.
  r = base;
  r.version = "2.4.2";
  r.hotfix = true;
  r.hotfix_for = "2.4.1";
  r.areas = {"cart", "coupons"};
  want.push_back(r);
  r = base;
  r.version = "3.0.0-rc.1";
  r.prerelease = true;
  r.type = model::ReleaseType::kMajor;  // "MAJOR": any case.
  want.push_back(r);
  r = base;
  r.version = "2.4.3";
  r.hotfix = true;  // An unknown type stays unknown.
  want.push_back(r);
  return want;
}

TEST(NativeRecordsTest, ReleasesEveryField) {
  for (const char* name : {"releases.ndjson", "releases.csv"}) {
    SCOPED_TRACE(name);
    const ParsedRecords got = ParseFixture(RecordKind::kRelease, name);
    EXPECT_EQ(got.batch.releases, WantReleases());
    EXPECT_TRUE(got.issues.empty());
    EXPECT_EQ(got.rejected, 0);
  }
}

std::vector<model::Incident> WantIncidents() {
  std::vector<model::Incident> want;
  model::Incident i;
  i.source = "native";
  i.id = "PT4KHLK";
  i.number = "1234";  // A JSON integer, written in decimal.
  i.url = "https://acme.pagerduty.com/incidents/PT4KHLK";
  i.title = "Checkout 5xx";
  i.severity = model::Severity::kCritical;
  i.service = "checkout";
  i.journey = "purchase";
  i.area = "payments";
  i.team = "payments-team";
  i.environment = "production";
  i.started_at = Ms(kT0Minus10m);     // 13:45:36Z
  i.created_at = Ms(kT0);             // 15:55:36+02:00
  i.detected_at = Ms(kT0Minus5m);     // 13:50:36Z: detection; the start is before it.
  i.resolved_at = Ms(kJune10At1830);  // 2024-06-11T00:00:00+05:30
  i.detection_source = model::DetectionSource::kAlert;  // "alerting"
  i.cause_service = "checkout";
  i.cause_version = "2.4.1";
  i.cause = "code";
  i.escape_phase = model::EscapePhase::kProductionOnly;  // "Production only"
  i.paths = {"src/cart/coupon.cc", "src/cart/total.cc"};
  i.alerts = {"fp-1", "fp-2"};
  i.status = "resolved";
  want.push_back(i);

  model::Incident base;
  base.source = "native";
  base.created_at = Ms(kT0);
  // The aliases: triggered_at, impact_start, cause_release "service@version".
  i = base;
  i.id = "INC-2";
  i.started_at = Ms(kT0Minus10m);
  i.severity = model::Severity::kSignificant;
  i.cause_service = "search";
  i.cause_version = "1.0.1";
  i.paths = {"a.cc", "b.cc"};
  i.merged = true;
  want.push_back(i);
  // cause_release holding only a version, with cause_service beside it.
  i = base;
  i.id = "INC-3";
  i.cause_service = "search";
  i.cause_version = "1.0.2";
  want.push_back(i);
  // Impact start 14:55:36 after detection (created_at 13:55:36): dropped and marked.
  i = base;
  i.id = "INC-4";
  i.started_at_dropped = true;
  want.push_back(i);
  return want;
}

TEST(NativeRecordsTest, IncidentsEveryFieldAndAliases) {
  struct Case {
    const char* name;
    int64_t warning_line;
  };
  for (const Case& c : {Case{"incidents.ndjson", 4}, Case{"incidents.csv", 5}}) {
    SCOPED_TRACE(c.name);
    const ParsedRecords got = ParseFixture(RecordKind::kIncident, c.name);
    EXPECT_EQ(got.batch.incidents, WantIncidents());
    EXPECT_EQ(got.rejected, 0);
    ASSERT_EQ(got.issues.size(), 1U);
    const RecordIssue& w = got.issues[0];
    EXPECT_EQ(w.file, c.name);
    EXPECT_EQ(w.line, c.warning_line);
    EXPECT_EQ(w.code, "impact_after_detection");
    EXPECT_EQ(w.reason,
              "started_at 2024-06-10T14:55:36Z is after its detection (created_at "
              "2024-06-10T13:55:36Z): the impact start is dropped");
    EXPECT_TRUE(w.warning);
  }
}

std::vector<model::Defect> WantDefects() {
  std::vector<model::Defect> want;
  model::Defect d;
  d.source = "native";
  d.id = "PROJ-123";
  d.number = "123";
  d.url = "https://acme.atlassian.net/browse/PROJ-123";
  d.title = "Coupon applied twice";
  d.reporter = model::ReporterKind::kCustomer;
  d.severity = model::Severity::kMinor;
  d.service = "checkout";
  d.area = "cart";
  d.team = "payments";
  d.found_at = Ms(kT0);           // 15:55:36+02:00
  d.resolved_at = Ms(kT0Plus1h);  // 14:55:36Z
  d.release = "2.4.1";
  d.incident = "PT4KHLK";
  d.escape_phase = model::EscapePhase::kUnit;  // "unit test"
  d.status = "Done";
  want.push_back(d);

  model::Defect base;
  base.source = "native";
  base.found_at = Ms(kT0);
  d = base;  // id 7 (an integer), created_at (alias), customer_reported true.
  d.id = "7";
  d.reporter = model::ReporterKind::kCustomer;
  want.push_back(d);
  d = base;  // customer_reported false agrees with reporter "Internal".
  d.id = "PROJ-9";
  d.reporter = model::ReporterKind::kInternal;
  want.push_back(d);
  d = base;  // incident given as the integer 42.
  d.id = "PROJ-10";
  d.incident = "42";
  want.push_back(d);
  return want;
}

TEST(NativeRecordsTest, DefectsEveryField) {
  for (const char* name : {"defects.ndjson", "defects.csv"}) {
    SCOPED_TRACE(name);
    const ParsedRecords got = ParseFixture(RecordKind::kDefect, name);
    EXPECT_EQ(got.batch.defects, WantDefects());
    EXPECT_TRUE(got.issues.empty());
    EXPECT_EQ(got.rejected, 0);
  }
}

std::vector<model::Alert> WantAlerts() {
  std::vector<model::Alert> want;
  model::Alert a;
  a.source = "native";
  a.fingerprint = "fp-1";
  a.starts_at = Ms(kT0);          // 15:55:36+02:00
  a.ends_at = Ms(kT0Plus10m250);  // 14:05:36.250Z
  a.rule = "HighErrorRate";
  a.service = "checkout";
  a.labels = {{"severity", "page"}, {"team", "payments"}};
  a.annotations = {{"incident", "PT4KHLK"}, {"summary", "5xx > 5%"}};
  a.incident = "PT4KHLK";
  a.generator_url = "http://prometheus:9090/graph?g0.expr=x";
  want.push_back(a);
  a = model::Alert{};  // alertname (alias); Alertmanager's zero endsAt → still firing.
  a.source = "native";
  a.fingerprint = "fp-2";
  a.starts_at = Ms(kT0);
  a.rule = "SlowCheckout";
  want.push_back(a);
  return want;
}

TEST(NativeRecordsTest, AlertsEveryField) {
  for (const char* name : {"alerts.ndjson", "alerts.csv"}) {
    SCOPED_TRACE(name);
    const ParsedRecords got = ParseFixture(RecordKind::kAlert, name);
    EXPECT_EQ(got.batch.alerts, WantAlerts());
    EXPECT_TRUE(got.issues.empty());
    EXPECT_EQ(got.rejected, 0);
  }
}

TEST(NativeRecordsTest, ExplicitFormatOverridesTheName) {
  const std::string data = ReadFixture("alerts.ndjson");
  const ParsedRecords got = ParseNativeRecords(RecordKind::kAlert, RecordFile{"alerts.csv", data},
                                               RecordInputFormat::kNdjson);
  EXPECT_EQ(got.batch.alerts, WantAlerts());
}

TEST(NativeRecordsTest, OnlyTheGivenKindIsFilled) {
  const ParsedRecords got = ParseFixture(RecordKind::kIncident, "incidents.ndjson");
  EXPECT_EQ(got.batch.incidents.size(), 4U);
  EXPECT_EQ(got.batch.size(), 4U);
  EXPECT_TRUE(got.detached_statuses.empty());
}

// ---- Lines, BOM, CRLF, quoting ----------------------------------------------------------

TEST(NativeRecordsTest, CsvQuotingAndLinesAfterMultiLineFields) {
  const ParsedRecords got = ParseFixture(RecordKind::kIncident, "quoting.csv");
  ASSERT_EQ(got.batch.incidents.size(), 3U);
  EXPECT_EQ(got.batch.incidents[0].id, "INC-1");  // Quotes around a value are not part of it.
  EXPECT_EQ(got.batch.incidents[0].title, "Checkout, cart and \"coupons\" down");
  EXPECT_EQ(got.batch.incidents[1].title, "line one\nline two\n\nline four");
  EXPECT_EQ(got.batch.incidents[2].id, "INC-5");
  EXPECT_EQ(got.rejected, 2);
  ASSERT_EQ(got.issues.size(), 2U);
  // INC-2 spans lines 3-6, so INC-3 is on line 7 and INC-4 on line 8.
  EXPECT_EQ(got.issues[0].line, 7);
  EXPECT_EQ(got.issues[0].code, "bad_time");
  EXPECT_EQ(got.issues[0].reason, "bad time in 'created_at' '2024-13-01T00:00:00Z': month 13");
  EXPECT_EQ(got.issues[1].line, 8);
  EXPECT_EQ(got.issues[1].code, "bad_quote");
  EXPECT_EQ(got.issues[1].reason,
            "field 3: unexpected 'q' after the closing quote on line 8 (write \"\" for a quote "
            "inside quotes)");
}

TEST(NativeRecordsTest, BomAndCrlf) {
  for (const char* name : {"bom_crlf.csv", "bom_crlf.ndjson"}) {
    SCOPED_TRACE(name);
    const ParsedRecords got = ParseFixture(RecordKind::kIncident, name);
    ASSERT_EQ(got.batch.incidents.size(), 2U);
    EXPECT_EQ(got.batch.incidents[0].id, "INC-1");  // Not "\xEF\xBB\xBFid" in the header.
    EXPECT_EQ(got.batch.incidents[1].id, "INC-2");
    EXPECT_EQ(got.batch.incidents[1].created_at, Ms(kT0));  // 15:55:36+02:00
    EXPECT_TRUE(got.issues.empty());
  }
  // CSV: a CRLF inside quotes is data; the final CRLF of a record is not.
  const ParsedRecords csv = ParseFixture(RecordKind::kIncident, "bom_crlf.csv");
  ASSERT_EQ(csv.batch.incidents.size(), 2U);
  EXPECT_EQ(csv.batch.incidents[0].title, "two\r\nlines");
  EXPECT_EQ(csv.batch.incidents[1].title, "plain");
  const ParsedRecords json = ParseFixture(RecordKind::kIncident, "bom_crlf.ndjson");
  ASSERT_EQ(json.batch.incidents.size(), 2U);
  EXPECT_EQ(json.batch.incidents[1].title, "two");
}

TEST(NativeRecordsTest, NdjsonRejectionsCarryTheirLines) {
  const ParsedRecords got = ParseFixture(RecordKind::kIncident, "malformed.ndjson");
  ASSERT_EQ(got.batch.incidents.size(), 2U);
  EXPECT_EQ(got.batch.incidents[0].id, "INC-1");
  EXPECT_EQ(got.batch.incidents[1].id, "INC-6");
  EXPECT_EQ(got.rejected, 4);
  struct Want {
    int64_t line;
    std::string_view code;
    std::string reason;
  };
  const Want want[] = {
      // "not json": simdjson fails on the atom starting with 'n' (it expects "null").
      {2, "bad_json", std::string("bad JSON: ") + simdjson::error_message(simdjson::N_ATOM_ERROR)},
      // Line 3 is blank.
      {4, "bad_json", "expected a JSON object per line, got an array"},
      {5, "missing_field", "missing id (incidents need one: their fields change between exports)"},
      {6, "resolved_before_detection",
       "resolved_at 2024-06-10T13:45:36Z is before its detection (created_at "
       "2024-06-10T13:55:36Z)"},
  };
  ASSERT_EQ(got.issues.size(), std::size(want));
  for (size_t k = 0; k < std::size(want); ++k) {
    SCOPED_TRACE(k);
    EXPECT_EQ(got.issues[k].file, "malformed.ndjson");
    EXPECT_EQ(got.issues[k].line, want[k].line);
    EXPECT_EQ(got.issues[k].code, want[k].code);
    EXPECT_EQ(got.issues[k].reason, want[k].reason);
    EXPECT_FALSE(got.issues[k].warning);
    EXPECT_EQ(got.issues[k].json_path, "");
  }
}

TEST(NativeRecordsTest, CsvMissingColumnRejectsTheFileOnce) {
  const ParsedRecords got = ParseFixture(RecordKind::kDeployment, "missing_column.csv");
  EXPECT_EQ(got.batch.size(), 0U);
  EXPECT_EQ(got.rejected, 2);  // Two rows (the blank line is no row).
  ASSERT_EQ(got.issues.size(), 1U);
  EXPECT_EQ(got.issues[0].line, 1);
  EXPECT_EQ(got.issues[0].code, "missing_column");
  EXPECT_EQ(got.issues[0].reason,
            "the header lacks required column 'version'; its 2 rows are rejected");
}

// ---- Every rejection reason -------------------------------------------------------------

struct RejectCase {
  RecordKind kind;
  RecordInputFormat format;
  std::string_view data;
  int64_t line;
  std::string_view code;
  std::string_view reason;
  int64_t rejected = 1;
};

constexpr RecordInputFormat kJson = RecordInputFormat::kNdjson;
constexpr RecordInputFormat kCsv = RecordInputFormat::kCsv;
constexpr RecordKind kDep = RecordKind::kDeployment;
constexpr RecordKind kRel = RecordKind::kRelease;
constexpr RecordKind kInc = RecordKind::kIncident;
constexpr RecordKind kDef = RecordKind::kDefect;
constexpr RecordKind kAlert = RecordKind::kAlert;

constexpr RejectCase kRejectCases[] = {
    // Missing fields, several named at once; an alias satisfies its field.
    {kDep, kJson, "{}", 1, "missing_field",
     "missing required fields 'service', 'version', 'deployed_at'"},
    {kRel, kJson, R"({"service":"s","version":null})", 1, "missing_field",
     "missing required field 'version'"},
    {kRel, kJson, R"({"service":"s","version":""})", 1, "missing_field",
     "missing required field 'version'"},
    {kInc, kJson, R"({"created_at":"2024-06-10T13:55:36Z"})", 1, "missing_field",
     "missing id (incidents need one: their fields change between exports)"},
    {kInc, kJson, R"({"id":"I"})", 1, "missing_field",
     "missing required field 'created_at' (or 'triggered_at')"},
    {kDef, kJson, R"({"id":"D"})", 1, "missing_field",
     "missing required field 'found_at' (or 'created_at')"},
    {kDef, kJson, R"({"found_at":"2024-06-10T13:55:36Z"})", 1, "missing_field",
     "missing required field 'id'"},
    {kAlert, kJson, R"({"fingerprint":"f","starts_at":"2024-06-10T13:55:36Z"})", 1, "missing_field",
     "missing required field 'rule' (or 'alertname')"},
    {kInc, kCsv, "id,created_at\n,2024-06-10T13:55:36Z\n", 2, "missing_field",
     "missing id (incidents need one: their fields change between exports)"},
    // A field and its alias both given.
    {kInc, kJson,
     R"({"id":"I","created_at":"2024-06-10T13:55:36Z","triggered_at":"2024-06-10T13:55:36Z"})", 1,
     "conflicting_fields",
     "both 'created_at' and 'triggered_at' given (they are the same field: use one)"},
    {kInc, kCsv,
     "id,created_at,started_at,impact_start\nI,2024-06-10T13:55:36Z,2024-06-10T13:55:36Z,"
     "2024-06-10T13:55:36Z\n",
     2, "conflicting_fields",
     "both 'started_at' and 'impact_start' given (they are the same field: use one)"},
    {kDef, kJson,
     R"({"id":"D","found_at":"2024-06-10T13:55:36Z","created_at":"2024-06-10T13:55:36Z"})", 1,
     "conflicting_fields",
     "both 'found_at' and 'created_at' given (they are the same field: use one)"},
    {kAlert, kJson,
     R"({"fingerprint":"f","starts_at":"2024-06-10T13:55:36Z","rule":"a","alertname":"b"})", 1,
     "conflicting_fields", "both 'rule' and 'alertname' given (they are the same field: use one)"},
    {kInc, kJson,
     R"({"id":"I","created_at":"2024-06-10T13:55:36Z","cause_version":"1","cause_release":"s@1"})",
     1, "conflicting_fields", "both 'cause_version' and 'cause_release' given (use one)"},
    {kInc, kJson,
     R"({"id":"I","created_at":"2024-06-10T13:55:36Z","cause_service":"a","cause_release":"b@1"})",
     1, "conflicting_fields", "'cause_service' 'a' disagrees with 'cause_release' 'b@1'"},
    {kRel, kJson, R"({"service":"s","version":"1","type":"Hot-Fix","hotfix":false})", 1,
     "conflicting_fields", "'type' is 'hotfix' but 'hotfix' is false"},
    {kDef, kJson,
     R"({"id":"D","found_at":"2024-06-10T13:55:36Z","reporter":"internal","customer_reported":true})",
     1, "conflicting_fields", "'reporter' 'internal' disagrees with 'customer_reported' true"},
    {kDef, kCsv, "id,found_at,reporter,customer_reported\nD,2024-06-10T13:55:36Z,customer,no\n", 2,
     "conflicting_fields", "'reporter' 'customer' disagrees with 'customer_reported' false"},
    // Wrong JSON types, each naming the field and what it got.
    {kInc, kJson, R"({"id":"I","created_at":"2024-06-10T13:55:36Z","title":5})", 1, "wrong_type",
     "'title' must be a string, got a number (5)"},
    {kDep, kJson, R"({"service":"s","version":2.4,"deployed_at":"2024-06-10T13:55:36Z"})", 1,
     "wrong_type", "'version' must be a string, got a number (2.4)"},
    {kInc, kJson, R"({"id":1.5,"created_at":"2024-06-10T13:55:36Z"})", 1, "wrong_type",
     "'id' must be a string or an integer, got a number (1.5)"},
    {kInc, kJson, R"({"id":"I","created_at":1718027736000})", 1, "wrong_type",
     "'created_at' must be an RFC 3339 time string, got a number (1718027736000)"},
    {kInc, kJson, R"({"id":"I","created_at":"2024-06-10T13:55:36Z","merged":"yes"})", 1,
     "wrong_type", "'merged' must be a boolean (true or false), got a string 'yes'"},
    {kInc, kJson, R"({"id":"I","created_at":"2024-06-10T13:55:36Z","severity":true})", 1,
     "wrong_type", "'severity' must be a string, got a boolean (true)"},
    {kInc, kJson, R"({"id":"I","created_at":"2024-06-10T13:55:36Z","status":["x"]})", 1,
     "wrong_type", "'status' must be a string, got an array"},
    {kRel, kJson, R"({"service":"s","version":"1","areas":{"a":"b"}})", 1, "wrong_type",
     "'areas' must be an array of strings or a comma-separated string, got an object"},
    {kRel, kJson, R"({"service":"s","version":"1","areas":["a",2]})", 1, "wrong_type",
     "'areas[1]' must be a string, got a number (2)"},
    {kAlert, kJson,
     R"({"fingerprint":"f","starts_at":"2024-06-10T13:55:36Z","rule":"r","labels":"a=b"})", 1,
     "wrong_type", "'labels' must be an object of strings, got a string 'a=b'"},
    {kAlert, kJson,
     R"({"fingerprint":"f","starts_at":"2024-06-10T13:55:36Z","rule":"r","annotations":{"n":3}})",
     1, "wrong_type", "'annotations' value of key 'n' must be a string, got a number (3)"},
    // Times: RFC 3339 only, the field named as given.
    {kInc, kJson, R"({"id":"I","created_at":"2024-13-01T00:00:00Z"})", 1, "bad_time",
     "bad time in 'created_at' '2024-13-01T00:00:00Z': month 13"},
    {kInc, kJson, R"({"id":"I","triggered_at":"2024-06-10"})", 1, "bad_time",
     "bad time in 'triggered_at' '2024-06-10': expected 'T' after the date at byte 10, found the "
     "end"},
    {kAlert, kCsv, "fingerprint,starts_at,rule\nf,2024-06-10T13:55:36,r\n", 2, "bad_time",
     "bad time in 'starts_at' '2024-06-10T13:55:36': missing offset ('Z' or +hh:mm) at the end"},
    // Booleans and key=value lists in CSV.
    {kInc, kCsv, "id,created_at,merged\nI,2024-06-10T13:55:36Z,maybe\n", 2, "bad_bool",
     "'merged' must be true or false (or yes/no, 1/0), got 'maybe'"},
    {kAlert, kCsv, "fingerprint,starts_at,rule,labels\nf,2024-06-10T13:55:36Z,r,a=1;team\n", 2,
     "bad_map", "'labels' item 'team' is not key=value (items are separated by ';')"},
    {kAlert, kCsv, "fingerprint,starts_at,rule,annotations\nf,2024-06-10T13:55:36Z,r, = x\n", 2,
     "bad_map", "'annotations' item '= x' has an empty key"},
    // Validation.
    {kInc, kJson,
     R"({"id":"I","created_at":"2024-06-10T13:55:36Z","detected_at":"2024-06-10T14:05:36.250Z","resolved_at":"2024-06-10T14:00:00Z"})",
     1, "resolved_before_detection",
     "resolved_at 2024-06-10T14:00:00Z is before its detection (detected_at "
     "2024-06-10T14:05:36.250Z)"},
    {kAlert, kJson,
     R"({"fingerprint":"f","starts_at":"2024-06-10T13:55:36Z","ends_at":"2024-06-10T13:45:36Z","rule":"r"})",
     1, "ends_before_start",
     "ends_at 2024-06-10T13:45:36Z is before starts_at 2024-06-10T13:55:36Z"},
    // NDJSON lines.
    {kInc, kJson, R"({"id":"a","id":"b","created_at":"2024-06-10T13:55:36Z"})", 1,
     "duplicate_field", "field 'id' given twice"},
    {kInc, kJson, "\n\n[1]", 3, "bad_json", "expected a JSON object per line, got an array"},
    {kInc, kJson, R"("text")", 1, "bad_json",
     "expected a JSON object per line, got a string 'text'"},
    {kInc, kJson, "42", 1, "bad_json", "expected a JSON object per line, got a number (42)"},
    {kInc, kJson, "null", 1, "bad_json", "expected a JSON object per line, got null"},
    // CSV rows and headers.
    {kInc, kCsv, "id,created_at\nI,2024-06-10T13:55:36Z,extra\n", 2, "field_count",
     "3 fields where the header has 2"},
    {kInc, kCsv, "id,created_at,title\nI\n", 2, "field_count", "1 field where the header has 3"},
    {kInc, kCsv, "id,created_at,title\nI,2024-06-10T13:55:36Z,\"never\nclosed\n\n", 2,
     "unterminated_quote",
     "field 3: the quote opened on line 2 is never closed (the rest of the file is inside it)"},
    {kInc, kCsv, "id,created_at\n\"I\"x,2024-06-10T13:55:36Z\n", 2, "bad_quote",
     "field 1: unexpected 'x' after the closing quote on line 2 (write \"\" for a quote inside "
     "quotes)"},
    {kInc, kCsv, "id,created_at,ID\nI,2024-06-10T13:55:36Z,J\nK,2024-06-10T13:55:36Z,L\n", 1,
     "duplicate_column", "column 'id' appears twice in the header; its 2 rows are rejected", 2},
    {kInc, kCsv, "title,severity\r\nx,minor\r\n", 1, "missing_column",
     "the header lacks required columns 'id', 'created_at' (or 'triggered_at'); its 1 row is "
     "rejected"},
    // A header-only file with a bad header still counts as one rejected file.
    {kAlert, kCsv, "fingerprint,rule\n", 1, "missing_column",
     "the header lacks required column 'starts_at'; its 0 rows are rejected"},
    {kInc, kCsv, "\n\"id,created_at\nI,2024-06-10T13:55:36Z\n", 2, "unterminated_quote",
     "the header: field 1: the quote opened on line 2 is never closed (the rest of the file is "
     "inside it); its 0 rows are rejected"},
};

TEST(NativeRecordsTest, EveryRejectionReason) {
  for (const RejectCase& c : kRejectCases) {
    SCOPED_TRACE(std::string(model::RecordKindName(c.kind)) + " " + std::string(c.data));
    const ParsedRecords got = ParseText(c.kind, c.format, c.data);
    EXPECT_EQ(got.batch.size(), 0U);
    EXPECT_EQ(got.rejected, c.rejected);
    ASSERT_EQ(got.issues.size(), 1U);
    EXPECT_EQ(got.issues[0].file, "in");
    EXPECT_EQ(got.issues[0].line, c.line);
    EXPECT_EQ(got.issues[0].code, c.code);
    EXPECT_EQ(got.issues[0].reason, c.reason);
    EXPECT_FALSE(got.issues[0].warning);
  }
}

// ---- What is accepted -------------------------------------------------------------------

TEST(NativeRecordsTest, AbsentValuesAndUnknownFields) {
  // null and "" are absent; unknown fields (any type) are ignored; enums never fail.
  const ParsedRecords got =
      ParseText(kInc, kJson,
                R"({"id":"I","created_at":" 2024-06-10T13:55:36Z ","title":null,"severity":"sev1",)"
                R"("detection_source":"","resolved_at":null,"paths":[],"alerts":["a",null,""],)"
                R"("Title":5,"custom":{"x":[1,2]}})");
  ASSERT_EQ(got.batch.incidents.size(), 1U) << (got.issues.empty() ? "" : got.issues[0].reason);
  const model::Incident& i = got.batch.incidents[0];
  EXPECT_EQ(i.created_at, Ms(kT0));  // Spaces around a time are layout.
  EXPECT_EQ(i.title, "");
  EXPECT_EQ(i.severity, model::Severity::kUnknown);
  EXPECT_EQ(i.detection_source, model::DetectionSource::kUnknown);
  EXPECT_FALSE(i.resolved_at.has_value());
  EXPECT_TRUE(i.paths.empty());
  EXPECT_EQ(i.alerts, std::vector<std::string>{"a"});
  EXPECT_TRUE(got.issues.empty());
}

TEST(NativeRecordsTest, CauseReleaseSplitsAtTheLastAt) {
  struct Case {
    std::string_view extra;
    std::string_view service;
    std::string_view version;
  };
  const Case cases[] = {
      {R"("cause_release":"@scope/pkg@1.2.0")", "@scope/pkg", "1.2.0"},
      {R"("cause_release":"v3")", "", "v3"},
      {R"("cause_release":"search@2","cause_service":"search")", "search", "2"},  // Agrees.
      {R"("cause_service":"search","cause_version":"4")", "search", "4"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.extra);
    std::string line = R"({"id":"I","created_at":"2024-06-10T13:55:36Z",)";
    line += c.extra;
    line += '}';
    const ParsedRecords got = ParseText(kInc, kJson, line);
    ASSERT_EQ(got.batch.incidents.size(), 1U);
    EXPECT_EQ(got.batch.incidents[0].cause_service, c.service);
    EXPECT_EQ(got.batch.incidents[0].cause_version, c.version);
  }
}

TEST(NativeRecordsTest, CsvBooleansAndLists) {
  // true/false/yes/no/1/0 in any case; lists split at ';' or ','; empty items dropped.
  const ParsedRecords got = ParseText(kRel, kCsv,
                                      "service,version,prerelease,hotfix,areas\n"
                                      "s,1,YES,0,\"a; b,c;;\"\n"
                                      "s,2,False,tRuE,\n"
                                      "s,3,1,no,  single  \n");
  ASSERT_EQ(got.batch.releases.size(), 3U) << (got.issues.empty() ? "" : got.issues[0].reason);
  const auto& r = got.batch.releases;
  EXPECT_TRUE(r[0].prerelease);
  EXPECT_FALSE(r[0].hotfix);
  EXPECT_EQ(r[0].areas, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(r[1].prerelease);
  EXPECT_TRUE(r[1].hotfix);
  EXPECT_TRUE(r[1].areas.empty());
  EXPECT_TRUE(r[2].prerelease);
  EXPECT_EQ(r[2].areas, std::vector<std::string>{"single"});
}

TEST(NativeRecordsTest, CsvHeaderRulesAndRepeatedHeaders) {
  // Header names in any case with spaces around them; unknown columns ignored; a repeated
  // header (concatenated files) skipped; blank lines skipped; lines counted across them.
  const ParsedRecords got = ParseText(kInc, kCsv,
                                      "\n"
                                      " ID ,Created_At,notes\n"
                                      "I1,2024-06-10T13:55:36Z,x\n"
                                      " ID ,Created_At,notes\n"
                                      "\n"
                                      "I2,2024-06-10T13:55:36Z,y\n"
                                      "I3,bad,z\n");
  ASSERT_EQ(got.batch.incidents.size(), 2U);
  EXPECT_EQ(got.batch.incidents[0].id, "I1");
  EXPECT_EQ(got.batch.incidents[1].id, "I2");
  ASSERT_EQ(got.issues.size(), 1U);
  EXPECT_EQ(got.issues[0].line, 7);
  EXPECT_EQ(got.issues[0].code, "bad_time");
  EXPECT_EQ(got.rejected, 1);
}

TEST(NativeRecordsTest, QuotedCsvValuesKeepTheirSpaces) {
  const ParsedRecords got = ParseText(kInc, kCsv,
                                      "id,created_at,title\n"
                                      "  I1  ,2024-06-10T13:55:36Z,\" spaced \"\n"
                                      "I2,2024-06-10T13:55:36Z,\"\"\n"
                                      "I3,2024-06-10T13:55:36Z,say \"hi\"\n");
  ASSERT_EQ(got.batch.incidents.size(), 3U);
  EXPECT_EQ(got.batch.incidents[0].id, "I1");
  EXPECT_EQ(got.batch.incidents[0].title, " spaced ");
  EXPECT_EQ(got.batch.incidents[1].title, "");            // "" quoted: empty, so absent.
  EXPECT_EQ(got.batch.incidents[2].title, "say \"hi\"");  // A quote inside an unquoted field.
}

TEST(NativeRecordsTest, LargeAndNegativeIntegerIds) {
  const ParsedRecords got = ParseText(kInc, kJson,
                                      R"({"id":18446744073709551615,"number":-5,)"
                                      R"("created_at":"2024-06-10T13:55:36Z"})");
  ASSERT_EQ(got.batch.incidents.size(), 1U);
  EXPECT_EQ(got.batch.incidents[0].id, "18446744073709551615");  // 2^64 − 1
  EXPECT_EQ(got.batch.incidents[0].number, "-5");
}

TEST(NativeRecordsTest, EmptyAndBlankFiles) {
  for (RecordInputFormat format : {kJson, kCsv}) {
    for (std::string_view data : {"", "\n\n", " \r\n\t\n", "\xEF\xBB\xBF"}) {
      const ParsedRecords got = ParseText(kAlert, format, data);
      EXPECT_EQ(got.batch.size(), 0U);
      EXPECT_TRUE(got.issues.empty());
      EXPECT_EQ(got.rejected, 0);
    }
  }
}

// ---- ValidateIncident -------------------------------------------------------------------

TEST(ValidateIncidentTest, Rules) {
  struct Case {
    const char* name;
    std::optional<int64_t> started, detected, resolved;  // created_at is kT0
    bool ok;
    std::string_view code;
    std::string_view reason;
    bool dropped;
  };
  const Case cases[] = {
      {"created only", {}, {}, {}, true, "", "", false},
      {"resolved at detection", {}, {}, kT0, true, "", "", false},
      {"started at detection", kT0, {}, {}, true, "", "", false},
      {"resolved before created",
       {},
       {},
       kT0Minus5m,
       false,
       "resolved_before_detection",
       "resolved_at 2024-06-10T13:50:36Z is before its detection (created_at "
       "2024-06-10T13:55:36Z)",
       false},
      // Own detected_at wins over created_at, both ways.
      {"resolved after created, before detected",
       {},
       kT0Plus1h,
       kT0Plus10m250,
       false,
       "resolved_before_detection",
       "resolved_at 2024-06-10T14:05:36.250Z is before its detection (detected_at "
       "2024-06-10T14:55:36Z)",
       false},
      {"started after created, before detected", kT0Plus10m250, kT0Plus1h, {}, true, "", "", false},
      {"started after detection",
       kT0Plus1h,
       {},
       {},
       true,
       "impact_after_detection",
       "started_at 2024-06-10T14:55:36Z is after its detection (created_at "
       "2024-06-10T13:55:36Z): the impact start is dropped",
       true},
      {"started after detected_at",
       kT0Plus1h,
       kT0Minus5m,
       {},
       true,
       "impact_after_detection",
       "started_at 2024-06-10T14:55:36Z is after its detection (detected_at "
       "2024-06-10T13:50:36Z): the impact start is dropped",
       true},
      // Rejection first: a rejected record is not changed.
      {"both",
       kT0Plus1h,
       {},
       kT0Minus5m,
       false,
       "resolved_before_detection",
       "resolved_at 2024-06-10T13:50:36Z is before its detection (created_at "
       "2024-06-10T13:55:36Z)",
       false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    model::Incident inc;
    inc.created_at = Ms(kT0);
    if (c.started) {
      inc.started_at = Ms(*c.started);
    }
    if (c.detected) {
      inc.detected_at = Ms(*c.detected);
    }
    if (c.resolved) {
      inc.resolved_at = Ms(*c.resolved);
    }
    RecordIssue issue;
    issue.code = "stale";
    issue.reason = "stale";
    issue.warning = true;
    issue.file = "f";
    issue.line = 9;
    EXPECT_EQ(ValidateIncident(&inc, &issue), c.ok);
    EXPECT_EQ(issue.code, c.code);
    EXPECT_EQ(issue.reason, c.reason);
    EXPECT_EQ(issue.warning, c.dropped);
    EXPECT_EQ(inc.started_at_dropped, c.dropped);
    EXPECT_EQ(inc.started_at.has_value(), c.started.has_value() && !c.dropped);
    EXPECT_EQ(issue.file, "f");  // The caller's.
    EXPECT_EQ(issue.line, 9);
  }
}

// docs/inputs.md shows one NDJSON and one CSV example per record kind (the sections
// "Deployments" to "Alerts"): each parses as written, every line a record, nothing rejected.
TEST(NativeRecordsTest, TheDocsExamplesParseAsWritten) {
  std::ifstream in(TestDataPath("../../docs/inputs.md"), std::ios::binary);
  ASSERT_TRUE(in.good());
  const std::string docs{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::pair<const char*, RecordKind> kSections[] = {
      {"### Deployments", RecordKind::kDeployment},
      {"### Releases", RecordKind::kRelease},
      {"### Incidents", RecordKind::kIncident},
      {"### Defects", RecordKind::kDefect},
      {"### Alerts", RecordKind::kAlert}};
  for (const auto& [heading, kind] : kSections) {
    const size_t start = docs.find(std::string(heading) + "\n");
    ASSERT_NE(start, std::string::npos) << heading;
    const size_t end = std::min(docs.find("\n#", start + 1), docs.size());
    const std::string section = docs.substr(start, end - start);
    int blocks = 0;
    for (const auto& [fence, format] : {std::pair{"```json\n", RecordInputFormat::kNdjson},
                                        std::pair{"```csv\n", RecordInputFormat::kCsv}}) {
      const size_t open = section.find(fence);
      ASSERT_NE(open, std::string::npos) << heading << ": no " << fence;
      const size_t body = open + std::string_view(fence).size();
      const size_t close = section.find("```", body);
      ASSERT_NE(close, std::string::npos) << heading;
      const std::string text = section.substr(body, close - body);
      const auto lines = std::count(text.begin(), text.end(), '\n');
      const int64_t records = format == RecordInputFormat::kCsv ? lines - 1 : lines;
      ParsedRecords parsed = ParseNativeRecords(kind, RecordFile{"docs/inputs.md", text}, format);
      EXPECT_EQ(parsed.rejected, 0)
          << heading << " " << fence << (parsed.issues.empty() ? "" : parsed.issues[0].reason);
      EXPECT_EQ(static_cast<int64_t>(parsed.batch.size()), records) << heading << " " << fence;
      for (const RecordIssue& issue : parsed.issues) {
        ADD_FAILURE() << heading << " " << fence << ": " << issue.code << ": " << issue.reason;
      }
      ++blocks;
    }
    EXPECT_EQ(blocks, 2) << heading;
  }
}

}  // namespace
}  // namespace vigil::ingest
