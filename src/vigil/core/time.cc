#include "vigil/core/time.h"

namespace vigil::core {

Result<Timestamp> ParseRfc3339(std::string_view text) {
  return InvalidArgumentError("not implemented: " + std::string(text));
}
std::string FormatRfc3339(Timestamp) { return ""; }
Result<Timestamp> ParseClfTime(std::string_view text) {
  return InvalidArgumentError("not implemented: " + std::string(text));
}
Result<Duration> ParseDuration(std::string_view text) {
  return InvalidArgumentError("not implemented: " + std::string(text));
}
std::string FormatDuration(Duration) { return ""; }

}  // namespace vigil::core
