#include "vigil/ingest/rollup_builder.h"

#include <algorithm>

namespace vigil::ingest {
namespace {

constexpr int64_t kMinuteMs = 60'000;

int64_t FloorMinute(int64_t ms) {
  return core::Timestamp::FromUnixMillis(ms).FloorTo(core::Duration::Minutes(1)).unix_ms();
}

}  // namespace

RollupBuilder::RollupBuilder(const config::Config& config, const model::RouteSnapshot& routes,
                             BuilderOptions options)
    : config_(config),
      options_(std::move(options)),
      default_service_(config.default_service.empty() ? std::string(kDefaultServiceName)
                                                      : config.default_service),
      horizon_(config.ingest.reorder_horizon),
      route_cap_(config.ingest.route_cap) {
  for (const auto& [service, names] : routes.services) {
    snapshot_[service] = names;
  }
}

RollupBuilder::ServiceState& RollupBuilder::Service(std::string_view name) {
  if (last_service_ != nullptr && last_service_->name == name) {
    return *last_service_;
  }
  key_buf_.assign(name);
  auto it = services_.find(key_buf_);
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

RollupBuilder::Slot& RollupBuilder::SlotFor(SeriesState& series, int64_t minute_ms) {
  // The current minute is almost always the last slot.
  for (auto it = series.slots.rbegin(); it != series.slots.rend(); ++it) {
    if (it->minute_ms == minute_ms) {
      return *it;
    }
  }
  Slot slot;
  slot.minute_ms = minute_ms;
  slot.rollup.series = series.key;
  slot.rollup.resolution = model::Resolution::kMinute;
  slot.rollup.bucket_start = core::Timestamp::FromUnixMillis(minute_ms);
  slot.rollup.thresholds = series.service->thresholds;
  slot.rollup.over.assign(slot.rollup.thresholds.size(), 0);
  slot.rollup.latency = sketch::Sketch(options_.sketch_relative_accuracy);
  series.slots.push_back(std::move(slot));
  return series.slots.back();
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

  model::SeriesKind kind = model::SeriesKind::kRoute;
  std::string_view name;
  const std::string_view target = request.route.empty() ? request.target : request.route;
  const bool valid =
      !request.malformed_request && IsMethodToken(request.method) && !target.empty() &&
      (target.front() == '/' || target.starts_with("http://") || target.starts_with("https://"));
  if (!valid) {
    name = model::kInvalidRequestRoute;
    ++stats_.invalid_requests;
  } else {
    std::string_view path = RequestPath(target);
    for (const CompiledJourney& j : service.journeys) {
      if (!j.methods.empty() &&
          std::find(j.methods.begin(), j.methods.end(), request.method) == j.methods.end()) {
        continue;
      }
      if (j.pattern.Matches(path)) {
        kind = model::SeriesKind::kJourney;
        name = j.name;
        break;
      }
    }
    if (name.empty()) {
      if (request.route.empty()) {
        AutomaticRoute(request.method, path, &route_buf_);
      } else {
        route_buf_.assign(request.method);
        route_buf_.push_back(' ');
        route_buf_.append(path);
      }
      if (service.known_routes.contains(route_buf_)) {
        name = route_buf_;
      } else if (service.new_route_budget > 0) {
        --service.new_route_budget;
        service.known_routes.insert(route_buf_);
        new_routes_.emplace_back(service.name, route_buf_);
        name = route_buf_;
      } else {
        name = model::kOtherRoute;
        ++stats_.over_cap;
      }
    }
  }

  SeriesState& series = Series(service, environment, kind, name, request.version);
  model::Rollup& r = SlotFor(series, FloorMinute(t)).rollup;
  ++r.count;
  if (request.status >= 500 && request.status <= 599) {
    ++r.bad;
  } else if (request.status >= 400 && request.status <= 499) {
    ++r.client_errors;
  }
  if (request.latency) {
    r.latency.Add(request.latency->us());
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

void RollupBuilder::FlushBefore(int64_t cutoff_ms, std::vector<model::Rollup>* out) {
  for (auto& [key, series] : series_) {
    auto keep = series.slots.begin();
    for (auto it = series.slots.begin(); it != series.slots.end(); ++it) {
      if (it->minute_ms <= cutoff_ms) {
        out->push_back(std::move(it->rollup));
      } else {
        if (keep != it) {
          *keep = std::move(*it);
        }
        ++keep;
      }
    }
    series.slots.erase(keep, series.slots.end());
  }
}

std::vector<model::Rollup> RollupBuilder::TakeCompleted() {
  std::vector<model::Rollup> out;
  out.swap(completed_);
  return out;
}

std::vector<model::Rollup> RollupBuilder::TakeAll() {
  FlushBefore(INT64_MAX, &completed_);
  series_.clear();
  return TakeCompleted();
}

}  // namespace vigil::ingest
