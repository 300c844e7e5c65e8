#include "vigil/metrics/latency.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace vigil::metrics {
namespace {

struct Acc {
  LatencyRow row;
  sketch::Sketch sketch;
};

std::optional<double> QuantileMs(const sketch::Sketch& s, double q) {
  std::optional<double> us = s.Quantile(q);
  if (!us) {
    return std::nullopt;
  }
  return *us / 1000.0;
}

}  // namespace

Result<std::vector<LatencyRow>> LatencyTable(store::Store& store, const LatencyQuery& query) {
  store::RollupQuery rq;
  rq.service = query.service;
  rq.from = query.from;
  rq.to = query.to;
  const double accuracy = store.info().sketch_relative_accuracy;
  using Key = std::tuple<std::string, std::string, int, std::string, std::string>;
  std::map<Key, Acc> acc;
  VIGIL_RETURN_IF_ERROR(store.ScanRollups(rq, [&](model::Rollup&& r) -> Status {
    if (query.journey && r.series.name != *query.journey) {
      return OkStatus();
    }
    Key key{r.series.service, r.series.environment, static_cast<int>(r.series.kind), r.series.name,
            query.by_version ? r.series.version : std::string()};
    auto it = acc.find(key);
    if (it == acc.end()) {
      Acc a{LatencyRow{}, sketch::Sketch(accuracy)};
      a.row.service = r.series.service;
      a.row.environment = r.series.environment;
      a.row.kind = r.series.kind;
      a.row.name = r.series.name;
      a.row.version = std::get<4>(key);
      it = acc.emplace(std::move(key), std::move(a)).first;
    }
    // Counters live in minute rows only; hour rows carry downsampled sketches.
    if (r.resolution == model::Resolution::kMinute) {
      it->second.row.count += r.count;
      it->second.row.bad += r.bad;
      it->second.row.client_errors += r.client_errors;
    } else if (!r.latency.empty() &&
               ((query.from && r.bucket_start < *query.from) ||
                (query.to && r.bucket_start + model::ResolutionWidth(r.resolution) > *query.to))) {
      it->second.row.window_widened = true;
    }
    return it->second.sketch.Merge(r.latency);
  }));
  std::vector<LatencyRow> rows;
  rows.reserve(acc.size());
  for (auto& [key, a] : acc) {
    LatencyRow& row = a.row;
    if (row.count > 0) {
      row.error_rate = static_cast<double>(row.bad) / static_cast<double>(row.count);
    }
    row.latency_count = static_cast<int64_t>(a.sketch.count());
    row.p50_ms = QuantileMs(a.sketch, 0.50);
    row.p95_ms = QuantileMs(a.sketch, 0.95);
    row.p99_ms = QuantileMs(a.sketch, 0.99);
    row.p999_ms = QuantileMs(a.sketch, 0.999);
    rows.push_back(std::move(row));
  }
  std::sort(rows.begin(), rows.end(), [](const LatencyRow& a, const LatencyRow& b) {
    if (a.service != b.service) {
      return a.service < b.service;
    }
    if (a.kind != b.kind) {
      return a.kind < b.kind;
    }
    if (a.kind == model::SeriesKind::kJourney) {
      return std::tie(a.name, a.version) < std::tie(b.name, b.version);
    }
    if (a.count != b.count) {
      return a.count > b.count;
    }
    return std::tie(a.name, a.version) < std::tie(b.name, b.version);
  });
  return rows;
}

}  // namespace vigil::metrics
