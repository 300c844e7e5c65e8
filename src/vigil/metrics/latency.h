// The latency table (DESIGN §2 metric 2, with metric 1's counts): per journey and per
// automatic route, request counts, 5xx, 4xx, error rate and p50/p95/p99/p99.9 from merged
// sketches. A pure function over a store scan.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/core/time.h"
#include "vigil/model/rollup.h"
#include "vigil/store/store.h"

namespace vigil::metrics {

struct LatencyQuery {
  std::optional<std::string> service;
  std::optional<std::string> journey;   // a journey or route name
  std::optional<core::Timestamp> from;  // [from, to); unset = all stored data
  std::optional<core::Timestamp> to;
  bool by_version = false;  // one row per version as sent
};

struct LatencyRow {
  std::string service;
  std::string environment;
  model::SeriesKind kind = model::SeriesKind::kRoute;
  std::string name;
  std::string version;  // only with by_version
  int64_t count = 0;
  int64_t bad = 0;
  int64_t client_errors = 0;
  int64_t latency_count = 0;         // requests with a latency (the sketch's count)
  std::optional<double> error_rate;  // bad / count; nullopt when count is 0
  // Nearest-rank percentiles in milliseconds, within the store's relative accuracy; nullopt
  // when no request of the row had a latency ("no data").
  std::optional<double> p50_ms, p95_ms, p99_ms, p999_ms;
  // True when downsampled hour sketches that reach outside [from, to) were merged: the
  // percentiles then cover the window widened to whole hours (counts stay exact).
  bool window_widened = false;
};

// Rows ordered by service, then journeys (config order is not known here: by name), then
// automatic routes by count, descending.
Result<std::vector<LatencyRow>> LatencyTable(store::Store& store, const LatencyQuery& query);

}  // namespace vigil::metrics
