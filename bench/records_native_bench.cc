// Native record parser kernels: ParseNativeRecords over 100 000 generated incidents, as NDJSON
// and as CSV, each record with the fields a real export fills (ids, number, title, severity,
// service, team, area, four times with offsets, detection source, cause release, paths,
// alerts, status). Inputs come from a fixed seed; every record is accepted and the count is
// checked before timing and after each parse (STYLE §7). Reports records/s and bytes/s.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include "vigil/core/time.h"
#include "vigil/ingest/records_native.h"

namespace {

using vigil::core::Duration;
using vigil::core::FormatRfc3339;
using vigil::core::Timestamp;
using vigil::ingest::ParsedRecords;
using vigil::ingest::ParseNativeRecords;
using vigil::ingest::RecordFile;
using vigil::ingest::RecordInputFormat;
using vigil::model::RecordKind;

constexpr int kRecords = 100'000;
constexpr Timestamp kStart = Timestamp::FromUnixMillis(1'718'027'736'000);  // 2024-06-10

void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "records_native_bench: wrong result: %s\n", what);
    std::abort();
  }
}

void AppendNumber(std::string* out, uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

// One incident's values, as text.
struct Fields {
  std::string id, number, title, severity, service, team, area, created, detected, started,
      resolved, source, cause_release, path1, path2, alert;
};

Fields MakeFields(std::mt19937_64& rng, int i) {
  constexpr std::string_view kSeverities[] = {"critical", "significant", "minor"};
  constexpr std::string_view kSources[] = {"alert", "monitoring", "customer", "qa"};
  Fields f;
  f.id += "P";
  AppendNumber(&f.id, 0x10000000U + static_cast<uint64_t>(i) * 7919U);
  AppendNumber(&f.number, static_cast<uint64_t>(i) + 1);
  f.title += "Checkout errors on service ";
  const uint64_t svc = rng() % 40;
  AppendNumber(&f.title, svc);
  f.severity = kSeverities[rng() % 3];
  f.service += "svc-";
  AppendNumber(&f.service, svc);
  f.team += "team-";
  AppendNumber(&f.team, svc % 8);
  f.area += "area-";
  AppendNumber(&f.area, rng() % 20);
  const Timestamp created = kStart + Duration::Minutes(i);
  f.created = FormatRfc3339(created);
  f.detected = FormatRfc3339(created + Duration::Millis(static_cast<int64_t>(rng() % 60'000)));
  f.started = FormatRfc3339(created - Duration::Seconds(static_cast<int64_t>(rng() % 3600)));
  f.resolved =
      FormatRfc3339(created + Duration::Seconds(3600 + static_cast<int64_t>(rng() % 7200)));
  f.source = kSources[rng() % 4];
  f.cause_release = f.service;
  f.cause_release += "@2.4.";
  AppendNumber(&f.cause_release, rng() % 50);
  f.path1 += "src/";
  f.path1 += f.area;
  f.path2 = f.path1;
  f.path1 += "/handler.cc";
  f.path2 += "/model.cc";
  f.alert += "fp-";
  AppendNumber(&f.alert, rng());
  return f;
}

std::string MakeNdjson() {
  std::mt19937_64 rng(42);
  std::string out;
  out.reserve(static_cast<size_t>(kRecords) * 520);
  for (int i = 0; i < kRecords; ++i) {
    const Fields f = MakeFields(rng, i);
    auto kv = [&out](std::string_view key, std::string_view value, bool first = false) {
      out += first ? "{\"" : ",\"";
      out += key;
      out += "\":\"";
      out += value;
      out += '"';
    };
    kv("id", f.id, true);
    out += ",\"number\":";
    out += f.number;
    kv("title", f.title);
    kv("severity", f.severity);
    kv("service", f.service);
    kv("team", f.team);
    kv("area", f.area);
    kv("environment", "production");
    kv("created_at", f.created);
    kv("detected_at", f.detected);
    kv("started_at", f.started);
    kv("resolved_at", f.resolved);
    kv("detection_source", f.source);
    kv("cause_release", f.cause_release);
    kv("escape_phase", "integration");
    out += ",\"paths\":[\"";
    out += f.path1;
    out += "\",\"";
    out += f.path2;
    out += "\"],\"alerts\":[\"";
    out += f.alert;
    out += "\"],\"merged\":false";
    kv("status", "resolved");
    out += "}\n";
  }
  return out;
}

std::string MakeCsv() {
  std::mt19937_64 rng(42);
  std::string out =
      "id,number,title,severity,service,team,area,environment,created_at,detected_at,"
      "started_at,resolved_at,detection_source,cause_release,escape_phase,paths,alerts,merged,"
      "status\n";
  out.reserve(static_cast<size_t>(kRecords) * 400);
  for (int i = 0; i < kRecords; ++i) {
    const Fields f = MakeFields(rng, i);
    for (const std::string_view v :
         {std::string_view(f.id), std::string_view(f.number), std::string_view(f.title),
          std::string_view(f.severity), std::string_view(f.service), std::string_view(f.team),
          std::string_view(f.area), std::string_view("production"), std::string_view(f.created),
          std::string_view(f.detected), std::string_view(f.started), std::string_view(f.resolved),
          std::string_view(f.source), std::string_view(f.cause_release),
          std::string_view("integration")}) {
      out += v;
      out += ',';
    }
    out += f.path1;
    out += ';';
    out += f.path2;
    out += ',';
    out += f.alert;
    out += ",false,resolved\n";
  }
  return out;
}

void Check(const ParsedRecords& got) {
  Require(got.batch.incidents.size() == static_cast<size_t>(kRecords), "accepted count");
  Require(got.rejected == 0 && got.issues.empty(), "no issues");
}

void Run(benchmark::State& state, const std::string& data, std::string_view name,
         RecordInputFormat format) {
  const RecordFile file{std::string(name), data};
  Check(ParseNativeRecords(RecordKind::kIncident, file, format));
  for (auto _ : state) {
    ParsedRecords got = ParseNativeRecords(RecordKind::kIncident, file, format);
    Require(got.batch.incidents.size() == static_cast<size_t>(kRecords), "accepted count");
    benchmark::DoNotOptimize(got);
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(data.size()));
}

void BM_NativeIncidentsNdjson(benchmark::State& state) {
  static const std::string data = MakeNdjson();
  Run(state, data, "incidents.ndjson", RecordInputFormat::kNdjson);
}
BENCHMARK(BM_NativeIncidentsNdjson)->Unit(benchmark::kMillisecond);

void BM_NativeIncidentsCsv(benchmark::State& state) {
  static const std::string data = MakeCsv();
  Run(state, data, "incidents.csv", RecordInputFormat::kCsv);
}
BENCHMARK(BM_NativeIncidentsCsv)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
