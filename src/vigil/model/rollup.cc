#include "vigil/model/rollup.h"

#include <utility>

namespace vigil::model {

std::string_view SeriesKindName(SeriesKind kind) {
  switch (kind) {
    case SeriesKind::kJourney:
      return "journey";
    case SeriesKind::kRoute:
      return "route";
  }
  return "route";
}

core::Duration ResolutionWidth(Resolution r) {
  return r == Resolution::kHour ? core::Duration::Hours(1) : core::Duration::Minutes(1);
}

Status Rollup::MergeFrom(const Rollup& other) {
  VIGIL_RETURN_IF_ERROR(latency.Merge(other.latency));
  count += other.count;
  bad += other.bad;
  client_errors += other.client_errors;
  if (thresholds != other.thresholds) {
    // Keep the thresholds both rows cover; a count over a threshold only one side has is
    // unknown for the merged row.
    std::vector<core::LatencyUs> kept;
    std::vector<int64_t> kept_over;
    size_t j = 0;
    for (size_t i = 0; i < thresholds.size(); ++i) {
      while (j < other.thresholds.size() && other.thresholds[j] < thresholds[i]) {
        ++j;
      }
      if (j < other.thresholds.size() && other.thresholds[j] == thresholds[i]) {
        kept.push_back(thresholds[i]);
        kept_over.push_back(over[i] + other.over[j]);
      }
    }
    thresholds = std::move(kept);
    over = std::move(kept_over);
  } else {
    for (size_t i = 0; i < over.size(); ++i) {
      over[i] += other.over[i];
    }
  }
  return OkStatus();
}

}  // namespace vigil::model
