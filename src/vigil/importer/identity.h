// Small helpers shared by the importer's drivers: content hashes and writer tokens.
#pragma once

#include <string>
#include <string_view>

#include "vigil/core/time.h"

namespace vigil::importer {

// How long a writer's node lease lasts; renewed at every commit.
inline constexpr core::Duration kLeaseTtl = core::Duration::Hours(1);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// A random token naming this writer in its node lease ("import-<16 hex>").
std::string RandomHolder();

}  // namespace vigil::importer
