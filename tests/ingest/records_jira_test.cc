#include "vigil/ingest/records_jira.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "adapter_fixtures.h"
#include "test_util.h"

#include "vigil/config/mappings.h"
#include "vigil/core/time.h"
#include "vigil/model/records.h"

namespace vigil::ingest {
namespace {

using model::Defect;
using model::EscapePhase;
using model::ReporterKind;
using model::Severity;
using ::vigil::testing::TestDataPath;

using fixtures::At;
using fixtures::Ms;
using fixtures::ReadFile;

// Fixture files by name, relative to tests/data/records/jira/.
class Files : public fixtures::Files {
 public:
  explicit Files(const std::vector<std::string>& names) : fixtures::Files("jira", names) {}
};

ParsedRecords Parse(const std::vector<RecordFile>& files, const AdapterOptions& options = {}) {
  Result<ParsedRecords> parsed = ParseJiraExports(files, options);
  EXPECT_OK(parsed);
  return parsed.ok() ? *std::move(parsed) : ParsedRecords{};
}

void ExpectDefect(const Defect& got, const Defect& want) {
  SCOPED_TRACE(want.id);
  EXPECT_EQ(got.source, "jira");
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.number, want.number);
  EXPECT_EQ(got.url, want.url);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.reporter, want.reporter);
  EXPECT_EQ(got.severity, want.severity);
  EXPECT_EQ(got.service, want.service);
  EXPECT_EQ(got.area, want.area);
  EXPECT_EQ(got.team, want.team);
  EXPECT_EQ(got.found_at.unix_ms(), want.found_at.unix_ms());
  EXPECT_EQ(Ms(got.resolved_at), Ms(want.resolved_at));
  EXPECT_EQ(got.release, want.release);
  EXPECT_EQ(got.incident, want.incident);
  EXPECT_EQ(got.escape_phase, want.escape_phase);
  EXPECT_EQ(got.status, want.status);
}

const std::vector<std::string> kValid = {
    "valid/search-jql-p1.json",
    "valid/search-jql-p2.json",
    "valid/search-legacy.json",
    "valid/issue-OPS-7.json",
};

// The defects of kValid, sorted by key, worked out from the fixtures by hand.
std::vector<Defect> ExpectedValid() {
  std::vector<Defect> want(5);
  // OPS-7: a single-issue response from a Jira Server under /jira.
  Defect& ops = want[0];
  ops.id = "OPS-7";
  ops.number = "20007";
  ops.url = "https://jira.example.com/jira/browse/OPS-7";
  ops.title = "Nightly backup job times out";
  ops.reporter = ReporterKind::kInternal;  // labels [ops]
  ops.severity = Severity::kSignificant;   // Critical
  ops.area = "infra";
  ops.found_at = At(4, 10, 0, 0);
  ops.status = "Open";

  // PAY-812: search-legacy.json (updated 15:00+0200) beats search-jql-p1.json (09:00+0200).
  Defect& pay812 = want[1];
  pay812.id = "PAY-812";
  pay812.number = "10431";
  pay812.url = "https://acme.atlassian.net/browse/PAY-812";
  pay812.title = "Card payments fail with 502";
  pay812.reporter = ReporterKind::kCustomer;  // label customer-reported
  pay812.severity = Severity::kSignificant;   // High
  pay812.area = "payments-api";
  pay812.found_at = At(0, 6, 16, 1);      // 08:16:01.000+0200
  pay812.resolved_at = At(0, 12, 30, 0);  // 14:30:00.000+0200
  pay812.release = "2.4.1";               // affects version
  pay812.status = "Done";

  Defect& pay814 = want[2];
  pay814.id = "PAY-814";
  pay814.number = "10433";
  pay814.url = "https://acme.atlassian.net/browse/PAY-814";
  pay814.title = "Refund totals off by one cent";
  pay814.reporter = ReporterKind::kInternal;
  pay814.severity = Severity::kCritical;  // Highest
  pay814.found_at = At(1, 19, 0, 0);      // 2024-06-11T12:00:00.000-0700
  pay814.resolved_at = At(2, 10, 30, 0);
  pay814.status = "Done";

  Defect& pay816 = want[3];
  pay816.id = "PAY-816";
  pay816.number = "10435";
  pay816.url = "https://acme.atlassian.net/browse/PAY-816";
  pay816.title = "Checkout button unresponsive on Safari";
  pay816.reporter = ReporterKind::kInternal;
  pay816.severity = Severity::kCritical;  // Blocker
  pay816.area = "web-checkout";           // components[0]
  pay816.found_at = At(3, 8, 0, 0);
  pay816.release = "2.5.0";
  pay816.status = "To Do";

  // SRCH-77: issue type "bug" and label "Customer-Reported" match case-folded; no priority.
  Defect& srch = want[4];
  srch.id = "SRCH-77";
  srch.number = "10434";
  srch.url = "https://acme.atlassian.net/browse/SRCH-77";
  srch.title = "Search returns stale results";
  srch.reporter = ReporterKind::kCustomer;
  srch.severity = Severity::kUnknown;
  srch.area = "search";
  srch.found_at = At(2, 9, 0, 0);
  srch.release = "5.0.0";  // the first affects version
  srch.status = "To Do";
  return want;
}

void ExpectValidResult(const ParsedRecords& parsed) {
  const std::vector<Defect> want = ExpectedValid();
  ASSERT_EQ(parsed.batch.defects.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ExpectDefect(parsed.batch.defects[i], want[i]);
  }
  EXPECT_EQ(parsed.batch.size(), want.size());
  EXPECT_EQ(parsed.skipped, 1);  // PAY-813, a Story
  EXPECT_EQ(parsed.rejected, 0);
  EXPECT_TRUE(parsed.issues.empty());
}

// docs/adapters.md shows the built-in mappings as they are.
TEST(JiraTest, DocsShowTheDefaults) {
  const std::string docs = ReadFile(std::string(VIGIL_TEST_DATA_DIR) + "/../../docs/adapters.md");
  EXPECT_NE(docs.find(JiraDefaultMappings()), std::string::npos);
}

TEST(JiraTest, DefaultMappingsParse) {
  Result<config::SourceMappings> defaults = config::ParseSourceMappings(
      JiraDefaultMappings(), "jira", model::RecordKind::kDefect, "jira defaults");
  ASSERT_OK(defaults);
  EXPECT_NE(defaults->Find("is_bug"), nullptr);
  EXPECT_EQ(defaults->Find("service"), nullptr);   // unmapped by default
  EXPECT_EQ(defaults->Find("incident"), nullptr);  // unmapped by default
  EXPECT_EQ(defaults->Find("url"), nullptr);       // derived from self
}

TEST(JiraTest, PagesBothApisAndSingleIssueMapEveryField) {
  const Files files(kValid);
  ExpectValidResult(Parse(files.All()));
}

TEST(JiraTest, FileOrderDoesNotChangeTheBatch) {
  const Files files(kValid);
  std::vector<size_t> order = {3, 2, 1, 0};
  ExpectValidResult(Parse(files.In(order)));
  for (unsigned seed : {1u, 7u, 99u, 2024u}) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    ExpectValidResult(Parse(files.In(order)));
  }
}

TEST(JiraTest, UserMappingUsesDisplayNamesAndReplacesDefaults) {
  Result<config::SourceMappings> user = config::ParseSourceMappings(
      "reporter:\n"
      "  - when: {path: 'fields[\"Found in\"].value', equals: production}\n"
      "    value: customer\n"
      "  - value: internal\n"
      "incident:\n"
      "  from: 'fields[\"Incident link\"]'\n"
      "  regex: 'incidents/([A-Z0-9]+)'\n"
      "service:\n"
      "  from: 'fields.components[*].name'\n"
      "escape_phase:\n"
      "  from: 'fields[\"found in\"].value'\n"
      "  values: {Production: production-only, Staging: staging}\n"
      "url:\n"
      "  from: self\n",
      "jira", model::RecordKind::kDefect, "vigil.yaml");
  ASSERT_OK(user);
  AdapterOptions options;
  options.user_mappings = &*user;
  const Files files(kValid);
  const ParsedRecords parsed = Parse(files.All(), options);
  std::vector<Defect> want = ExpectedValid();
  // OPS-7: no "Found in" field → internal; service from its only component.
  want[0].service = "infra";
  want[0].url = "https://jira.example.com/jira/rest/api/2/issue/20007";
  // PAY-812: Found in = Production (customfield_10050 by its display name).
  want[1].reporter = ReporterKind::kCustomer;
  want[1].incident = "PQ1AAA1";
  want[1].service = "payments-api";
  want[1].escape_phase = EscapePhase::kProductionOnly;
  want[1].url = "https://acme.atlassian.net/rest/api/2/issue/10431";
  // PAY-814: no custom fields.
  want[2].url = "https://acme.atlassian.net/rest/api/3/issue/10433";
  // PAY-816: Found in = Staging; Incident link null.
  want[3].service = "web-checkout";
  want[3].escape_phase = EscapePhase::kStaging;
  want[3].url = "https://acme.atlassian.net/rest/api/2/issue/10435";
  // SRCH-77: the user's reporter rules replace the label rule: internal.
  want[4].reporter = ReporterKind::kInternal;
  want[4].service = "search";
  want[4].url = "https://acme.atlassian.net/rest/api/3/issue/10434";
  ASSERT_EQ(parsed.batch.defects.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ExpectDefect(parsed.batch.defects[i], want[i]);
  }
  EXPECT_TRUE(parsed.issues.empty());
}

TEST(JiraTest, MalformedFilesAreRejectedWhole) {
  const Files files(
      {"malformed/not-json.json", "malformed/error-response.json", "valid/search-jql-p2.json"});
  const ParsedRecords parsed = Parse(files.All());
  EXPECT_EQ(parsed.batch.defects.size(), 2u);
  EXPECT_EQ(parsed.rejected, 2);
  ASSERT_EQ(parsed.issues.size(), 2u);
  EXPECT_EQ(parsed.issues[0].file, files.path(0));
  EXPECT_EQ(parsed.issues[0].code, "bad_json");
  EXPECT_EQ(parsed.issues[0].reason.rfind("not valid JSON: ", 0), 0u) << parsed.issues[0].reason;
  EXPECT_EQ(parsed.issues[1].file, files.path(1));
  EXPECT_EQ(parsed.issues[1].code, "unknown_shape");
  EXPECT_EQ(parsed.issues[1].reason,
            "not a Jira search response (no top-level 'issues' array) nor an issue (no 'key' "
            "and 'fields')");
}

TEST(JiraTest, BadIssuesAreRejectedOneByOne) {
  const Files files({"malformed/problems.json"});
  const ParsedRecords parsed = Parse(files.All());
  // Only PAY-14 survives: priority P0-Urgent is not in the table but exists → minor.
  ASSERT_EQ(parsed.batch.defects.size(), 1u);
  Defect want;
  want.id = "PAY-14";
  want.number = "20005";
  want.reporter = ReporterKind::kInternal;
  want.severity = Severity::kMinor;
  want.found_at = At(0, 8, 0, 0);
  ExpectDefect(parsed.batch.defects[0], want);
  EXPECT_EQ(parsed.rejected, 6);
  EXPECT_EQ(parsed.skipped, 0);

  struct Want {
    std::string_view json_path, code, reason_prefix;
  };
  // Collection issues first (file order), then per issue in id order.
  const Want wants[] = {
      {"issues[0]", "missing_field", "issue has no 'id'"},
      {"issues[5]", "bad_record", "an issue must be an object, got a number"},
      {"issues[1]", "bad_time", "found_at '10/06/2024' is not a time: "},
      {"issues[2]", "bad_time", "resolved_at '2024-06-11T25:00:00.000+0000' is not a time: "},
      {"issues[3]", "missing_field", "issue has no key (mapped field 'id' yields nothing)"},
      {"issues[4]", "missing_field", "issue has no 'fields' object"},
  };
  ASSERT_EQ(parsed.issues.size(), std::size(wants));
  for (size_t i = 0; i < std::size(wants); ++i) {
    SCOPED_TRACE(i);
    const RecordIssue& issue = parsed.issues[i];
    EXPECT_EQ(issue.file, files.path(0));
    EXPECT_EQ(issue.json_path, wants[i].json_path);
    EXPECT_EQ(issue.code, wants[i].code);
    EXPECT_FALSE(issue.warning);
    EXPECT_EQ(issue.reason.rfind(wants[i].reason_prefix, 0), 0u) << issue.reason;
  }
  // The colon-less offset is read; the hour is what is wrong.
  EXPECT_NE(parsed.issues[3].reason.find("hour 25"), std::string::npos) << parsed.issues[3].reason;
}

TEST(JiraTest, BadUserMappingIsAnError) {
  config::SourceMappings other;
  other.source = "pagerduty";
  other.kind = model::RecordKind::kIncident;
  AdapterOptions options;
  options.user_mappings = &other;
  Result<ParsedRecords> parsed = ParseJiraExports({}, options);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "mappings.jira.defects: got the block for pagerduty.incidents");
}

TEST(JiraTest, LooksLikeExport) {
  for (const std::string& name : kValid) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(LooksLikeJiraExport(ReadFile(TestDataPath("records/jira/" + name))));
  }
  EXPECT_TRUE(LooksLikeJiraExport("{\"fields\": {}, \"id\": \"1\", \"key\": \"A-1\"}"));
  EXPECT_FALSE(LooksLikeJiraExport("{\"key\": \"A-1\"}"));
  EXPECT_FALSE(LooksLikeJiraExport("{\"issues\": {}}"));
  EXPECT_FALSE(LooksLikeJiraExport("[{\"issues\": []}]"));  // GitHub pages are arrays
  EXPECT_FALSE(LooksLikeJiraExport("{\"incidents\": []}"));
  EXPECT_FALSE(LooksLikeJiraExport("{\"errorMessages\": [], \"errors\": {}}"));
  EXPECT_FALSE(LooksLikeJiraExport("not json"));
}

}  // namespace
}  // namespace vigil::ingest
