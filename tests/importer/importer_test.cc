#include "vigil/importer/importer.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gzip_util.h"
#include "test_util.h"

#include "vigil/demo/access_log_gen.h"
#include "vigil/model/rollup.h"

namespace vigil::importer {
namespace {

using core::Duration;
using core::Timestamp;

const Timestamp kNow = Timestamp::FromUnixMillis(1794000000000);

struct Totals {
  int64_t count = 0, bad = 0, client_errors = 0;
  uint64_t latency_count = 0;
  bool operator==(const Totals&) const = default;
};
using TotalsByRoute = std::map<std::string, Totals>;

// What the generator says the log holds, keyed as vigil names automatic routes.
struct Truth {
  TotalsByRoute routes;
  std::string text;  // the log's bytes
  std::vector<std::string> lines;
};

// A file's bytes.
std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Truth Generate(int64_t lines, uint64_t seed = 7) {
  testing::TempDir dir;
  demo::AccessLogOptions o;
  o.seed = seed;
  o.lines = lines;
  o.span = Duration::Hours(6);
  Truth t;
  std::string path = dir.File("gen.log");
  EXPECT_OK(demo::WriteSampleAccessLog(o, path, [&t](const demo::SampleRequest& r) {
    std::string name = r.method.empty() ? std::string(model::kInvalidRequestRoute)
                                        : std::string(r.method) + " " + std::string(r.route);
    Totals& x = t.routes[name];
    ++x.count;
    x.bad += r.status >= 500 ? 1 : 0;
    x.client_errors += r.status >= 400 && r.status < 500 ? 1 : 0;
    ++x.latency_count;
    t.lines.emplace_back(r.line);
  }));
  t.text = ReadBytes(path);
  return t;
}

TotalsByRoute Add(TotalsByRoute a, const TotalsByRoute& b) {
  for (const auto& [k, v] : b) {
    Totals& x = a[k];
    x.count += v.count;
    x.bad += v.bad;
    x.client_errors += v.client_errors;
    x.latency_count += v.latency_count;
  }
  return a;
}

void WriteFile(const std::string& path, std::string_view bytes, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << bytes;
}

using testing::WriteGzip;

// A real store whose transactions fail the Nth MergeRollups call (counting over all of them),
// once or, with `for_good`, that one and every later one: the writer failing in the middle of
// an import.
class FailingStore : public store::Store {
 public:
  FailingStore(store::Store* real, int fail_at, bool for_good = false)
      : real_(real), fail_at_(fail_at), for_good_(for_good) {}

  const store::StoreInfo& info() const override { return real_->info(); }
  Result<int> LeaseNode(std::string_view holder, Timestamp now, Duration ttl) override {
    return real_->LeaseNode(holder, now, ttl);
  }
  Status ReleaseNode(int node, std::string_view holder) override {
    return real_->ReleaseNode(node, holder);
  }
  Result<std::unique_ptr<store::Transaction>> Begin(int node, std::string_view holder,
                                                    Timestamp now, Duration ttl) override {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<store::Transaction> tx,
                           real_->Begin(node, holder, now, ttl));
    return std::unique_ptr<store::Transaction>(new Tx(std::move(tx), this));
  }
  Result<model::RouteSnapshot> LoadRoutes() override { return real_->LoadRoutes(); }
  Result<std::vector<int64_t>> FilePrefixLengths() override { return real_->FilePrefixLengths(); }
  Result<std::optional<store::StoredFile>> FindFile(int64_t len, std::string_view hash) override {
    return real_->FindFile(len, hash);
  }
  Status ScanRollups(const store::RollupQuery& q,
                     const std::function<Status(model::Rollup&&)>& fn) override {
    return real_->ScanRollups(q, fn);
  }
  Result<std::vector<model::CoverageSnapshot>> ListCoverageSnapshots() override {
    return real_->ListCoverageSnapshots();
  }
  Result<model::CoverageSnapshot> LoadCoverageSnapshot(int64_t id) override {
    return real_->LoadCoverageSnapshot(id);
  }
  Result<model::RecordBatch> LoadRecords() override { return real_->LoadRecords(); }

  int merges() const { return merges_; }

 private:
  class Tx : public store::Transaction {
   public:
    Tx(std::unique_ptr<store::Transaction> real, FailingStore* store)
        : real_(std::move(real)), store_(store) {}
    Status MergeRollups(std::span<const model::Rollup> rollups) override {
      const int n = ++store_->merges_;
      if (n == store_->fail_at_ || (store_->for_good_ && n > store_->fail_at_)) {
        return UnavailableError("injected: the disk went away");
      }
      return real_->MergeRollups(rollups);
    }
    Status RekeySeries(const model::SeriesKey& from, const model::SeriesKey& to) override {
      return real_->RekeySeries(from, to);
    }
    Result<store::RouteRegistration> RegisterRoutes(std::string_view service,
                                                    std::span<const std::string> routes, int cap,
                                                    Timestamp now) override {
      return real_->RegisterRoutes(service, routes, cap, now);
    }
    Status SaveFilePosition(const store::FilePositionUpdate& update) override {
      return real_->SaveFilePosition(update);
    }
    Result<int64_t> DownsampleSketches(Timestamp before) override {
      return real_->DownsampleSketches(before);
    }
    Result<int64_t> DeleteRollupsBefore(Timestamp before) override {
      return real_->DeleteRollupsBefore(before);
    }
    Result<store::CoverageSave> SaveCoverageSnapshot(
        const model::CoverageSnapshot& snapshot) override {
      return real_->SaveCoverageSnapshot(snapshot);
    }
    Result<store::RecordUpsertSummary> UpsertRecords(const model::RecordBatch& batch) override {
      return real_->UpsertRecords(batch);
    }
    Result<store::UpsertOutcome> AddDeploymentStatuses(
        std::string_view source, std::string_view id,
        std::span<const model::DeploymentStatus> statuses) override {
      return real_->AddDeploymentStatuses(source, id, statuses);
    }
    Status Commit() override { return real_->Commit(); }

   private:
    std::unique_ptr<store::Transaction> real_;
    FailingStore* store_;
  };

  store::Store* real_;
  int fail_at_;
  bool for_good_;
  int merges_ = 0;
};

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = config::DefaultConfig();
    config_.ingest.reorder_horizon = Duration::Minutes(5);
    store_ = OpenStoreOrDie();
  }

  std::unique_ptr<store::Store> OpenStoreOrDie() {
    auto s = store::OpenStore(dir_.File("vigil.db"), store::OpenOptions{});
    EXPECT_OK(s);
    return std::move(s).value();
  }

  Result<ImportSummary> Import(std::vector<std::string> paths, bool strict = false,
                               bool force = false, store::Store* store = nullptr, int threads = 0,
                               int64_t parallel_min_bytes = -1) {
    ImportEnv env;
    env.store = store != nullptr ? store : store_.get();
    env.config = &config_;
    env.clock = &clock_;
    ImportOptions o;
    o.paths = std::move(paths);
    o.strict = strict;
    o.force = force;
    o.log_format = "nginx";
    o.threads = threads;
    if (parallel_min_bytes >= 0) {
      o.parallel_min_bytes = parallel_min_bytes;
    }
    return RunImport(env, o);
  }

  // Every stored row merged per (series, resolution, bucket): what queries see.
  static std::map<std::string, model::Rollup> MergedRows(store::Store* store) {
    std::map<std::string, model::Rollup> out;
    Status scanned = store->ScanRollups({}, [&out](model::Rollup&& r) {
      const std::string key = r.series.name + "|" + std::to_string(static_cast<int>(r.resolution)) +
                              "|" + std::to_string(r.bucket_start.unix_ms());
      auto [it, fresh] = out.try_emplace(key, r);
      return fresh ? OkStatus() : it->second.MergeFrom(r);
    });
    EXPECT_OK(scanned);
    return out;
  }

  static void ExpectSameRows(const std::map<std::string, model::Rollup>& a,
                             const std::map<std::string, model::Rollup>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
      ASSERT_EQ(ia->first, ib->first);
      const model::Rollup& x = ia->second;
      const model::Rollup& y = ib->second;
      EXPECT_EQ(x.count, y.count) << ia->first;
      EXPECT_EQ(x.bad, y.bad) << ia->first;
      EXPECT_EQ(x.client_errors, y.client_errors) << ia->first;
      EXPECT_EQ(x.over, y.over) << ia->first;
      EXPECT_TRUE(x.latency == y.latency) << ia->first;
    }
  }

  TotalsByRoute Stored() {
    TotalsByRoute out;
    EXPECT_OK(store_->ScanRollups({}, [&out](model::Rollup&& r) {
      Totals& t = out[r.series.name];
      t.count += r.count;
      t.bad += r.bad;
      t.client_errors += r.client_errors;
      t.latency_count += r.latency.count();
      return OkStatus();
    }));
    return out;
  }

  testing::TempDir dir_;
  config::Config config_;
  core::ManualClock clock_{kNow};
  std::unique_ptr<store::Store> store_;
};

TEST_F(ImporterTest, CountsEveryRouteExactly) {
  Truth truth = Generate(20'000);
  WriteFile(dir_.File("access.log"), truth.text);
  auto s = Import({dir_.File("access.log")});
  ASSERT_OK(s);
  EXPECT_TRUE(s->committed);
  EXPECT_EQ(s->lines, 20'000);
  EXPECT_EQ(s->rejected, 0);
  EXPECT_EQ(s->accepted, 20'000);
  EXPECT_EQ(Stored(), truth.routes);
  EXPECT_EQ(s->warnings, truth.routes[std::string(model::kInvalidRequestRoute)].count);
}

TEST_F(ImporterTest, OldMinuteSketchesAreFoldedIntoHoursAfterTheImport) {
  Truth truth = Generate(20'000);
  WriteFile(dir_.File("access.log"), truth.text);
  auto count_rows = [&](int64_t* minute_sketches, int64_t* hour_rows) {
    *minute_sketches = 0;
    *hour_rows = 0;
    ASSERT_OK(store_->ScanRollups({}, [&](model::Rollup&& r) {
      if (r.resolution == model::Resolution::kHour) {
        ++*hour_rows;
        EXPECT_EQ(r.count, 0);
        EXPECT_EQ(r.bucket_start.unix_ms() % 3'600'000, 0);
      } else if (!r.latency.empty()) {
        ++*minute_sketches;
      }
      return OkStatus();
    }));
  };
  // Imported while recent: minute rows keep their sketches.
  clock_.Set(demo::kSampleStart + Duration::Days(1));
  ASSERT_OK(Import({dir_.File("access.log")}));
  int64_t minute_sketches = 0, hour_rows = 0;
  count_rows(&minute_sketches, &hour_rows);
  EXPECT_GT(minute_sketches, 0);
  EXPECT_EQ(hour_rows, 0);
  // 30 days later, the next import's maintenance folds them: everything is past the 8-day
  // sketch downsampling age.
  clock_.Set(demo::kSampleStart + Duration::Days(30));
  Truth later = Generate(10, 98);
  WriteFile(dir_.File("later.log"), later.text);
  auto s = Import({dir_.File("later.log")});
  ASSERT_OK(s);
  EXPECT_GE(s->sketches_downsampled, minute_sketches);
  EXPECT_EQ(s->rows_expired, 0);
  // Counts stay in minute rows and every latency is now in an hour row: totals unchanged.
  EXPECT_EQ(Stored(), Add(truth.routes, later.routes));
  count_rows(&minute_sketches, &hour_rows);
  EXPECT_EQ(minute_sketches, 0);
  EXPECT_GT(hour_rows, 0);
  // Past the retention, rows go.
  clock_.Set(demo::kSampleStart + Duration::Days(500));
  Truth more = Generate(10, 99);
  WriteFile(dir_.File("other.log"), more.text);
  auto expired = Import({dir_.File("other.log")});
  ASSERT_OK(expired);
  EXPECT_GT(expired->rows_expired, 0);
  EXPECT_TRUE(Stored().empty());
}

// A log already older than the downsampling age is written that way at once: counters in
// minute rows, sketches straight into hour rows, nothing left for the downsampler, and the
// same totals and percentiles as folding afterwards.
TEST_F(ImporterTest, OldLogGoesStraightToHourSketches) {
  Truth truth = Generate(20'000);
  WriteFile(dir_.File("access.log"), truth.text);
  clock_.Set(demo::kSampleStart + Duration::Days(30));
  auto s = Import({dir_.File("access.log")});
  ASSERT_OK(s);
  EXPECT_EQ(s->sketches_downsampled, 0);
  EXPECT_EQ(Stored(), truth.routes);
  // The same log imported while recent, then folded by a later import's maintenance.
  auto other = store::OpenStore(dir_.File("folded.db"), {});
  ASSERT_OK(other);
  clock_.Set(demo::kSampleStart + Duration::Days(1));
  ASSERT_OK(Import({dir_.File("access.log")}, false, false, other->get()));
  clock_.Set(demo::kSampleStart + Duration::Days(30));
  Truth tiny = Generate(1, 5);
  WriteFile(dir_.File("tiny.log"), tiny.text);
  auto folded = Import({dir_.File("tiny.log")}, false, false, other->get());
  ASSERT_OK(folded);
  EXPECT_GT(folded->sketches_downsampled, 0);
  // Hour rows of access.log's routes hold the same sketches both ways (tiny.log's request is
  // one more row in the folded store; compare only the keys both have).
  const std::map<std::string, model::Rollup> direct = MergedRows(store_.get());
  const std::map<std::string, model::Rollup> later = MergedRows(other->get());
  int64_t compared = 0;
  for (const auto& [key, row] : direct) {
    if (row.resolution != model::Resolution::kHour) {
      continue;
    }
    auto it = later.find(key);
    ASSERT_NE(it, later.end()) << key;
    if (it->second.latency.count() == row.latency.count()) {
      EXPECT_TRUE(it->second.latency == row.latency) << key;
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
}

TEST_F(ImporterTest, SameFileTwiceChangesNothing) {
  Truth truth = Generate(3'000);
  WriteFile(dir_.File("access.log"), truth.text);
  ASSERT_OK(Import({dir_.File("access.log")}));
  auto again = Import({dir_.File("access.log")});
  ASSERT_OK(again);
  EXPECT_EQ(again->lines, 0);
  EXPECT_EQ(Stored(), truth.routes);
}

TEST_F(ImporterTest, ForceCountsAgain) {
  Truth truth = Generate(1'000);
  WriteFile(dir_.File("access.log"), truth.text);
  ASSERT_OK(Import({dir_.File("access.log")}));
  auto again = Import({dir_.File("access.log")}, false, /*force=*/true);
  ASSERT_OK(again);
  EXPECT_EQ(again->lines, 1'000);
  EXPECT_NE(again->files[0].note.find("--force"), std::string::npos);
  EXPECT_EQ(Stored(), Add(truth.routes, truth.routes));
}

TEST_F(ImporterTest, AppendedLogAddsOnlyTheNewLines) {
  Truth truth = Generate(4'000);
  size_t half = truth.text.size() / 2;
  half = truth.text.find('\n', half) + 1;
  const std::string path = dir_.File("access.log");
  WriteFile(path, truth.text.substr(0, half));
  auto first = Import({path});
  ASSERT_OK(first);
  WriteFile(path, truth.text.substr(half), /*append=*/true);
  auto second = Import({path});
  ASSERT_OK(second);
  EXPECT_EQ(first->lines + second->lines, 4'000);
  EXPECT_EQ(second->files[0].start_position, static_cast<int64_t>(half));
  EXPECT_EQ(Stored(), truth.routes);
}

TEST_F(ImporterTest, RotatedAndGzippedCopyIsNotCountedAgain) {
  Truth truth = Generate(3'000);
  const std::string path = dir_.File("access.log");
  // Read the first 2000 lines, then the log grows and is rotated: renamed and compressed.
  std::string head;
  for (size_t i = 0; i < 2000; ++i) {
    head += truth.lines[i] + "\n";
  }
  WriteFile(path, head);
  ASSERT_OK(Import({path}));
  WriteGzip(dir_.File("access.log.1.gz"), truth.text);
  std::filesystem::remove(path);
  auto rotated = Import({dir_.File("access.log.1.gz")});
  ASSERT_OK(rotated);
  EXPECT_TRUE(rotated->files[0].compressed);
  EXPECT_EQ(rotated->lines, 1000);  // only what was appended before the rotation
  EXPECT_EQ(Stored(), truth.routes);
  // And the gzipped copy once more: nothing.
  auto again = Import({dir_.File("access.log.1.gz")});
  ASSERT_OK(again);
  EXPECT_EQ(again->lines, 0);
}

TEST_F(ImporterTest, SmallLogThatGrowsKeepsItsIdentity) {
  Truth truth = Generate(2'000);
  const std::string path = dir_.File("access.log");
  for (size_t i = 0; i < truth.lines.size(); i += 500) {
    std::string chunk;
    for (size_t j = i; j < i + 500; ++j) {
      chunk += truth.lines[j] + "\n";
    }
    WriteFile(path, chunk, /*append=*/true);
    auto s = Import({path});
    ASSERT_OK(s);
    EXPECT_EQ(s->lines, 500);
  }
  EXPECT_EQ(Stored(), truth.routes);
}

TEST_F(ImporterTest, EmptyFileFromLogrotateIsReadInFullOnceFilled) {
  const std::string path = dir_.File("access.log");
  WriteFile(path, "");
  auto empty = Import({path});
  ASSERT_OK(empty);
  EXPECT_EQ(empty->lines, 0);
  EXPECT_NE(empty->files[0].note.find("empty"), std::string::npos);
  Truth truth = Generate(500);
  WriteFile(path, truth.text);
  auto filled = Import({path});
  ASSERT_OK(filled);
  EXPECT_EQ(filled->lines, 500);
  EXPECT_EQ(Stored(), truth.routes);
}

TEST_F(ImporterTest, UnterminatedLastLineWaitsForTheNextRun) {
  Truth truth = Generate(10);
  const std::string path = dir_.File("access.log");
  std::string text = truth.text;
  text.pop_back();  // the last line loses its newline
  WriteFile(path, text);
  auto first = Import({path});
  ASSERT_OK(first);
  EXPECT_EQ(first->lines, 9);
  EXPECT_TRUE(first->files[0].unterminated_tail);
  WriteFile(path, "\n", /*append=*/true);
  auto second = Import({path});
  ASSERT_OK(second);
  EXPECT_EQ(second->lines, 1);
  EXPECT_EQ(Stored(), truth.routes);
}

TEST_F(ImporterTest, MalformedLinesAreReportedWithFileAndLine) {
  Truth truth = Generate(5);
  const std::string path = dir_.File("access.log");
  std::string text = truth.lines[0] + "\n" + truth.lines[1] + "\n" + "this is not a log line\n" +
                     truth.lines[2] + "\n";
  WriteFile(path, text);
  auto s = Import({path});
  ASSERT_OK(s);
  EXPECT_TRUE(s->committed);
  EXPECT_EQ(s->accepted, 3);
  EXPECT_EQ(s->rejected, 1);
  ASSERT_EQ(s->first_rejects.size(), 1u);
  EXPECT_EQ(s->first_rejects[0].file, path);
  EXPECT_EQ(s->first_rejects[0].line, 3);
  EXPECT_FALSE(s->first_rejects[0].reason.empty());
}

TEST_F(ImporterTest, StrictFailsAndLeavesTheStoreUnchanged) {
  Truth truth = Generate(100);
  WriteFile(dir_.File("good.log"), truth.text);
  WriteFile(dir_.File("bad.log"), truth.lines[0] + "\nnot a log line\n");
  auto s = Import({dir_.File("good.log"), dir_.File("bad.log")}, /*strict=*/true);
  ASSERT_OK(s);
  EXPECT_FALSE(s->committed);
  EXPECT_NE(s->failure.find("--strict"), std::string::npos);
  EXPECT_TRUE(Stored().empty());
  // Nothing was recorded either: a later non-strict import reads both in full.
  auto later = Import({dir_.File("good.log"), dir_.File("bad.log")});
  ASSERT_OK(later);
  EXPECT_EQ(later->lines, 102);
}

TEST_F(ImporterTest, MissingFileIsAnErrorBeforeAnythingIsRead) {
  auto s = Import({dir_.File("nope.log")});
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
}

TEST_F(ImporterTest, CorruptGzipRollsBackThatFile) {
  Truth truth = Generate(2'000);
  WriteGzip(dir_.File("a.log.gz"), truth.text);
  const std::string bytes = ReadBytes(dir_.File("a.log.gz"));
  WriteFile(dir_.File("a.log.gz"), bytes.substr(0, bytes.size() * 2 / 3));  // cut mid-stream
  auto s = Import({dir_.File("a.log.gz")});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Stored().empty());
}

TEST_F(ImporterTest, TwoImportsOfOneFileAtOnceCountItOnce) {
  Truth truth = Generate(30'000);
  const std::string path = dir_.File("access.log");
  WriteFile(path, truth.text);
  auto other = OpenStoreOrDie();
  Result<ImportSummary> a = InternalError("not run");
  Result<ImportSummary> b = InternalError("not run");
  std::thread ta([&] { a = Import({path}); });
  std::thread tb([&] { b = Import({path}, false, false, other.get()); });
  ta.join();
  tb.join();
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ(a->lines + b->lines, 30'000);
  EXPECT_NE(a->node, b->node);
  EXPECT_EQ(Stored(), truth.routes);
}

TEST_F(ImporterTest, RequestEventsInNdjsonAndCsv) {
  WriteFile(dir_.File("events.ndjson"),
            "{\"timestamp\":\"2026-11-02T10:00:01Z\",\"service\":\"shop\",\"method\":\"GET\","
            "\"path\":\"/api/items/42?x=1\",\"status\":200,\"duration_ms\":12.5}\n"
            "{\"timestamp\":1793613602000,\"service\":\"shop\",\"method\":\"POST\","
            "\"route\":\"/api/orders/{id}\",\"status\":503,\"duration_us\":900000,"
            "\"version\":\"2.4.1\"}\n"
            "{\"timestamp\":\"not a time\",\"method\":\"GET\",\"path\":\"/\",\"status\":200}\n");
  ImportEnv env;
  env.store = store_.get();
  env.config = &config_;
  env.clock = &clock_;
  ImportOptions o;
  o.kind = InputKind::kEvents;
  o.paths = {dir_.File("events.ndjson")};
  auto s = RunImport(env, o);
  ASSERT_OK(s);
  EXPECT_EQ(s->accepted, 2);
  EXPECT_EQ(s->rejected, 1);
  ASSERT_EQ(s->first_rejects.size(), 1u);
  EXPECT_EQ(s->first_rejects[0].line, 3);
  EXPECT_EQ(s->files[0].format, "request events (NDJSON)");

  // CSV, resumed mid-file: the header still names the columns.
  const std::string csv = dir_.File("events.csv");
  WriteFile(csv,
            "timestamp,service,method,path,status,duration_ms\n"
            "2026-11-02T10:00:03Z,shop,GET,/api/items/7,404,3\n");
  o.paths = {csv};
  auto first = RunImport(env, o);
  ASSERT_OK(first);
  EXPECT_EQ(first->accepted, 1);
  WriteFile(csv, "2026-11-02T10:00:04Z,shop,GET,/api/items/8,200,4\n", /*append=*/true);
  auto second = RunImport(env, o);
  ASSERT_OK(second);
  EXPECT_EQ(second->accepted, 1);
  EXPECT_EQ(second->rejected, 0);

  TotalsByRoute stored = Stored();
  EXPECT_EQ(stored["GET /api/items/:id"].count, 3);
  EXPECT_EQ(stored["GET /api/items/:id"].client_errors, 1);
  EXPECT_EQ(stored["POST /api/orders/{id}"].count, 1);
  EXPECT_EQ(stored["POST /api/orders/{id}"].bad, 1);
}

TEST_F(ImporterTest, RouteCapOverflowGoesToOther) {
  config_.ingest.route_cap = 5;
  Truth truth = Generate(5'000);
  WriteFile(dir_.File("access.log"), truth.text);
  auto s = Import({dir_.File("access.log")});
  ASSERT_OK(s);
  TotalsByRoute stored = Stored();
  int64_t total = 0;
  int routes = 0;
  for (const auto& [name, t] : stored) {
    total += t.count;
    if (name != "other" && name != model::kInvalidRequestRoute) {
      ++routes;
    }
  }
  EXPECT_EQ(total, 5'000);
  EXPECT_LE(routes, 5);
  EXPECT_GT(stored["other"].count, 0);
  EXPECT_EQ(s->requests_in_other, stored["other"].count);
}

// The parallel scan of a large plain file (mapped, split at line boundaries, one builder per
// thread, merged by the store) stores exactly what one thread streaming it stores, and reports
// rejected lines with the same file line numbers.
TEST_F(ImporterTest, ParallelScanEqualsStreamingScan) {
  Truth truth = Generate(30'000);
  // Junk lines at known places: line 1, line 15000 (near the two-thread cut), the last line.
  std::vector<std::string> lines = truth.lines;
  lines.insert(lines.begin(), "not a log line");
  lines.insert(lines.begin() + 14999, "junk in the middle");
  lines.push_back("junk at the end");
  std::string text;
  for (const std::string& l : lines) {
    text += l;
    text += '\n';
  }
  WriteFile(dir_.File("access.log"), text);

  auto streamed = Import({dir_.File("access.log")}, false, false, nullptr, /*threads=*/1);
  ASSERT_OK(streamed);
  const std::map<std::string, model::Rollup> expected = MergedRows(store_.get());
  EXPECT_EQ(Stored(), truth.routes) << "the streaming scan itself is exact";
  for (int threads : {2, 3, 7}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    auto other = store::OpenStore(dir_.File("p" + std::to_string(threads) + ".db"), {});
    ASSERT_OK(other);
    auto parallel = Import({dir_.File("access.log")}, false, false, other->get(), threads,
                           /*parallel_min_bytes=*/0);
    ASSERT_OK(parallel);
    EXPECT_EQ(parallel->lines, 30'003);
    EXPECT_EQ(parallel->accepted, streamed->accepted);
    EXPECT_EQ(parallel->rejected, 3);
    ASSERT_EQ(parallel->first_rejects.size(), 3u);
    EXPECT_EQ(parallel->first_rejects[0].line, 1);
    EXPECT_EQ(parallel->first_rejects[1].line, 15000);
    EXPECT_EQ(parallel->first_rejects[2].line, 30003);
    EXPECT_EQ(parallel->files[0].end_position, static_cast<int64_t>(text.size()));
    ExpectSameRows(MergedRows(other->get()), expected);
  }
}

// A gzip file with junk, an overlong line and an unterminated last line: the same line numbers,
// end position and rows whichever thread decodes it (a read-ahead thread, or the scanning
// thread itself while every core scans a file of a group).
TEST_F(ImporterTest, GzipWithJunkOverlongLineAndUnterminatedTail) {
  Truth truth = Generate(30'000);
  std::vector<std::string> lines = truth.lines;
  lines.insert(lines.begin(), "not a log line");
  lines.insert(lines.begin() + 9999, std::string(70'000, 'x'));  // over the 64 KiB line limit
  lines.insert(lines.begin() + 20000, "junk in the middle");
  std::string text;
  for (const std::string& l : lines) {
    text += l;
    text += '\n';
  }
  const std::string complete = text;
  text += truth.lines[0].substr(0, 40);  // an unterminated last line
  WriteGzip(dir_.File("access.log.gz"), text);

  // Alone (its own read-ahead thread), then in a group of two with a copy under another name
  // whose first line differs (same length; no read-ahead: both cores scan).
  WriteGzip(dir_.File("other.log.gz"), "junk log line!\n" + text.substr(text.find('\n') + 1));
  auto group_store = store::OpenStore(dir_.File("group.db"), {});
  ASSERT_OK(group_store);
  for (int run = 0; run < 2; ++run) {
    SCOPED_TRACE(run == 0 ? "alone" : "in a group");
    store::Store* store = run == 0 ? store_.get() : group_store->get();
    std::vector<std::string> paths = {dir_.File("access.log.gz")};
    if (run == 1) {
      paths.push_back(dir_.File("other.log.gz"));
    }
    auto s = Import(paths, false, false, store, /*threads=*/2);
    ASSERT_OK(s);
    ASSERT_EQ(s->files.size(), paths.size());
    for (const FileSummary& f : s->files) {
      EXPECT_EQ(f.lines, 30'003) << f.path;
      EXPECT_EQ(f.rejected, 3) << f.path;
      EXPECT_EQ(f.end_position, static_cast<int64_t>(complete.size())) << f.path;
      EXPECT_TRUE(f.unterminated_tail) << f.path;
    }
    ASSERT_EQ(s->first_rejects.size(), 3 * paths.size());
    EXPECT_EQ(s->first_rejects[0].line, 1);
    EXPECT_EQ(s->first_rejects[1].line, 10'000);
    EXPECT_EQ(s->first_rejects[1].code, "line_too_long");
    EXPECT_EQ(s->first_rejects[2].line, 20'001);
  }
  EXPECT_EQ(Stored(), truth.routes);
  // The group stores what the two files read one at a time store.
  auto one_by_one = store::OpenStore(dir_.File("one.db"), {});
  ASSERT_OK(one_by_one);
  ASSERT_OK(Import({dir_.File("access.log.gz")}, false, false, one_by_one->get(), 1));
  ASSERT_OK(Import({dir_.File("other.log.gz")}, false, false, one_by_one->get(), 1));
  ExpectSameRows(MergedRows(group_store->get()), MergedRows(one_by_one->get()));
}

// --strict over a gzip file: one rejected line stores nothing.
TEST_F(ImporterTest, StrictGzipWithOneBadLineStoresNothing) {
  Truth truth = Generate(20'000);
  WriteGzip(dir_.File("access.log.gz"), truth.text + "junk\n");
  auto s = Import({dir_.File("access.log.gz")}, /*strict=*/true, false, nullptr, 2);
  ASSERT_OK(s);
  EXPECT_FALSE(s->committed);
  EXPECT_EQ(s->rejected, 1);
  EXPECT_TRUE(Stored().empty());
}

// A parallel scan continues from the stored position: appended lines only, true line numbers.
TEST_F(ImporterTest, ParallelScanContinuesFromTheStoredPosition) {
  Truth first = Generate(10'000, 1);
  Truth second = Generate(10'000, 2);
  WriteFile(dir_.File("access.log"), first.text);
  ASSERT_OK(Import({dir_.File("access.log")}, false, false, nullptr, 2, 0));
  WriteFile(dir_.File("access.log"), second.text + "junk\n", /*append=*/true);
  auto s = Import({dir_.File("access.log")}, false, false, nullptr, 2, 0);
  ASSERT_OK(s);
  EXPECT_EQ(s->lines, 10'001);
  ASSERT_EQ(s->first_rejects.size(), 1u);
  EXPECT_EQ(s->first_rejects[0].line, 20'001);
  EXPECT_EQ(Stored(), Add(first.routes, second.routes));
}

// --strict with a rejected line in the second thread's part stores nothing at all.
TEST_F(ImporterTest, ParallelStrictImportWithOneBadLineStoresNothing) {
  Truth truth = Generate(20'000);
  WriteFile(dir_.File("access.log"), truth.text + "junk\n");
  auto s = Import({dir_.File("access.log")}, /*strict=*/true, false, nullptr, 2, 0);
  ASSERT_OK(s);
  EXPECT_FALSE(s->committed);
  EXPECT_TRUE(Stored().empty());
}

// Compressed input (inflated with ISA-L): concatenated members read one after the other, as
// `cat a.gz b.gz > c.gz` makes; bytes after the last member that are no gzip header are
// ignored (gzip -d warns, zlib ignores); a truncated or corrupt stream is an error naming the
// file, and nothing of it is stored.
TEST_F(ImporterTest, GzipMembersTrailingBytesAndDamage) {
  Truth first = Generate(3'000, 1);
  Truth second = Generate(3'000, 2);
  WriteGzip(dir_.File("a.gz"), first.text);
  WriteGzip(dir_.File("b.gz"), second.text);
  std::ifstream a(dir_.File("a.gz"), std::ios::binary), b(dir_.File("b.gz"), std::ios::binary);
  std::stringstream joined;
  joined << a.rdbuf() << b.rdbuf();
  const std::string both = joined.str();
  WriteFile(dir_.File("both.log.gz"), both + std::string(10, '\0'));
  auto s = Import({dir_.File("both.log.gz")});
  ASSERT_OK(s);
  EXPECT_EQ(s->lines, 6'000);
  EXPECT_TRUE(s->files[0].compressed);
  EXPECT_EQ(s->files[0].end_position, static_cast<int64_t>(first.text.size() + second.text.size()));
  EXPECT_EQ(Stored(), Add(first.routes, second.routes));

  auto other = store::OpenStore(dir_.File("damaged.db"), {});
  ASSERT_OK(other);
  WriteFile(dir_.File("cut.log.gz"), both.substr(0, both.size() / 3));
  auto cut = Import({dir_.File("cut.log.gz")}, false, false, other->get());
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(std::string(cut.status().message()), ::testing::HasSubstr("cut.log.gz"));
  EXPECT_THAT(std::string(cut.status().message()), ::testing::HasSubstr("truncated"));
  std::string corrupt = both;
  for (size_t i = 100; i < 400; ++i) {
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  }
  WriteFile(dir_.File("bad.log.gz"), corrupt);
  auto bad = Import({dir_.File("bad.log.gz")}, false, false, other->get());
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("corrupt gzip"));
  int64_t rows = 0;
  ASSERT_OK((*other)->ScanRollups({}, [&rows](model::Rollup&&) {
    ++rows;
    return OkStatus();
  }));
  EXPECT_EQ(rows, 0);
}

// Several files at once (a rotated set: compressed and plain, overlapping minutes) store what
// reading them one import at a time stores, and each file's summary is its own.
TEST_F(ImporterTest, FilesReadAtOnceEqualFilesReadOneAtATime) {
  std::vector<std::string> paths;
  TotalsByRoute expected;
  std::vector<int64_t> sizes;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    Truth t = Generate(1'500 + 500 * static_cast<int64_t>(seed), seed);
    const bool gz = seed % 2 == 0;
    const std::string path = dir_.File("access.log." + std::to_string(seed) + (gz ? ".gz" : ""));
    if (gz) {
      WriteGzip(path, t.text);
    } else {
      WriteFile(path, t.text);
    }
    paths.push_back(path);
    expected = Add(expected, t.routes);
    sizes.push_back(static_cast<int64_t>(t.text.size()));
  }
  auto together = Import(paths, false, false, nullptr, /*threads=*/2);
  ASSERT_OK(together);
  EXPECT_EQ(Stored(), expected);
  ASSERT_EQ(together->files.size(), paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(together->files[i].path, paths[i]);  // in the order given
    EXPECT_EQ(together->files[i].lines, 2'000 + 500 * static_cast<int64_t>(i));
    EXPECT_EQ(together->files[i].end_position, sizes[i]);
  }

  auto one_by_one = store::OpenStore(dir_.File("one.db"), {});
  ASSERT_OK(one_by_one);
  for (const std::string& path : paths) {
    ASSERT_OK(Import({path}, false, false, one_by_one->get(), 2));
  }
  ExpectSameRows(MergedRows(store_.get()), MergedRows(one_by_one->get()));

  // Read again, together: nothing new.
  auto again = Import(paths, false, false, nullptr, 2);
  ASSERT_OK(again);
  EXPECT_EQ(again->lines, 0);
  EXPECT_EQ(Stored(), expected);
}

// More files than one group holds, an empty one among them and one given twice: several
// groups, the summary in the order given, each file counted once.
TEST_F(ImporterTest, ManySmallFilesInSeveralGroups) {
  std::vector<std::string> paths;
  TotalsByRoute expected;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    Truth t = Generate(60, seed);
    const std::string path = dir_.File("part." + std::to_string(seed) + ".gz");
    WriteGzip(path, t.text);
    paths.push_back(path);
    expected = Add(expected, t.routes);
  }
  WriteFile(dir_.File("empty.log"), "");
  paths.insert(paths.begin() + 20, dir_.File("empty.log"));
  paths.push_back(paths[3]);
  auto s = Import(paths, false, false, nullptr, 2);
  ASSERT_OK(s);
  ASSERT_EQ(s->files.size(), 42u);
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(s->files[i].path, paths[i]);
    EXPECT_EQ(s->files[i].lines, i == 20 || i == 41 ? 0 : 60) << paths[i];
  }
  EXPECT_NE(s->files[20].note.find("empty"), std::string::npos);
  EXPECT_EQ(s->lines, 40 * 60);
  EXPECT_EQ(Stored(), expected);
}

// A file given twice, or a log and its compressed copy, in one invocation: counted once, as
// when imported one after the other.
TEST_F(ImporterTest, FileAndItsCopyInOneInvocationCountOnce) {
  Truth truth = Generate(2'000);
  WriteFile(dir_.File("access.log.1"), truth.text);
  WriteGzip(dir_.File("access.log.1.gz"), truth.text);
  auto s =
      Import({dir_.File("access.log.1"), dir_.File("access.log.1.gz"), dir_.File("access.log.1")});
  ASSERT_OK(s);
  EXPECT_EQ(s->lines, 2'000);
  ASSERT_EQ(s->files.size(), 3u);
  EXPECT_EQ(s->files[0].lines, 2'000);
  EXPECT_EQ(s->files[1].lines, 0);
  EXPECT_EQ(s->files[2].lines, 0);
  EXPECT_EQ(Stored(), truth.routes);
}

// Two files that continue one stored file (the same first lines, then different ones) read in
// one group both claim its position: the group is rolled back and read one file at a time, so
// the first continues the stored file and the second, no longer matching it, is read as new.
TEST_F(ImporterTest, TwoFilesContinuingOneStoredFileAreReadOneAtATime) {
  Truth head = Generate(100, 1);
  Truth more_a = Generate(50, 2);
  Truth more_b = Generate(30, 3);
  WriteFile(dir_.File("small.log"), head.text);
  ASSERT_OK(Import({dir_.File("small.log")}));
  WriteFile(dir_.File("a.log"), head.text + more_a.text);
  WriteFile(dir_.File("b.log"), head.text + more_b.text);
  auto s = Import({dir_.File("a.log"), dir_.File("b.log")}, false, false, nullptr, 2);
  ASSERT_OK(s);
  ASSERT_EQ(s->files.size(), 2u);
  EXPECT_EQ(s->files[0].lines, 50);   // a.log continues small.log
  EXPECT_EQ(s->files[1].lines, 130);  // b.log is new: its head counts again
  EXPECT_EQ(s->files[1].start_position, 0);
  EXPECT_EQ(Stored(), Add(Add(Add(head.routes, more_a.routes), head.routes), more_b.routes));
}

// A damaged file among files read at once: the files before it are stored, it and the files
// after it are not, and the error names it; once repaired, a second run reads exactly the rest.
TEST_F(ImporterTest, DamagedFileAmongFilesReadAtOnceKeepsTheFilesBeforeIt) {
  Truth a = Generate(2'000, 1);
  Truth b = Generate(2'000, 2);
  Truth c = Generate(2'000, 3);
  WriteGzip(dir_.File("a.log.gz"), a.text);
  WriteGzip(dir_.File("b.log.gz"), b.text);
  WriteGzip(dir_.File("c.log.gz"), c.text);
  const std::string good_b = ReadBytes(dir_.File("b.log.gz"));
  WriteFile(dir_.File("b.log.gz"), good_b.substr(0, good_b.size() / 2));
  const std::vector<std::string> paths = {dir_.File("a.log.gz"), dir_.File("b.log.gz"),
                                          dir_.File("c.log.gz")};
  auto s = Import(paths, false, false, nullptr, 2);
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find("b.log.gz"), std::string::npos) << s.status().message();
  EXPECT_EQ(Stored(), a.routes);

  WriteFile(dir_.File("b.log.gz"), good_b);
  auto repaired = Import(paths, false, false, nullptr, 2);
  ASSERT_OK(repaired);
  EXPECT_EQ(repaired->files[0].lines, 0);
  EXPECT_EQ(repaired->lines, 4'000);
  EXPECT_EQ(Stored(), Add(Add(a.routes, b.routes), c.routes));
}

// A gzip file damaged within its first 64 KiB (it fails while its identity is read) after a
// good one and before another: the good one before it is stored, the error names it.
TEST_F(ImporterTest, FileThatCannotBeIdentifiedKeepsTheFilesBeforeIt) {
  Truth a = Generate(2'000, 1);
  Truth b = Generate(2'000, 2);
  WriteGzip(dir_.File("a.log.gz"), a.text);
  WriteGzip(dir_.File("b.log.gz"), b.text);
  WriteGzip(dir_.File("c.log.gz"), Generate(2'000, 3).text);
  const std::string bytes = ReadBytes(dir_.File("b.log.gz"));
  WriteFile(dir_.File("b.log.gz"), bytes.substr(0, 2'000));  // ~10 KB of log, cut mid-stream
  auto s = Import({dir_.File("a.log.gz"), dir_.File("b.log.gz"), dir_.File("c.log.gz")}, false,
                  false, nullptr, 2);
  EXPECT_EQ(s.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(s.status().message().find("b.log.gz"), std::string::npos) << s.status().message();
  EXPECT_EQ(Stored(), a.routes);
}

// Two files of one group continuing one stored file, one with nothing new (only an unterminated
// last line): both compare-and-sets would succeed, so the group is read one file at a time,
// and stores what one import after the other stores.
TEST_F(ImporterTest, GroupOfTwoFilesContinuingOneStoredFileOneWithNothingNew) {
  Truth head = Generate(100, 1);
  Truth more = Generate(40, 2);
  const std::string partial = Generate(1, 3).lines[0].substr(0, 30);
  auto sequential = store::OpenStore(dir_.File("seq.db"), {});
  ASSERT_OK(sequential);
  WriteFile(dir_.File("small.log"), head.text);
  WriteFile(dir_.File("a.log"), head.text + partial);
  WriteFile(dir_.File("b.log"), head.text + more.text);
  for (store::Store* store : {store_.get(), sequential->get()}) {
    ASSERT_OK(Import({dir_.File("small.log")}, false, false, store, 2));
  }
  auto together = Import({dir_.File("a.log"), dir_.File("b.log")}, false, false, nullptr, 2);
  ASSERT_OK(together);
  auto first = Import({dir_.File("a.log")}, false, false, sequential->get(), 2);
  ASSERT_OK(first);
  auto second = Import({dir_.File("b.log")}, false, false, sequential->get(), 2);
  ASSERT_OK(second);
  ASSERT_EQ(together->files.size(), 2u);
  EXPECT_EQ(together->files[0].lines, first->files[0].lines);
  EXPECT_EQ(together->files[1].lines, second->files[0].lines);
  EXPECT_EQ(together->files[1].start_position, second->files[0].start_position);
  ExpectSameRows(MergedRows(store_.get()), MergedRows(sequential->get()));
}

// The writer fails in the middle of a group while the scanning threads wait on its full
// queue: they stop, the group rolls back, and its files are read again one at a time — each
// stored exactly once.
TEST_F(ImporterTest, WriterFailingMidGroupRollsBackAndReadsTheFilesOneAtATime) {
  std::vector<std::string> paths;
  TotalsByRoute expected;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    // Sparse traffic (a minute per ~10 requests): many rollups, so the queue fills.
    demo::AccessLogOptions o;
    o.seed = seed;
    o.lines = 20'000;
    o.span = Duration::Days(2);
    const std::string path = dir_.File("sparse." + std::to_string(seed) + ".log.gz");
    std::string text;
    EXPECT_OK(
        demo::WriteSampleAccessLog(o, dir_.File("tmp.log"), [&](const demo::SampleRequest& r) {
          Totals& x =
              expected[r.method.empty() ? std::string(model::kInvalidRequestRoute)
                                        : std::string(r.method) + " " + std::string(r.route)];
          ++x.count;
          x.bad += r.status >= 500 ? 1 : 0;
          x.client_errors += r.status >= 400 && r.status < 500 ? 1 : 0;
          ++x.latency_count;
          text += std::string(r.line) + "\n";
        }));
    WriteGzip(path, text);
    paths.push_back(path);
  }
  FailingStore failing(store_.get(), /*fail_at=*/3);
  auto s = Import(paths, false, false, &failing, 2);
  ASSERT_OK(s);
  EXPECT_GT(failing.merges(), 3);
  EXPECT_EQ(s->lines, 80'000);
  for (const FileSummary& f : s->files) {
    EXPECT_EQ(f.lines, 20'000) << f.path;
  }
  EXPECT_EQ(Stored(), expected);

  // Failing for good from the third merge on: the group, then the first file alone fail, and
  // the error is the store's; nothing is stored.
  auto other = store::OpenStore(dir_.File("other.db"), {});
  ASSERT_OK(other);
  FailingStore always(other->get(), /*fail_at=*/3, /*for_good=*/true);
  auto failed = Import(paths, false, false, &always, 2);
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  int64_t rows = 0;
  ASSERT_OK(other->get()->ScanRollups({}, [&rows](model::Rollup&&) {
    ++rows;
    return OkStatus();
  }));
  EXPECT_EQ(rows, 0);
}

// --strict over files read at once: one rejected line in the last file stores nothing.
TEST_F(ImporterTest, StrictOverFilesReadAtOnceStoresNothing) {
  Truth a = Generate(3'000, 1);
  Truth b = Generate(3'000, 2);
  WriteGzip(dir_.File("a.log.gz"), a.text);
  WriteFile(dir_.File("b.log"), b.text + "junk\n");
  auto s = Import({dir_.File("a.log.gz"), dir_.File("b.log")}, /*strict=*/true, false, nullptr, 2);
  ASSERT_OK(s);
  EXPECT_FALSE(s->committed);
  EXPECT_EQ(s->rejected, 1);
  ASSERT_EQ(s->first_rejects.size(), 1u);
  EXPECT_EQ(s->first_rejects[0].file, dir_.File("b.log"));
  EXPECT_EQ(s->first_rejects[0].line, 3'001);
  EXPECT_TRUE(Stored().empty());
}

}  // namespace
}  // namespace vigil::importer
