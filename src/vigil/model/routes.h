// The route registry as a writer sees it when it starts: service → its registered automatic
// routes (DESIGN §6 "Journeys and routes"). Plain value; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::model {

struct RouteSnapshot {
  std::vector<std::pair<std::string, std::vector<std::string>>> services;

  // The routes of `service`, or nullptr when it has none.
  const std::vector<std::string>* Find(std::string_view service) const {
    for (const auto& [name, routes] : services) {
      if (name == service) {
        return &routes;
      }
    }
    return nullptr;
  }
};

}  // namespace vigil::model
