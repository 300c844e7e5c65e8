// RollupBuilder: turns requests into per-series, per-minute rollups (DESIGN §3, §6). Pure: it
// knows no store and no file; the importer hands it a config, a route-registry snapshot and
// requests, and takes completed minutes from it.
//
// Thread-compatible: one builder per thread; builders share nothing and their outputs merge.
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vigil/config/config.h"
#include "vigil/core/hash.h"
#include "vigil/core/time.h"
#include "vigil/ingest/routes.h"
#include "vigil/model/rollup.h"
#include "vigil/model/routes.h"

namespace vigil::ingest {

// One request as every telemetry parser hands it over. Views are only read during Add().
struct Request {
  core::Timestamp time;
  std::string_view service;      // "" → the config's default_service, else "default"
  std::string_view environment;  // "" → the configured environment of the service
  std::string_view method;
  std::string_view target;  // path, possibly with a query
  // A route template the source already knows (OTLP http.route, an event's "route"): journeys
  // match it instead of the path, and it names the automatic route as given (no ":id" rewrite).
  std::string_view route;
  std::string_view version;
  int status = 0;
  std::optional<core::LatencyUs> latency;  // nullopt: counted, no latency data
  bool malformed_request = false;          // junk request line: counted under "invalid request"
};

struct BuilderOptions {
  double sketch_relative_accuracy = 0.01;  // the store's
  // Requests before this instant (a whole hour: the store's downsampling age) put their latency
  // straight into their hour's sketch, a kHour rollup with no counters; their minute rollups
  // keep the counters and an empty sketch. What the downsampler would fold them into, without
  // a sketch per minute first. Default: never.
  core::Timestamp fold_sketches_before = core::Timestamp::FromUnixMillis(INT64_MIN);
};

// The service of requests that name none and of configs without default_service.
inline constexpr std::string_view kDefaultServiceName = "default";

struct BuilderStats {
  int64_t requests = 0;
  int64_t late = 0;  // older than the reorder horizon when they arrived (merged, not dropped)
  int64_t invalid_requests = 0;
  int64_t over_cap = 0;  // requests re-keyed to "other" because of the route cap
};

class RollupBuilder {
 public:
  // `config` must outlive the builder. `routes` is copied.
  RollupBuilder(const config::Config& config, const model::RouteSnapshot& routes,
                BuilderOptions options);

  void Add(const Request& request);

  // Rollups of minutes that ended before the watermark (the latest request time seen) minus
  // the reorder horizon, in no particular order; they leave the builder.
  std::vector<model::Rollup> TakeCompleted();
  // How many completed rollups TakeCompleted would return now.
  size_t completed_count() const { return completed_.size(); }
  // Every remaining rollup; the builder is empty afterwards (routes and stats are kept).
  std::vector<model::Rollup> TakeAll();

  // Automatic routes this builder created that were not in its snapshot: (service, route), in
  // order of first appearance. At most cap − snapshot count per service.
  const std::vector<std::pair<std::string, std::string>>& new_routes() const { return new_routes_; }
  const BuilderStats& stats() const { return stats_; }

 private:
  struct CompiledJourney {
    std::string name;
    std::vector<std::string> methods;  // empty = any
    RoutePattern pattern;
  };
  struct ServiceState;
  struct Slot {
    int64_t minute_ms = 0;  // the start of its minute (of its hour, for an hour slot)
    model::Rollup rollup;
  };
  struct SeriesState {
    model::SeriesKey key;
    const ServiceState* service = nullptr;
    std::vector<Slot> slots;       // open minutes, few (within the reorder horizon)
    std::vector<Slot> hour_slots;  // open hour sketches of folded requests (by hour start)
  };
  // The series an automatic route name of a plain request (the service's own environment, no
  // version) goes to, so a path seen for the first time costs one lookup after its naming.
  struct RouteTarget {
    SeriesState* series = nullptr;
    bool over_cap = false;
  };
  // Route name → target, open addressing with linear probing (power-of-two slots, at most
  // half full, never shrinks): one probe, no modulo, the key compared only on a hash match.
  class RouteTargets {
   public:
    RouteTarget* Find(std::string_view name, uint64_t hash);
    void Insert(std::string_view name, uint64_t hash, RouteTarget target);
    void clear();

   private:
    struct Entry {
      uint64_t hash = 0;
      std::string name;
      RouteTarget target;  // target.series == nullptr: a free slot
    };
    std::vector<Entry> slots_;
    size_t size_ = 0;
  };
  struct ServiceState {
    std::string name;
    std::string environment;
    std::vector<CompiledJourney> journeys;
    std::vector<core::LatencyUs> thresholds;
    std::unordered_set<std::string, core::StringHash, std::equal_to<>> known_routes;
    int64_t new_route_budget = 0;
    RouteTargets route_targets;
  };

  // A recently seen (service, method, path) of a plain request and the series it went to:
  // requests repeat their paths, so most skip journey matching, route naming and the series
  // lookup. Paths with an id segment rarely repeat and are not cached (they would only evict
  // the ones that do). An entry is one cache line, its key inline.
  static constexpr size_t kCachedKeyBytes = 38;
  struct alignas(64) CachedRoute {
    uint64_t hash = 0;
    const ServiceState* service = nullptr;
    SeriesState* series = nullptr;  // nullptr: empty
    uint8_t key_size = 0;
    bool over_cap = false;
    char key[kCachedKeyBytes];  // method, ' ', path
  };
  static constexpr size_t kRouteCacheSize = 512;  // a power of two: 32 KiB, fits L1
  // Sketch bucket of a latency without a log() per request: whole milliseconds below 2^16 ms
  // (what access logs hold) are looked up, filled on first use; other values are computed.
  static constexpr int64_t kBucketTableMs = int64_t{1} << 16;
  static constexpr int32_t kUnfilled = INT32_MIN;
  int32_t BucketOf(const sketch::Sketch& sketch, int64_t us);

  ServiceState& Service(std::string_view name);
  SeriesState& Series(const ServiceState& service, std::string_view environment,
                      model::SeriesKind kind, std::string_view name, std::string_view version);
  // The journey or automatic route of a valid request (counting it over the cap if so);
  // *has_id (when asked) says whether the path has an id segment.
  SeriesState& Route(ServiceState& service, std::string_view environment, const Request& request,
                     std::string_view path, bool* over_cap, bool* has_id);
  // The open minute (or hour) slot of `series` starting at start_ms, made if needed.
  Slot& SlotFor(SeriesState& series, model::Resolution resolution, int64_t start_ms);
  void FlushBefore(int64_t cutoff_ms, std::vector<model::Rollup>* out);

  const config::Config& config_;
  BuilderOptions options_;
  std::string default_service_;
  core::Duration horizon_;
  sketch::Sketch empty_sketch_;  // what each new minute's sketch starts as
  int64_t fold_before_ms_;       // options_.fold_sketches_before
  int route_cap_;
  std::unordered_map<std::string, ServiceState, core::StringHash, std::equal_to<>> services_;
  std::unordered_map<std::string, std::vector<std::string>> snapshot_;
  ServiceState* last_service_ = nullptr;
  std::unordered_map<std::string, SeriesState, core::StringHash, std::equal_to<>> series_;
  std::vector<std::pair<std::string, std::string>> new_routes_;
  std::vector<model::Rollup> completed_;
  std::optional<int64_t> watermark_ms_;
  int64_t last_flush_cutoff_ms_ = INT64_MIN;
  BuilderStats stats_;
  std::vector<int32_t> bucket_of_ms_;     // kBucketTableMs entries once used
  std::vector<CachedRoute> route_cache_;  // direct-mapped by hash; empty until first used
  std::string route_buf_;                 // reused for automatic route names
  std::string key_buf_;                   // reused for series map keys
};

}  // namespace vigil::ingest
