// Tests of ParseGithubExports (src/vigil/ingest/records_github.cc) against the fixtures in
// tests/data/records/github/, composed from formats/issues-and-deploys.md: paged releases,
// deployments and issues split over files (and read in many orders), deployment statuses
// embedded, in files named for their deployment, found by `deployment_url`, and by --parent,
// a webhook body, a pull request, a non-bug, a draft, malformed files and records, and user
// mappings over the defaults. Every expected value is worked out by hand from the fixtures.
#include "vigil/ingest/records_github.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "adapter_fixtures.h"
#include "test_util.h"

#include "vigil/config/mappings.h"
#include "vigil/core/time.h"

namespace vigil::ingest {
namespace {

using ::testing::ElementsAre;
using ::vigil::testing::TestDataPath;

using fixtures::T;

// Fixture files by name, relative to tests/data/records/github/ (named by the name in issues).
class Fixtures : public fixtures::Files {
 public:
  explicit Fixtures(const std::vector<std::string>& names)
      : fixtures::Files("github", names, Naming::kName) {}
};

const std::vector<std::string> kValidFiles = {
    "releases-p1.json",    "releases-p2.json",
    "deployments-p1.json", "deployments-p2.json",
    "statuses/77.json",    "statuses/by-content.json",
    "statuses/76-p2.json", "issues-p1.json",
    "issues-p2.json",      "webhook-deployment-status.json"};

ParsedRecords MustParse(std::span<const RecordFile> files, const GithubOptions& options = {}) {
  Result<ParsedRecords> r = ParseGithubExports(files, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : ParsedRecords{};
}

model::DeploymentStatus Status(model::DeploymentState state, std::string_view at,
                               std::string description) {
  return model::DeploymentStatus{state, T(at), std::move(description)};
}

using State = model::DeploymentState;

// ---- Expected records, by hand from the fixtures --------------------------------------------

// releases-p1 [1]: service from url ".../repos/acme/checkout/releases/1001" → "checkout";
// target_commitish "main" is no sha → commit ""; body "Regular release.\nAreas: cart,
// payments ,\n" → areas "cart, payments ," split on ',' and trimmed, the empty item dropped;
// no Hotfix-For line, no "hotfix" in the name → not a hotfix; created_at = published_at.
model::Release Release1001() {
  model::Release r;
  r.source = "github";
  r.service = "checkout";
  r.version = "v3.4.0";
  r.tag = "v3.4.0";
  r.name = "v3.4.0";
  r.notes = "Regular release.\nAreas: cart, payments ,\n";
  r.areas = {"cart", "payments"};
  r.created_at = T("2024-06-01T10:00:00Z");
  r.url = "https://github.com/acme/checkout/releases/tag/v3.4.0";
  return r;
}

// releases-p1 [0] (again in releases-p2 [2], identical): a 40-hex target_commitish is the
// commit; "Hotfix-For: v3.4.0\r" → hotfix, hotfix_for "3.4.0" (one 'v' dropped, '\r' not
// part of \S+); "Areas: payments\r" → ["payments"].
model::Release Release1002() {
  model::Release r;
  r.source = "github";
  r.service = "checkout";
  r.version = "v3.4.1";
  r.tag = "v3.4.1";
  r.commit = "3f2a9c1d0e4b5a6978c1d2e3f4a5b6c7d8e9f0a1";
  r.name = "Checkout HOTFIX 3.4.1";
  r.notes = "Fixes the card form crash.\r\nHotfix-For: v3.4.0\r\nAreas: payments\r\n";
  r.areas = {"payments"};
  r.hotfix = true;
  r.hotfix_for = "3.4.0";
  r.created_at = T("2024-06-10T08:30:00Z");
  r.url = "https://github.com/acme/checkout/releases/tag/v3.4.1";
  return r;
}

// releases-p2 [1]: name and body null → ""; published_at null → created_at; prerelease.
model::Release Release1004() {
  model::Release r;
  r.source = "github";
  r.service = "checkout";
  r.version = "v3.5.0-beta.1";
  r.tag = "v3.5.0-beta.1";
  r.prerelease = true;
  r.created_at = T("2024-06-12T12:00:00Z");
  r.url = "https://github.com/acme/checkout/releases/tag/v3.5.0-beta.1";
  return r;
}

// deployments-p1 [1] with its two embedded statuses (a null description → "") and the one in
// statuses/76-p2.json (parent from the file name), ordered by time.
model::Deployment Deployment76() {
  model::Deployment d;
  d.source = "github";
  d.id = "76";
  d.service = "checkout";
  d.environment = "production";
  d.version = "v3.4.0";
  d.commit = "0123456789abcdef0123456789abcdef01234567";
  d.ref = "v3.4.0";
  d.deployed_at = T("2024-06-01T10:05:00Z");
  d.statuses = {Status(State::kQueued, "2024-06-01T10:05:10Z", "queued"),
                Status(State::kInProgress, "2024-06-01T10:05:30Z", ""),
                Status(State::kSuccess, "2024-06-01T10:09:00Z", "deployed")};
  d.url = "https://api.github.com/repos/acme/checkout/deployments/76";
  return d;
}

// deployments-p1 [0] (updated 09:01:12) beats deployments-p2 [1] (updated 08:58:40, ref
// "refs/tags/v3.4.1") whatever the file order; statuses from statuses/77.json (file name).
model::Deployment Deployment77() {
  model::Deployment d;
  d.source = "github";
  d.id = "77";
  d.service = "checkout";
  d.environment = "production";
  d.version = "v3.4.1";
  d.commit = "3f2a9c1d0e4b5a6978c1d2e3f4a5b6c7d8e9f0a1";
  d.ref = "v3.4.1";
  d.deployed_at = T("2024-06-10T08:58:40Z");
  d.statuses = {Status(State::kInProgress, "2024-06-10T08:59:00Z", "Deploying"),
                Status(State::kFailure, "2024-06-10T09:01:12Z", "health check failed")};
  d.url = "https://api.github.com/repos/acme/checkout/deployments/77";
  return d;
}

// deployments-p2 [0]; its status comes from statuses/by-content.json [0] (deployment_url).
model::Deployment Deployment78() {
  model::Deployment d;
  d.source = "github";
  d.id = "78";
  d.service = "checkout";
  d.environment = "staging";
  d.version = "v3.5.0-beta.1";
  d.commit = "89abcdef0123456789abcdef0123456789abcdef";
  d.ref = "v3.5.0-beta.1";
  d.deployed_at = T("2024-06-12T12:05:00Z");
  d.statuses = {Status(State::kSuccess, "2024-06-12T12:10:00Z", "")};
  d.url = "https://api.github.com/repos/acme/checkout/deployments/78";
  return d;
}

// The format sheet's deployment_status webhook (deployment id 80 here): no url, so the
// service comes from repository.full_name "acme/checkout" → "checkout"; the body's
// deployment_status is its one status.
model::Deployment Deployment80() {
  model::Deployment d;
  d.source = "github";
  d.id = "80";
  d.service = "checkout";
  d.environment = "production";
  d.version = "v3.4.2";
  d.commit = "3f2a9c1d0e4b5a6978c1d2e3f4a5b6c7d8e9f0a1";
  d.ref = "v3.4.2";
  d.deployed_at = T("2024-06-14T08:58:40Z");
  d.statuses = {Status(State::kFailure, "2024-06-14T09:01:12Z", "")};
  return d;
}

// issues-p1 [0]: labels bug, customer-reported, "Severity: Critical" (→ "Critical" → table,
// case-folded → critical), "area:payments" → area "payments"; "Affects: v3.4.1" → "3.4.1".
model::Defect Defect5001() {
  model::Defect d;
  d.source = "github";
  d.id = "5001";
  d.number = "42";
  d.url = "https://github.com/acme/checkout/issues/42";
  d.title = "Card form crashes on submit";
  d.reporter = model::ReporterKind::kCustomer;
  d.severity = model::Severity::kCritical;
  d.service = "checkout";
  d.area = "payments";
  d.found_at = T("2024-06-10T09:30:00Z");
  d.resolved_at = T("2024-06-11T12:00:00Z");
  d.release = "3.4.1";
  d.status = "closed";
  return d;
}

// issues-p2 [2] (updated 2024-06-12T16:45:30Z) beats issues-p1 [1] (open): a bug by its type
// {"name":"Bug"} without a bug label; "sev2" → "2" → significant; no customer label →
// internal; body null → no release.
model::Defect Defect5002() {
  model::Defect d;
  d.source = "github";
  d.id = "5002";
  d.number = "43";
  d.url = "https://github.com/acme/checkout/issues/43";
  d.title = "Totals rounding off by one cent";
  d.reporter = model::ReporterKind::kInternal;
  d.severity = model::Severity::kSignificant;
  d.service = "checkout";
  d.found_at = T("2024-06-11T08:00:00Z");
  d.resolved_at = T("2024-06-12T16:45:30Z");
  d.status = "closed";
  return d;
}

// issues-p2 [1]: labels as plain strings: "bug", "area/search" → "search", "severity/low" →
// minor; created 14:00+02:00 = 12:00Z; "Version: 3.4.0\r" → "3.4.0".
model::Defect Defect5005() {
  model::Defect d;
  d.source = "github";
  d.id = "5005";
  d.number = "46";
  d.url = "https://github.com/acme/checkout/issues/46";
  d.title = "Search box loses focus";
  d.reporter = model::ReporterKind::kInternal;
  d.severity = model::Severity::kMinor;
  d.service = "checkout";
  d.area = "search";
  d.found_at = T("2024-06-12T12:00:00Z");
  d.release = "3.4.0";
  d.status = "open";
  return d;
}

// statuses/by-content.json [1]: deployment 70 is in none of the files.
ParsedRecords::DetachedStatuses Detached70() {
  return ParsedRecords::DetachedStatuses{
      "statuses/by-content.json",
      "70",
      {Status(State::kSuccess, "2024-05-20T07:00:00Z", "older deployment")}};
}

void ExpectDetached(const std::vector<ParsedRecords::DetachedStatuses>& got,
                    const std::vector<ParsedRecords::DetachedStatuses>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].file, want[i].file) << i;
    EXPECT_EQ(got[i].deployment_id, want[i].deployment_id) << i;
    EXPECT_EQ(got[i].statuses, want[i].statuses) << i;
  }
}

using IssueRow = std::tuple<std::string, std::string, std::string, bool>;  // file, path, code, warn

std::vector<IssueRow> IssueRows(const ParsedRecords& parsed) {
  std::vector<IssueRow> rows;
  for (const RecordIssue& issue : parsed.issues) {
    rows.emplace_back(issue.file, issue.json_path, issue.code, issue.warning);
  }
  return rows;
}

// ---- Tests ----------------------------------------------------------------------------------

TEST(RecordsGithubTest, MapsEveryFieldOfPagedExports) {
  const Fixtures fixtures(kValidFiles);
  const std::vector<RecordFile> files = fixtures.files();
  const ParsedRecords parsed = MustParse(files);

  EXPECT_THAT(parsed.batch.releases, ElementsAre(Release1001(), Release1002(), Release1004()));
  EXPECT_THAT(parsed.batch.deployments,
              ElementsAre(Deployment76(), Deployment77(), Deployment78(), Deployment80()));
  EXPECT_THAT(parsed.batch.defects, ElementsAre(Defect5001(), Defect5002(), Defect5005()));
  EXPECT_TRUE(parsed.batch.incidents.empty());
  EXPECT_TRUE(parsed.batch.alerts.empty());
  ExpectDetached(parsed.detached_statuses, {Detached70()});
  // Skipped: draft release 1003, pull request 5003, enhancement 5004.
  EXPECT_EQ(parsed.skipped, 3);
  EXPECT_EQ(parsed.rejected, 0);
  EXPECT_TRUE(parsed.issues.empty()) << parsed.issues.front().reason;
}

TEST(RecordsGithubTest, FileOrderDoesNotChangeTheBatch) {
  const Fixtures fixtures(kValidFiles);
  std::vector<RecordFile> files = fixtures.files();
  const ParsedRecords first = MustParse(files);
  std::mt19937 rng(20240610);
  for (int round = 0; round < 12; ++round) {
    if (round == 0) {
      std::reverse(files.begin(), files.end());
    } else {
      std::shuffle(files.begin(), files.end(), rng);
    }
    const ParsedRecords again = MustParse(files);
    EXPECT_EQ(again.batch.releases, first.batch.releases) << round;
    EXPECT_EQ(again.batch.deployments, first.batch.deployments) << round;
    EXPECT_EQ(again.batch.defects, first.batch.defects) << round;
    ExpectDetached(again.detached_statuses, first.detached_statuses);
    EXPECT_EQ(again.skipped, first.skipped) << round;
    EXPECT_EQ(again.rejected, first.rejected) << round;
  }
}

TEST(RecordsGithubTest, StatusParentFromParentOptionElseOrphan) {
  const Fixtures fixtures({"deployments-p1.json", "statuses/no-parent.json"});
  const std::vector<RecordFile> files = fixtures.files();

  // No deployment_url and no id in the file name: --parent 76 places it.
  GithubOptions options;
  options.deployments.parent = "76";
  ParsedRecords parsed = MustParse(files, options);
  ASSERT_EQ(parsed.batch.deployments.size(), 2u);
  EXPECT_EQ(parsed.batch.deployments[0].id, "76");
  EXPECT_THAT(parsed.batch.deployments[0].statuses,
              ElementsAre(Status(State::kInProgress, "2024-06-01T10:05:30Z", ""),
                          Status(State::kSuccess, "2024-06-01T10:09:00Z", "deployed"),
                          Status(State::kInactive, "2024-06-12T13:00:00Z", "superseded")));
  EXPECT_TRUE(parsed.issues.empty());

  // Without --parent it is an orphan: rejected with its file and path.
  parsed = MustParse(files);
  EXPECT_THAT(IssueRows(parsed),
              ElementsAre(IssueRow{"statuses/no-parent.json", "[0]", "orphan", false}));
  EXPECT_EQ(parsed.rejected, 1);
  EXPECT_THAT(parsed.batch.deployments[0].statuses,
              ElementsAre(Status(State::kInProgress, "2024-06-01T10:05:30Z", ""),
                          Status(State::kSuccess, "2024-06-01T10:09:00Z", "deployed")));
}

TEST(RecordsGithubTest, StatusesWithoutTheirDeploymentAreDetached) {
  // statuses/77.json alone: its deployment (from the file name) is not among the files.
  const Fixtures fixtures({"statuses/77.json"});
  const ParsedRecords parsed = MustParse(fixtures.files());
  EXPECT_EQ(parsed.batch.size(), 0u);
  ExpectDetached(parsed.detached_statuses,
                 {ParsedRecords::DetachedStatuses{
                     "statuses/77.json",
                     "77",
                     {Status(State::kInProgress, "2024-06-10T08:59:00Z", "Deploying"),
                      Status(State::kFailure, "2024-06-10T09:01:12Z", "health check failed")}}});
  EXPECT_TRUE(parsed.issues.empty());
}

TEST(RecordsGithubTest, MalformedFilesAreRejectedWhole) {
  const Fixtures fixtures(
      {"malformed/truncated.json", "malformed/jira-page.json", "releases-p1.json"});
  const ParsedRecords parsed = MustParse(fixtures.files());
  EXPECT_THAT(IssueRows(parsed),
              ElementsAre(IssueRow{"malformed/truncated.json", "", "bad_json", false},
                          IssueRow{"malformed/jira-page.json", "", "unknown_shape", false}));
  EXPECT_EQ(parsed.rejected, 2);
  // The good file still counts.
  EXPECT_THAT(parsed.batch.releases, ElementsAre(Release1001(), Release1002()));
}

TEST(RecordsGithubTest, BadRecordsAreRejectedOneByOne) {
  const Fixtures fixtures({"malformed/bad-records.json"});
  const ParsedRecords parsed = MustParse(fixtures.files());
  // [0] release without id; [1] created_at "10/06/2024"; [2] closed an hour before it was
  // opened; [3] deployment without ref → no version; [4] a number; [5] a status (of deployment
  // 77, not among the files) whose created_at is "yesterday".
  EXPECT_THAT(
      IssueRows(parsed),
      ElementsAre(IssueRow{"malformed/bad-records.json", "[0].id", "missing_field", false},
                  IssueRow{"malformed/bad-records.json", "[1]", "bad_time", false},
                  IssueRow{"malformed/bad-records.json", "[2]", "resolved_before_found", false},
                  IssueRow{"malformed/bad-records.json", "[3]", "missing_field", false},
                  IssueRow{"malformed/bad-records.json", "[4]", "unknown_shape", false},
                  IssueRow{"malformed/bad-records.json", "[5].created_at", "bad_time", false}));
  ASSERT_EQ(parsed.issues.size(), 6u);
  EXPECT_EQ(parsed.issues[1].reason.substr(0, 25), "found_at: '10/06/2024' is");
  EXPECT_EQ(parsed.issues[2].reason,
            "resolved_at: resolved_at 2024-06-10T09:00:00Z is before found_at "
            "2024-06-10T10:00:00Z");
  EXPECT_EQ(parsed.issues[3].reason, "version: maps to nothing (required)");
  EXPECT_EQ(parsed.rejected, 6);
  EXPECT_EQ(parsed.batch.size(), 0u);
  EXPECT_TRUE(parsed.detached_statuses.empty());
}

TEST(RecordsGithubTest, PagesInOneFileAsGhPaginateWritesThem) {
  const Fixtures fixtures({"issues-p1.json", "issues-p2.json"});
  const std::vector<RecordFile> pages = fixtures.files();
  // `gh api --paginate`: the pages' arrays one after the other; `--slurp`: an array of pages.
  const std::string concatenated = std::string(pages[0].data) + std::string(pages[1].data);
  const std::string slurped =
      "[" + std::string(pages[0].data) + "," + std::string(pages[1].data) + "]";
  for (const std::string& data : {concatenated, slurped}) {
    const std::vector<RecordFile> files = {RecordFile{"issues.json", data}};
    const ParsedRecords parsed = MustParse(files);
    EXPECT_THAT(parsed.batch.defects, ElementsAre(Defect5001(), Defect5002(), Defect5005()));
    EXPECT_EQ(parsed.skipped, 2);  // the pull request and the enhancement
    EXPECT_TRUE(parsed.issues.empty());
  }
  // A bad record's path names the page: [1][0] is the first issue of the second page.
  const std::string bad = std::string(pages[0].data) + R"([{"id": 7, "number": 1, "title": "x",
      "labels": ["bug"], "created_at": "soon"}])";
  const std::vector<RecordFile> files = {RecordFile{"issues.json", bad}};
  const ParsedRecords parsed = MustParse(files);
  EXPECT_THAT(IssueRows(parsed), ElementsAre(IssueRow{"issues.json", "[1][0]", "bad_time", false}));
  // Concatenated pages whose last is cut off: the whole file is rejected.
  const std::string cut = std::string(pages[0].data) + "[{\"id\": 7,";
  const std::vector<RecordFile> cut_files = {RecordFile{"issues.json", cut}};
  EXPECT_THAT(IssueRows(MustParse(cut_files)),
              ElementsAre(IssueRow{"issues.json", "", "bad_json", false}));
}

TEST(RecordsGithubTest, EmptyPageIsNoRecordAndNoIssue) {
  const std::vector<RecordFile> files = {RecordFile{"empty.json", "[]"},
                                         RecordFile{"blank.json", " \n[ ]\n"}};
  const ParsedRecords parsed = MustParse(files);
  EXPECT_EQ(parsed.batch.size(), 0u);
  EXPECT_TRUE(parsed.issues.empty());
  EXPECT_EQ(parsed.rejected, 0);
}

TEST(RecordsGithubTest, UserMappingReplacesDefaultFields) {
  // A table renames the repository; reporter becomes "customer" for author_association NONE
  // (issues-p1 [0] only); severity from labels is replaced by a rule that yields nothing.
  Result<config::SourceMappings> releases = config::ParseSourceMappings(
      "service:\n"
      "  from: url\n"
      "  regex: '/repos/[^/]+/([^/]+)/'\n"
      "  values: {checkout: checkout-web}\n",
      "github", model::RecordKind::kRelease, "vigil.yaml");
  ASSERT_OK(releases);
  Result<config::SourceMappings> defects = config::ParseSourceMappings(
      "reporter:\n"
      "  - when: {path: author_association, equals: none}\n"
      "    value: customer\n"
      "  - value: internal\n"
      "severity:\n"
      "  from: fields.priority\n",
      "github", model::RecordKind::kDefect, "vigil.yaml");
  ASSERT_OK(defects);
  GithubOptions options;
  options.releases.user_mappings = &*releases;
  options.defects.user_mappings = &*defects;

  const Fixtures fixtures({"releases-p1.json", "issues-p1.json", "issues-p2.json"});
  const ParsedRecords parsed = MustParse(fixtures.files(), options);

  model::Release r1001 = Release1001();
  model::Release r1002 = Release1002();
  r1001.service = r1002.service = "checkout-web";
  EXPECT_THAT(parsed.batch.releases, ElementsAre(r1001, r1002));

  model::Defect d5001 = Defect5001();
  model::Defect d5002 = Defect5002();
  model::Defect d5005 = Defect5005();
  d5001.severity = d5002.severity = d5005.severity = model::Severity::kUnknown;
  // 5001 has author_association NONE and stays customer; 5002 and 5005 have none → internal.
  EXPECT_THAT(parsed.batch.defects, ElementsAre(d5001, d5002, d5005));
}

TEST(RecordsGithubTest, MappedValuesVigilDoesNotKnowAreWarnings) {
  // severity "sev2" → regex → "2", which is no severity without a table: kept as unknown, with
  // a warning on issues-p1 [1] (the only issue with a "sev…" label in that file).
  Result<config::SourceMappings> defects = config::ParseSourceMappings(
      "severity:\n"
      "  from: 'labels[*].name'\n"
      "  regex: '^sev([0-9])$'\n",
      "github", model::RecordKind::kDefect, "vigil.yaml");
  ASSERT_OK(defects);
  GithubOptions options;
  options.defects.user_mappings = &*defects;
  const Fixtures fixtures({"issues-p1.json"});
  const ParsedRecords parsed = MustParse(fixtures.files(), options);
  EXPECT_THAT(IssueRows(parsed),
              ElementsAre(IssueRow{"issues-p1.json", "[1]", "unknown_value", true}));
  EXPECT_EQ(parsed.issues[0].reason, "severity: '2' is not a value vigil knows, read as unknown");
  EXPECT_EQ(parsed.rejected, 0);
  ASSERT_EQ(parsed.batch.defects.size(), 2u);
  EXPECT_EQ(parsed.batch.defects[1].id, "5002");
  EXPECT_EQ(parsed.batch.defects[1].severity, model::Severity::kUnknown);
}

TEST(RecordsGithubTest, MappedDeploymentStatusIsOneMoreStatus) {
  // deployments-p1: both have task "deploy" → a success at their created_at.
  Result<config::SourceMappings> deployments = config::ParseSourceMappings(
      "status:\n"
      "  from: task\n"
      "  values: {deploy: success}\n",
      "github", model::RecordKind::kDeployment, "vigil.yaml");
  ASSERT_OK(deployments);
  GithubOptions options;
  options.deployments.user_mappings = &*deployments;
  const Fixtures fixtures({"deployments-p1.json"});
  const ParsedRecords parsed = MustParse(fixtures.files(), options);
  ASSERT_EQ(parsed.batch.deployments.size(), 2u);
  EXPECT_THAT(parsed.batch.deployments[0].statuses,
              ElementsAre(Status(State::kSuccess, "2024-06-01T10:05:00Z", ""),
                          Status(State::kInProgress, "2024-06-01T10:05:30Z", ""),
                          Status(State::kSuccess, "2024-06-01T10:09:00Z", "deployed")));
  EXPECT_THAT(parsed.batch.deployments[1].statuses,
              ElementsAre(Status(State::kSuccess, "2024-06-10T08:58:40Z", "")));
  EXPECT_TRUE(parsed.issues.empty());
}

TEST(RecordsGithubTest, UserMappingThatDoesNotCompileIsAnError) {
  config::SourceMappings bad;
  bad.source = "github";
  bad.kind = model::RecordKind::kDeployment;
  config::MappingRule rule;
  Result<config::MappingPath> path = config::ParseMappingPath("ref");
  ASSERT_OK(path);
  rule.from.push_back(*path);
  rule.regex = "(unclosed";
  bad.fields.push_back(config::FieldMapping{"version", {rule}});
  GithubOptions options;
  options.deployments.user_mappings = &bad;
  const Fixtures fixtures({"deployments-p1.json"});
  const std::vector<RecordFile> files = fixtures.files();
  const Result<ParsedRecords> r = ParseGithubExports(files, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(RecordsGithubTest, DefaultMappingsParse) {
  for (model::RecordKind kind :
       {model::RecordKind::kDeployment, model::RecordKind::kRelease, model::RecordKind::kDefect}) {
    EXPECT_OK(config::ParseSourceMappings(GithubDefaultMappings(kind), "github", kind, "test"));
  }
  EXPECT_TRUE(GithubDefaultMappings(model::RecordKind::kAlert).empty());
}

// The fenced YAML block of docs/adapters-github-alertmanager.md whose first line is `title`.
std::string DocsBlock(std::string_view title) {
  std::ifstream in(TestDataPath("../../docs/adapters-github-alertmanager.md"));
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string start = "```yaml\n";
  start += title;
  const size_t at = doc.find(start);
  if (at == std::string::npos) {
    return "";
  }
  const size_t body = at + std::string_view("```yaml\n").size();
  return doc.substr(body, doc.find("```", body) - body);
}

// Mappings compared without the rules' line numbers (comments shift them).
config::SourceMappings WithoutLines(config::SourceMappings m) {
  for (config::FieldMapping& field : m.fields) {
    for (config::MappingRule& rule : field.rules) {
      rule.line = 0;
    }
  }
  return m;
}

TEST(RecordsGithubTest, DocsShowTheDefaults) {
  const std::pair<model::RecordKind, std::string_view> kBlocks[] = {
      {model::RecordKind::kDeployment, "# GitHub deployments: vigil's built-in mappings"},
      {model::RecordKind::kRelease, "# GitHub releases: vigil's built-in mappings"},
      {model::RecordKind::kDefect, "# GitHub issues: vigil's built-in mappings"}};
  for (const auto& [kind, title] : kBlocks) {
    const std::string block = DocsBlock(title);
    ASSERT_FALSE(block.empty()) << title;
    Result<config::SourceMappings> docs =
        config::ParseSourceMappings(block, "github", kind, "docs");
    Result<config::SourceMappings> code =
        config::ParseSourceMappings(GithubDefaultMappings(kind), "github", kind, "code");
    ASSERT_OK(docs);
    ASSERT_OK(code);
    EXPECT_EQ(WithoutLines(*docs), WithoutLines(*code)) << title;
  }
}

TEST(RecordsGithubTest, LooksLikeGithubExport) {
  for (const std::string& name : kValidFiles) {
    const Fixtures fixtures({name});
    EXPECT_TRUE(LooksLikeGithubExport(fixtures.files()[0].data)) << name;
  }
  EXPECT_FALSE(LooksLikeGithubExport("[]"));
  EXPECT_FALSE(LooksLikeGithubExport("not json"));
  EXPECT_FALSE(LooksLikeGithubExport(R"({"issues": [], "isLast": true})"));
  EXPECT_FALSE(LooksLikeGithubExport(R"({"version":"4","status":"firing","alerts":[]})"));
  EXPECT_FALSE(LooksLikeGithubExport(R"({"incidents":[{"id":"P1","title":"x"}]})"));
  EXPECT_TRUE(LooksLikeGithubExport("\xEF\xBB\xBF[{\"id\":1,\"tag_name\":\"v1\"}]"));
  // vigil's native NDJSON records use the model's names (deployed_at, tag, status).
  EXPECT_FALSE(LooksLikeGithubExport(
      R"({"id":"d1","service":"checkout","environment":"production","version":"v1","ref":"v1",)"
      R"("commit":"3f2a","deployed_at":"2024-06-10T08:58:40Z"})"
      "\n"
      R"({"id":"d2","service":"checkout","environment":"production","version":"v2",)"
      R"("deployed_at":"2024-06-11T08:58:40Z"})"));
  EXPECT_FALSE(LooksLikeGithubExport(
      R"({"id":"PAY-1","number":"1","title":"x","status":"open","found_at":"2024-06-10T00:00:00Z"})"));
}

}  // namespace
}  // namespace vigil::ingest
