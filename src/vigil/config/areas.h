// Feature areas (vigil.yaml `areas:`) compiled for lookups: a repository-relative path belongs
// to the first area, in config order, with a matching pattern (path_pattern.h), or to none.
// Thread-safety: immutable after Build; share freely.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/config/config.h"
#include "vigil/config/path_pattern.h"
#include "vigil/core/status.h"

namespace vigil::config {

class AreaMap {
 public:
  AreaMap() = default;

  // Compiles the areas' patterns (validated by ParseConfig already; an invalid one is an error
  // naming the area and pattern).
  static Result<AreaMap> Build(const std::vector<Area>& areas);

  // The area of `path`, or "" when no area's pattern matches.
  std::string_view AreaOf(std::string_view path) const;

  bool empty() const { return patterns_.empty(); }

 private:
  std::vector<std::pair<std::string, PathPattern>> patterns_;  // (area, pattern), config order
};

}  // namespace vigil::config
