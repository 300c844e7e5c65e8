// Fixture helpers shared by the record adapters' tests (GitHub, PagerDuty, Jira,
// Alertmanager): export files read once from tests/data/records/<adapter>/, handed to a
// parser in any order, and the times the expected records are written with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"
#include <gtest/gtest.h>

#include "vigil/core/time.h"
#include "vigil/ingest/record_input.h"

namespace vigil::ingest::fixtures {

// 2024-06-10T00:00:00Z: 19884 days after 1970-01-01 (54 years with 13 leap days = 19723 days
// to 2024-01-01, + 152 days Jan..May, + 9) × 86 400 s.
inline constexpr int64_t kJune10Ms = 1717977600000;

// June (10 + day), hh:mm:ss UTC.
inline core::Timestamp At(int day, int h, int m, int s) {
  return core::Timestamp::FromUnixMillis(kJune10Ms + day * 86'400'000LL + h * 3'600'000LL +
                                         m * 60'000LL + s * 1000LL);
}

// An RFC 3339 time, as the fixtures write it.
inline core::Timestamp T(std::string_view rfc3339) {
  Result<core::Timestamp> t = core::ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : core::Timestamp();
}

inline std::optional<int64_t> Ms(const std::optional<core::Timestamp>& t) {
  return t ? std::optional<int64_t>(t->unix_ms()) : std::nullopt;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Fixture files of tests/data/records/<adapter>/ by name, read once and kept alive for the
// RecordFiles' views. Each RecordFile is named by the file's full path, or (kName) by the name
// as given, which is what the tests then expect in issues.
class Files {
 public:
  enum class Naming { kPath, kName };
  Files(const std::string& adapter, const std::vector<std::string>& names,
        Naming naming = Naming::kPath) {
    for (const std::string& name : names) {
      const std::string path = ::vigil::testing::TestDataPath("records/" + adapter + "/" + name);
      paths_.push_back(naming == Naming::kPath ? path : name);
      contents_.push_back(ReadFile(path));
    }
  }
  // RecordFiles in the order of `order` (indexes into the names).
  std::vector<RecordFile> In(const std::vector<size_t>& order) const {
    std::vector<RecordFile> files;
    for (size_t i : order) {
      files.push_back(RecordFile{paths_[i], contents_[i]});
    }
    return files;
  }
  std::vector<RecordFile> All() const {
    std::vector<size_t> order(paths_.size());
    for (size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    return In(order);
  }
  std::vector<RecordFile> files() const { return All(); }
  const std::string& path(size_t i) const { return paths_[i]; }

 private:
  std::vector<std::string> paths_;     // the RecordFiles' names
  std::vector<std::string> contents_;  // (std::string's buffer stays put when the vector grows)
};

}  // namespace vigil::ingest::fixtures
