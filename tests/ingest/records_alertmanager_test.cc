// Tests of ParseAlertmanagerPayloads (src/vigil/ingest/records_alertmanager.cc) against the
// fixtures in tests/data/records/alertmanager/, composed from the webhook payload of
// formats/prometheus.md §4–5: repeated notifications merged across files (a payload object,
// NDJSON lines, an array of payloads), a reused fingerprint with a new start, a firing
// endsAt that is not an end, unsupported versions, malformed files and alerts, and a user
// mapping over the defaults. Every expected value is worked out by hand from the fixtures.
#include "vigil/ingest/records_alertmanager.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
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

// Fixture files by name, relative to tests/data/records/alertmanager/ (named by the name in
// issues).
class Fixtures : public fixtures::Files {
 public:
  explicit Fixtures(const std::vector<std::string>& names)
      : fixtures::Files("alertmanager", names, Naming::kName) {}
};

const std::vector<std::string> kValidFiles = {"firing.json", "repeats.ndjson",
                                              "resolved-late.json"};

ParsedRecords MustParse(std::span<const RecordFile> files, const AdapterOptions& options = {}) {
  Result<ParsedRecords> r = ParseAlertmanagerPayloads(files, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : ParsedRecords{};
}

const std::map<std::string, std::string> kCheckoutLabels = {
    {"alertname", "HighErrorRate"}, {"service", "checkout"}, {"severity", "critical"}};
constexpr std::string_view kCheckoutGenerator = "http://prom.example:9090/graph?g0.expr=...";

// firing.json [1]: firing with endsAt 08:25 in the future of the notification: not an end.
// Its labels name the incident.
model::Alert LatencyAlert() {
  model::Alert a;
  a.source = "alertmanager";
  a.fingerprint = "00000000000000bb";
  a.starts_at = T("2024-06-10T08:20:00Z");
  a.rule = "LatencyHigh";
  a.service = "cart";
  a.labels = {{"alertname", "LatencyHigh"}, {"service", "cart"}, {"incident", "PT4KHLK"}};
  a.annotations = {{"summary", "p99 above 800 ms"}};
  a.incident = "PT4KHLK";
  a.generator_url = "http://prom.example:9090/graph?g0.expr=p99";
  return a;
}

// Four notifications of (1a2b3c4d5e6f7081, 08:15:30.123Z): firing.json [0]; repeats.ndjson
// line 1 (startsAt with nanoseconds, truncated to the same millisecond) and line 3 (resolved,
// startsAt 10:15:30.123+02:00 = 08:15:30.123Z, endsAt 08:58:00Z); resolved-late.json [0]
// (resolved, endsAt 11:00:00.500+02:00 = 09:00:00.500Z). ends_at = the latest resolved end,
// 09:00:00.500Z; the other fields from that notification (its summary "5xx ratio resolved").
model::Alert ErrorRateAlert() {
  model::Alert a;
  a.source = "alertmanager";
  a.fingerprint = "1a2b3c4d5e6f7081";
  a.starts_at = T("2024-06-10T08:15:30.123Z");
  a.ends_at = T("2024-06-10T09:00:00.500Z");
  a.rule = "HighErrorRate";
  a.service = "checkout";
  a.labels = kCheckoutLabels;
  a.annotations = {{"summary", "5xx ratio resolved"}};
  a.generator_url = std::string(kCheckoutGenerator);
  return a;
}

// resolved-late.json [1]: the same fingerprint with a new start (next day): a second alert,
// still firing; its annotation names the incident.
model::Alert ErrorRateAgain() {
  model::Alert a;
  a.source = "alertmanager";
  a.fingerprint = "1a2b3c4d5e6f7081";
  a.starts_at = T("2024-06-11T07:00:00Z");
  a.rule = "HighErrorRate";
  a.service = "checkout";
  a.labels = kCheckoutLabels;
  a.annotations = {{"summary", "5xx ratio above 2%"}, {"incident", "Q1W2E3R4"}};
  a.incident = "Q1W2E3R4";
  a.generator_url = std::string(kCheckoutGenerator);
  return a;
}

using IssueRow = std::tuple<std::string, int64_t, std::string, std::string>;  // file, line,
                                                                              // path, code

std::vector<IssueRow> IssueRows(const ParsedRecords& parsed) {
  std::vector<IssueRow> rows;
  for (const RecordIssue& issue : parsed.issues) {
    EXPECT_FALSE(issue.warning);
    rows.emplace_back(issue.file, issue.line, issue.json_path, issue.code);
  }
  return rows;
}

TEST(RecordsAlertmanagerTest, MergesRepeatedNotifications) {
  const Fixtures fixtures(kValidFiles);
  const ParsedRecords parsed = MustParse(fixtures.files());
  // Sorted by (fingerprint, starts_at): "0000…bb" < "1a2b…".
  EXPECT_THAT(parsed.batch.alerts, ElementsAre(LatencyAlert(), ErrorRateAlert(), ErrorRateAgain()));
  EXPECT_EQ(parsed.batch.size(), 3u);
  EXPECT_EQ(parsed.rejected, 0);
  EXPECT_EQ(parsed.skipped, 0);
  EXPECT_TRUE(parsed.issues.empty());
}

TEST(RecordsAlertmanagerTest, FileOrderDoesNotChangeTheBatch) {
  const Fixtures fixtures(kValidFiles);
  std::vector<RecordFile> files = fixtures.files();
  std::sort(files.begin(), files.end(),
            [](const RecordFile& a, const RecordFile& b) { return a.name < b.name; });
  do {
    const ParsedRecords parsed = MustParse(files);
    EXPECT_THAT(parsed.batch.alerts,
                ElementsAre(LatencyAlert(), ErrorRateAlert(), ErrorRateAgain()))
        << files[0].name << ", " << files[1].name << ", " << files[2].name;
  } while (std::next_permutation(
      files.begin(), files.end(),
      [](const RecordFile& a, const RecordFile& b) { return a.name < b.name; }));
}

TEST(RecordsAlertmanagerTest, FiringOnlyAlertHasNoEnd) {
  // firing.json alone: its first alert's endsAt is Go's zero time → still firing.
  const Fixtures fixtures({"firing.json"});
  const ParsedRecords parsed = MustParse(fixtures.files());
  model::Alert firing = ErrorRateAlert();
  firing.ends_at.reset();
  firing.annotations = {{"summary", "5xx ratio above 2%"}};
  EXPECT_THAT(parsed.batch.alerts, ElementsAre(LatencyAlert(), firing));
}

TEST(RecordsAlertmanagerTest, UnsupportedVersionAndMalformedFiles) {
  const Fixtures fixtures({"malformed/version3.json", "malformed/truncated.json", "firing.json"});
  const ParsedRecords parsed = MustParse(fixtures.files());
  EXPECT_THAT(IssueRows(parsed),
              ElementsAre(IssueRow{"malformed/version3.json", 0, "version", "unsupported_version"},
                          IssueRow{"malformed/truncated.json", 0, "", "bad_json"}));
  EXPECT_EQ(parsed.issues[0].reason,
            "payload version '3': only version \"4\" is read (its fields are the ones "
            "documented)");
  EXPECT_EQ(parsed.rejected, 2);
  EXPECT_EQ(parsed.batch.alerts.size(), 2u);  // firing.json still counts
}

TEST(RecordsAlertmanagerTest, BadAlertsAreRejectedOneByOne) {
  const Fixtures fixtures({"malformed/bad-alerts.json"});
  const ParsedRecords parsed = MustParse(fixtures.files());
  const std::string f = "malformed/bad-alerts.json";
  EXPECT_THAT(IssueRows(parsed),
              ElementsAre(IssueRow{f, 0, "alerts[0].fingerprint", "missing_field"},
                          IssueRow{f, 0, "alerts[1].status", "bad_value"},
                          IssueRow{f, 0, "alerts[2].startsAt", "bad_time"},
                          IssueRow{f, 0, "alerts[3].endsAt", "ends_before_start"},
                          IssueRow{f, 0, "alerts[4].labels", "wrong_type"},
                          IssueRow{f, 0, "alerts[5].endsAt", "missing_field"},
                          IssueRow{f, 0, "alerts[6]", "wrong_type"}));
  ASSERT_EQ(parsed.issues.size(), 7u);
  EXPECT_EQ(parsed.issues[1].reason, "status 'pending' is neither 'firing' nor 'resolved'");
  EXPECT_EQ(parsed.issues[3].reason,
            "endsAt 2024-06-10T07:59:59Z is before startsAt 2024-06-10T08:00:00Z");
  EXPECT_EQ(parsed.issues[4].reason, "labels: value of 'replicas' is not a string");
  EXPECT_EQ(parsed.rejected, 7);
  // alerts[7]: null annotations are no annotations; no service label → "".
  model::Alert fine;
  fine.source = "alertmanager";
  fine.fingerprint = "00000000000000d6";
  fine.starts_at = T("2024-06-10T08:00:00Z");
  fine.rule = "Fine";
  fine.labels = {{"alertname", "Fine"}};
  EXPECT_THAT(parsed.batch.alerts, ElementsAre(fine));
}

TEST(RecordsAlertmanagerTest, NdjsonLinesAreRejectedOneByOne) {
  // Line 1 and 3: payloads with no alerts; line 2: truncated; line 4: not a payload.
  const Fixtures fixtures({"malformed/ndjson-mixed.ndjson"});
  const ParsedRecords parsed = MustParse(fixtures.files());
  const std::string f = "malformed/ndjson-mixed.ndjson";
  EXPECT_THAT(IssueRows(parsed),
              ElementsAre(IssueRow{f, 2, "", "bad_json"}, IssueRow{f, 4, "", "unknown_shape"}));
  EXPECT_EQ(parsed.rejected, 2);
  EXPECT_EQ(parsed.batch.size(), 0u);
}

TEST(RecordsAlertmanagerTest, OtherJsonIsRejectedWhole) {
  const std::vector<RecordFile> files = {
      RecordFile{"jira.json", R"({"issues": [], "isLast": true})"},
      RecordFile{"list.json", R"([{"id": 1, "tag_name": "v1"}])"}, RecordFile{"empty.json", "[]"}};
  const ParsedRecords parsed = MustParse(files);
  EXPECT_THAT(IssueRows(parsed), ElementsAre(IssueRow{"jira.json", 0, "", "unknown_shape"},
                                             IssueRow{"list.json", 0, "", "unknown_shape"}));
  EXPECT_EQ(parsed.rejected, 2);
}

TEST(RecordsAlertmanagerTest, UserMappingReplacesDefaultFields) {
  // service through a table (unmatched names kept); incident only from a `ticket` label, which
  // no fixture has, so the default label/annotation rules no longer apply.
  Result<config::SourceMappings> user = config::ParseSourceMappings(
      "service:\n"
      "  from: labels.service\n"
      "  values: {checkout: checkout-api}\n"
      "incident:\n"
      "  from: labels.ticket\n",
      "alertmanager", model::RecordKind::kAlert, "vigil.yaml");
  ASSERT_OK(user);
  AdapterOptions options;
  options.user_mappings = &*user;
  const Fixtures fixtures(kValidFiles);
  const ParsedRecords parsed = MustParse(fixtures.files(), options);
  model::Alert latency = LatencyAlert();
  model::Alert error_rate = ErrorRateAlert();
  model::Alert again = ErrorRateAgain();
  latency.incident.clear();
  again.incident.clear();
  error_rate.service = again.service = "checkout-api";
  EXPECT_THAT(parsed.batch.alerts, ElementsAre(latency, error_rate, again));
}

TEST(RecordsAlertmanagerTest, DefaultMappingsParse) {
  EXPECT_OK(config::ParseSourceMappings(AlertmanagerDefaultMappings(), "alertmanager",
                                        model::RecordKind::kAlert, "test"));
}

TEST(RecordsAlertmanagerTest, DocsShowTheDefaults) {
  std::ifstream in(TestDataPath("../../docs/adapters-github-alertmanager.md"));
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string start = "```yaml\n# Alertmanager alerts: vigil's built-in mappings";
  const size_t at = doc.find(start);
  ASSERT_NE(at, std::string::npos);
  const size_t body = at + std::string_view("```yaml\n").size();
  const std::string block = doc.substr(body, doc.find("```", body) - body);
  Result<config::SourceMappings> docs =
      config::ParseSourceMappings(block, "alertmanager", model::RecordKind::kAlert, "docs");
  Result<config::SourceMappings> code = config::ParseSourceMappings(
      AlertmanagerDefaultMappings(), "alertmanager", model::RecordKind::kAlert, "code");
  ASSERT_OK(docs);
  ASSERT_OK(code);
  for (config::SourceMappings* m : {&*docs, &*code}) {
    for (config::FieldMapping& field : m->fields) {
      for (config::MappingRule& rule : field.rules) {
        rule.line = 0;  // comments shift the lines
      }
    }
  }
  EXPECT_EQ(*docs, *code);
}

TEST(RecordsAlertmanagerTest, LooksLikeAlertmanagerPayload) {
  for (const std::string& name : kValidFiles) {
    const Fixtures fixtures({name});
    EXPECT_TRUE(LooksLikeAlertmanagerPayload(fixtures.files()[0].data)) << name;
  }
  EXPECT_FALSE(LooksLikeAlertmanagerPayload("[]"));
  EXPECT_FALSE(LooksLikeAlertmanagerPayload("{\"alerts\": "));
  EXPECT_FALSE(LooksLikeAlertmanagerPayload(R"({"alerts": [], "data": 1})"));
  EXPECT_FALSE(LooksLikeAlertmanagerPayload(R"([{"id": 1, "tag_name": "v1"}])"));
  EXPECT_TRUE(LooksLikeAlertmanagerPayload(R"([{"receiver": "x", "alerts": []}])"));
}

}  // namespace
}  // namespace vigil::ingest
