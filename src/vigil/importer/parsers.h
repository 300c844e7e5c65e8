// Chooses and builds the line parser for a file from the import options (--log-format,
// --input-format) and the file's first bytes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "vigil/core/status.h"
#include "vigil/importer/importer.h"
#include "vigil/ingest/request_parser.h"

namespace vigil::importer {

// `prefix` holds the file's first bytes (up to 64 KiB); `notice` hears the choice `auto` made.
Result<std::unique_ptr<ingest::RequestParser>> MakeParser(
    const ImportOptions& options, const std::string& path, std::string_view prefix,
    const std::function<void(const std::string&)>& notice);

}  // namespace vigil::importer
