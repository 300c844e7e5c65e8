#include "vigil/importer/records_import.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "test_util.h"

#include "vigil/metrics/timeline.h"

namespace vigil::importer {
namespace {

using core::Timestamp;

const Timestamp kNow = Timestamp::FromUnixMillis(1794000000000);

void WriteFile(const std::string& path, std::string_view bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

class RecordImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = config::DefaultConfig();
    store_ = Open("vigil.db");
  }

  std::unique_ptr<store::Store> Open(const std::string& name) {
    auto s = store::OpenStore(dir_.File(name), store::OpenOptions{});
    EXPECT_OK(s);
    return std::move(s).value();
  }

  Result<RecordImportSummary> Import(model::RecordKind kind, std::vector<std::string> paths,
                                     bool strict = false, store::Store* store = nullptr,
                                     std::string source = "auto") {
    ImportEnv env;
    env.store = store != nullptr ? store : store_.get();
    env.config = &config_;
    env.clock = &clock_;
    RecordImportOptions o;
    o.kind = kind;
    o.paths = std::move(paths);
    o.strict = strict;
    o.source = std::move(source);
    return RunRecordImport(env, o);
  }

  model::RecordBatch Stored(store::Store* store = nullptr) {
    auto r = (store != nullptr ? store : store_.get())->LoadRecords();
    EXPECT_OK(r);
    return r.ok() ? std::move(r).value() : model::RecordBatch{};
  }

  testing::TempDir dir_;
  config::Config config_;
  core::ManualClock clock_{kNow};
  std::unique_ptr<store::Store> store_;
};

constexpr std::string_view kDeployments =
    R"({"service":"checkout","version":"1.0.0","deployed_at":"2026-11-01T10:00:00Z"}
{"service":"checkout","version":"1.1.0","deployed_at":"2026-11-02T10:00:00Z"}
{"service":"checkout","version":"1.2.0","deployed_at":"2026-11-03T10:00:00Z"}
{"service":"checkout","version":"1.0.0","deployed_at":"2026-11-03T14:00:00+02:00"}
)";

// The documented hash id of a deployment without one: "sha256:" + 32 hex digits of SHA-256
// over "checkout\x1fproduction\x1f1.0.0\x1f1793527200000" (2026-11-01T10:00:00Z =
// 1793527200 s; production is the native default environment). Checked against sha256sum:
// printf 'checkout\x1fproduction\x1f1.0.0\x1f1793527200000' | sha256sum → 805465e3c527...
TEST_F(RecordImportTest, DeploymentWithoutIdGetsTheDocumentedHash) {
  model::Deployment d;
  d.service = "checkout";
  d.environment = "production";
  d.version = "1.0.0";
  d.deployed_at = Timestamp::FromUnixSeconds(1793527200);
  EXPECT_EQ(DeploymentHashId(d), "sha256:805465e3c5277fa9ccf0d9e46fb40b4f");
}

// Importing the same export twice changes nothing; an updated export updates.
TEST_F(RecordImportTest, ImportingTwiceIsANoOpAndANewerExportUpdates) {
  WriteFile(dir_.File("d.ndjson"), kDeployments);
  auto first = Import(model::RecordKind::kDeployment, {dir_.File("d.ndjson")});
  ASSERT_OK(first);
  EXPECT_TRUE(first->committed);
  EXPECT_EQ(first->counts.created, 4);
  const model::RecordBatch before = Stored();
  auto again = Import(model::RecordKind::kDeployment, {dir_.File("d.ndjson")});
  ASSERT_OK(again);
  EXPECT_EQ(again->counts.created, 0);
  EXPECT_EQ(again->counts.unchanged, 4);
  EXPECT_EQ(Stored().deployments, before.deployments);

  WriteFile(dir_.File("i.ndjson"),
            R"({"id":"INC-1","created_at":"2026-11-03T11:00:00Z","title":"first title"})"
            "\n");
  ASSERT_OK(Import(model::RecordKind::kIncident, {dir_.File("i.ndjson")}));
  WriteFile(dir_.File("i.ndjson"),
            R"({"id":"INC-1","created_at":"2026-11-03T11:00:00Z","title":"renamed",)"
            R"("resolved_at":"2026-11-03T12:00:00Z"})"
            "\n");
  auto updated = Import(model::RecordKind::kIncident, {dir_.File("i.ndjson")});
  ASSERT_OK(updated);
  EXPECT_EQ(updated->counts.updated, 1);
  ASSERT_EQ(Stored().incidents.size(), 1u);
  EXPECT_EQ(Stored().incidents[0].title, "renamed");
}

// --strict with one bad record among good ones, across two files: nothing at all is stored.
TEST_F(RecordImportTest, StrictImportWithOneBadRecordChangesNothing) {
  WriteFile(dir_.File("in/a.ndjson"), R"({"id":"INC-1","created_at":"2026-11-03T11:00:00Z"})"
                                      "\n");
  WriteFile(dir_.File("in/b.ndjson"), R"({"id":"INC-2","created_at":"2026-11-03T11:00:00Z"})"
                                      "\n"
                                      R"({"created_at":"2026-11-03T11:00:00Z"})"
                                      "\n");
  auto strict = Import(model::RecordKind::kIncident, {dir_.File("in")}, /*strict=*/true);
  ASSERT_OK(strict);
  EXPECT_FALSE(strict->committed);
  EXPECT_EQ(strict->rejected, 1);
  EXPECT_TRUE(Stored().incidents.empty());
  // Without --strict the good records land; the bad one is reported with file:line.
  auto lenient = Import(model::RecordKind::kIncident, {dir_.File("in")});
  ASSERT_OK(lenient);
  EXPECT_TRUE(lenient->committed);
  EXPECT_EQ(lenient->counts.created, 2);
  ASSERT_EQ(lenient->first_issues.size(), 1u);
  EXPECT_EQ(lenient->first_issues[0].line, 2);
  EXPECT_EQ(lenient->first_issues[0].code, "missing_field");
  EXPECT_EQ(lenient->files, 2);
}

// --strict also rejects services vigil.yaml does not declare (when it declares any).
TEST_F(RecordImportTest, StrictRejectsUnknownServices) {
  config::Service s;
  s.name = "payments";
  config_.services.push_back(s);
  WriteFile(dir_.File("d.ndjson"), kDeployments);
  auto r = Import(model::RecordKind::kDeployment, {dir_.File("d.ndjson")}, /*strict=*/true);
  ASSERT_OK(r);
  EXPECT_FALSE(r->committed);
  EXPECT_EQ(r->issues_by_code["unknown_service"], 4);
  EXPECT_TRUE(Stored().deployments.empty());
}

// The timeline computed from the store does not depend on the order files were imported in:
// every permutation of four files (one record each) gives the same releases, and V1 → V2 → V3
// → V1 rolls back V2 and V3 at the V1 redeploy (2026-11-03T12:00:00Z).
TEST_F(RecordImportTest, ImportOrderDoesNotChangeTheTimeline) {
  std::vector<std::string> files;
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t end = kDeployments.find('\n', start);
    const std::string path = dir_.File("d" + std::to_string(i) + ".ndjson");
    WriteFile(path, kDeployments.substr(start, end - start + 1));
    files.push_back(path);
    start = end + 1;
  }
  metrics::TimelineOptions o;
  o.as_of = kNow;
  std::optional<metrics::Timeline> first;
  std::mt19937 rng(11);
  for (int round = 0; round < 6; ++round) {
    std::shuffle(files.begin(), files.end(), rng);
    auto store = Open("s" + std::to_string(round) + ".db");
    for (const std::string& f : files) {
      ASSERT_OK(Import(model::RecordKind::kDeployment, {f}, false, store.get()));
    }
    const metrics::Timeline tl = metrics::BuildTimeline(Stored(store.get()), o);
    if (!first) {
      first = tl;
      const metrics::DerivedRelease* v2 = metrics::FindRelease(tl, "checkout", "1.1.0");
      const metrics::DerivedRelease* v3 = metrics::FindRelease(tl, "checkout", "1.2.0");
      ASSERT_NE(v2, nullptr);
      ASSERT_NE(v3, nullptr);
      const Timestamp v1_again = Timestamp::FromUnixSeconds(1793527200 + 2 * 86400 + 7200);
      EXPECT_EQ(v2->rolled_back_at, v1_again);
      EXPECT_EQ(v3->rolled_back_at, v1_again);
      EXPECT_EQ(v2->state, metrics::ReleaseState::kFailed);
      EXPECT_EQ(v3->state, metrics::ReleaseState::kFailed);
    } else {
      EXPECT_TRUE(tl == *first) << "round " << round;
    }
  }
}

// Files are routed by content: a directory holding a native file and a PagerDuty export; an
// export of the wrong kind is refused before anything is stored.
TEST_F(RecordImportTest, RoutesFilesByContentAndRefusesTheWrongKind) {
  WriteFile(dir_.File("mixed/native.ndjson"),
            R"({"id":"INC-9","created_at":"2026-11-03T11:00:00Z"})"
            "\n");
  WriteFile(dir_.File("mixed/pd.json"),
            R"({"incidents":[{"id":"PT4KHLK","incident_number":1234,"title":"Checkout down",)"
            R"("created_at":"2026-11-03T10:00:00Z","status":"resolved",)"
            R"("resolved_at":"2026-11-03T10:30:00Z","urgency":"high",)"
            R"("service":{"id":"PSVC","summary":"checkout"}}],"limit":25,"offset":0,)"
            R"("more":false})");
  auto r = Import(model::RecordKind::kIncident, {dir_.File("mixed")});
  ASSERT_OK(r);
  EXPECT_EQ(r->files_by_source["native"], 1);
  EXPECT_EQ(r->files_by_source["pagerduty"], 1);
  EXPECT_EQ(r->counts.created, 2);
  const model::RecordBatch stored = Stored();
  ASSERT_EQ(stored.incidents.size(), 2u);
  EXPECT_EQ(stored.incidents[0].source, "native");
  EXPECT_EQ(stored.incidents[1].source, "pagerduty");
  EXPECT_EQ(stored.incidents[1].severity, model::Severity::kSignificant);  // urgency high

  auto wrong = Import(model::RecordKind::kDeployment, {dir_.File("mixed/pd.json")});
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(std::string(wrong.status().message()), ::testing::HasSubstr("not deployments"));
  auto unknown_source =
      Import(model::RecordKind::kIncident, {dir_.File("mixed")}, false, nullptr, "servicenow");
  EXPECT_FALSE(unknown_source.ok());
}

}  // namespace
}  // namespace vigil::importer
