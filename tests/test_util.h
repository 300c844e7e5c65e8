// Test helpers shared by every suite (STYLE §6): status matchers, temp dirs, test data paths.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vigil/core/status.h"

// EXPECT_OK / ASSERT_OK take a Status or a Result<T> and print its error on failure.
#define EXPECT_OK(expr)                                                 \
  do {                                                                  \
    const ::vigil::Status vigil_st_ = ::vigil::testing::StatusOf(expr); \
    EXPECT_TRUE(vigil_st_.ok()) << vigil_st_.ToString();                \
  } while (false)
#define ASSERT_OK(expr)                                                 \
  do {                                                                  \
    const ::vigil::Status vigil_st_ = ::vigil::testing::StatusOf(expr); \
    ASSERT_TRUE(vigil_st_.ok()) << vigil_st_.ToString();                \
  } while (false)

namespace vigil::testing {

// The Status of a Status or of a Result<T>, for the macros above.
inline const Status& StatusOf(const Status& s) {
  return s;
}
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// A fresh directory under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    auto base = std::filesystem::temp_directory_path();
    for (;;) {
      path_ = base / ("vigil-test-" + std::to_string(rd()));
      std::error_code ec;
      if (std::filesystem::create_directory(path_, ec)) {
        break;
      }
    }
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// tests/data/<relative>.
inline std::string TestDataPath(const std::string& relative) {
  return std::string(VIGIL_TEST_DATA_DIR) + "/" + relative;
}

}  // namespace vigil::testing
