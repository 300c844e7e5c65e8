// Writing gzip files for the importer tests (zlib, one member per call).
#pragma once

#include <string>
#include <string_view>
#include <zlib.h>

#include <gtest/gtest.h>

namespace vigil::testing {

inline void WriteGzip(const std::string& path, std::string_view bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(gz);
}

}  // namespace vigil::testing
