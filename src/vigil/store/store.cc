// OpenStore: picks the backend (SQLite or PostgreSQL) from a store URL (store.h).
#include "vigil/store/store.h"

#include "vigil/store/postgres_store.h"
#include "vigil/store/sqlite_store.h"

namespace vigil::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& url, const OpenOptions& options) {
  std::string_view u = url;
  if (u.empty()) {
    return OpenSqliteStore("vigil.db", options);
  }
  constexpr std::string_view kSqlite = "sqlite://";
  if (u.starts_with(kSqlite)) {
    std::string path(u.substr(kSqlite.size()));
    if (path.empty()) {
      return InvalidArgumentError("store url '" + url + "': no path after sqlite://");
    }
    return OpenSqliteStore(path, options);
  }
  if (u.starts_with("postgres://") || u.starts_with("postgresql://")) {
    return OpenPostgresStore(url, options);
  }
  if (u.find("://") != std::string_view::npos) {
    return InvalidArgumentError("store url '" + url +
                                "': unknown scheme (use sqlite://PATH or postgres://…)");
  }
  return OpenSqliteStore(url, options);
}

}  // namespace vigil::store
