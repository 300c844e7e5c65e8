// Request rollups (DESIGN §3): the per-series, per-bucket aggregates that stand for raw requests,
// which are never stored. Plain values; no I/O. Thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/hash.h"
#include "vigil/core/time.h"
#include "vigil/sketch/sketch.h"

namespace vigil::model {

// What a series' name is: a configured journey, or an automatic route ("GET /api/items/:id",
// plus the reserved routes below).
enum class SeriesKind : uint8_t { kJourney = 0, kRoute = 1 };

// Reserved automatic-route names: requests past the route cap, and junk request lines
// (TLS handshakes, HTTP/0.9, garbage) that servers still answer with a status.
inline constexpr std::string_view kOtherRoute = "other";
inline constexpr std::string_view kInvalidRequestRoute = "invalid request";

std::string_view SeriesKindName(SeriesKind kind);  // "journey" / "route"

// The identity of a series: every rollup row of it shares this key.
struct SeriesKey {
  std::string service;
  std::string environment;  // "" when not configured
  SeriesKind kind = SeriesKind::kRoute;
  std::string name;     // journey name, or "METHOD /path/:id", or a reserved route name
  std::string version;  // as sent; "" for most access logs

  auto operator<=>(const SeriesKey&) const = default;
};

// For unordered containers of series keys (the write path looks one up per rollup).
struct SeriesKeyHash {
  size_t operator()(const SeriesKey& k) const {
    uint64_t h = core::HashBytes(k.service, static_cast<uint64_t>(k.kind));
    h = core::HashBytes(k.environment, h);
    h = core::HashBytes(k.name, h);
    return static_cast<size_t>(core::HashBytes(k.version, h));
  }
};

// Bucket widths. Minute rows carry counters (kept for the whole retention) and a sketch until
// it is downsampled; hour rows carry a sketch only (DESIGN §3).
enum class Resolution : uint8_t { kMinute = 0, kHour = 1 };
core::Duration ResolutionWidth(Resolution r);

// One bucket of one series, as one writer (node) aggregated it.
struct Rollup {
  SeriesKey series;
  Resolution resolution = Resolution::kMinute;
  core::Timestamp bucket_start;
  int64_t count = 0;          // requests
  int64_t bad = 0;            // 5xx (or span error)
  int64_t client_errors = 0;  // 4xx
  // The latency-SLO thresholds (ascending, distinct) whose counts this row covers, and for
  // each, the requests with a latency strictly above it. Requests without a latency count in
  // `count` but neither here nor in the sketch.
  std::vector<core::LatencyUs> thresholds;
  std::vector<int64_t> over;
  sketch::Sketch latency;

  // Adds `other` (same series, resolution and bucket) into this row: counters add, sketches
  // merge, thresholds become the intersection of both sets (DESIGN §3). Error when the sketches'
  // accuracies differ.
  Status MergeFrom(const Rollup& other);
};

}  // namespace vigil::model
