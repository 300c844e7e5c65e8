// The PostgreSQL store: the shared store of scale-out deployments (DESIGN §8), where several
// ingest nodes write partial rollups to one database and every query merges them. Same schema
// and semantics as the SQLite store; PostgreSQL specifics (locking, claims, COLLATE "C") are in
// docs/store-schema.md. Uses libpq directly (bound parameters only, binary results).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "vigil/store/store.h"

namespace vigil::store {

// Opens the database at `url` ("postgres://…" or "postgresql://…", a libpq connection URI; the
// database must exist) and creates or migrates vigil's schema in it (serialised across
// processes by an advisory lock). Errors: kNotFound when the database does not exist, or when
// it has no vigil schema and create_if_missing is false; kUnauthenticated when the server
// refuses the credentials; kUnavailable when the server cannot be reached; kFailedPrecondition
// when the schema is newer than this vigil. Messages name the host and database, never the
// password.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& url,
                                                 const OpenOptions& options);

// `url` with the password (in the user info or a `password=` parameter) replaced by "***".
std::string RedactPostgresUrl(std::string_view url);

}  // namespace vigil::store
