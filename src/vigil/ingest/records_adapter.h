// Options shared by the tool-export record adapters (PagerDuty, Jira, ...; DESIGN §4): the
// user's mappings for the adapter's source and the `--parent` fallback for child files.
#pragma once

#include <string>

#include "vigil/config/mappings.h"

namespace vigil::ingest {

struct AdapterOptions {
  // vigil.yaml's `mappings.<source>.<kind>` block, or null for the built-in defaults only.
  // Not owned; must outlive the call it is passed to.
  const config::SourceMappings* user_mappings = nullptr;
  // `--parent`: the parent id for child records (PagerDuty log entries, custom-field values)
  // whose parent is found neither in their content nor in their file's name. "" = none.
  std::string parent;
};

}  // namespace vigil::ingest
