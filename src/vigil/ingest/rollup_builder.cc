#include "vigil/ingest/rollup_builder.h"

#include <algorithm>
#include <cstring>

namespace vigil::ingest {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;

int64_t FloorMinute(int64_t ms) {
  return core::Timestamp::FromUnixMillis(ms).FloorTo(core::Duration::Minutes(1)).unix_ms();
}

int64_t FloorHour(int64_t ms) {
  return core::Timestamp::FromUnixMillis(ms).FloorTo(core::Duration::Hours(1)).unix_ms();
}

}  // namespace

RollupBuilder::RollupBuilder(const config::Config& config, const model::RouteSnapshot& routes,
                             BuilderOptions options)
    : config_(config),
      options_(std::move(options)),
      default_service_(config.default_service.empty() ? std::string(kDefaultServiceName)
                                                      : config.default_service),
      horizon_(config.ingest.reorder_horizon),
      empty_sketch_(options_.sketch_relative_accuracy),
      fold_before_ms_(options_.fold_sketches_before.unix_ms()),
      route_cap_(config.ingest.route_cap) {
  for (const auto& [service, names] : routes.services) {
    snapshot_[service] = names;
  }
}

RollupBuilder::ServiceState& RollupBuilder::Service(std::string_view name) {
  if (last_service_ != nullptr && last_service_->name == name) {
    return *last_service_;
  }
  auto it = services_.find(name);
  if (it == services_.end()) {
    ServiceState s;
    s.name = std::string(name);
    if (const config::Service* conf = config_.FindService(name); conf != nullptr) {
      s.environment = conf->environment;
      for (const config::Journey& j : conf->journeys) {
        Result<RoutePattern> pattern = RoutePattern::Compile(j.route);
        // The config loader validated every pattern.
        VIGIL_CHECK(pattern.ok(), "journey route pattern passed config validation");
        s.journeys.push_back(CompiledJourney{j.name, j.methods, std::move(pattern).value()});
      }
      s.thresholds = config_.LatencyThresholds(name);
    }
    int64_t registered = 0;
    if (auto snap = snapshot_.find(s.name); snap != snapshot_.end()) {
      s.known_routes.insert(snap->second.begin(), snap->second.end());
      registered = static_cast<int64_t>(snap->second.size());
    }
    s.new_route_budget = std::max<int64_t>(0, route_cap_ - registered);
    it = services_.emplace(s.name, std::move(s)).first;
  }
  last_service_ = &it->second;
  return it->second;
}

RollupBuilder::SeriesState& RollupBuilder::Series(const ServiceState& service,
                                                  std::string_view environment,
                                                  model::SeriesKind kind, std::string_view name,
                                                  std::string_view version) {
  key_buf_.clear();
  key_buf_.append(service.name);
  key_buf_.push_back('\x1f');
  key_buf_.append(environment);
  key_buf_.push_back('\x1f');
  key_buf_.push_back(static_cast<char>('0' + static_cast<int>(kind)));
  key_buf_.push_back('\x1f');
  key_buf_.append(name);
  key_buf_.push_back('\x1f');
  key_buf_.append(version);
  auto it = series_.find(key_buf_);
  if (it == series_.end()) {
    SeriesState s;
    s.key = model::SeriesKey{service.name, std::string(environment), kind, std::string(name),
                             std::string(version)};
    s.service = &service;
    it = series_.emplace(key_buf_, std::move(s)).first;
  }
  return it->second;
}

RollupBuilder::Slot& RollupBuilder::SlotFor(SeriesState& series, model::Resolution resolution,
                                            int64_t start_ms) {
  std::vector<Slot>& slots =
      resolution == model::Resolution::kMinute ? series.slots : series.hour_slots;
  // The current minute (hour) is almost always the last slot.
  for (auto it = slots.rbegin(); it != slots.rend(); ++it) {
    if (it->minute_ms == start_ms) {
      return *it;
    }
  }
  Slot slot;
  slot.minute_ms = start_ms;
  slot.rollup.series = series.key;
  slot.rollup.resolution = resolution;
  slot.rollup.bucket_start = core::Timestamp::FromUnixMillis(start_ms);
  if (resolution == model::Resolution::kMinute) {
    slot.rollup.thresholds = series.service->thresholds;
    slot.rollup.over.assign(slot.rollup.thresholds.size(), 0);
  }                                     // else as the downsampler writes hour rows: the sketch only
  slot.rollup.latency = empty_sketch_;  // a copy: no logarithms per new slot
  slots.push_back(std::move(slot));
  return slots.back();
}

RollupBuilder::SeriesState& RollupBuilder::Route(ServiceState& service,
                                                 std::string_view environment,
                                                 const Request& request, std::string_view path,
                                                 bool* over_cap, bool* has_id) {
  for (const CompiledJourney& j : service.journeys) {
    if (!j.methods.empty() &&
        std::find(j.methods.begin(), j.methods.end(), request.method) == j.methods.end()) {
      continue;
    }
    if (j.pattern.Matches(path)) {
      if (has_id != nullptr) {
        *has_id = HasIdSegment(path);
      }
      return Series(service, environment, model::SeriesKind::kJourney, j.name, request.version);
    }
  }
  if (request.route.empty()) {
    const bool had_id = AutomaticRoute(request.method, path, &route_buf_);
    if (has_id != nullptr) {
      *has_id = had_id;
    }
  } else {
    route_buf_.assign(request.method);
    route_buf_.push_back(' ');
    route_buf_.append(path);
  }
  // A plain request's automatic route: its series may be known already.
  RouteTargets* targets = nullptr;
  uint64_t route_hash = 0;
  if (request.route.empty() && request.version.empty() && environment == service.environment) {
    targets = &service.route_targets;
    route_hash = core::HashBytes(route_buf_);
    if (RouteTarget* known = targets->Find(route_buf_, route_hash); known != nullptr) {
      if (known->over_cap) {
        ++stats_.over_cap;
        *over_cap = true;
      }
      return *known->series;
    }
  }
  std::string_view name = route_buf_;
  if (service.known_routes.contains(std::string_view(route_buf_))) {
    // known
  } else if (service.new_route_budget > 0) {
    --service.new_route_budget;
    service.known_routes.insert(route_buf_);
    new_routes_.emplace_back(service.name, route_buf_);
  } else {
    // Over the cap now means over the cap for good: the budget never grows back.
    name = model::kOtherRoute;
    ++stats_.over_cap;
    *over_cap = true;
  }
  SeriesState& series =
      Series(service, environment, model::SeriesKind::kRoute, name, request.version);
  if (targets != nullptr) {
    targets->Insert(route_buf_, route_hash, RouteTarget{&series, *over_cap});
  }
  return series;
}

RollupBuilder::RouteTarget* RollupBuilder::RouteTargets::Find(std::string_view name,
                                                              uint64_t hash) {
  if (slots_.empty()) {
    return nullptr;
  }
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Entry& e = slots_[i];
    if (e.target.series == nullptr) {
      return nullptr;
    }
    if (e.hash == hash && e.name == name) {
      return &e.target;
    }
  }
}

void RollupBuilder::RouteTargets::Insert(std::string_view name, uint64_t hash, RouteTarget target) {
  if ((size_ + 1) * 2 > slots_.size()) {
    std::vector<Entry> old = std::move(slots_);
    slots_ = std::vector<Entry>(std::max<size_t>(64, old.size() * 2));
    size_ = 0;
    for (Entry& e : old) {
      if (e.target.series != nullptr) {
        Insert(e.name, e.hash, e.target);
      }
    }
  }
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].target.series != nullptr) {
    i = (i + 1) & mask;
  }
  slots_[i].hash = hash;
  slots_[i].name.assign(name);
  slots_[i].target = target;
  ++size_;
}

void RollupBuilder::RouteTargets::clear() {
  slots_.clear();
  size_ = 0;
}

void RollupBuilder::Add(const Request& request) {
  ++stats_.requests;
  ServiceState& service =
      Service(request.service.empty() ? std::string_view(default_service_) : request.service);
  std::string_view environment =
      request.environment.empty() ? std::string_view(service.environment) : request.environment;
  const int64_t t = request.time.unix_ms();
  if (watermark_ms_ && t < *watermark_ms_ - horizon_.ms()) {
    ++stats_.late;
  }
  if (!watermark_ms_ || t > *watermark_ms_) {
    watermark_ms_ = t;
  }

  const std::string_view target = request.route.empty() ? request.target : request.route;
  const bool valid =
      !request.malformed_request && IsMethodToken(request.method) && !target.empty() &&
      (target.front() == '/' || target.starts_with("http://") || target.starts_with("https://"));
  SeriesState* series = nullptr;
  if (!valid) {
    ++stats_.invalid_requests;
    series = &Series(service, environment, model::SeriesKind::kRoute, model::kInvalidRequestRoute,
                     request.version);
  } else {
    const std::string_view path = RequestPath(target);
    // Only plain requests (no version, environment or route of their own: access logs) are
    // cached; the key must then say everything the series depends on.
    const bool cacheable =
        request.route.empty() && request.version.empty() && request.environment.empty();
    CachedRoute* cached = nullptr;
    uint64_t hash = 0;
    const size_t key_size = request.method.size() + 1 + path.size();
    // The cache key "METHOD path": in the line itself when the path follows the method and a
    // space (the usual request line), else assembled here.
    char key_buf[kCachedKeyBytes];
    const char* key = nullptr;
    if (cacheable && key_size <= kCachedKeyBytes) {
      if (path.data() == request.method.data() + request.method.size() + 1 &&
          request.method.data()[request.method.size()] == ' ') {
        key = request.method.data();
      } else {
        std::memcpy(key_buf, request.method.data(), request.method.size());
        key_buf[request.method.size()] = ' ';
        std::memcpy(key_buf + request.method.size() + 1, path.data(), path.size());
        key = key_buf;
      }
      if (route_cache_.empty()) {
        route_cache_.resize(kRouteCacheSize);
      }
      hash = core::HashBytes(std::string_view(key, key_size));
      cached = &route_cache_[hash & (kRouteCacheSize - 1)];
      if (cached->series != nullptr && cached->hash == hash && cached->key_size == key_size &&
          cached->service == &service && std::memcmp(cached->key, key, key_size) == 0) {
        if (cached->over_cap) {
          ++stats_.over_cap;
        }
        series = cached->series;
      }
    }
    if (series == nullptr) {
      bool over_cap = false;
      bool has_id = false;
      series = &Route(service, environment, request, path, &over_cap,
                      cached != nullptr ? &has_id : nullptr);
      if (cached != nullptr && !has_id) {
        cached->hash = hash;
        cached->service = &service;
        cached->series = series;
        cached->over_cap = over_cap;
        cached->key_size = static_cast<uint8_t>(key_size);
        std::memcpy(cached->key, key, key_size);
      }
    }
  }

  model::Rollup& r = SlotFor(*series, model::Resolution::kMinute, FloorMinute(t)).rollup;
  ++r.count;
  if (request.status >= 500 && request.status <= 599) {
    ++r.bad;
  } else if (request.status >= 400 && request.status <= 499) {
    ++r.client_errors;
  }
  if (request.latency) {
    const int64_t us = std::clamp<int64_t>(request.latency->us(), 0, sketch::kMaxValueUs);
    sketch::Sketch& sketch =
        t < fold_before_ms_
            ? SlotFor(*series, model::Resolution::kHour, FloorHour(t)).rollup.latency
            : r.latency;
    sketch.AddIndexed(BucketOf(sketch, us), us);
    for (size_t i = 0; i < r.thresholds.size(); ++i) {
      if (*request.latency > r.thresholds[i]) {
        ++r.over[i];
      }
    }
  }

  // A minute [m, m + 1 min) is complete once m + 1 min <= watermark − horizon.
  const int64_t cutoff = FloorMinute(*watermark_ms_ - horizon_.ms()) - kMinuteMs;
  if (cutoff > last_flush_cutoff_ms_) {
    last_flush_cutoff_ms_ = cutoff;
    FlushBefore(cutoff, &completed_);
  }
}

int32_t RollupBuilder::BucketOf(const sketch::Sketch& sketch, int64_t us) {
  if (us % 1000 != 0 || us / 1000 >= kBucketTableMs) {
    return sketch.IndexOf(us);
  }
  if (bucket_of_ms_.empty()) {
    bucket_of_ms_.assign(static_cast<size_t>(kBucketTableMs), kUnfilled);
  }
  int32_t& index = bucket_of_ms_[static_cast<size_t>(us / 1000)];
  if (index == kUnfilled) {
    index = sketch.IndexOf(us);  // every sketch of this builder has the same accuracy
  }
  return index;
}

namespace {

// Moves the rollups of the slots starting at or before `last_start_ms` into *out.
template <typename Slot>
void MoveOut(int64_t last_start_ms, std::vector<Slot>* slots, std::vector<model::Rollup>* out) {
  auto keep = slots->begin();
  for (auto it = slots->begin(); it != slots->end(); ++it) {
    if (it->minute_ms <= last_start_ms) {
      out->push_back(std::move(it->rollup));
    } else {
      if (keep != it) {
        *keep = std::move(*it);
      }
      ++keep;
    }
  }
  slots->erase(keep, slots->end());
}

}  // namespace

void RollupBuilder::FlushBefore(int64_t cutoff_ms, std::vector<model::Rollup>* out) {
  // An hour is complete with its last minute.
  const int64_t last_hour_ms =
      cutoff_ms == INT64_MAX ? INT64_MAX : cutoff_ms - (kHourMs - kMinuteMs);
  for (auto& [key, series] : series_) {
    MoveOut(cutoff_ms, &series.slots, out);
    if (!series.hour_slots.empty()) {
      MoveOut(last_hour_ms, &series.hour_slots, out);
    }
  }
}

std::vector<model::Rollup> RollupBuilder::TakeCompleted() {
  std::vector<model::Rollup> out;
  out.swap(completed_);
  return out;
}

std::vector<model::Rollup> RollupBuilder::TakeAll() {
  FlushBefore(INT64_MAX, &completed_);
  route_cache_.clear();  // it and the services' route targets point into series_
  for (auto& [name, service] : services_) {
    service.route_targets.clear();
  }
  series_.clear();
  return TakeCompleted();
}

}  // namespace vigil::ingest
