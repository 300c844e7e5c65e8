// The SQLite store: the embedded default (WAL, versioned migrations). Schema: docs/store-schema.md.
#pragma once

#include <memory>
#include <string>

#include "vigil/store/store.h"

namespace vigil::store {

// Opens or creates the SQLite database at `path` (see OpenStore).
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, const OpenOptions& options);

}  // namespace vigil::store
