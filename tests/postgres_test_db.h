// Test helpers for suites that run against PostgreSQL: the test cluster's URL and a fresh
// database per test (created with a unique name, dropped afterwards), so tests run in parallel.
//
// Where the URL comes from: $VIGIL_TEST_POSTGRES_URL (a server of your own; its user must be
// allowed to CREATE DATABASE), else the file named by $VIGIL_TEST_POSTGRES_URL_FILE, which the
// ctest fixture (scripts/pg-test-cluster.sh, tests/CMakeLists.txt) writes. With
// VIGIL_TEST_POSTGRES=off (and CI unset) the PostgreSQL tests skip; otherwise a missing server
// fails them.
#pragma once

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <unistd.h>

#include "test_util.h"
#include <gtest/gtest.h>
#include <libpq-fe.h>

namespace vigil::testing {

// True when the developer opted out of the PostgreSQL tests (never under CI=true).
inline bool PostgresTestsOptedOut() {
  const char* off = std::getenv("VIGIL_TEST_POSTGRES");
  const char* ci = std::getenv("CI");
  return off != nullptr && std::string(off) == "off" &&
         !(ci != nullptr && std::string(ci) == "true");
}

// The test server's URL (to its maintenance database), or "" with `why` set.
inline std::string PostgresTestServerUrl(std::string* why) {
  if (const char* url = std::getenv("VIGIL_TEST_POSTGRES_URL"); url != nullptr && *url != '\0') {
    return url;
  }
  const char* file = std::getenv("VIGIL_TEST_POSTGRES_URL_FILE");
  if (file == nullptr || *file == '\0') {
    *why =
        "no PostgreSQL test server: set VIGIL_TEST_POSTGRES_URL, or run the tests through "
        "ctest (its fixture starts one with scripts/pg-test-cluster.sh); "
        "VIGIL_TEST_POSTGRES=off skips these tests";
    return "";
  }
  std::ifstream in(file);
  std::string url;
  std::getline(in, url);
  if (url.empty()) {
    *why = std::string("no PostgreSQL test server: ") + file +
           " is missing or empty (did the postgres_cluster.start fixture fail? see its output)";
  }
  return url;
}

// `server_url` with its database replaced by `db` (query parameters kept).
inline std::string WithDatabase(const std::string& server_url, const std::string& db) {
  const size_t scheme = server_url.find("://");
  const size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t query = server_url.find('?', start);
  const size_t slash = server_url.find('/', start);
  const size_t host_end =
      slash != std::string::npos && (query == std::string::npos || slash < query)
          ? slash
          : (query == std::string::npos ? server_url.size() : query);
  std::string out = server_url.substr(0, host_end) + "/" + db;
  if (query != std::string::npos) {
    out += server_url.substr(query);
  }
  return out;
}

// Runs one statement on a fresh connection to `url`; "" on success, else the error.
inline std::string RunAdminStatement(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string err;
  if (PQstatus(conn) != CONNECTION_OK) {
    err = PQerrorMessage(conn);
  } else {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
      err = PQresultErrorMessage(res);
    }
    PQclear(res);
  }
  PQfinish(conn);
  return err;
}

// A fresh, empty database on the test server, dropped when the object goes.
class PostgresTestDatabase {
 public:
  // Creates it; on failure url() is "" and error() says why.
  explicit PostgresTestDatabase(const std::string& server_url) : server_url_(server_url) {
    static std::atomic<int> counter{0};
    std::random_device rd;
    name_ = "vigil_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(rd() % 1000000);
    error_ = RunAdminStatement(server_url_, "CREATE DATABASE " + name_);
    if (error_.empty()) {
      url_ = WithDatabase(server_url_, name_);
    }
  }
  ~PostgresTestDatabase() {
    if (!url_.empty()) {
      (void)RunAdminStatement(server_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
  }
  PostgresTestDatabase(const PostgresTestDatabase&) = delete;
  PostgresTestDatabase& operator=(const PostgresTestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  const std::string& error() const { return error_; }

 private:
  std::string server_url_;
  std::string name_;
  std::string url_;
  std::string error_;
};

}  // namespace vigil::testing

// In a test body or SetUp: skips when the developer opted out, fails without a server, else
// declares `std::unique_ptr<PostgresTestDatabase> var` holding a fresh database.
#define VIGIL_FRESH_POSTGRES_DATABASE(var)                                                \
  if (::vigil::testing::PostgresTestsOptedOut()) {                                        \
    GTEST_SKIP() << "VIGIL_TEST_POSTGRES=off";                                            \
  }                                                                                       \
  std::string var##_why_;                                                                 \
  const std::string var##_server_ = ::vigil::testing::PostgresTestServerUrl(&var##_why_); \
  ASSERT_FALSE(var##_server_.empty()) << var##_why_;                                      \
  auto var = std::make_unique<::vigil::testing::PostgresTestDatabase>(var##_server_);     \
  ASSERT_TRUE(var->error().empty()) << "CREATE DATABASE failed: " << var->error()

namespace vigil::testing {

// The store backends a parameterised suite runs against.
enum class Backend { kSqlite, kPostgres };

inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::kSqlite ? "sqlite" : "postgres");
}

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "sqlite" : "postgres";
}

// A fixture whose store URL is a fresh SQLite file or a fresh PostgreSQL database, per the
// test's parameter: derive, call BackendTest::SetUp() first, then open `url_`.
// INSTANTIATE_TEST_SUITE_P(Backends, MyTest, ::testing::Values(Backend::kSqlite,
// Backend::kPostgres), BackendName).
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      url_ = dir_.File("vigil.db");
      return;
    }
    VIGIL_FRESH_POSTGRES_DATABASE(db);
    pg_ = std::move(db);
    url_ = pg_->url();
  }
  TempDir dir_;
  std::unique_ptr<PostgresTestDatabase> pg_;
  std::string url_;
};

}  // namespace vigil::testing
