#include "vigil/ingest/records_pagerduty.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "adapter_fixtures.h"
#include "test_util.h"

#include "vigil/config/mappings.h"
#include "vigil/core/time.h"
#include "vigil/model/records.h"

namespace vigil::ingest {
namespace {

using model::DetectionSource;
using model::EscapePhase;
using model::Incident;
using model::Severity;
using ::vigil::testing::TestDataPath;

using fixtures::At;
using fixtures::Ms;
using fixtures::ReadFile;

// Fixture files by name, relative to tests/data/records/pagerduty/.
class Files : public fixtures::Files {
 public:
  explicit Files(const std::vector<std::string>& names) : fixtures::Files("pagerduty", names) {}
};

ParsedRecords Parse(const std::vector<RecordFile>& files, const AdapterOptions& options = {}) {
  Result<ParsedRecords> parsed = ParsePagerdutyExports(files, options);
  EXPECT_OK(parsed);
  return parsed.ok() ? *std::move(parsed) : ParsedRecords{};
}

void ExpectIncident(const Incident& got, const Incident& want) {
  SCOPED_TRACE(want.id);
  EXPECT_EQ(got.source, "pagerduty");
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.number, want.number);
  EXPECT_EQ(got.url, want.url);
  EXPECT_EQ(got.title, want.title);
  EXPECT_EQ(got.severity, want.severity);
  EXPECT_EQ(got.service, want.service);
  EXPECT_EQ(got.journey, want.journey);
  EXPECT_EQ(got.area, want.area);
  EXPECT_EQ(got.team, want.team);
  EXPECT_EQ(got.environment, want.environment);
  EXPECT_EQ(Ms(got.started_at), Ms(want.started_at));
  EXPECT_EQ(got.started_at_dropped, want.started_at_dropped);
  EXPECT_EQ(got.created_at.unix_ms(), want.created_at.unix_ms());
  EXPECT_EQ(Ms(got.detected_at), Ms(want.detected_at));
  EXPECT_EQ(Ms(got.resolved_at), Ms(want.resolved_at));
  EXPECT_EQ(got.detection_source, want.detection_source);
  EXPECT_EQ(got.cause_service, want.cause_service);
  EXPECT_EQ(got.cause_version, want.cause_version);
  EXPECT_EQ(got.cause, want.cause);
  EXPECT_EQ(got.escape_phase, want.escape_phase);
  EXPECT_EQ(got.paths, want.paths);
  EXPECT_EQ(got.alerts, want.alerts);
  EXPECT_EQ(got.merged, want.merged);
  EXPECT_EQ(got.status, want.status);
}

const std::vector<std::string> kValid = {
    "valid/incidents-p1.json",
    "valid/incidents-p2.json",
    "valid/incident-PQ1AAA1-early.json",
    "valid/incident-PQ3CCC3.json",
    "valid/log_entries-PQ1AAA1.json",
    "valid/PQ2BBB2-p1.json",
    "valid/PQ2BBB2-p2.json",
    "valid/PQ1AAA1.json",
    "valid/values.json",
    "valid/log_entries-orphan.json",
};
constexpr size_t kOrphanFile = 9;

// The incidents of kValid with --parent PQ3CCC3, worked out from the fixtures by hand.
std::vector<Incident> ExpectedValid() {
  std::vector<Incident> want(4);
  // PQ1AAA1: the list version (updated 09:42:08Z) beats incident-PQ1AAA1-early.json
  // (updated 08:20:00Z, "checkout errors", acknowledged). Children: log entries (parent from
  // incident.id) and custom fields from PQ1AAA1.json (parent from the file name).
  Incident& a = want[0];
  a.id = "PQ1AAA1";
  a.number = "1001";
  a.url = "https://acme.pagerduty.com/incidents/PQ1AAA1";
  a.title = "checkout 5xx burn";
  a.severity = Severity::kCritical;  // priority P1
  a.service = "checkout";
  a.area = "payments";            // custom field `area`, value wrapped as {value: payments}
  a.team = "Payments";            // teams[0].summary
  a.started_at = At(0, 8, 5, 0);  // custom field impact_start
  a.created_at = At(0, 8, 16, 1);
  a.resolved_at = At(0, 9, 42, 7);               // resolved_at member
  a.detection_source = DetectionSource::kAlert;  // trigger entry: service agent, channel api
  a.cause_service = "checkout";                  // causing_release checkout@v2.4.1
  a.cause_version = "2.4.1";
  a.escape_phase = EscapePhase::kIntegration;
  a.status = "resolved";

  // PQ2BBB2: no priority → urgency high → significant; no teams; no resolved_at member:
  // status resolved, so the latest resolve log entry (11:29:30, not 10:40:00). Log entries
  // carry no incident.id: parent from the file names PQ2BBB2-p1/-p2.json.
  Incident& b = want[1];
  b.id = "PQ2BBB2";
  b.number = "1002";
  b.url = "https://acme.pagerduty.com/incidents/PQ2BBB2";
  b.title = "search latency";
  b.severity = Severity::kSignificant;
  b.service = "search";
  b.created_at = At(1, 10, 0, 0);  // "2024-06-11T10:00:00+00:00"
  b.resolved_at = At(1, 11, 29, 30);
  b.detection_source = DetectionSource::kEngineer;  // trigger agent user_reference
  b.status = "resolved";

  // PQ3CCC3: incident-PQ3CCC3.json (updated 07:10) beats the list (07:00): acknowledged.
  // Custom fields from values.json via --parent: impact start 08:40+02:00 = 06:40Z.
  Incident& c = want[2];
  c.id = "PQ3CCC3";
  c.number = "1003";
  c.url = "https://acme.pagerduty.com/incidents/PQ3CCC3";
  c.title = "login errors";
  c.severity = Severity::kMinor;  // P3
  c.service = "auth";
  c.team = "Identity";
  c.started_at = At(2, 6, 40, 0);
  c.created_at = At(2, 7, 0, 0);
  c.detection_source = DetectionSource::kCustomer;  // custom field detection_source
  c.cause_service = "auth-api";                     // auth-api@v3.1.0
  c.cause_version = "3.1.0";
  c.escape_phase = EscapePhase::kStaging;
  c.status = "acknowledged";

  // PQ4DDD4: merged into PQ3CCC3 (resolve_reason merge_resolve_reason); P2; no children.
  Incident& d = want[3];
  d.id = "PQ4DDD4";
  d.number = "1004";
  d.url = "https://acme.pagerduty.com/incidents/PQ4DDD4";
  d.title = "login errors (duplicate)";
  d.severity = Severity::kSignificant;
  d.service = "auth";
  d.team = "Identity";
  d.created_at = At(2, 7, 2, 0);
  d.resolved_at = At(2, 7, 5, 0);
  d.merged = true;
  d.status = "resolved";
  return want;
}

void ExpectValidResult(const ParsedRecords& parsed, const std::string& orphan_file) {
  const std::vector<Incident> want = ExpectedValid();
  ASSERT_EQ(parsed.batch.incidents.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ExpectIncident(parsed.batch.incidents[i], want[i]);
  }
  EXPECT_EQ(parsed.batch.size(), 4u);
  // The two log entries of PGONE99 are orphans: one issue, both counted.
  EXPECT_EQ(parsed.rejected, 2);
  EXPECT_EQ(parsed.skipped, 0);
  ASSERT_EQ(parsed.issues.size(), 1u);
  const RecordIssue& orphan = parsed.issues[0];
  EXPECT_EQ(orphan.code, "orphan");
  EXPECT_EQ(orphan.file, orphan_file);
  EXPECT_EQ(orphan.json_path, "log_entries[0]");
  EXPECT_FALSE(orphan.warning);
  EXPECT_EQ(orphan.reason,
            "2 log entries for incident 'PGONE99' (from incident.id), which is in none of the "
            "files");
}

// docs/adapters.md shows the built-in mappings as they are.
TEST(PagerdutyTest, DocsShowTheDefaults) {
  const std::string docs = ReadFile(std::string(VIGIL_TEST_DATA_DIR) + "/../../docs/adapters.md");
  EXPECT_NE(docs.find(PagerdutyDefaultMappings()), std::string::npos);
}

TEST(PagerdutyTest, DefaultMappingsParse) {
  Result<config::SourceMappings> defaults = config::ParseSourceMappings(
      PagerdutyDefaultMappings(), "pagerduty", model::RecordKind::kIncident, "pagerduty defaults");
  ASSERT_OK(defaults);
  EXPECT_NE(defaults->Find("severity"), nullptr);
  EXPECT_NE(defaults->Find("merged"), nullptr);
  EXPECT_EQ(defaults->Find("journey"), nullptr);  // unmapped by default
}

TEST(PagerdutyTest, PagesChildrenAndMergesMapEveryField) {
  const Files files(kValid);
  AdapterOptions options;
  options.parent = "PQ3CCC3";
  ExpectValidResult(Parse(files.All(), options), files.path(kOrphanFile));
}

TEST(PagerdutyTest, FileOrderDoesNotChangeTheBatch) {
  const Files files(kValid);
  AdapterOptions options;
  options.parent = "PQ3CCC3";
  std::vector<size_t> order(kValid.size());
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::reverse(order.begin(), order.end());
  ExpectValidResult(Parse(files.In(order), options), files.path(kOrphanFile));
  for (unsigned seed : {1u, 2u, 3u, 42u, 2024u}) {
    SCOPED_TRACE(seed);
    std::mt19937 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    ExpectValidResult(Parse(files.In(order), options), files.path(kOrphanFile));
  }
}

TEST(PagerdutyTest, CustomFieldsWithoutParentAreOrphans) {
  // values.json: `values` would be an incident id, but no incident has it; no --parent.
  const Files files({"valid/incidents-p2.json", "valid/values.json"});
  const ParsedRecords parsed = Parse(files.All());
  ASSERT_EQ(parsed.batch.incidents.size(), 2u);
  // PQ3CCC3 from the list alone: no impact start, no cause, detection unknown.
  const Incident& c = parsed.batch.incidents[0];
  EXPECT_EQ(c.id, "PQ3CCC3");
  EXPECT_EQ(c.status, "triggered");
  EXPECT_FALSE(c.started_at.has_value());
  EXPECT_EQ(c.cause_version, "");
  EXPECT_EQ(c.detection_source, DetectionSource::kUnknown);
  EXPECT_EQ(parsed.rejected, 4);  // the four custom-field values
  ASSERT_EQ(parsed.issues.size(), 1u);
  EXPECT_EQ(parsed.issues[0].code, "orphan");
  EXPECT_EQ(parsed.issues[0].file, files.path(1));
  EXPECT_EQ(parsed.issues[0].json_path, "custom_fields[0]");
  EXPECT_EQ(parsed.issues[0].reason,
            "4 custom-field values for incident 'values' (from the file name), which is in none "
            "of the files; give the incident's file too, or --parent");

  // The same values under a name that carries no id at all.
  std::vector<RecordFile> renamed = files.All();
  renamed[1].name = "exports/custom fields (2).json";
  const ParsedRecords again = Parse(renamed);
  EXPECT_EQ(again.rejected, 4);
  ASSERT_EQ(again.issues.size(), 1u);
  EXPECT_EQ(again.issues[0].file, "exports/custom fields (2).json");
  EXPECT_EQ(again.issues[0].reason,
            "4 custom-field values without a parent incident: no incident.id in the content, "
            "no incident id in the file name (<id>[-pN].json) and no --parent");
}

TEST(PagerdutyTest, ParentFromOptionThatNamesNoIncidentIsAnOrphan) {
  const Files files({"valid/incidents-p2.json", "valid/values.json"});
  AdapterOptions options;
  options.parent = "PNOPE00";
  const ParsedRecords parsed = Parse(files.All(), options);
  EXPECT_EQ(parsed.batch.incidents.size(), 2u);
  EXPECT_EQ(parsed.rejected, 4);
  ASSERT_EQ(parsed.issues.size(), 1u);
  EXPECT_EQ(parsed.issues[0].reason,
            "4 custom-field values for incident 'PNOPE00' (from --parent), which is in none of "
            "the files");
}

TEST(PagerdutyTest, EmbeddedChildrenAndMergeFromResolveLogEntry) {
  const Files files({"embedded/incident-PEMB001.json"});
  const ParsedRecords parsed = Parse(files.All());
  EXPECT_TRUE(parsed.issues.empty());
  EXPECT_EQ(parsed.rejected, 0);
  ASSERT_EQ(parsed.batch.incidents.size(), 1u);
  Incident want;
  want.id = "PEMB001";
  want.number = "2001";
  want.url = "https://acme.pagerduty.com/incidents/PEMB001";
  want.title = "payments webhook backlog";
  want.severity = Severity::kMinor;  // P5
  want.service = "webhooks";
  want.team = "Payments";
  want.started_at = At(3, 11, 55, 0);  // embedded custom field, wrapped {value: ...}
  want.created_at = At(3, 12, 0, 0);
  want.resolved_at = At(3, 12, 30, 0);
  // The full first_trigger_log_entry: service agent, channel nagios.
  want.detection_source = DetectionSource::kAlert;
  want.cause_version = "2.0.0";  // "2.0.0": no service part
  // The embedded resolve log entry's resolve_reason is merge_resolve_reason.
  want.merged = true;
  want.status = "resolved";
  ExpectIncident(parsed.batch.incidents[0], want);
}

TEST(PagerdutyTest, MalformedFilesAreRejectedWhole) {
  const Files files({"malformed/truncated.json", "malformed/services.json",
                     "malformed/incidents-not-array.json", "valid/incidents-p2.json"});
  const ParsedRecords parsed = Parse(files.All());
  EXPECT_EQ(parsed.batch.incidents.size(), 2u);  // the good file still counts
  EXPECT_EQ(parsed.rejected, 3);
  ASSERT_EQ(parsed.issues.size(), 3u);
  EXPECT_EQ(parsed.issues[0].file, files.path(0));
  EXPECT_EQ(parsed.issues[0].code, "bad_json");
  EXPECT_EQ(parsed.issues[0].reason.rfind("not valid JSON: ", 0), 0u) << parsed.issues[0].reason;
  EXPECT_EQ(parsed.issues[1].file, files.path(1));
  EXPECT_EQ(parsed.issues[1].code, "unknown_shape");
  EXPECT_EQ(parsed.issues[1].reason,
            "not a PagerDuty incidents, incident, log_entries or custom_fields response (no "
            "such top-level member)");
  EXPECT_EQ(parsed.issues[2].file, files.path(2));
  EXPECT_EQ(parsed.issues[2].code, "unknown_shape");
  EXPECT_EQ(parsed.issues[2].reason, "member 'incidents' is an object, expected an array");
}

TEST(PagerdutyTest, BadRecordsAreRejectedOneByOne) {
  const Files files({"malformed/problems.json"});
  const ParsedRecords parsed = Parse(files.All());
  const std::string& file = files.path(0);
  // Accepted: PBAD003 (impact start dropped) and PBAD004 (bad impact start, unknown phase).
  ASSERT_EQ(parsed.batch.incidents.size(), 2u);
  const Incident& three = parsed.batch.incidents[0];
  EXPECT_EQ(three.id, "PBAD003");
  EXPECT_FALSE(three.started_at.has_value());
  EXPECT_TRUE(three.started_at_dropped);
  EXPECT_EQ(three.severity, Severity::kMinor);  // SEV-1 unmatched → dropped; urgency low
  const Incident& four = parsed.batch.incidents[1];
  EXPECT_EQ(four.id, "PBAD004");
  EXPECT_FALSE(four.started_at.has_value());
  EXPECT_FALSE(four.started_at_dropped);
  EXPECT_EQ(four.severity, Severity::kUnknown);  // neither priority nor urgency
  EXPECT_EQ(four.escape_phase, EscapePhase::kUnknown);
  // Rejected: no id, the string, PBAD001 (bad created_at), PBAD002 (resolved before
  // created), PBAD005 (no created_at).
  EXPECT_EQ(parsed.rejected, 5);

  struct Want {
    std::string_view json_path, code;
    bool warning;
    std::string_view reason;
  };
  // Collection issues first (in file order), then per incident in id order.
  const Want want[] = {
      {"incidents[0]", "missing_field", false, "incident has no 'id'"},
      {"incidents[5]", "bad_record", false, "an incident must be an object, got a string"},
      {"incidents[1]", "bad_time", false, ""},
      {"incidents[2]", "resolved_before_detection", false, ""},
      {"incidents[3]", "impact_after_detection", true, ""},
      {"incidents[4]", "bad_time", true,
       "started_at 'yesterday' is not a time (%); field left empty"},
      {"incidents[4]", "unknown_value", true,
       "escape_phase 'smoke-test' is not a known escape phase; read as unknown"},
      {"incidents[6]", "missing_field", false, "incident has no created_at"},
  };
  ASSERT_EQ(parsed.issues.size(), std::size(want));
  for (size_t i = 0; i < std::size(want); ++i) {
    SCOPED_TRACE(i);
    const RecordIssue& issue = parsed.issues[i];
    EXPECT_EQ(issue.file, file);
    EXPECT_EQ(issue.json_path, want[i].json_path);
    EXPECT_EQ(issue.code, want[i].code);
    EXPECT_EQ(issue.warning, want[i].warning);
    const std::string_view reason = want[i].reason;
    if (reason.empty()) {
      EXPECT_FALSE(issue.reason.empty());
    } else if (const size_t any = reason.find('%'); any != std::string_view::npos) {
      EXPECT_EQ(issue.reason.substr(0, any), reason.substr(0, any)) << issue.reason;
      const std::string_view tail = reason.substr(any + 1);
      EXPECT_EQ(issue.reason.substr(issue.reason.size() - tail.size()), tail) << issue.reason;
    } else {
      EXPECT_EQ(issue.reason, reason);
    }
  }
  EXPECT_EQ(parsed.issues[2].reason.rfind("created_at '10/06/2024 09:42' is not a time: ", 0), 0u)
      << parsed.issues[2].reason;
}

TEST(PagerdutyTest, UserMappingReplacesDefaultsFieldByField) {
  Result<config::SourceMappings> user = config::ParseSourceMappings(
      "service:\n"
      "  from: service.summary\n"
      "  values: {checkout: checkout-api}\n"
      "severity:\n"
      "  from: urgency\n"
      "  values: {high: critical, low: minor}\n"
      "journey:\n"
      "  when: {path: service.summary, equals: checkout}\n"
      "  value: checkout\n",
      "pagerduty", model::RecordKind::kIncident, "vigil.yaml");
  ASSERT_OK(user);
  const Files files(kValid);
  AdapterOptions options;
  options.user_mappings = &*user;
  options.parent = "PQ3CCC3";
  const ParsedRecords parsed = Parse(files.All(), options);
  std::vector<Incident> want = ExpectedValid();
  want[0].service = "checkout-api";  // table hit
  want[0].journey = "checkout";
  want[0].severity = Severity::kCritical;  // urgency high
  want[1].severity = Severity::kCritical;  // urgency high (was significant by default)
  want[2].severity = Severity::kMinor;     // urgency low
  want[3].severity = Severity::kCritical;  // urgency high (was P2 → significant)
  ASSERT_EQ(parsed.batch.incidents.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    ExpectIncident(parsed.batch.incidents[i], want[i]);
  }
}

TEST(PagerdutyTest, BadUserMappingIsAnError) {
  config::SourceMappings user;
  user.source = "pagerduty";
  user.kind = model::RecordKind::kIncident;
  config::FieldMapping field;
  field.field = "service";
  config::MappingRule rule;
  Result<config::MappingPath> path = config::ParseMappingPath("service.summary");
  ASSERT_OK(path);
  rule.from.push_back(*path);
  rule.regex = "(unclosed";
  field.rules.push_back(rule);
  user.fields.push_back(field);
  AdapterOptions options;
  options.user_mappings = &user;
  const Files files({"valid/incidents-p1.json"});
  Result<ParsedRecords> parsed = ParsePagerdutyExports(files.All(), options);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);

  config::SourceMappings jira;
  jira.source = "jira";
  jira.kind = model::RecordKind::kDefect;
  options.user_mappings = &jira;
  parsed = ParsePagerdutyExports(files.All(), options);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "mappings.pagerduty.incidents: got the block for jira.defects");
}

TEST(PagerdutyTest, NoFilesNoRecords) {
  const ParsedRecords parsed = Parse({});
  EXPECT_EQ(parsed.batch.size(), 0u);
  EXPECT_TRUE(parsed.issues.empty());
}

TEST(PagerdutyTest, LooksLikeExport) {
  for (const std::string& name : kValid) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(LooksLikePagerdutyExport(ReadFile(TestDataPath("records/pagerduty/" + name))));
  }
  EXPECT_TRUE(LooksLikePagerdutyExport(" \n{\"limit\": 25, \"incidents\": []}"));
  EXPECT_TRUE(LooksLikePagerdutyExport("\xEF\xBB\xBF{\"incident\": {\"id\": \"P1\"}}"));
  EXPECT_TRUE(
      LooksLikePagerdutyExport("{\"a\": {\"incidents\": \"}\"}, \"log_entry\": {\"id\": 1}}"));
  EXPECT_FALSE(LooksLikePagerdutyExport(""));
  EXPECT_FALSE(LooksLikePagerdutyExport("[{\"incidents\": []}]"));
  EXPECT_FALSE(LooksLikePagerdutyExport("{\"incidents\": {}}"));
  EXPECT_FALSE(LooksLikePagerdutyExport("{\"a\": {\"incidents\": []}}"));        // not top level
  EXPECT_FALSE(LooksLikePagerdutyExport("{\"issues\": [], \"isLast\": true}"));  // Jira
  EXPECT_FALSE(LooksLikePagerdutyExport("{\"version\": \"4\", \"alerts\": []}"));
  EXPECT_FALSE(LooksLikePagerdutyExport("{\"incidents\""));
}

}  // namespace
}  // namespace vigil::ingest
