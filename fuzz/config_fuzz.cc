// Fuzzes vigil.yaml parsing: any bytes must give a Config or an error, never a crash, and a
// Config that parses must satisfy the documented invariants.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vigil/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::Result<vigil::config::Config> config = vigil::config::ParseConfig(text, "fuzz.yaml");
  if (!config.ok()) {
    if (config.status().message().empty()) {
      std::abort();
    }
    return 0;
  }
  for (const vigil::config::Service& service : config->services) {
    if (service.name.empty() || config->FindService(service.name) == nullptr) {
      std::abort();
    }
    for (const vigil::config::Journey& journey : service.journeys) {
      if (!vigil::config::ValidateRoutePattern(journey.route).ok()) {
        std::abort();
      }
      if (journey.slo.availability &&
          !(*journey.slo.availability > 0 && *journey.slo.availability < 1)) {
        std::abort();
      }
      for (const vigil::config::LatencyObjective& o : journey.slo.latency) {
        if (o.threshold.us() <= 0 || !(o.target > 0 && o.target < 1)) {
          std::abort();
        }
      }
    }
    auto thresholds = config->LatencyThresholds(service.name);
    for (size_t i = 1; i < thresholds.size(); ++i) {
      if (!(thresholds[i - 1] < thresholds[i])) {
        std::abort();
      }
    }
  }
  return 0;
}
