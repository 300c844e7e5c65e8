#include "vigil/config/areas.h"

namespace vigil::config {

Result<AreaMap> AreaMap::Build(const std::vector<Area>& areas) {
  AreaMap map;
  for (const Area& area : areas) {
    for (const std::string& text : area.paths) {
      Result<PathPattern> pattern = PathPattern::Parse(text);
      if (!pattern.ok()) {
        return pattern.status().WithPrefix("area '" + area.name + "', pattern '" + text + "'");
      }
      map.patterns_.emplace_back(area.name, std::move(pattern).value());
    }
  }
  return map;
}

std::string_view AreaMap::AreaOf(std::string_view path) const {
  for (const auto& [area, pattern] : patterns_) {
    if (pattern.Matches(path)) {
      return area;
    }
  }
  return {};
}

}  // namespace vigil::config
